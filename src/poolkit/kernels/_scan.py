"""O(1)- and O(log k)-per-element kernels for large windows (imported lazily).

``scan2d`` pools one ``(H, W)`` plane (or one channel block of a channels-last plane) per
item, fused so that no full-size intermediate is written: each output row is built along H
by the van Herk / Gil-Werman block scan into a padded row buffer, then reduced along W by
doubling over that (cache-resident) row and written to the output.

- Block scan along H: cut the padded axis into blocks of ``k``; a window starting at ``a``
  ends in the next block, so it is ``op(suffix[a], prefix[a + k - 1])`` with block-local
  suffix and prefix scans - about three operations per element whatever ``k``, vectorised
  across the row. A dilated axis is ``d`` interleaved sub-sequences, each scanned alone.
- Doubling along W over the flattened ``(W, B)`` row (``B = 1`` channels-first, the channel
  block channels-last), shifts scaled by the dilation. Max: level ``m`` holds the op over
  ``m`` taps, ``log2(k)`` vector passes, and a window is two overlapping top-level pieces.
  Sums: the left-to-right binary chain ``L[2a + bit] = L[a] + L[a] >> a (+ x >> 2a)``, so
  ``bit_length(k) - 1`` passes, the last one the output.

``bscan`` is the block scan alone along axis 3 of a 6-d view (the depth pass of 3-d windows).

Sums use block-local scans and short chains, never one running prefix sum, so no far-apart
values cancel and inf/NaN propagate exactly as in a direct sum. ``op`` is max (PyTorch's
NaN-winning select, always called as ``pick(earlier, later)`` in window order along each
axis) when ``is_max``, else ``+``. Pads and the ceil-mode overhang read as ``ident`` (the
dtype's minimum for max, 0 for sums).
"""

from __future__ import annotations

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit
from poolkit.kernels._window import _pick

# --------------------------------------------------------------------------- row helpers


@njit(inline="always", **_OPTS)
def _load_op(dst, row, c0, B1, bw, later, is_max):
    """``dst = op(row[:, c0:c0 + bw], later)`` (the row comes first in window order)."""
    for i in range(B1):
        r = row[i, c0:]
        d = dst[i * bw :]
        lt = later[i * bw :]
        if is_max:
            for j in range(bw):
                d[j] = _pick(r[j], lt[j])
        else:
            for j in range(bw):
                d[j] = r[j] + lt[j]


@njit(inline="always", **_OPTS)
def _op_load(dst, earlier, row, c0, B1, bw, is_max):
    """``dst = op(earlier, row[:, c0:c0 + bw])``."""
    for i in range(B1):
        r = row[i, c0:]
        d = dst[i * bw :]
        e = earlier[i * bw :]
        if is_max:
            for j in range(bw):
                d[j] = _pick(e[j], r[j])
        else:
            for j in range(bw):
                d[j] = e[j] + r[j]


@njit(inline="always", **_OPTS)
def _op(dst, a, b, n, is_max):
    if is_max:
        for q in range(n):
            dst[q] = _pick(a[q], b[q])
    else:
        for q in range(n):
            dst[q] = a[q] + b[q]


@njit(inline="always", **_OPTS)
def _copy(dst, a, n):
    for q in range(n):
        dst[q] = a[q]


@njit(inline="always", **_OPTS)
def _fill(dst, n, value):
    for q in range(n):
        dst[q] = value


@njit(inline="always", **_OPTS)
def _has_window(r, d, s, n_out):
    """Does some output start (``o * s``, padded coordinates) fall on residue ``r`` mod ``d``?"""
    for o in range(min(n_out, d)):  # noqa: SIM110 (no generators in Numba)
        if (o * s) % d == r:
            return True
    return False


# --------------------------------------------------------------------------- along W


@njit(**_OPTS)
def _wpass(lev, out, res, span, k, s, d, B, O, is_max, scaled, f, mw):
    """Windows along W of the padded flat row ``lev[0][:span * B]`` into ``out[:O * B]``,
    times ``f * mw[o]`` when ``scaled``.

    ``lev[1]``/``lev[2]`` are ping-pong level buffers (an in-place select would compile to
    a masked store, microcoded on AMD). The last step writes ``out`` directly for stride 1
    and ``B = 1`` (channels-first); otherwise it goes through ``res``."""
    x = lev[0]
    p0 = x
    p1 = x
    p2 = x
    nterm = 1
    if k > 1 and is_max:
        m = 1
        which = 1
        while 2 * m <= k:
            cur = lev[which]
            _op(cur, p0, p0[m * d * B :], (span - (2 * m - 1) * d) * B, True)
            p0 = cur
            which = 3 - which
            m *= 2
        p1 = p0[(k - m) * d * B :]  # two overlapping top-level pieces
        nterm = 2
    elif k > 1:
        # sums: the left-to-right binary chain over k's bits, L[2a + bit] = L[a] +
        # L[a] >> a (+ x >> 2a); the last step is the output
        nbits = 0
        while (k >> nbits) > 1:
            nbits += 1
        a = 1
        which = 1
        for j in range(nbits - 1, -1, -1):
            bit = (k >> j) & 1
            p1 = p0[a * d * B :]
            p2 = x[2 * a * d * B :]
            if j == 0:
                nterm = 2 + bit
                break
            cur = lev[which]
            n = (span - (2 * a + bit - 1) * d) * B
            if bit:
                for q in range(n):
                    cur[q] = p0[q] + p1[q] + p2[q]
            else:
                _op(cur, p0, p1, n, False)
            p0 = cur
            which = 3 - which
            a = 2 * a + bit
    n = O * B
    if s == 1 and nterm > 1 and not scaled:  # straight into out
        _terms(out, p0, p1, p2, nterm, is_max, n)
        return
    if s == 1 and nterm > 1 and B == 1:  # average, channels-first: scaled on the way
        if nterm == 2:
            for q in range(n):
                out[q] = (p0[q] + p1[q]) * (f * mw[q])
        else:
            for q in range(n):
                out[q] = (p0[q] + p1[q] + p2[q]) * (f * mw[q])
        return
    c = res
    if s == 1 and nterm == 1:
        c = p0
    elif s == 1:
        _terms(res, p0, p1, p2, nterm, is_max, n)
    else:  # stride: one window (of B values) per output
        for o in range(O):
            _terms(res[o * B :], p0[o * s * B :], p1[o * s * B :], p2[o * s * B :], nterm,
                   is_max, B)  # fmt: skip
    if not scaled:
        _copy(out, c, n)
    elif B == 1:
        for j in range(O):
            out[j] = c[j] * (f * mw[j])
    else:
        for o in range(O):
            g = f * mw[o]
            do = out[o * B :]
            co = c[o * B :]
            for b in range(B):
                do[b] = co[b] * g


@njit(**_OPTS)
def _terms(dst, q0, q1, q2, nterm, is_max, n):
    """``dst = op`` of the first ``nterm`` of ``q0, q1, q2`` (max: at most two)."""
    if nterm == 1:
        _copy(dst, q0, n)
    elif nterm == 2:
        _op(dst, q0, q1, n, is_max)
    else:
        for q in range(n):
            dst[q] = q0[q] + q1[q] + q2[q]


@njit(inline="always", **_OPTS)
def _store(drow, res, c0, OW, bw, scaled, f, mw):
    """``drow[:, c0:c0 + bw]`` = ``res`` (flat ``(OW, bw)``), times ``f * mw[ow]`` when
    ``scaled``."""
    for i in range(OW):
        dr = drow[i, c0:]
        rr = res[i * bw :]
        if scaled:
            g = f * mw[i]
            for j in range(bw):
                dr[j] = rr[j] * g
        else:
            for j in range(bw):
                dr[j] = rr[j]


# --------------------------------------------------------------------------- fused 2-d


@njit(**_OPTS)
def scan2d(i0, i1, x6, out6, chan, cb, wb, kh, sh, dh, loh, kw, sw, dw, low, is_max, ident,
           scaled, md, mh, mw, S, PA, PB, lev, res):  # fmt: skip
    """Pool ``x6 (A0, A1, A2, H, B1, B2)`` into ``out6 (.., OH, OB1, OB2)``.

    Rows ``(B1, B2)`` are read into flat buffers. ``chan``: ``B2`` is a channel axis cut
    into blocks of ``cb`` (one item each, so the scan buffers stay in cache) and ``B1`` is
    W; else rows are flat, ``B1 = 1`` and ``B2 = W * wb`` (``wb = 1`` channels-first,
    ``C`` for contiguous channels-last rows). Any row of independent columns works as
    ``chan`` (the depth pass runs here with ``kw = 1``). Items are ``(a0, a1, a2, block)``;
    with ``scaled`` output ``(a2, oh, ow)`` is multiplied by ``md[a2] * mh[oh] * mw[ow]``
    (the multipliers come in float sums' own dtype). Flat buffers: ``S`` ``kh + 1`` rows
    (the last one ``ident``), ``PA``/``PB`` one row, ``lev`` three padded W rows, ``res``
    one output row.
    """
    _A0, A1, A2, L, B1, B2 = x6.shape
    OH = out6.shape[3]
    nblk = (B2 + cb - 1) // cb if chan else 1
    OW = out6.shape[4] if chan else out6.shape[5] // wb
    span_w = (OW - 1) * sw + (kw - 1) * dw + 1
    last_h = (OH - 1) * sh
    # a bool *variable* (a literal False would type, and compile, _wpass a second time)
    unscaled = scaled ^ scaled  # False
    for item in range(i0, i1):
        blk = item % nblk
        rest = item // nblk
        a2 = rest % A2
        rest = rest // A2
        a1 = rest % A1
        a0 = rest // A1
        c0 = blk * cb if chan else 0
        bw = min(cb, B2 - c0) if chan else B2
        B = bw if chan else wb
        R = B1 * bw
        Wn = R // B
        src = x6[a0, a1, a2]
        dst = out6[a0, a1, a2]
        fi = md[a2]
        none = S[kh]  # the op over no rows
        _fill(none, R, ident)
        x = lev[0]
        # the padded W row: ident outside the input (pads, overhang); the H scan fills the rest
        _fill(x, min(low, span_w) * B, ident)
        if low + Wn < span_w:
            _fill(x[(low + Wn) * B :], (span_w - low - Wn) * B, ident)
        seg = x[low * B :]
        # no W window (the depth pass): the scanned row is the result
        bare = kw == 1 and sw == 1 and low == 0
        for r in range(dh):
            if not _has_window(r, dh, sh, OH):
                continue
            qmax = (last_h - r) // dh  # last window start on this residue (sub-sequence index)
            base = 0
            while base <= qmax:
                # suffix scan of block [base, base + kh) of the sub-sequence; S[0] only feeds
                # the window that is exactly this block, so it goes straight to seg
                for t in range(kh - 1, -1, -1):
                    St = S[t] if t > 0 else seg
                    if t == 0 and (r + base * dh) % sh != 0:
                        break
                    u = r + (base + t) * dh - loh
                    if 0 <= u < L:
                        _load_op(St, src[u], c0, B1, bw, S[t + 1], is_max)
                    else:
                        _copy(St, S[t + 1], R)
                # prefix scan of the next block; the window starting at base + t + 1 ends
                # there; t = -1 is the block's own window (already in seg)
                P = none
                flip = False
                for t in range(-1, kh - 1):
                    qa = base + t + 1
                    if qa > qmax:
                        break
                    a = r + qa * dh
                    if t >= 0:
                        u = r + (base + kh + t) * dh - loh
                        if 0 <= u < L:
                            Q = PA if flip else PB
                            _op_load(Q, P, src[u], c0, B1, bw, is_max)
                            P = Q
                            flip = not flip
                    if a % sh != 0:
                        continue
                    if t >= 0:
                        _op(seg, S[t + 1], P, R, is_max)
                    o = a // sh
                    f = fi * mh[o]
                    if not chan:  # the flat output row is written directly
                        _wpass(lev, dst[o, 0], res, span_w, kw, sw, dw, B, OW, is_max, scaled,
                               f, mw)  # fmt: skip
                    else:
                        row = x
                        if not bare:
                            _wpass(lev, res, res, span_w, kw, sw, dw, B, OW, is_max, unscaled,
                                   f, mw)  # fmt: skip
                            row = res
                        _store(dst[o], row, c0, OW, bw, scaled, f, mw)
                base += kh
