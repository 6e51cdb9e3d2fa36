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
from numba import njit

_OPTS = {"cache": True, "nogil": True, "_nrt": False, "error_model": "numpy", "boundscheck": False}


@njit(inline="always", **_OPTS)
def _u(i):
    """Unsigned index: no negative-index wraparound select, so loads stay vector loads."""
    return np.uint64(i)


@njit(inline="always", **_OPTS)
def _split(src, ea, eb, W, sw):
    """Stride 2: even and odd elements of ``src[:W]`` into ``ea`` and ``eb``; stride 1: a copy
    into ``ea``. The buffers are longer than the row, so tap loops may run to a multiple of
    8 lanes (no scalar remainder, whose unpredictable branches cost more than the lanes)."""
    if sw == 2:
        for q in range((W + 1) // 2):
            ea[q] = src[_u(2 * q)]
        for q in range(W // 2):
            eb[q] = src[_u(2 * q + 1)]
    else:
        for q in range(W):
            ea[q] = src[_u(q)]


@njit(inline="always", **_OPTS)
def _take(v, b, o, code):
    """PyTorch's max step on a value and its code: ``v`` wins if ``v > b`` or ``v`` is NaN."""
    take = (v > b) | (v != v)
    return (v if take else b), (code if take else o)


@njit(inline="always", **_OPTS)
def _tap(ea, eb, b0, t, dw, sw, roff):
    """Where tap ``t`` of the interior reads (stride 1: the row copy ``ea``; stride 2: the
    half holding it) and its code."""
    bt = b0 + t * dw
    if sw == 2:
        return (eb if bt % 2 == 1 else ea), bt // 2, np.int32(roff + t * dw)
    return ea, bt, np.int32(roff + t * dw)


@njit(inline="always", **_OPTS)
def _row_argmax(x, n, c, d0, h0, kd, kh, H, fw, nw, dil, win, nq, va, vb, ca, cb, ea, eb):
    """Values and codes of the output row whose windows start at rows ``(d0, h0)`` (``kd`` x
    ``kh`` in-bounds rows). Interior loops run ``nq`` lanes (``ib - ia`` rounded up to 8 for
    strides 1 and 2: lanes past ``ib`` are scratch, overwritten by the edges). Returns 0
    when ``va``/``ca`` hold the row, 1 for ``vb``/``cb``."""
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
                src = x[n, c, d0 + i * dd, h0 + j * dh]
                roff = (i * dd * H + j * dh) * W
                if sw <= 2:
                    _split(src, ea, eb, W, sw)
                    # three taps per pass, in registers (the last tap repeated when fewer
                    # remain: taking the same tap twice changes nothing)
                    for t0 in range(0, kw, 3):
                        a0, p0, c0 = _tap(ea, eb, b0, t0, dw, sw, roff)
                        a1, p1, c1 = _tap(ea, eb, b0, min(t0 + 1, kw - 1), dw, sw, roff)
                        a2, p2, c2 = _tap(ea, eb, b0, min(t0 + 2, kw - 1), dw, sw, roff)
                        if first:
                            first = False
                            for q in range(nq):
                                k = _u(ia + q)
                                b, o = a0[_u(p0 + q)], c0
                                b, o = _take(a1[_u(p1 + q)], b, o, c1)
                                b, o = _take(a2[_u(p2 + q)], b, o, c2)
                                spare[k] = b
                                sc[k] = o
                        else:
                            for q in range(nq):
                                k = _u(ia + q)
                                b, o = _take(a0[_u(p0 + q)], best[k], bc[k], c0)
                                b, o = _take(a1[_u(p1 + q)], b, o, c1)
                                b, o = _take(a2[_u(p2 + q)], b, o, c2)
                                spare[k] = b
                                sc[k] = o
                        best, spare, bc, sc = spare, best, sc, bc
                        which = 1 - which
                    continue
                for t in range(kw):  # stride 3 and more: strided loads, tap by tap
                    bt = b0 + t * dw
                    code = np.int32(roff + t * dw)
                    if first:
                        first = False
                        for q in range(nq):
                            best[_u(ia + q)] = src[_u(bt + q * sw)]
                            bc[_u(ia + q)] = code
                        continue
                    for q in range(nq):
                        k = _u(ia + q)
                        b, o = _take(src[_u(bt + q * sw)], best[k], bc[k], code)
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
def argmax_cf(i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, nq, out, idx, va, vb, ca, cb, ea, eb):
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
                    x, n, c, d0, h0, nd[od], nh[oh], H, fw, nw, dil, win, nq,
                    va, vb, ca, cb, ea, eb,
                )  # fmt: skip
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
    col = w0 + (rel if hit else 0)
    pos = col // 2 + (col % 2) * L if sw == 2 else col
    ph[pos] += v if hit else z


@njit(**_OPTS)
def max_bwd_cf(
    i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, nq, dptr, dlst, dtap, hptr, hlst, htap,
    g, gin, zero, va, vb, ca, cb, ea, eb, codes, icodes, gq, ph,
):  # fmt: skip
    """Max backward. First the plane's winner codes, one row per output row: ``codes`` for
    the edges, ``icodes`` (``nq`` lanes, -1 past the interior: never a winner) and the
    gradient ``gq`` (0 past the interior) for the interior. Then every ``gin`` row once,
    from the output rows covering it: ``dlst[dptr[d]:dptr[d + 1]]`` with ``d``'s distance
    from their first rows ``dtap`` (likewise along H). ``zero``: one element, 0 in the gradient dtype."""
    _N, C, D, H, W = x.shape
    OD, OH, OW = len(nd), len(nh), len(nw)
    dw = dil[2]
    sw, off, kw, ia, ib = win[0], win[1], win[2], win[3], win[4]
    ni = ib - ia
    z = zero[0]
    L = (W + 1) // 2 + nq + 1 if sw == 2 else W + nq + 1  # row buffer: halves at 0 and L
    tile = sw == 2 and kw == 2 and dw == 1 and off == 0 and ia == 0 and ib == OW and W == 2 * OW
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                which = _row_argmax(
                    x, n, c, fd[od], fh[oh], nd[od], nh[oh], H, fw, nw, dil, win, nq,
                    va, vb, ca, cb, ea, eb,
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
                for q in range(2 * L):
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
                                bt = b0 + t * dw
                                code = np.int32(roff + t * dw)
                                if sw <= 2:
                                    h2 = bt // 2 + (L if bt % 2 else 0) if sw == 2 else bt
                                    for q in range(nq):
                                        k = _u(rq + q)
                                        v, m = gq[k], icodes[k] == code
                                        ph[_u(h2 + q)] += v if m else z
                                else:
                                    for q in range(ni):
                                        k = _u(rq + q)
                                        v, m = gq[k], icodes[k] == code
                                        ph[_u(bt + q * sw)] += v if m else z
                        for ow in range(ib, OW):  # right edges
                            _edge_add(codes[r * OW + ow] - roff, fw[ow], grow[ow], z, W, sw, L, ph)
                if sw == 2:
                    for q in range(W // 2):
                        dst[_u(2 * q)] = ph[q]
                        dst[_u(2 * q + 1)] = ph[_u(L + q)]
                    if W % 2:
                        dst[W - 1] = ph[W // 2]
                else:
                    for q in range(W):
                        dst[q] = ph[q]


# --------------------------------------------------------------------------- sum backward


@njit(**_OPTS)
def sum_bwd_cf(
    i0, i1, g, fd, nd, fh, nh, fw, nw, dil, win, nq, md, mh, mw, scaled,
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
    L = (W + 1) // 2 + nq + 1 if sw == 2 else W + nq + 1  # row buffer: halves at 0 and L
    tile = sw == 2 and kw == 2 and dw == 1 and off == 0 and ia == 0 and ib == OW and W == 2 * OW
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for od in range(OD):
            for oh in range(OH):
                rq = (od * OH + oh) * nq
                grow = g[n, c, od, oh]
                if scaled:
                    m = md[od] * mh[oh]
                    for q in range(ni):
                        sq[_u(rq + q)] = grow[_u(ia + q)] * (m * mw[_u(ia + q)])
                else:
                    for q in range(ni):
                        sq[_u(rq + q)] = grow[_u(ia + q)]
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
                for q in range(2 * L):
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
                                bt = b0 + t * dw
                                if sw <= 2:
                                    h2 = bt // 2 + (L if bt % 2 else 0) if sw == 2 else bt
                                    for q in range(nq):
                                        ph[_u(h2 + q)] += sq[_u(rq + q)]
                                else:
                                    for q in range(ni):
                                        ph[_u(bt + q * sw)] += sq[_u(rq + q)]
                        for e in range(ib, OW):
                            _spread(grow[e], m * mw[e], scaled, fw[e], nw[e], dw, sw, L, ph)
                if sw == 2:
                    for q in range(W // 2):
                        dst[_u(2 * q)] = ph[q]
                        dst[_u(2 * q + 1)] = ph[_u(L + q)]
                    if W % 2:
                        dst[W - 1] = ph[W // 2]
                else:
                    for q in range(W):
                        dst[q] = ph[q]


@njit(inline="always", **_OPTS)
def _spread(v, mult, scaled, w0, k, dw, sw, L, ph):
    """An edge output's gradient (times ``mult`` when ``scaled``) onto its ``k`` taps."""
    s = v * mult if scaled else v
    for t in range(k):
        col = w0 + t * dw
        ph[col // 2 + (col % 2) * L if sw == 2 else col] += s
