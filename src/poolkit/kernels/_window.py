"""Numba kernels for windowed pooling (max, sum/avg, argmax, backward), 3 spatial dims.

Imported lazily by :mod:`poolkit.kernels._drivers` (never at ``import poolkit``). Every problem
reaches these kernels as a 5-d array: 1-d and 2-d pooling get leading unit spatial axes, so
there is one specialisation per (dtype, memory order) instead of one per rank.

A window along one axis is described by resolved geometry only: for every output position the
first in-bounds tap ``f[o]``, the number of in-bounds taps ``n[o]`` and the axis dilation.
Regular, global and adaptive windows are all this; pads never appear, so they never win.

Two memory orders:
- ``*_cf`` kernels take ``(N, C, D, H, W)`` (channels-first) and run one (n, c) plane per
  parallel item; they reduce whole rows first (the contiguous axis is the inner loop).
- ``*_cl`` kernels take ``(N, D, H, W, C)`` (channels-last) and vectorise across channels.

The max rule is PyTorch's CPU loop, taps visited in window order:
``if v > best or isnan(v): best = v`` (ties keep the first, NaN wins, the last NaN wins).

Every kernel is serial over an item range ``[i0, i1)`` (the thread pool in
:mod:`poolkit.kernels._threads` runs the ranges), releases the GIL, and is compiled without
reference counting (``_nrt=False``), so it cannot allocate: its work buffers are the trailing
arguments, one set per chunk.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_OPTS = {"cache": True, "nogil": True, "_nrt": False, "error_model": "numpy", "boundscheck": False}


# --------------------------------------------------------------------------- max values


@njit(inline="always", **_OPTS)
def _u(i):
    """An index known to be >= 0 as unsigned: Numba then skips its negative-index wraparound
    select, which would otherwise turn contiguous vector loads into gathers."""
    return np.uint64(i)


@njit(inline="always", **_OPTS)
def _pick(r, v):
    """PyTorch's max step as a select: ``v`` if ``v > r`` or ``v`` is NaN, else ``r``."""
    return v if (v > r) | (v != v) else r


@njit(inline="always", **_OPTS)
def _hmax(row, oa, ob, ea, eb, fw, nw, dw, sw, off, kw, ia, ib):
    """Horizontal max pass of one combined row; returns 0 when ``oa`` holds the outputs,
    1 for ``ob`` (without reference counting, a function may not return an array).

    Interior outputs ``[ia, ib)`` go tap-outer with unsigned indices (Numba's negative-index
    wraparound would otherwise turn each load into a select: no vector loads) and literal
    strides 1 and 2; edge outputs run scalar."""
    orow, ospare = oa, ob
    which = 0
    ni = ib - ia
    if ni > 0:
        b0 = ia * sw + off
        if sw == 2:
            # Stride 2 reads every other element: split the row into its even and odd
            # halves once (one interleaved copy LLVM vectorises), so every tap below is a
            # contiguous vector loop instead of a scalar strided one.
            for i in range(min(len(ea), (len(row) + 1) // 2)):
                ea[i] = row[_u(2 * i)]
            for i in range(min(len(eb), len(row) // 2)):
                eb[i] = row[_u(2 * i + 1)]
        for i in range(ni):
            orow[_u(ia + i)] = row[_u(b0 + i * sw)]
        for t in range(1, kw):
            bt = b0 + t * dw
            if sw == 1:
                for i in range(ni):
                    q = _u(ia + i)
                    ospare[q] = _pick(orow[q], row[_u(bt + i)])
            elif sw == 2:  # even/odd halves (below): contiguous loads
                half = ea if bt % 2 == 0 else eb
                h0 = bt // 2
                for i in range(ni):
                    q = _u(ia + i)
                    ospare[q] = _pick(orow[q], half[_u(h0 + i)])
            else:
                for i in range(ni):
                    q = _u(ia + i)
                    ospare[q] = _pick(orow[q], row[_u(bt + i * sw)])
            orow, ospare = ospare, orow
            which = 1 - which
    for e in range(len(fw) - (ib - ia)):  # edge outputs only
        ow = e if e < ia else e + (ib - ia)
        b = row[fw[ow]]
        for t in range(1, nw[ow]):
            b = _pick(b, row[fw[ow] + t * dw])
        orow[ow] = b
    return which


@njit(inline="always", **_OPTS)
def _fused(sw, dw, kw):
    """Whether :func:`_hmax_to` / :func:`_hsum_to` handle this W window: stride 1 or 2,
    no dilation, 2 or 3 taps (the common small windows)."""
    return (sw == 1 or sw == 2) and dw == 1 and (kw == 2 or kw == 3)


@njit(inline="always", **_OPTS)
def _hmax_to(row, dst, fw, nw, sw, off, kw, ia, ib):
    """Horizontal max of one combined row straight into ``dst`` (one pass: every interior
    output reads its taps with literal strides, which LLVM turns into interleaved vector
    loads); see :func:`_fused` for the windows it takes."""
    ni = ib - ia
    b0 = ia * sw + off
    if sw == 2 and kw == 3:
        for i in range(ni):
            v = _pick(row[_u(b0 + 2 * i)], row[_u(b0 + 2 * i + 1)])
            dst[_u(ia + i)] = _pick(v, row[_u(b0 + 2 * i + 2)])
    elif sw == 2:
        for i in range(ni):
            dst[_u(ia + i)] = _pick(row[_u(b0 + 2 * i)], row[_u(b0 + 2 * i + 1)])
    elif kw == 3:
        for i in range(ni):
            v = _pick(row[_u(b0 + i)], row[_u(b0 + i + 1)])
            dst[_u(ia + i)] = _pick(v, row[_u(b0 + i + 2)])
    else:
        for i in range(ni):
            dst[_u(ia + i)] = _pick(row[_u(b0 + i)], row[_u(b0 + i + 1)])
    for e in range(len(fw) - ni):  # edge outputs only
        ow = e if e < ia else e + ni
        b = row[fw[ow]]
        for t in range(1, nw[ow]):
            b = _pick(b, row[fw[ow] + t])
        dst[ow] = b


@njit(inline="always", **_OPTS)
def _hsum_to(row, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw):
    """Horizontal sums of one combined row straight into ``dst``, with ``scaled`` each output
    times ``m * mw[ow]``; taps add in window order, as in :func:`sum_cf`'s general path.
    Windows as in :func:`_fused`. (Unscaled sums never pass through a float multiply:
    integer sums stay exact.)"""
    ni = ib - ia
    b0 = ia * sw + off
    if scaled:
        if sw == 2 and kw == 3:
            for i in range(ni):
                j = b0 + 2 * i
                v = (row[_u(j)] + row[_u(j + 1)]) + row[_u(j + 2)]
                dst[_u(ia + i)] = v * (m * mw[_u(ia + i)])
        elif sw == 2:
            for i in range(ni):
                v = row[_u(b0 + 2 * i)] + row[_u(b0 + 2 * i + 1)]
                dst[_u(ia + i)] = v * (m * mw[_u(ia + i)])
        elif kw == 3:
            for i in range(ni):
                v = (row[_u(b0 + i)] + row[_u(b0 + i + 1)]) + row[_u(b0 + i + 2)]
                dst[_u(ia + i)] = v * (m * mw[_u(ia + i)])
        else:
            for i in range(ni):
                v = row[_u(b0 + i)] + row[_u(b0 + i + 1)]
                dst[_u(ia + i)] = v * (m * mw[_u(ia + i)])
        for e in range(len(fw) - ni):  # edge outputs only
            ow = e if e < ia else e + ni
            b = row[fw[ow]]
            for t in range(1, nw[ow]):
                b += row[fw[ow] + t]
            dst[ow] = b * (m * mw[ow])
    else:
        if sw == 2 and kw == 3:
            for i in range(ni):
                j = b0 + 2 * i
                dst[_u(ia + i)] = (row[_u(j)] + row[_u(j + 1)]) + row[_u(j + 2)]
        elif sw == 2:
            for i in range(ni):
                dst[_u(ia + i)] = row[_u(b0 + 2 * i)] + row[_u(b0 + 2 * i + 1)]
        elif kw == 3:
            for i in range(ni):
                dst[_u(ia + i)] = (row[_u(b0 + i)] + row[_u(b0 + i + 1)]) + row[_u(b0 + i + 2)]
        else:
            for i in range(ni):
                dst[_u(ia + i)] = row[_u(b0 + i)] + row[_u(b0 + i + 1)]
        for e in range(len(fw) - ni):  # edge outputs only
            ow = e if e < ia else e + ni
            b = row[fw[ow]]
            for t in range(1, nw[ow]):
                b += row[fw[ow] + t]
            dst[ow] = b


@njit(inline="always", **_OPTS)
def _hmax_cl(row, dst, fw, nw, sw, off, kw, ia, ib):
    """Channels-last :func:`_hmax_to`: ``row`` is (W, C), ``dst`` (OW, C); every output pixel
    reduces its 2 or 3 taps in one vector loop over C, any stride (``dw == 1``)."""
    C = row.shape[1]
    ni = ib - ia
    b0 = ia * sw + off
    for q in range(ni):
        w0, oq = _u(b0 + q * sw), _u(ia + q)
        w1 = _u(b0 + q * sw + 1)
        if kw == 3:
            w2 = _u(b0 + q * sw + 2)
            for c in range(C):
                dst[oq, c] = _pick(_pick(row[w0, c], row[w1, c]), row[w2, c])
        else:
            for c in range(C):
                dst[oq, c] = _pick(row[w0, c], row[w1, c])
    for e in range(len(fw) - ni):  # edges: taps inner, scalar (edges are few)
        ow = e if e < ia else e + ni
        for c in range(C):
            b = row[fw[ow], c]
            for t in range(1, nw[ow]):
                b = _pick(b, row[fw[ow] + t, c])
            dst[ow, c] = b


@njit(inline="always", **_OPTS)
def _hsum_cl(row, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw):
    """Channels-last :func:`_hsum_to` (see :func:`_hmax_cl`)."""
    C = row.shape[1]
    ni = ib - ia
    b0 = ia * sw + off
    for q in range(ni):
        w0, oq = _u(b0 + q * sw), _u(ia + q)
        w1 = _u(b0 + q * sw + 1)
        w2 = _u(b0 + q * sw + 2 if kw == 3 else b0 + q * sw)
        mq = m * mw[oq]
        if scaled and kw == 3:
            for c in range(C):
                dst[oq, c] = ((row[w0, c] + row[w1, c]) + row[w2, c]) * mq
        elif scaled:
            for c in range(C):
                dst[oq, c] = (row[w0, c] + row[w1, c]) * mq
        elif kw == 3:
            for c in range(C):
                dst[oq, c] = (row[w0, c] + row[w1, c]) + row[w2, c]
        else:
            for c in range(C):
                dst[oq, c] = row[w0, c] + row[w1, c]
    for e in range(len(fw) - ni):  # edges: taps inner, scalar (edges are few)
        ow = e if e < ia else e + ni
        mq = m * mw[ow]
        for c in range(C):
            b = row[fw[ow], c]
            for t in range(1, nw[ow]):
                b += row[fw[ow] + t, c]
            if scaled:
                dst[ow, c] = b * mq
            else:
                dst[ow, c] = b


@njit(inline="always", **_OPTS)
def _dmax_cl(r0, r1, r2, rows, dst, fw, nw, sw, off, kw, ia, ib):
    """Channels-last max of 2 or 3 input rows (``r2`` unused for 2) and 2 or 3 taps read
    straight from the input: no row buffer (that pass cost as much as the reduction); the
    vertical taps of a column still combine first, as in the row path."""
    C = r0.shape[1]
    ni = ib - ia
    b0 = ia * sw + off
    for q in range(ni):
        a, oq = _u(b0 + q * sw), _u(ia + q)
        b = _u(b0 + q * sw + 1)
        d = _u(b0 + q * sw + 2 if kw == 3 else b0 + q * sw)
        if rows == 2 and kw == 2:
            for c in range(C):
                dst[oq, c] = _pick(_pick(r0[a, c], r1[a, c]), _pick(r0[b, c], r1[b, c]))
        elif rows == 2:
            for c in range(C):
                v = _pick(_pick(r0[a, c], r1[a, c]), _pick(r0[b, c], r1[b, c]))
                dst[oq, c] = _pick(v, _pick(r0[d, c], r1[d, c]))
        elif kw == 2:
            for c in range(C):
                va = _pick(_pick(r0[a, c], r1[a, c]), r2[a, c])
                dst[oq, c] = _pick(va, _pick(_pick(r0[b, c], r1[b, c]), r2[b, c]))
        else:
            for c in range(C):
                va = _pick(_pick(r0[a, c], r1[a, c]), r2[a, c])
                v = _pick(va, _pick(_pick(r0[b, c], r1[b, c]), r2[b, c]))
                dst[oq, c] = _pick(v, _pick(_pick(r0[d, c], r1[d, c]), r2[d, c]))
    for e in range(len(fw) - ni):  # edges: scalar (edges are few)
        ow = e if e < ia else e + ni
        for c in range(C):
            best = r0[fw[ow], c]
            for t in range(nw[ow]):
                w = fw[ow] + t
                v = _pick(r0[w, c], r1[w, c])
                if rows == 3:
                    v = _pick(v, r2[w, c])
                best = v if t == 0 else _pick(best, v)
            dst[ow, c] = best


@njit(inline="always", **_OPTS)
def _dsum_cl(r0, r1, r2, rows, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw):
    """Channels-last sums of 2 or 3 input rows, as :func:`_dmax_cl`; column sums first,
    then the taps in window order (the row path's order)."""
    C = r0.shape[1]
    ni = ib - ia
    b0 = ia * sw + off
    for q in range(ni):
        a, oq = _u(b0 + q * sw), _u(ia + q)
        b = _u(b0 + q * sw + 1)
        d = _u(b0 + q * sw + 2 if kw == 3 else b0 + q * sw)
        mq = m * mw[oq]
        if rows == 2 and kw == 2:
            if scaled:
                for c in range(C):
                    dst[oq, c] = ((r0[a, c] + r1[a, c]) + (r0[b, c] + r1[b, c])) * mq
            else:
                for c in range(C):
                    dst[oq, c] = (r0[a, c] + r1[a, c]) + (r0[b, c] + r1[b, c])
        elif rows == 2:
            if scaled:
                for c in range(C):
                    v = (r0[a, c] + r1[a, c]) + (r0[b, c] + r1[b, c])
                    dst[oq, c] = (v + (r0[d, c] + r1[d, c])) * mq
            else:
                for c in range(C):
                    v = (r0[a, c] + r1[a, c]) + (r0[b, c] + r1[b, c])
                    dst[oq, c] = v + (r0[d, c] + r1[d, c])
        elif kw == 2:
            if scaled:
                for c in range(C):
                    v = ((r0[a, c] + r1[a, c]) + r2[a, c]) + ((r0[b, c] + r1[b, c]) + r2[b, c])
                    dst[oq, c] = v * mq
            else:
                for c in range(C):
                    v = ((r0[a, c] + r1[a, c]) + r2[a, c]) + ((r0[b, c] + r1[b, c]) + r2[b, c])
                    dst[oq, c] = v
        else:
            if scaled:
                for c in range(C):
                    v = ((r0[a, c] + r1[a, c]) + r2[a, c]) + ((r0[b, c] + r1[b, c]) + r2[b, c])
                    dst[oq, c] = (v + ((r0[d, c] + r1[d, c]) + r2[d, c])) * mq
            else:
                for c in range(C):
                    v = ((r0[a, c] + r1[a, c]) + r2[a, c]) + ((r0[b, c] + r1[b, c]) + r2[b, c])
                    dst[oq, c] = v + ((r0[d, c] + r1[d, c]) + r2[d, c])
    for e in range(len(fw) - ni):  # edges: scalar (edges are few)
        ow = e if e < ia else e + ni
        mq = m * mw[ow]
        for c in range(C):
            acc = r0[fw[ow], c] + r1[fw[ow], c]
            if rows == 3:
                acc += r2[fw[ow], c]
            for t in range(1, nw[ow]):
                w = fw[ow] + t
                v = r0[w, c] + r1[w, c]
                if rows == 3:
                    v += r2[w, c]
                acc += v
            if scaled:
                dst[ow, c] = acc * mq
            else:
                dst[ow, c] = acc


@njit(**_OPTS)
def max_cf(i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, out, ra, rb, oa, ob, ea, eb):
    """Max values. Vertical taps combine whole rows (the first two in one pass), then the row
    is reduced horizontally; ``win = (stride_w, -lo_w, k_w, ia, ib)`` marks outputs
    ``[ia, ib)`` whose taps are all inside the row. Small windows (:func:`_fused`) reduce
    straight into ``out`` in one pass; others go tap-outer (:func:`_hmax`) so the inner loop
    vectorises. Rows are short (56 for 2x2/2 on 112): a few passes per row is the cost.

    Updates ping-pong between two buffers: ``row[w] = pick(row[w], v)`` in place would
    compile to a masked store, which is microcoded (very slow) on AMD CPUs.
    """
    _N, C, _D, _H, W = x.shape
    OD, OH, OW = out.shape[2], out.shape[3], out.shape[4]
    dd, dh, dw = dil[0], dil[1], dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    fused = _fused(sw, dw, kw)
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                dst = out[n, c, od, oh]
                rows = nd[od] * nh[oh]
                if rows == 1:  # one input row (1-d pooling): no row copy
                    src = x[n, c, fd[od], fh[oh]]
                    if fused:
                        _hmax_to(src, dst, fw, nw, sw, off, kw, ia, ib)
                        continue
                    which = _hmax(src, oa, ob, ea, eb, fw, nw, dw, sw, off, kw, ia, ib)
                else:
                    row, spare = ra, rb
                    s0 = x[n, c, fd[od], fh[oh]]
                    for r in range(1, rows):
                        i = r // nh[oh]
                        src = x[n, c, fd[od] + i * dd, fh[oh] + (r - i * nh[oh]) * dh]
                        if r == 1:
                            for w in range(W):
                                row[w] = _pick(s0[w], src[w])
                        else:
                            for w in range(W):
                                spare[w] = _pick(row[w], src[w])
                            row, spare = spare, row
                    if fused:
                        _hmax_to(row, dst, fw, nw, sw, off, kw, ia, ib)
                        continue
                    which = _hmax(row, oa, ob, ea, eb, fw, nw, dw, sw, off, kw, ia, ib)
                orow = oa if which == 0 else ob
                for ow in range(OW):
                    dst[ow] = orow[ow]


@njit(**_OPTS)
def max_cl(i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, out, ra, rb, oa, ob):
    """Max values, channels-last: rows of (W, C) combine elementwise, vectorised over C (the
    first two in one pass); small windows (``dw == 1``, 2 or 3 taps) then reduce each pixel
    straight into ``out`` (:func:`_hmax_cl`); others advance interior outputs ``[ia, ib)``
    tap by tap over the whole row (one long vector loop per tap), edge outputs pixel by
    pixel. Ping-pong buffers as in :func:`max_cf`."""
    _N, _D, _H, W, C = x.shape
    OD, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    dd, dh, dw = dil[0], dil[1], dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    ni = ib - ia
    fused = dw == 1 and (kw == 2 or kw == 3)
    for item in range(i0, i1):
        n = item // (OD * OH)
        rest = item - n * OD * OH
        od = rest // OH
        oh = rest - od * OH
        dst = out[n, od, oh]
        rows = nd[od] * nh[oh]
        s0 = x[n, fd[od], fh[oh]]
        if rows == 1 and fused:
            _hmax_cl(s0, dst, fw, nw, sw, off, kw, ia, ib)
            continue
        if (rows == 2 or rows == 3) and fused:
            s1 = x[n, fd[od] + (1 // nh[oh]) * dd, fh[oh] + (1 - (1 // nh[oh]) * nh[oh]) * dh]
            i2 = 2 // nh[oh]
            s2 = x[n, fd[od] + i2 * dd, fh[oh] + (2 - i2 * nh[oh]) * dh] if rows == 3 else s1
            _dmax_cl(s0, s1, s2, rows, dst, fw, nw, sw, off, kw, ia, ib)
            continue
        row, spare = ra, rb
        if rows == 1:
            for w in range(W):
                for c in range(C):
                    row[w, c] = s0[w, c]
        for r in range(1, rows):
            i = r // nh[oh]
            src = x[n, fd[od] + i * dd, fh[oh] + (r - i * nh[oh]) * dh]
            if r == 1:
                for w in range(W):
                    for c in range(C):
                        row[w, c] = _pick(s0[w, c], src[w, c])
            else:
                for w in range(W):
                    for c in range(C):
                        spare[w, c] = _pick(row[w, c], src[w, c])
                row, spare = spare, row
        if fused:
            _hmax_cl(row, dst, fw, nw, sw, off, kw, ia, ib)
            continue
        orow, ospare = oa, ob
        b0 = ia * sw + off
        for q in range(ni):
            wq, oq = _u(b0 + q * sw), _u(ia + q)
            for c in range(C):
                orow[oq, c] = row[wq, c]
        for t in range(1, kw):
            bt = b0 + t * dw
            for q in range(ni):
                wq, oq = _u(bt + q * sw), _u(ia + q)
                for c in range(C):
                    ospare[oq, c] = _pick(orow[oq, c], row[wq, c])
            orow, ospare = ospare, orow
        for e in range(OW - (ib - ia)):  # edges: per pixel, into the final buffer
            ow = e if e < ia else e + (ib - ia)
            w0 = fw[ow]
            for c in range(C):
                orow[ow, c] = row[_u(w0), c]
            for t in range(1, nw[ow]):
                w = _u(w0 + t * dw)
                for c in range(C):
                    v = row[w, c]
                    b = orow[ow, c]
                    if v > b or v != v:  # scalar: edges are few
                        orow[ow, c] = v
        for ow in range(OW):
            for c in range(C):
                dst[ow, c] = orow[ow, c]


# --------------------------------------------------------------------------- argmax, max backward


@njit(**_OPTS)
def argmax_cf(
    i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, backward, out, idx, g, gin, va, vb, xa, xb
):
    """Recompute each window's argmax in window order. Forward (``backward=False``): write the
    value to ``out`` and the flat plane index to ``idx``. Backward: add ``g`` at the argmax of
    ``gin`` (C-contiguous, zero-filled by the caller); one plane per thread: deterministic.

    A whole output row advances tap by tap (interior outputs ``[ia, ib)`` as vectorised
    selects on value and index, ping-pong buffers); edge outputs run scalar.
    """
    _N, C, D, H, W = x.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dd, dh, dw = dil[0], dil[1], dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    ni = ib - ia
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                d0, h0 = fd[od], fh[oh]
                best, spare, bidx, sidx = va, vb, xa, xb
                if ni > 0:
                    first = x[n, c, d0, h0]
                    b0 = ia * sw + off
                    f0 = (d0 * H + h0) * W + b0
                    for q in range(ni):
                        best[_u(ia + q)] = first[_u(b0 + q * sw)]
                        bidx[_u(ia + q)] = f0 + q * sw
                    for i in range(nd[od]):
                        d = d0 + i * dd
                        for j in range(nh[oh]):
                            h = h0 + j * dh
                            src = x[n, c, d, h]
                            for t in range(kw):
                                bt = b0 + t * dw
                                f0 = (d * H + h) * W + bt
                                if sw == 1:
                                    for q in range(ni):
                                        k = _u(ia + q)
                                        v, b = src[_u(bt + q)], best[k]
                                        take = (v > b) | (v != v)
                                        spare[k] = v if take else b
                                        sidx[k] = f0 + q if take else bidx[k]
                                elif sw == 2:
                                    for q in range(ni):
                                        k = _u(ia + q)
                                        v, b = src[_u(bt + 2 * q)], best[k]
                                        take = (v > b) | (v != v)
                                        spare[k] = v if take else b
                                        sidx[k] = f0 + 2 * q if take else bidx[k]
                                else:
                                    for q in range(ni):
                                        k = _u(ia + q)
                                        v, b = src[_u(bt + q * sw)], best[k]
                                        take = (v > b) | (v != v)
                                        spare[k] = v if take else b
                                        sidx[k] = f0 + q * sw if take else bidx[k]
                                best, spare, bidx, sidx = spare, best, sidx, bidx
                for e in range(OW - (ib - ia)):  # edge outputs only
                    ow = e if e < ia else e + (ib - ia)
                    w0 = fw[ow]
                    bval = x[n, c, d0, h0, w0]
                    bflat = (d0 * H + h0) * W + w0
                    for i in range(nd[od]):
                        d = d0 + i * dd
                        for j in range(nh[oh]):
                            h = h0 + j * dh
                            for t in range(nw[ow]):
                                w = w0 + t * dw
                                v = x[n, c, d, h, w]
                                if v > bval or v != v:
                                    bval = v
                                    bflat = (d * H + h) * W + w
                    best[ow] = bval
                    bidx[ow] = bflat
                if backward:
                    plane = gin[n, c].reshape(D * H * W)
                    grow = g[n, c, od, oh]
                    for ow in range(OW):
                        plane[bidx[ow]] += grow[ow]
                else:
                    dst = out[n, c, od, oh]
                    dsti = idx[n, c, od, oh]
                    for ow in range(OW):
                        dst[ow] = best[ow]
                        dsti[ow] = bidx[ow]


@njit(**_OPTS)
def argmax_cl(
    i0, i1, x, fd, nd, fh, nh, fw, nw, dil, backward, cb, out, idx, g, gin, va, vb, xa, xb
):
    """Channels-last :func:`argmax_cf`: items are (n, block of ``cb`` channels), vectorised
    over the block; every output of an item is visited by one thread (deterministic)."""
    _N, _D, H, W, C = x.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dd, dh, dw = dil[0], dil[1], dil[2]
    nblocks = (C + cb - 1) // cb
    for item in range(i0, i1):
        n = item // nblocks
        c0 = (item - n * nblocks) * cb
        m = min(C, c0 + cb) - c0
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    d0, h0, w0 = fd[od], fh[oh], fw[ow]
                    best, spare, bidx, sidx = va, vb, xa, xb
                    start = (d0 * H + h0) * W + w0
                    for c in range(m):
                        best[c] = x[n, d0, h0, w0, _u(c0 + c)]
                        bidx[c] = start
                    for i in range(nd[od]):
                        d = d0 + i * dd
                        for j in range(nh[oh]):
                            h = h0 + j * dh
                            for t in range(nw[ow]):
                                w = w0 + t * dw
                                flat = (d * H + h) * W + w
                                for c in range(m):
                                    v, b = x[n, d, h, w, _u(c0 + c)], best[c]
                                    take = (v > b) | (v != v)
                                    spare[c] = v if take else b
                                    sidx[c] = flat if take else bidx[c]
                                best, spare, bidx, sidx = spare, best, sidx, bidx
                    if backward:
                        for c in range(m):
                            f = bidx[c]
                            d = f // (H * W)
                            h = (f - d * H * W) // W
                            w = f - (d * H + h) * W
                            cc = _u(c0 + c)
                            gin[n, d, h, w, cc] += g[n, od, oh, ow, cc]
                    else:
                        for c in range(m):
                            cc = _u(c0 + c)
                            out[n, od, oh, ow, cc] = best[c]
                            idx[n, od, oh, ow, cc] = bidx[c]


# --------------------------------------------------------------------------- sum and average


@njit(**_OPTS)
def sum_cf(
    i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, md, mh, mw, scaled, acc, out, row, orow, ea, eb
):
    """Window sums accumulated in ``acc.dtype``; with ``scaled`` each output is multiplied by
    ``md[od] * mh[oh] * mw[ow]`` (the reciprocal divisor of average pooling). Rows as in
    :func:`max_cf`: small windows (:func:`_fused`) sum straight into ``out``."""
    _N, C, _D, _H, W = x.shape
    OD, OH, OW = out.shape[2], out.shape[3], out.shape[4]
    dd, dh, dw = dil[0], dil[1], dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    fused = _fused(sw, dw, kw)
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                dst = out[n, c, od, oh]
                m = md[od] * mh[oh]
                rows = nd[od] * nh[oh]
                s0 = x[n, c, fd[od], fh[oh]]
                if rows == 1 and fused:
                    # <= 3 taps summed in x.dtype (not acc.dtype): within rounding
                    _hsum_to(s0, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw)
                    continue
                if rows == 1:
                    for w in range(W):
                        row[w] = s0[w]
                for r in range(1, rows):
                    i = r // nh[oh]
                    src = x[n, c, fd[od] + i * dd, fh[oh] + (r - i * nh[oh]) * dh]
                    if r == 1:  # in acc.dtype: one pass, as LLVM merges the two statements
                        for w in range(W):
                            row[w] = s0[w]
                            row[w] += src[w]
                    else:
                        for w in range(W):
                            row[w] += src[w]
                if fused:
                    _hsum_to(row, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw)
                    continue
                for e in range(OW - (ib - ia)):  # edge outputs only
                    ow = e if e < ia else e + (ib - ia)
                    b = row[fw[ow]]
                    for t in range(1, nw[ow]):
                        b += row[fw[ow] + t * dw]
                    orow[ow] = b
                ni = ib - ia
                if ni > 0:  # interior, tap-outer, unsigned indices (see _hmax)
                    b0 = ia * sw + off
                    if sw == 2:  # even and odd halves: contiguous taps (see _hmax)
                        for i in range((W + 1) // 2):
                            ea[i] = row[_u(2 * i)]
                        for i in range(W // 2):
                            eb[i] = row[_u(2 * i + 1)]
                    for i in range(ni):
                        orow[_u(ia + i)] = row[_u(b0 + i * sw)]
                    for t in range(1, kw):
                        bt = b0 + t * dw
                        if sw == 1:
                            for i in range(ni):
                                orow[_u(ia + i)] += row[_u(bt + i)]
                        elif sw == 2:
                            half = ea if bt % 2 == 0 else eb
                            h0 = bt // 2
                            for i in range(ni):
                                orow[_u(ia + i)] += half[_u(h0 + i)]
                        else:
                            for i in range(ni):
                                orow[_u(ia + i)] += row[_u(bt + i * sw)]
                if scaled:
                    for ow in range(OW):
                        dst[ow] = orow[ow] * (m * mw[ow])
                else:
                    for ow in range(OW):
                        dst[ow] = orow[ow]


@njit(**_OPTS)
def sum_cl(i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, md, mh, mw, scaled, acc, out, row, orow):
    """Channels-last :func:`sum_cf`, vectorised over C; rows and small windows as in
    :func:`max_cl` (:func:`_hsum_cl`)."""
    _N, _D, _H, W, C = x.shape
    OD, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    dd, dh, dw = dil[0], dil[1], dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    fused = dw == 1 and (kw == 2 or kw == 3)
    for item in range(i0, i1):
        n = item // (OD * OH)
        rest = item - n * OD * OH
        od = rest // OH
        oh = rest - od * OH
        dst = out[n, od, oh]
        m = md[od] * mh[oh]
        rows = nd[od] * nh[oh]
        s0 = x[n, fd[od], fh[oh]]
        if rows == 1 and fused:  # <= 3 taps in x.dtype: within rounding
            _hsum_cl(s0, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw)
            continue
        if (rows == 2 or rows == 3) and fused:  # <= 9 taps in x.dtype: within rounding
            s1 = x[n, fd[od] + (1 // nh[oh]) * dd, fh[oh] + (1 - (1 // nh[oh]) * nh[oh]) * dh]
            i2 = 2 // nh[oh]
            s2 = x[n, fd[od] + i2 * dd, fh[oh] + (2 - i2 * nh[oh]) * dh] if rows == 3 else s1
            _dsum_cl(s0, s1, s2, rows, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw)
            continue
        if rows == 1:
            for w in range(W):
                for c in range(C):
                    row[w, c] = s0[w, c]
        for r in range(1, rows):
            i = r // nh[oh]
            src = x[n, fd[od] + i * dd, fh[oh] + (r - i * nh[oh]) * dh]
            if r == 1:  # in acc.dtype (see sum_cf)
                for w in range(W):
                    for c in range(C):
                        row[w, c] = s0[w, c]
                        row[w, c] += src[w, c]
            else:
                for w in range(W):
                    for c in range(C):
                        row[w, c] += src[w, c]
        if fused:
            _hsum_cl(row, dst, fw, nw, sw, off, kw, ia, ib, scaled, m, mw)
            continue
        for ow in range(OW):  # no per-pixel views (see max_cl)
            w0 = fw[ow]
            for c in range(C):
                orow[c] = row[_u(w0), c]
            for t in range(1, nw[ow]):
                w = _u(w0 + t * dw)
                for c in range(C):
                    orow[c] += row[w, c]
            if scaled:
                mq = m * mw[ow]
                for c in range(C):
                    dst[ow, c] = orow[c] * mq
            else:
                for c in range(C):
                    dst[ow, c] = orow[c]


@njit(**_OPTS)
def sum_bwd_cf(
    i0, i1, g, fd, nd, fh, nh, fw, nw, dil, md, mh, mw, scaled, dptr, dlst, hptr, hlst, gin, T
):
    """Gradient of :func:`sum_cf`, writing every row of ``gin`` exactly once (no zero fill,
    no read-modify-write of the big array): first each output row's (scaled) gradient is
    spread along its horizontal taps into ``T[od * OH + oh]`` (a per-plane buffer), then
    every input row ``(d, h)`` sums the rows of the outputs whose windows cover it
    (``dlst[dptr[d]:dptr[d+1]]`` x ``hlst[hptr[h]:hptr[h+1]]``). One plane per thread:
    deterministic."""
    _N, C, D, H, W = gin.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dw = dil[2]
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                r = T[od * OH + oh]
                for w in range(W):
                    r[w] = 0
                m = md[od] * mh[oh] if scaled else 1.0
                for ow in range(OW):
                    v = g[n, c, od, oh, ow] * (m * mw[ow]) if scaled else g[n, c, od, oh, ow]
                    for t in range(nw[ow]):
                        r[_u(fw[ow] + t * dw)] += v
        for d in range(D):
            for h in range(H):
                dst = gin[n, c, d, h]
                first = True
                for a in range(dptr[d], dptr[d + 1]):
                    od = dlst[a]
                    for b in range(hptr[h], hptr[h + 1]):
                        r = T[od * OH + hlst[b]]
                        if first:
                            for w in range(W):
                                dst[w] = r[w]
                            first = False
                        else:
                            for w in range(W):
                                dst[w] += r[w]
                if first:  # no window covers this row
                    for w in range(W):
                        dst[w] = 0


@njit(**_OPTS)
def sum_bwd_cl(i0, i1, g, fd, nd, fh, nh, fw, nw, dil, md, mh, mw, scaled, cb, gin, row):
    """Channels-last :func:`sum_bwd_cf`; items are (n, block of ``cb`` channels)."""
    _N, _D, _H, W, C = gin.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dd, dh, dw = dil[0], dil[1], dil[2]
    nblocks = (C + cb - 1) // cb
    for item in range(i0, i1):
        n = item // nblocks
        c0 = (item - n * nblocks) * cb
        c1 = min(C, c0 + cb)
        m_ = c1 - c0
        for od in range(OD):
            for oh in range(OH):
                row[:, :] = 0
                m = md[od] * mh[oh] if scaled else 1.0
                for ow in range(OW):  # no per-pixel views (see max_cl)
                    s = m * mw[ow] if scaled else 1.0
                    for t in range(nw[ow]):
                        w = _u(fw[ow] + t * dw)
                        for c in range(m_):
                            row[w, c] += g[n, od, oh, ow, _u(c0 + c)] * s
                for i in range(nd[od]):
                    d = fd[od] + i * dd
                    for j in range(nh[oh]):
                        h = fh[oh] + j * dh
                        for w in range(W):
                            for c in range(m_):
                                gin[n, d, h, w, _u(c0 + c)] += row[w, c]
