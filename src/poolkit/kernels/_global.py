"""Numba kernels for global pooling of contiguous planes (imported lazily).

Global pooling reduces each ``(n, c)`` plane to one value. When a plane is contiguous (any
channels-first array whose spatial axes are C-ordered) it is one long vector, so these
kernels stream it once with independent accumulators, so the loop vectorises without
reassociating a single running sum (which LLVM may not do for floats) and the read runs near
memory bandwidth. Sums add ``LANES`` interleaved partial sums, then the partials: as accurate as
one running sum or better, and within rounding of it.

Max keeps PyTorch's select (``v > best or isnan(v)``) per lane, then across lanes. The value
is the same as the window-order rule's except for which of several equal candidates is kept:
that shows only as the sign of a zero maximum or a NaN's payload, so a plane whose maximum is
0 or NaN is redone in window order.
"""

from __future__ import annotations

from numba import njit

from poolkit.kernels._window import _pick, _u

_OPTS = {"cache": True, "nogil": True, "_nrt": False, "error_model": "numpy", "boundscheck": False}

#: Interleaved accumulators: a plane is read in blocks of ``LANES`` that combine elementwise
#: into a ``LANES``-long buffer (a fixed-length vector loop).
LANES = 64


@njit(**_OPTS)
def global_sum(i0, i1, x, divisor, out, acc):
    """``out[n, c] = sum(x[n, c]) / divisor`` (``divisor`` 0: the plain sum); ``x`` is
    ``(N, C, S)`` with contiguous planes; ``acc`` is a ``LANES``-long buffer of the
    accumulator dtype: block ``b`` of the plane adds elementwise into it (a vector loop)."""
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
def global_max(i0, i1, x, out, best, spare):
    """``out[n, c] = max(x[n, c])`` with PyTorch's rule; ``best``/``spare`` are ``LANES``-long
    buffers of x's dtype (ping-pong: an in-place select would become a slow masked store)."""
    _N, C, S = x.shape
    lanes = LANES
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
