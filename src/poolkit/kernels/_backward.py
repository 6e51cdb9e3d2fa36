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
                for t in range(kw):
                    bt = b0 + t * dw
                    code = np.int32(roff + t * dw)
                    # stride 1 reads the row copy in ea, stride 2 its half holding tap t
                    half = eb if sw == 2 and bt % 2 == 1 else ea
                    h2 = bt // 2 if sw == 2 else bt
                    if first:
                        first = False
                        if sw <= 2:
                            for q in range(nq):
                                best[_u(ia + q)] = half[_u(h2 + q)]
                        else:
                            for q in range(nq):
                                best[_u(ia + q)] = src[_u(bt + q * sw)]
                        for q in range(nq):
                            bc[_u(ia + q)] = code
                        continue
                    if sw <= 2:
                        for q in range(nq):
                            k = _u(ia + q)
                            v, b, o = half[_u(h2 + q)], best[k], bc[k]
                            take = (v > b) | (v != v)
                            spare[k] = v if take else b
                            sc[k] = code if take else o
                    else:
                        for q in range(nq):
                            k = _u(ia + q)
                            v, b, o = src[_u(bt + q * sw)], best[k], bc[k]
                            take = (v > b) | (v != v)
                            spare[k] = v if take else b
                            sc[k] = code if take else o
                    best, spare, bc, sc = spare, best, sc, bc
                    which = 1 - which
    for e in range(OW - ni):  # edge outputs only, scalar
        ow = e if e < ia else e + ni
        w0 = fw[ow]
        bval = x[n, c, d0, h0, w0]
        bcode = 0
        for i in range(kd):
            for j in range(kh):
                src = x[n, c, d0 + i * dd, h0 + j * dh]
                roff = (i * dd * H + j * dh) * W
                for t in range(nw[ow]):
                    v = src[w0 + t * dw]
                    if v > bval or v != v:
                        bval = v
                        bcode = roff + t * dw
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
def _phase_add(col, v, pa, pb, sw):
    """Add ``v`` at column ``col`` of the row buffer (even/odd halves when ``sw == 2``)."""
    if sw == 2:
        if col % 2 == 0:
            pa[col // 2] += v
        else:
            pb[col // 2] += v
    else:
        pa[col] += v


@njit(**_OPTS)
def max_bwd_cf(
    i0, i1, x, fd, nd, fh, nh, fw, nw, dil, win, nq, dptr, dlst, dtap, hptr, hlst, htap,
    g, gin, zero, va, vb, ca, cb, ea, eb, codes, icodes, gq, pa, pb,
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
    nph = (W + 1) // 2 + nq + 1 if sw == 2 else W + nq + 1
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
                for ow in range(OW):
                    codes[r * OW + ow] = bc[ow]
                for q in range(nq):
                    live = q < ni
                    icodes[r * nq + q] = bc[ia + q] if live else -1
                    gq[r * nq + q] = grow[ia + q] if live else z
        for d in range(D):
            for h in range(H):
                for q in range(nph):
                    pa[q] = z
                    pb[q] = z
                for a in range(dptr[d], dptr[d + 1]):
                    od = dlst[a]
                    for b in range(hptr[h], hptr[h + 1]):
                        oh = hlst[b]
                        roff = (dtap[a] * H + htap[b]) * W
                        r = od * OH + oh
                        grow = g[n, c, od, oh]
                        for ow in range(ia):  # left edges (output order: left, interior, right)
                            rel = codes[r * OW + ow] - roff
                            if rel >= 0 and rel < W:
                                _phase_add(fw[ow] + rel, grow[ow], pa, pb, sw)
                        if ni > 0:
                            b0 = ia * sw + off
                            rq = r * nq
                            # taps last to first: each column then gets its outputs in order
                            for t in range(kw - 1, -1, -1):
                                bt = b0 + t * dw
                                code = np.int32(roff + t * dw)
                                if sw <= 2:
                                    half = pb if sw == 2 and bt % 2 == 1 else pa
                                    h2 = bt // 2 if sw == 2 else bt
                                    for q in range(nq):
                                        k = _u(rq + q)
                                        v, m = gq[k], icodes[k] == code
                                        half[_u(h2 + q)] += v if m else z
                                else:
                                    for q in range(ni):
                                        k = _u(rq + q)
                                        v, m = gq[k], icodes[k] == code
                                        pa[_u(bt + q * sw)] += v if m else z
                        for ow in range(ib, OW):  # right edges
                            rel = codes[r * OW + ow] - roff
                            if rel >= 0 and rel < W:
                                _phase_add(fw[ow] + rel, grow[ow], pa, pb, sw)
                dst = gin[n, c, d, h]
                if sw == 2:
                    for q in range(W // 2):
                        dst[_u(2 * q)] = pa[q]
                        dst[_u(2 * q + 1)] = pb[q]
                    if W % 2:
                        dst[W - 1] = pa[W // 2]
                else:
                    for q in range(W):
                        dst[q] = pa[q]
