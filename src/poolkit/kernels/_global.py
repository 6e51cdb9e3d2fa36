"""Numba kernels for global pooling (imported lazily).

Global pooling reduces each ``(n, c)`` plane to one value. Sums stream a plane once with
``LANES`` interleaved partial sums: element ``i`` of the flattened plane (C order) adds into
partial ``i % LANES`` while a whole block of ``LANES`` remains, the partials are then added
in order and the tail after them. That fixed-length inner loop vectorises without
reassociating one running sum (which LLVM may not do for floats), and it is *one order for
every memory layout*: contiguous planes (:func:`global_sum_cf`), channels-last
(:func:`global_sum_cl`, vectorised across channels) and any other strides
(:func:`global_sum_strided`) give bit-identical sums.

Max keeps PyTorch's select (``v > best or isnan(v)``) per lane, then across lanes. The value
is the same as the window-order rule's except for which of several equal candidates is kept:
that shows only as the sign of a zero maximum or a NaN's payload, so a plane whose maximum is
0 or NaN is redone in window order.
"""

from __future__ import annotations

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit
from poolkit.kernels._window import _pick, _u

#: Interleaved partial sums (one AVX2 vector of float32, two of float64): few enough that
#: small planes (7x7) still fill blocks.
LANES = 8

#: Interleaved running maxima per step of :func:`global_max`.
MAX_LANES = 64


@njit(**_OPTS)
def global_sum_cf(i0, i1, x, divisor, out, acc):
    """``out[n, c] = sum(x[n, c]) / divisor`` (``divisor`` 0: the plain sum); ``x`` is
    ``(N, C, S)`` (contiguous planes vectorise); ``acc`` is a ``LANES``-long buffer of the
    accumulator dtype."""
    _N, C, S = x.shape
    body = S - S % LANES
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        v = x[n, c]
        for lane in range(LANES):
            acc[lane] = 0
        for b in range(0, body, LANES):
            for lane in range(LANES):
                acc[lane] += v[_u(b + lane)]
        total = acc[0]
        for lane in range(1, LANES):
            total += acc[lane]
        for i in range(body, S):
            total += v[i]
        if divisor != 0:
            out[n, c] = total / divisor
        else:
            out[n, c] = total


@njit(**_OPTS)
def global_sum_cl(i0, i1, x, divisor, cb, out, acc, total):
    """Channels-last :func:`global_sum_cf` (the same order per channel): ``x`` is
    ``(N, S, C)``, items are ``(n, block of cb channels)``, vectorised across the block;
    ``acc`` is ``(LANES, cb)``, ``total`` ``(cb,)``."""
    _N, S, C = x.shape
    body = S - S % LANES
    nblocks = (C + cb - 1) // cb
    for item in range(i0, i1):
        n = item // nblocks
        c0 = (item - n * nblocks) * cb
        m = min(C, c0 + cb) - c0
        for lane in range(LANES):
            for j in range(m):
                acc[lane, j] = 0
        for b in range(0, body, LANES):
            for lane in range(LANES):
                src = x[n, b + lane]
                for j in range(m):
                    acc[lane, j] += src[_u(c0 + j)]
        for j in range(m):
            total[j] = acc[0, j]
        for lane in range(1, LANES):
            for j in range(m):
                total[j] += acc[lane, j]
        for i in range(body, S):
            src = x[n, i]
            for j in range(m):
                total[j] += src[_u(c0 + j)]
        for j in range(m):
            if divisor != 0:
                out[n, c0 + j] = total[j] / divisor
            else:
                out[n, c0 + j] = total[j]


@njit(**_OPTS)
def global_sum_strided(i0, i1, x, divisor, out, acc):
    """:func:`global_sum_cf`'s order over ``(N, C, D, H, W)`` of any strides (scalar)."""
    _N, C, D, H, W = x.shape
    S = D * H * W
    body = S - S % LANES
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for lane in range(LANES):
            acc[lane] = 0
        i = 0
        total = acc[0]
        for d in range(D):
            for h in range(H):
                row = x[n, c, d, h]
                for w in range(W):
                    if i < body:
                        acc[i % LANES] += row[w]
                        if i == body - 1:
                            total = acc[0]
                            for lane in range(1, LANES):
                                total += acc[lane]
                    else:
                        if i == 0:  # no whole block: the tail starts from zero
                            total = acc[0]
                        total += row[w]
                    i += 1
        if divisor != 0:
            out[n, c] = total / divisor
        else:
            out[n, c] = total


@njit(**_OPTS)
def global_max(i0, i1, x, out, best, spare):
    """``out[n, c] = max(x[n, c])`` with PyTorch's rule; ``best``/``spare`` are ``LANES``-long
    buffers of x's dtype (ping-pong: an in-place select would become a slow masked store)."""
    _N, C, S = x.shape
    lanes = MAX_LANES
    body = S - S % lanes
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        v = x[n, c]
        start = body
        if body == 0:
            r = v[0]
            start = 1
        else:
            a, b = best, spare
            for lane in range(lanes):
                a[lane] = v[lane]
            for i in range(lanes, body, lanes):
                for lane in range(lanes):
                    b[lane] = _pick(a[lane], v[_u(i + lane)])
                a, b = b, a
            r = a[0]
            for lane in range(1, lanes):
                r = _pick(r, a[lane])
        for i in range(start, S):
            r = _pick(r, v[i])
        if r == 0 or r != r:  # which zero, which NaN: decided in window order
            r = v[0]
            for i in range(1, S):
                r = _pick(r, v[i])
        out[n, c] = r
