"""Numba kernels for max pooling's argmax (forward with indices, backward) and the sum/average
backward, channels-first ``(N, C, D, H, W)``; one (n, c) plane per parallel item.

Conventions as in :mod:`poolkit.kernels._window` (resolved taps ``f``/``n`` per axis, the W
axis's ``win = (stride, -lo, kernel, ia, ib)``, serial ``nogil`` kernels without reference
counting whose work buffers are the trailing arguments).

The argmax of an output row is recomputed tap by tap in window order (PyTorch's rule
``if v > best or isnan(v)``) over the whole row: interior outputs ``[ia, ib)`` as vector
selects on the value and a small int32 *code* (the winning tap's flat offset from the
window's first in-bounds tap), edge outputs scalar. With stride 2 each input row is split
once into its even and odd halves so that every tap is a contiguous vector loop.

The backwards write every row of ``gin`` exactly once (no zero fill of the big array, no
scatter into it): an input row gathers, from the output rows whose windows cover it, the
gradients of the outputs whose (recomputed) winner lies in this row, into a row buffer kept
per stride phase (even/odd columns for stride 2) so that each tap is a contiguous vector
loop, then the row is written interleaved. Contributions to one element are added in output
order (deterministic, as the reference's).
"""

from __future__ import annotations

import numpy as np

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit
from poolkit.kernels._window import _u  # unsigned indices (see there)


@njit(inline="always", **_OPTS)
def _split(src, E, W, sw, L):
    """The row's stride phases: ``E[p * L + m] = src[m * sw + p]`` (literal strides 1 and 2
    vectorise). ``L`` exceeds a phase's length, so tap loops may run to a multiple of 8
    lanes: no scalar remainder, whose unpredictable branches cost more than the lanes."""
    if sw == 1:
        for q in range(W):
            E[q] = src[_u(q)]
    elif sw == 2:
        for q in range((W + 1) // 2):
            E[q] = src[_u(2 * q)]
        for q in range(W // 2):
            E[_u(L + q)] = src[_u(2 * q + 1)]
    else:
        for p in range(sw):
            for q in range((W - p + sw - 1) // sw):
                E[p * L + q] = src[q * sw + p]


@njit(inline="always", **_OPTS)
def _merge(dst, E, W, sw, L):
    """Inverse of :func:`_split`: interleave the phases into ``dst``."""
    if sw == 1:
        for q in range(W):
            dst[_u(q)] = E[_u(q)]
    elif sw == 2:
        for q in range(W // 2):
            dst[_u(2 * q)] = E[_u(q)]
            dst[_u(2 * q + 1)] = E[_u(L + q)]
        if W % 2:
            dst[W - 1] = E[W // 2]
    else:
        for p in range(sw):
            for q in range((W - p + sw - 1) // sw):
                dst[q * sw + p] = E[p * L + q]


@njit(inline="always", **_OPTS)
def _pos(col, sw, L):
    """Where column ``col`` lives in the phase buffer."""
    return (col % sw) * L + col // sw


@njit(inline="always", **_OPTS)
def _row_tiles(win, dw, OW, W):
    """2-tap, stride-2, unpadded windows tile the whole row: each input column is one
    output's tap (the backward kernels then write gin rows directly)."""
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    return sw == 2 and kw == 2 and dw == 1 and off == 0 and ia == 0 and ib == OW and W == 2 * OW


@njit(inline="always", **_OPTS)
def _take(v, b, o, code):
    """PyTorch's max step on a value and its code: ``v`` wins if ``v > b`` or ``v`` is NaN."""
    take = (v > b) | (v != v)
    return (v if take else b), (code if take else o)


@njit(**_OPTS)
def _row_argmax(x, n, c, d0, h0, kd, kh, H, fw, nw, dil, win, nq, L, va, vb, ca, cb, E):
    """Values and codes of the output row whose windows start at rows ``(d0, h0)`` (``kd`` x
    ``kh`` in-bounds rows). Interior loops run ``nq`` lanes (``ib - ia`` rounded up to 8:
    lanes past ``ib`` are scratch, overwritten by the edges). Returns 0 when ``va``/``ca``
    hold the row, 1 for ``vb``/``cb``. (Not inlined: both kernels share one compile.)"""
    W = x.shape[4]
    OW = len(fw)
    dd, dh, dw = dil[0], dil[1], dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    ni = ib - ia
    best, spare, bc, sc = va, vb, ca, cb
    which = 0
    if ni > 0:
        b0 = ia * sw + off
        first = True
        for i in range(kd):
            for j in range(kh):
                _split(x[n, c, d0 + i * dd, h0 + j * dh], E, W, sw, L)
                roff = (i * dd * H + j * dh) * W
                # three taps per pass, in registers; the last tap repeats when fewer remain
                # and the first pass starts from tap 0 (taking a tap twice changes nothing)
                for t0 in range(0, kw, 3):
                    t1, t2 = min(t0 + 1, kw - 1), min(t0 + 2, kw - 1)
                    p0, c0 = _pos(b0 + t0 * dw, sw, L), np.int32(roff + t0 * dw)
                    p1, c1 = _pos(b0 + t1 * dw, sw, L), np.int32(roff + t1 * dw)
                    p2, c2 = _pos(b0 + t2 * dw, sw, L), np.int32(roff + t2 * dw)
                    if first:
                        first = False
                        for q in range(nq):
                            best[_u(ia + q)] = E[_u(p0 + q)]
                        for q in range(nq):
                            bc[_u(ia + q)] = c0
                    for q in range(nq):
                        k = _u(ia + q)
                        b, o = _take(E[_u(p0 + q)], best[k], bc[k], c0)
                        b, o = _take(E[_u(p1 + q)], b, o, c1)
                        b, o = _take(E[_u(p2 + q)], b, o, c2)
                        spare[k] = b
                        sc[k] = o
                    best, spare, bc, sc = spare, best, sc, bc
                    which = 1 - which
    for e in range(OW - ni):  # edge outputs only, scalar
        ow = e if e < ia else e + ni
        w0 = fw[ow]
        bval = x[n, c, d0, h0, w0]
        bcode = np.int32(0)
        for i in range(kd):
            for j in range(kh):
                src = x[n, c, d0 + i * dd, h0 + j * dh]
                roff = (i * dd * H + j * dh) * W
                for t in range(nw[ow]):  # selects, not branches: winners are unpredictable
                    bval, bcode = _take(src[w0 + t * dw], bval, bcode, np.int32(roff + t * dw))
        best[ow] = bval
        bc[ow] = bcode
    return which


@njit(**_OPTS)
def argmax_cf(i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, nq, L, out, idx, va, vb, ca, cb, E):
    """Max values and flat plane indices (PyTorch's ``return_indices``)."""
    _N, C, _D, H, W = x.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                d0, h0 = fd[od], fh[oh]
                which = _row_argmax(
                    x, n, c, d0, h0, nd[od], nh[oh], H, fw, nw, dil, win, nq, L, va, vb, ca, cb, E
                )
                best, bc = (va, ca) if which == 0 else (vb, cb)
                base = (d0 * H + h0) * W
                dst = out[n, c, od, oh]
                dsti = idx[n, c, od, oh]
                for ow in range(OW):
                    dst[ow] = best[ow]
                for ow in range(OW):
                    dsti[ow] = base + fw[ow] + bc[ow]


@njit(inline="always", **_OPTS)
def _edge_add(rel, w0, v, z, W, sw, L, ph):
    """Add an edge output's gradient ``v`` to the row buffer when its winner lies in this row
    (``0 <= rel < W``), without branches (the winners are unpredictable)."""
    hit = (rel >= 0) & (rel < W)
    ph[_pos(w0 + (rel if hit else 0), sw, L)] += v if hit else z


@njit(**_OPTS)
def max_bwd_cf(
    i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, nq, L, dptr, dlst, dtap, hptr, hlst, htap,
    g, gin, zero, va, vb, ca, cb, E, codes, icodes, gq, ph,
):  # fmt: skip
    """Max backward. First the plane's winner codes, one row per output row: ``codes`` for
    the edges, ``icodes`` (``nq`` lanes, -1 past the interior: never a winner) and the
    gradient ``gq`` (0 past the interior) for the interior. Then every ``gin`` row once,
    from the output rows covering it: ``dlst[dptr[d]:dptr[d + 1]]``, ``d`` being ``dtap``
    rows past their first rows (likewise along H). ``zero``: a 0 of the gradient dtype.
    (2x2 windows with stride 2 tiling contiguous planes take :func:`max_bwd_tiles_cf`.)"""
    _N, C, D, H, W = x.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dw = dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    ni = ib - ia
    z = zero[0]
    tile = _row_tiles(win, dw, OW, W)
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                which = _row_argmax(
                    x, n, c, fd[od], fh[oh], nd[od], nh[oh], H, fw, nw, dil, win, nq, L,
                    va, vb, ca, cb, E,
                )  # fmt: skip
                bc = ca if which == 0 else cb
                r = od * OH + oh
                grow = g[n, c, od, oh]
                for ow in range(ia):
                    codes[r * OW + ow] = bc[ow]
                for ow in range(ib, OW):
                    codes[r * OW + ow] = bc[ow]
                rq = r * nq
                for q in range(nq):
                    icodes[_u(rq + q)] = bc[_u(ia + q)]
                for q in range(ni):
                    gq[_u(rq + q)] = grow[_u(ia + q)]
                for q in range(ni, nq):
                    icodes[rq + q] = -1
                    gq[rq + q] = z
        for d in range(D):
            for h in range(H):
                dst = gin[n, c, d, h]
                if tile and (dptr[d + 1] - dptr[d]) * (hptr[h + 1] - hptr[h]) == 1:
                    # windows tile the row (2 taps, stride 2, one output row): each element
                    # is one output's tap, written directly (+0 as the reference's 0 + g)
                    a, b = dptr[d], hptr[h]
                    c0 = np.int32((dtap[a] * H + htap[b]) * W)
                    rq = (dlst[a] * OH + hlst[b]) * nq
                    for q in range(OW):
                        k = _u(rq + q)
                        v, cq = gq[k], icodes[k]
                        dst[_u(2 * q)] = (v if cq == c0 else z) + z
                        dst[_u(2 * q + 1)] = (v if cq == c0 + 1 else z) + z
                    continue
                for q in range(sw * L):
                    ph[q] = z
                for a in range(dptr[d], dptr[d + 1]):
                    od = dlst[a]
                    for b in range(hptr[h], hptr[h + 1]):
                        oh = hlst[b]
                        roff = (dtap[a] * H + htap[b]) * W
                        r = od * OH + oh
                        grow = g[n, c, od, oh]
                        for ow in range(ia):  # left edges (output order: left, interior, right)
                            _edge_add(codes[r * OW + ow] - roff, fw[ow], grow[ow], z, W, sw, L, ph)
                        if ni > 0:
                            b0 = ia * sw + off
                            rq = r * nq
                            # taps last to first: each column then gets its outputs in order
                            for t in range(kw - 1, -1, -1):
                                pt = _pos(b0 + t * dw, sw, L)
                                code = np.int32(roff + t * dw)
                                for q in range(nq):
                                    k = _u(rq + q)
                                    v, m = gq[k], icodes[k] == code
                                    ph[_u(pt + q)] += v if m else z
                        for ow in range(ib, OW):  # right edges
                            _edge_add(codes[r * OW + ow] - roff, fw[ow], grow[ow], z, W, sw, L, ph)
                _merge(dst, ph, W, sw, L)


@njit(inline="always", **_OPTS)
def _tile_row(oh, OW, OH, Q, size):
    """Output row ``oh`` of a plane tiled by 2x2/2 windows (``size`` input elements, ``W = 2
    OW``): flat offsets of its two input rows and of the output row, and how many lanes to
    run: ``Q`` (``OW`` rounded up to 8) while the spare lanes stay inside the plane (they
    read and write its next rows, rewritten later), else exactly ``OW``."""
    W = 2 * OW
    r0 = 2 * oh * W
    g0 = oh * OW
    n = Q if r0 + W + 2 * Q <= size and g0 + Q <= OH * OW else OW
    return r0, r0 + W, g0, n


@njit(inline="always", **_OPTS)
def _tile_winner(xp, r0, r1, q):
    """Value and tap (0-3, window order) of the max of the 2x2 window at rows ``r0``/``r1``
    (flat offsets), columns ``2q, 2q + 1``: PyTorch's rule, as :func:`_row_argmax`."""
    b, k = xp[_u(r0 + 2 * q)], np.int32(0)
    b, k = _take(xp[_u(r0 + 2 * q + 1)], b, k, np.int32(1))
    b, k = _take(xp[_u(r1 + 2 * q)], b, k, np.int32(2))
    return _take(xp[_u(r1 + 2 * q + 1)], b, k, np.int32(3))


@njit(**_OPTS)
def argmax_tiles_cf(i0, i1, x, OW, Q, D, out, idx):
    """Max values and flat plane indices of 2x2 windows with stride 2 tiling C-contiguous
    planes (layout and spare lanes as :func:`max_bwd_tiles_cf`; ``out``/``idx`` are ``(P, OH
    * OW)``). Planes are (n, c, d) slices: indices count from the (n, c) plane's start."""
    W = 2 * OW
    size = x.shape[1]
    OH = out.shape[1] // OW
    for p in range(i0, i1):
        xp, op, ip = x[p], out[p], idx[p]
        base = (p % D) * size
        for oh in range(OH):
            r0, r1, g0, n = _tile_row(oh, OW, OH, Q, size)
            for q in range(n):
                b, k = _tile_winner(xp, r0, r1, q)
                op[_u(g0 + q)] = b
                ip[_u(g0 + q)] = base + r0 + 2 * q + (k & 1) + (k >> 1) * W


@njit(**_OPTS)
def max_bwd_tiles_cf(i0, i1, x, g, OW, Q, gin, zero, ga, gb, gc, gd):
    """Max backward for 2x2 windows with stride 2 that tile C-contiguous planes: ``x`` and
    ``gin`` are ``(P, H * W)`` planes with ``W = 2 * OW``, ``g`` is ``(P, OH * OW)``.

    One pass per output row: the four taps in window order (PyTorch's rule, as
    :func:`_row_argmax`), the gradient routed to the winner into the tap buffers ``ga``..``gd``
    (``Q`` >= ``OW`` lanes, a multiple of 8), then both ``gin`` rows written interleaved.
    Lanes past ``OW`` read and write the plane's next rows, which later output rows rewrite:
    every loop runs whole vectors (a 28-wide row's scalar remainder had cost more than the
    rest of the row); an output row whose spare lanes would leave the plane runs ``OW``."""
    z = zero[0]
    size = x.shape[1]
    OH = g.shape[1] // OW
    for p in range(i0, i1):
        xp, gp, op = x[p], g[p], gin[p]
        for oh in range(OH):
            r0, r1, g0, n = _tile_row(oh, OW, OH, Q, size)
            for q in range(n):
                _b, k = _tile_winner(xp, r0, r1, q)
                v = gp[_u(g0 + q)]
                ga[_u(q)] = (v if k == 0 else z) + z  # + 0: as the reference's 0 + g
                gb[_u(q)] = (v if k == 1 else z) + z
                gc[_u(q)] = (v if k == 2 else z) + z
                gd[_u(q)] = (v if k == 3 else z) + z
            for q in range(n):
                op[_u(r0 + 2 * q)] = ga[_u(q)]
                op[_u(r0 + 2 * q + 1)] = gb[_u(q)]
            for q in range(n):
                op[_u(r1 + 2 * q)] = gc[_u(q)]
                op[_u(r1 + 2 * q + 1)] = gd[_u(q)]


# --------------------------------------------------------------------------- sum backward


@njit(**_OPTS)
def sum_bwd_cf(
    i0, i1, g, fd, nd, fh, nh, fw, nw, dil, win, nq, L, md, mh, mw, scaled,
    dptr, dlst, hptr, hlst, gin, zero, sq, ph,
):  # fmt: skip
    """Gradient of the window sum (``scaled``: times ``md[od] * mh[oh] * mw[ow]``, average
    pooling's reciprocal divisors). First the plane's interior gradients, scaled, ``nq``
    lanes per output row (0 past the interior) into ``sq``; then every ``gin`` row once,
    from the output rows covering it (as :func:`max_bwd_cf`)."""
    _N, C, D, H, W = gin.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dw = dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    ni = ib - ia
    z = zero[0]
    tile = _row_tiles(win, dw, OW, W)
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                rq = (od * OH + oh) * nq
                grow = g[n, c, od, oh]
                m = md[od] * mh[oh] if scaled else 1.0
                for q in range(ni):
                    v = grow[_u(ia + q)]
                    sq[_u(rq + q)] = v * (m * mw[_u(ia + q)]) if scaled else v
                for q in range(ni, nq):
                    sq[rq + q] = z
        for d in range(D):
            for h in range(H):
                dst = gin[n, c, d, h]
                if tile and (dptr[d + 1] - dptr[d]) * (hptr[h + 1] - hptr[h]) == 1:
                    rq = (dlst[dptr[d]] * OH + hlst[hptr[h]]) * nq
                    for q in range(OW):  # windows tile the row: two copies of each output
                        v = sq[_u(rq + q)] + z
                        dst[_u(2 * q)] = v
                        dst[_u(2 * q + 1)] = v
                    continue
                for q in range(sw * L):
                    ph[q] = z
                for a in range(dptr[d], dptr[d + 1]):
                    od = dlst[a]
                    for b in range(hptr[h], hptr[h + 1]):
                        oh = hlst[b]
                        rq = (od * OH + oh) * nq
                        grow = g[n, c, od, oh]
                        m = md[od] * mh[oh] if scaled else 1.0
                        for e in range(ia):  # left edges, then interior, then right edges
                            _spread(grow[e], m * mw[e], scaled, fw[e], nw[e], dw, sw, L, ph)
                        if ni > 0:
                            b0 = ia * sw + off
                            for t in range(kw - 1, -1, -1):  # last tap first: outputs in order
                                pt = _pos(b0 + t * dw, sw, L)
                                for q in range(nq):
                                    ph[_u(pt + q)] += sq[_u(rq + q)]
                        for e in range(ib, OW):
                            _spread(grow[e], m * mw[e], scaled, fw[e], nw[e], dw, sw, L, ph)
                _merge(dst, ph, W, sw, L)


@njit(inline="always", **_OPTS)
def _spread(v, mult, scaled, w0, k, dw, sw, L, ph):
    """An edge output's gradient (times ``mult`` when ``scaled``) onto its ``k`` taps."""
    s = v * mult if scaled else v
    for t in range(k):
        ph[_pos(w0 + t * dw, sw, L)] += s
