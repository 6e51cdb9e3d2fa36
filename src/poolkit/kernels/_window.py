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

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit

# --------------------------------------------------------------------------- max values


#: An index known to be >= 0, as unsigned: Numba then skips its negative-index wraparound
#: select, which would otherwise turn contiguous vector loads into gathers. A plain cast, not
#: an inlined helper: Numba's IR inlining of a helper at each of its many uses cost about
#: 0.5 s of a family's cold compile.
_u = np.uint64


@njit(inline="always", **_OPTS)
def _pick(r, v):
    """PyTorch's max step as a select: ``v`` if ``v > r`` or ``v`` is NaN, else ``r``."""
    return v if (v > r) | (v != v) else r


@njit(**_OPTS)
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
    """Whether :func:`_hmax_to` / :func:`_hsum_to` handle this W window: stride 2, no
    dilation, 2 or 3 taps (the common downsampling windows)."""
    return sw == 2 and dw == 1 and (kw == 2 or kw == 3)


# The fused helpers below are separate (not inlined) functions with as few loops as
# possible: each vectorised loop costs compile time, and a kernel family's first call has
# a budget. Edge outputs take at most 3 taps without a loop for the same reason.


@njit(**_OPTS)
def _hmax_to(row, dst, fw, nw, off, kw, ia, ib):
    """Horizontal max (stride 2) of one combined row straight into ``dst`` in one pass: the
    interior outputs ``[ia, ib)`` read their taps with literal strides, which LLVM turns
    into interleaved vector loads; see :func:`_fused`."""
    ni = ib - ia
    b0 = ia * 2 + off
    if kw == 3:
        for i in range(ni):
            v = _pick(row[_u(b0 + 2 * i)], row[_u(b0 + 2 * i + 1)])
            dst[_u(ia + i)] = _pick(v, row[_u(b0 + 2 * i + 2)])
    else:
        for i in range(ni):
            dst[_u(ia + i)] = _pick(row[_u(b0 + 2 * i)], row[_u(b0 + 2 * i + 1)])
    for e in range(len(fw) - ni):  # edges: a repeated tap changes no max (see _dmax_cl)
        ow = e if e < ia else e + ni
        w, last = fw[ow], nw[ow] - 1
        dst[ow] = _pick(_pick(row[w], row[w + min(1, last)]), row[w + min(2, last)])


@njit(**_OPTS)
def _hsum_to(row, dst, fw, nw, off, kw, ia, ib, m, mw):
    """Horizontal sums (stride 2) of one combined row straight into ``dst``, each times
    ``m * mw[ow]``; taps add in window order, as in :func:`sum_cf`'s general path. Plain
    integer sums get integer ones as multipliers: exact."""
    ni = ib - ia
    b0 = ia * 2 + off
    if kw == 3:
        for i in range(ni):
            j = b0 + 2 * i
            v = (row[_u(j)] + row[_u(j + 1)]) + row[_u(j + 2)]
            dst[_u(ia + i)] = v * (m * mw[_u(ia + i)])
    else:
        for i in range(ni):
            v = row[_u(b0 + 2 * i)] + row[_u(b0 + 2 * i + 1)]
            dst[_u(ia + i)] = v * (m * mw[_u(ia + i)])
    for e in range(len(fw) - ni):  # edges: at most 3 taps, no loop
        ow = e if e < ia else e + ni
        w, n = fw[ow], nw[ow]
        v = row[w]
        if n > 1:
            v += row[w + 1]
        if n > 2:
            v += row[w + 2]
        dst[ow] = v * (m * mw[ow])


@njit(**_OPTS)
def _dmax_cl(r0, r1, r2, dst, fw, nw, kw):
    """Channels-last max of up to 3 input rows and 2 or 3 taps (``dw == 1``) read straight
    from the input into ``dst`` (OW, C): no row buffer, whose pass cost as much as the
    reduction. One vector loop over C per output, edges included: a missing row or tap
    repeats one (``pick(pick(a, b), b) == pick(a, b)``, NaN and ties included), which also
    keeps the compiled code small. The vertical taps of a column combine first, as in the
    row path. 2 taps: at most 2 rows."""
    C = r0.shape[1]
    for ow in range(len(fw)):
        w, last = fw[ow], nw[ow] - 1
        wb = w + min(1, last)
        a0, a1, a2, b0, b1, b2 = r0[w], r1[w], r2[w], r0[wb], r1[wb], r2[wb]
        o = dst[ow]
        if kw == 2:
            for c in range(C):
                o[c] = _pick(_pick(a0[c], a1[c]), _pick(b0[c], b1[c]))
        else:
            wd = w + min(2, last)
            d0, d1, d2 = r0[wd], r1[wd], r2[wd]
            for c in range(C):
                v = _pick(_pick(_pick(a0[c], a1[c]), a2[c]), _pick(_pick(b0[c], b1[c]), b2[c]))
                o[c] = _pick(v, _pick(_pick(d0[c], d1[c]), d2[c]))


@njit(**_OPTS)
def _dsum_cl(r0, r1, r2, rows, z, dst, fw, nw, kw, m, mw):
    """Channels-last sums as :func:`_dmax_cl` (column sums first, then taps in window
    order), each times ``m * mw[ow]``; a missing row (``r1``/``r2`` beyond ``rows``) or
    tap reads ``z``, a (C,) vector of ``-0.0`` (``v + -0.0 == v`` exactly)."""
    C = r0.shape[1]
    for ow in range(len(fw)):
        w, n = fw[ow], nw[ow]
        a0 = r0[w]
        a1 = r1[w] if rows > 1 else z
        a2 = r2[w] if rows > 2 else z
        b0 = r0[w + 1] if n > 1 else z
        b1 = r1[w + 1] if n > 1 and rows > 1 else z
        b2 = r2[w + 1] if n > 1 and rows > 2 else z
        o = dst[ow]
        mq = m * mw[ow]
        if kw == 2:
            for c in range(C):
                o[c] = ((a0[c] + a1[c]) + (b0[c] + b1[c])) * mq
        else:
            d0 = r0[w + 2] if n > 2 else z
            d1 = r1[w + 2] if n > 2 and rows > 1 else z
            d2 = r2[w + 2] if n > 2 and rows > 2 else z
            for c in range(C):
                v = ((a0[c] + a1[c]) + a2[c]) + ((b0[c] + b1[c]) + b2[c])
                o[c] = (v + ((d0[c] + d1[c]) + d2[c])) * mq


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
                        _hmax_to(src, dst, fw, nw, off, kw, ia, ib)
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
                        _hmax_to(row, dst, fw, nw, off, kw, ia, ib)
                        continue
                    which = _hmax(row, oa, ob, ea, eb, fw, nw, dw, sw, off, kw, ia, ib)
                orow = oa if which == 0 else ob
                for ow in range(OW):
                    dst[ow] = orow[ow]


@njit(**_OPTS)
def max_cl(i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, out, ra, rb, oa, ob):
    """Max values, channels-last. Small windows (``dw == 1``, 2 or 3 taps over at most as
    many rows) reduce straight from the input (:func:`_dmax_cl`). Others combine rows of
    (W, C) elementwise, vectorised over C (the first two in one pass), then advance interior
    outputs ``[ia, ib)`` tap by tap over the whole row (one long vector loop per tap), edge
    outputs pixel by pixel. Ping-pong buffers as in :func:`max_cf`."""
    _N, _D, _H, W, C = x.shape
    OD, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    dd, dh, dw = dil[0], dil[1], dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    ni = ib - ia
    fused = dw == 1 and (kw == 2 or kw == 3)  # see _dmax_cl
    for item in range(i0, i1):
        n = item // (OD * OH)
        rest = item - n * OD * OH
        od = rest // OH
        oh = rest - od * OH
        dst = out[n, od, oh]
        rows = nd[od] * nh[oh]
        s0 = x[n, fd[od], fh[oh]]
        if fused and rows <= kw:
            s1 = x[n, fd[od] + (1 // nh[oh]) * dd, fh[oh] + (1 % nh[oh]) * dh] if rows > 1 else s0
            i2 = 2 // nh[oh]
            s2 = x[n, fd[od] + i2 * dd, fh[oh] + (2 - i2 * nh[oh]) * dh] if rows > 2 else s1
            _dmax_cl(s0, s1, s2, dst, fw, nw, kw)
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
    i0, i1, x, fd, nd, fh, nh, fw, nw, dil, backward, cb, out, idx, g, gin, zero,
    va, vb, xa, xb,
):  # fmt: skip
    """Channels-last :func:`argmax_cf`: items are (n, block of ``cb`` channels), vectorised
    over the block; every output of an item is visited by one thread (deterministic).

    The forward labels each channel's winner with its flat plane index; the ``backward``
    with its tap number in window order, then adds the gradient tap by tap where the label
    matches (``+ 0`` elsewhere, exact on the zero-filled ``gin``): contiguous vector loops
    over the channels, no per-element index decoding or scatter."""
    _N, _D, H, W, C = x.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dd, dh, dw = dil[0], dil[1], dil[2]
    z = zero[0]
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
                    start = 0 if backward else (d0 * H + h0) * W + w0
                    for c in range(m):
                        best[c] = x[n, d0, h0, w0, _u(c0 + c)]
                        bidx[c] = start
                    tap = 0
                    for i in range(nd[od]):
                        d = d0 + i * dd
                        for j in range(nh[oh]):
                            h = h0 + j * dh
                            for t in range(nw[ow]):
                                w = w0 + t * dw
                                label = tap if backward else (d * H + h) * W + w
                                tap += 1
                                for c in range(m):
                                    v, b = x[n, d, h, w, _u(c0 + c)], best[c]
                                    take = (v > b) | (v != v)
                                    spare[c] = v if take else b
                                    sidx[c] = label if take else bidx[c]
                                best, spare, bidx, sidx = spare, best, sidx, bidx
                    if backward:
                        tap = 0
                        for i in range(nd[od]):
                            d = d0 + i * dd
                            for j in range(nh[oh]):
                                h = h0 + j * dh
                                for t in range(nw[ow]):
                                    w = w0 + t * dw
                                    for c in range(m):
                                        cc = _u(c0 + c)
                                        v = g[n, od, oh, ow, cc]
                                        gin[n, d, h, w, cc] += v if bidx[c] == tap else z
                                    tap += 1
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
                    _hsum_to(s0, dst, fw, nw, off, kw, ia, ib, m, mw)
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
                    _hsum_to(row, dst, fw, nw, off, kw, ia, ib, m, mw)
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
def sum_cl(i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, md, mh, mw, scaled, acc, out, row, orow, z):
    """Channels-last :func:`sum_cf`, vectorised over C; rows and small windows as in
    :func:`max_cl` (:func:`_dsum_cl`; ``z``: (C,) ``-0.0`` in ``x.dtype``)."""
    _N, _D, _H, W, C = x.shape
    OD, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    dd, dh, dw = dil[0], dil[1], dil[2]
    kw = win[2]
    fused = dw == 1 and (kw == 2 or kw == 3)  # see _dsum_cl
    for item in range(i0, i1):
        n = item // (OD * OH)
        rest = item - n * OD * OH
        od = rest // OH
        oh = rest - od * OH
        dst = out[n, od, oh]
        m = md[od] * mh[oh]
        rows = nd[od] * nh[oh]
        s0 = x[n, fd[od], fh[oh]]
        if fused and rows <= kw:  # <= 9 taps summed in x.dtype: within rounding
            s1 = x[n, fd[od] + (1 // nh[oh]) * dd, fh[oh] + (1 % nh[oh]) * dh] if rows > 1 else s0
            i2 = 2 // nh[oh]
            s2 = x[n, fd[od] + i2 * dd, fh[oh] + (2 - i2 * nh[oh]) * dh] if rows > 2 else s0
            _dsum_cl(s0, s1, s2, rows, z, dst, fw, nw, kw, m, mw)
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
def sum_bwd_cl(i0, i1, g, fd, nd, fh, nh, fw, nw, dil, md, mh, mw, scaled, cb, gin, row):
    """Gradient of :func:`sum_cl` (channels-first: :mod:`poolkit.kernels._backward`); items
    are (n, block of ``cb`` channels)."""
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
