"""O(1)- and O(log k)-per-element kernels for large windows (imported lazily).

``bscan`` is the van Herk / Gil-Werman block scan along one axis: cut the padded axis into
blocks of ``k``; a window starting at ``a`` ends in the next block, so it is
``op(suffix[a], prefix[a + k - 1])`` with block-local suffix and prefix scans - about three
operations per element whatever ``k``. It is vectorised across the two trailing axes.
Sums use the same block-local scans (never one running prefix sum), so no far-apart values
cancel, and inf/NaN propagate exactly as in a direct sum.

``wdouble`` reduces rows along W by doubling (rows are flattened ``(W, B)`` buffers, with
``B = 1`` channels-first and ``B = C`` channels-last):
level ``m`` holds the op over ``m`` consecutive values, so ``log2(k)`` contiguous,
vectorised passes give any window (max: two overlapping top-level pieces; sum: the binary
decomposition of ``k`` into disjoint pieces).

``op`` is max (PyTorch's NaN-winning select) when ``is_max``, else ``+``. Pads and the
ceil-mode overhang read as ``ident`` (the dtype's minimum for max, 0 for sums).
"""

from __future__ import annotations

from numba import njit

from poolkit.kernels._window import _pick

_OPTS = {"cache": True, "nogil": True, "_nrt": False, "error_model": "numpy", "boundscheck": False}


@njit(**_OPTS)
def _comb(dst, a, b, is_max):
    """``dst = op(a, b)`` elementwise over 2-d arrays (``dst`` never aliases ``a``/``b``)."""
    B1, B2 = dst.shape
    if is_max:
        for i in range(B1):
            for j in range(B2):
                dst[i, j] = _pick(a[i, j], b[i, j])
    else:
        for i in range(B1):
            for j in range(B2):
                dst[i, j] = a[i, j] + b[i, j]


@njit(**_OPTS)
def _copy(dst, a):
    B1, B2 = dst.shape
    for i in range(B1):
        for j in range(B2):
            dst[i, j] = a[i, j]


@njit(**_OPTS)
def _fill(dst, value):
    B1, B2 = dst.shape
    for i in range(B1):
        for j in range(B2):
            dst[i, j] = value


@njit(**_OPTS)
def _emit(dst, a, b, both, is_max, scaled, m):
    """``dst = op(a, b)`` (or ``a`` alone), times ``m`` when ``scaled``; the flags are tested
    outside the loops so each loop stays a plain vector loop."""
    B1, B2 = dst.shape
    if not both:
        if scaled:
            for i in range(B1):
                for j in range(B2):
                    dst[i, j] = a[i, j] * m
        else:
            for i in range(B1):
                for j in range(B2):
                    dst[i, j] = a[i, j]
    elif is_max:
        for i in range(B1):
            for j in range(B2):
                dst[i, j] = _pick(a[i, j], b[i, j])
    elif scaled:
        for i in range(B1):
            for j in range(B2):
                dst[i, j] = (a[i, j] + b[i, j]) * m
    else:
        for i in range(B1):
            for j in range(B2):
                dst[i, j] = a[i, j] + b[i, j]


@njit(**_OPTS)
def bscan(i0, i1, x6, out6, k, s, lo, is_max, ident, scaled, mitem, mout, acc, S, PA, PB):
    """Block scan along axis 3 of ``x6 (A0, A1, A2, L, B1, B2)`` into ``out6 (.., O, ..)``.

    Window ``o`` covers padded positions ``[o*s, o*s + k)``, i.e. inputs from ``o*s - lo``.
    Items are ``(a0, a1, a2)`` triples; with ``scaled`` output ``o`` of item ``(.., a1, a2)``
    is multiplied by ``mitem[a1, a2] * mout[o]``.
    """
    _A0, A1, A2, L, _B1, _B2 = x6.shape
    O = out6.shape[3]
    last_start = (O - 1) * s
    span = last_start + k
    for item in range(i0, i1):
        a0 = item // (A1 * A2)
        rest = item - a0 * A1 * A2
        a1 = rest // A2
        a2 = rest - a1 * A2
        src = x6[a0, a1, a2]
        dst = out6[a0, a1, a2]
        m_item = mitem[a1, a2] if scaled else 1.0
        base = 0
        while base <= last_start:
            # suffix scan of block [base, base + k)
            for t in range(k - 1, -1, -1):
                u = base + t - lo
                inside = 0 <= u < L and base + t < span
                if t == k - 1:
                    if inside:
                        _copy(S[t], src[u])
                    else:
                        _fill(S[t], ident)
                elif inside:
                    _comb(S[t], src[u], S[t + 1], is_max)
                else:
                    _copy(S[t], S[t + 1])
            if base % s == 0:  # the window that is exactly this block
                o = base // s
                _emit(dst[o], S[0], S[0], False, is_max, scaled, m_item * mout[o])
            # prefix scan of the next block; window starting at base + t + 1 ends there
            P, Q = PA, PB
            for t in range(k - 1):
                a = base + t + 1
                if a > last_start:
                    break
                u = base + k + t - lo
                if t == 0:
                    if 0 <= u < L:
                        _copy(P, src[u])
                    else:
                        _fill(P, ident)
                elif 0 <= u < L:
                    _comb(Q, P, src[u], is_max)
                    P, Q = Q, P
                if a % s == 0:
                    o = a // s
                    _emit(dst[o], S[t + 1], P, True, is_max, scaled, m_item * mout[o])
            base += k


@njit(**_OPTS)
def wdouble(i0, i1, t6, out6, k, s, lo, is_max, ident, scaled, mitem, mout, acc, lev, res):
    """Windows along axis 4 of ``t6 (A0, A1, A2, A3, L, B)`` by doubling, vectorised over
    whole flattened ``(L, B)`` rows (``B = 1`` for channels-first W, ``C`` channels-last).

    Each row is copied into a padded buffer (``ident`` outside the input), ``log2(k)``
    contiguous passes build the levels, and ``out6 (.., O, B)`` gets the windows, times
    ``mitem[a2, a3] * mout[o]`` when ``scaled``.
    """
    _A0, A1, A2, A3, L, B = t6.shape
    O = out6.shape[4]
    span = (O - 1) * s + k
    nlev = 0
    while (1 << (nlev + 1)) <= k:
        nlev += 1
    for item in range(i0, i1):
        a0 = item // (A1 * A2 * A3)
        rest = item - a0 * A1 * A2 * A3
        a1 = rest // (A2 * A3)
        rest = rest - a1 * A2 * A3
        a2 = rest // A3
        a3 = rest - a2 * A3
        src = t6[a0, a1, a2, a3]
        base = lev[0]
        # padded row: ident before and after the input segment [lo, lo + n_in)
        n_in = max(0, min(L, span - lo))
        for q in range(min(lo, span) * B):
            base[q] = ident
        for q in range((lo + n_in) * B, span * B):
            base[q] = ident
        seg = base[lo * B :]
        if B == 1:
            col = src[:, 0]
            for i in range(n_in):
                seg[i] = col[i]
        else:
            for i in range(n_in):
                si = src[i]
                sg = seg[i * B :]
                for b in range(B):
                    sg[b] = si[b]
        m = 1
        for j in range(1, nlev + 1):
            prev = lev[j - 1]
            cur = lev[j]
            later = prev[m * B :]  # views keep indices >= 0: no wraparound selects
            if is_max:
                for q in range((span - 2 * m + 1) * B):
                    cur[q] = _pick(prev[q], later[q])
            else:
                for q in range((span - 2 * m + 1) * B):
                    cur[q] = prev[q] + later[q]
            m *= 2
        top = lev[nlev]
        if is_max:
            later = top[(k - m) * B :]
            if s == 1:
                for q in range(O * B):
                    res[q] = _pick(top[q], later[q])
            else:
                for o in range(O):
                    t0 = top[o * s * B :]
                    t1 = later[o * s * B :]
                    r = res[o * B :]
                    for b in range(B):
                        r[b] = _pick(t0[b], t1[b])
        else:
            for q in range(O * B):
                res[q] = 0
            pos = 0
            for j in range(nlev, -1, -1):
                if (k >> j) & 1:
                    level = lev[j][pos * B :]
                    if s == 1:
                        for q in range(O * B):
                            res[q] += level[q]
                    else:
                        for o in range(O):
                            lo_ = level[o * s * B :]
                            r = res[o * B :]
                            for b in range(B):
                                r[b] += lo_[b]
                    pos += 1 << j
        dst = out6[a0, a1, a2, a3]
        mm = mitem[a2, a3] if scaled else 1.0
        if B == 1:  # no per-output views: each costs reference-count updates
            dcol = dst[:, 0]
            if scaled:
                for o in range(O):
                    dcol[o] = res[o] * (mm * mout[o])
            else:
                for o in range(O):
                    dcol[o] = res[o]
            continue
        for o in range(O):
            f = mm * mout[o]
            r = res[o * B :]
            do = dst[o]
            if scaled:
                for b in range(B):
                    do[b] = r[b] * f
            else:
                for b in range(B):
                    do[b] = r[b]
