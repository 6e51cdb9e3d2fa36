"""Numba elementwise kernels for Lp pooling (imported lazily).

Lp pooling is ``(sum |x|^p) ^ (1/p)`` over each window; its gradient is
``grad * out^(1-p)`` spread over the window's taps (the sum backward), times
``sign(x) |x|^(p-1)``. The window work is the sum kernels'; these kernels do the elementwise
ends in one pass each, in float64 (as the reference does: ``|x|^p`` overflows float32 long
before float64), instead of NumPy's chain of cast, abs, power, sign, multiply and select
passes with a fresh full-size array each.

Arrays are 5-d in the kernel's memory order (``(N, C, D, H, W)`` channels-first or
``(N, D, H, W, C)`` channels-last), any strides; items run over the two leading axes.
"""

from __future__ import annotations

import numpy as np

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit


@njit(**_OPTS)
def abs_pow(i0, i1, x, p, out):
    """``out = |x| ** p`` in float64; ``p`` of 1 and 2 as ``|x|`` and ``x * x`` (exact, as
    NumPy's own fast paths for those exponents)."""
    _A, B, P, Q, R = x.shape
    for item in range(i0, i1):
        a = item // B
        b = item - a * B
        for i in range(P):
            for j in range(Q):
                src = x[a, b, i, j]
                dst = out[a, b, i, j]
                if p == 2.0:
                    for k in range(R):
                        v = np.float64(src[k])
                        dst[k] = v * v
                elif p == 1.0:
                    for k in range(R):
                        dst[k] = abs(np.float64(src[k]))
                else:
                    for k in range(R):
                        dst[k] = abs(np.float64(src[k])) ** p


@njit(**_OPTS)
def lp_input_grad(i0, i1, x, spread, p, out):
    """``out = sign(x) * |x|^(p-1) * spread``, stored in ``out.dtype``; 0 where ``x`` is 0 or
    NaN (a NaN makes every window holding it NaN, and NaN outputs pass no gradient, as in the
    reference)."""
    _A, B, P, Q, R = x.shape
    for item in range(i0, i1):
        a = item // B
        b = item - a * B
        for i in range(P):
            for j in range(Q):
                src = x[a, b, i, j]
                s = spread[a, b, i, j]
                dst = out[a, b, i, j]
                for k in range(R):
                    v = np.float64(src[k])
                    m = abs(v)
                    if p == 2.0:
                        f = m
                    elif p == 1.0:
                        f = 1.0
                    else:
                        f = m ** (p - 1.0)
                    g = f * s[k]
                    if v > 0:
                        dst[k] = g
                    elif v < 0:
                        dst[k] = -g
                    else:  # 0 or NaN
                        dst[k] = 0.0
