"""Numba kernel for mode pooling (the most frequent value of each window; imported lazily).

Arrays are 5-d ``(N, D, H, W, C)`` (any strides; 1-d and 2-d problems get unit axes). Each
window's in-bounds values are gathered into a per-thread buffer; taps outside the input (pads,
the ceil-mode overhang) are skipped: they never count. A tie goes to the smallest value.

- Up to :data:`COUNT_MAX` values (2x2, 2x2x2, 3x3x3 blocks): every value's count by comparing
  it with all the others, without branches (random labels defeat a branch predictor, which a
  sort's compares depend on). Labels of at most 32 bits travel as int64 keys
  ``count << 34 | (2**34 - 1 - (label + 2**31))``, so one ``max`` over the keys picks the most
  frequent label and, among equals, the smallest; 64-bit labels use compare-and-select.
  Whole 2x2 and 2x2x2 windows count in registers (:func:`_pick4`, :func:`_pick8`: 6 and 28
  comparisons, then compare-and-select; a buffer's store and reload cost more than that).
- More values: sorted in place (heapsort: the kernels cannot allocate), then the longest run
  of equal values wins, the first (smallest) of tied runs.
"""

from __future__ import annotations

import numpy as np

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit

#: Windows of at most this many values count by all-pairs comparison (O(m**2), branch-free);
#: longer ones are sorted (O(m log m)).
COUNT_MAX = 27

_LOW = (1 << 34) - 1  # the label field of a packed key
_OFFSET = 1 << 31  # labels of int32 and uint32 alike become non-negative


@njit(**_OPTS)
def _first(start, dilation):
    """The first tap ``j`` with ``start + j*dilation >= 0``."""
    return 0 if start >= 0 else (dilation - 1 - start) // dilation


@njit(**_OPTS)
def _stop(start, dilation, kernel, length):
    """One past the last tap ``j < kernel`` with ``start + j*dilation < length``."""
    return min(kernel, (length - 1 - start) // dilation + 1)


@njit(**_OPTS)
def _sift(buf, start, end):
    root = start
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and buf[child] < buf[child + 1]:
            child += 1
        if buf[root] < buf[child]:
            buf[root], buf[child] = buf[child], buf[root]
            root = child
        else:
            return


@njit(**_OPTS)
def _sort(buf, m):
    for start in range((m - 2) // 2, -1, -1):
        _sift(buf, start, m)
    for end in range(m - 1, 0, -1):
        buf[0], buf[end] = buf[end], buf[0]
        _sift(buf, 0, end)


@njit(**_OPTS)
def _most_frequent(buf, m):
    """The most frequent of sorted ``buf[:m]`` (``m >= 1``); ties to the smallest."""
    best = buf[0]
    best_count = 0
    current = buf[0]
    count = 0
    for i in range(m):
        v = buf[i]
        if v == current:
            count += 1
        else:
            if count > best_count:
                best, best_count = current, count
            current = v
            count = 1
    if count > best_count:
        best = current
    return best


@njit(**_OPTS)
def _count_packed(keys, m):
    """The mode of ``keys[:m]`` (``label + 2**31`` in int64, labels of at most 32 bits): one
    max over ``count << 34 | (2**34 - 1 - key)`` picks the most frequent, then smallest."""
    best = np.int64(0)
    for i in range(m):
        v = keys[i]
        c = np.int64(0)
        for j in range(m):
            c += keys[j] == v
        best = max(best, (c << 34) | (_LOW - v))
    return _LOW - (best & _LOW) - _OFFSET


@njit(**_OPTS)
def _better(v, c, best, count):
    """``(v, c)`` where ``v`` is more frequent, or as frequent and smaller; else the best."""
    take = (c > count) | ((c == count) & (v < best))
    return (v if take else best), (c if take else count)


@njit(**_OPTS)
def _pick4(v0, v1, v2, v3):
    """The mode of 4 labels (ties to the smallest), in registers; a label that fills more
    than half the window is the mode at once (the common case inside labelled regions)."""
    e01 = np.int64(v0 == v1)
    e02 = np.int64(v0 == v2)
    e03 = np.int64(v0 == v3)
    c0 = e01 + e02 + e03
    if c0 >= 2:
        return v0
    e12 = np.int64(v1 == v2)
    e13 = np.int64(v1 == v3)
    e23 = np.int64(v2 == v3)
    c1 = e01 + e12 + e13
    c2 = e02 + e12 + e23
    c3 = e03 + e13 + e23
    b0, d0 = _better(v1, c1, v0, c0)
    b1, d1 = _better(v3, c3, v2, c2)
    b2, _d2 = _better(b1, d1, b0, d0)
    return b2


@njit(**_OPTS)
def _pick8(v0, v1, v2, v3, v4, v5, v6, v7):
    """The mode of 8 labels (ties to the smallest), in registers; a label that fills more
    than half the window is the mode at once (the common case inside labelled regions)."""
    e01 = np.int64(v0 == v1)
    e02 = np.int64(v0 == v2)
    e03 = np.int64(v0 == v3)
    e04 = np.int64(v0 == v4)
    e05 = np.int64(v0 == v5)
    e06 = np.int64(v0 == v6)
    e07 = np.int64(v0 == v7)
    c0 = e01 + e02 + e03 + e04 + e05 + e06 + e07
    if c0 >= 4:
        return v0
    e12 = np.int64(v1 == v2)
    e13 = np.int64(v1 == v3)
    e14 = np.int64(v1 == v4)
    e15 = np.int64(v1 == v5)
    e16 = np.int64(v1 == v6)
    e17 = np.int64(v1 == v7)
    e23 = np.int64(v2 == v3)
    e24 = np.int64(v2 == v4)
    e25 = np.int64(v2 == v5)
    e26 = np.int64(v2 == v6)
    e27 = np.int64(v2 == v7)
    e34 = np.int64(v3 == v4)
    e35 = np.int64(v3 == v5)
    e36 = np.int64(v3 == v6)
    e37 = np.int64(v3 == v7)
    e45 = np.int64(v4 == v5)
    e46 = np.int64(v4 == v6)
    e47 = np.int64(v4 == v7)
    e56 = np.int64(v5 == v6)
    e57 = np.int64(v5 == v7)
    e67 = np.int64(v6 == v7)
    c1 = e01 + e12 + e13 + e14 + e15 + e16 + e17
    c2 = e02 + e12 + e23 + e24 + e25 + e26 + e27
    c3 = e03 + e13 + e23 + e34 + e35 + e36 + e37
    c4 = e04 + e14 + e24 + e34 + e45 + e46 + e47
    c5 = e05 + e15 + e25 + e35 + e45 + e56 + e57
    c6 = e06 + e16 + e26 + e36 + e46 + e56 + e67
    c7 = e07 + e17 + e27 + e37 + e47 + e57 + e67
    b0, d0 = _better(v1, c1, v0, c0)
    b1, d1 = _better(v3, c3, v2, c2)
    b2, d2 = _better(v5, c5, v4, c4)
    b3, d3 = _better(v7, c7, v6, c6)
    b4, d4 = _better(b1, d1, b0, d0)
    b5, d5 = _better(b3, d3, b2, d2)
    b6, _d6 = _better(b5, d5, b4, d4)
    return b6


@njit(**_OPTS)
def _count_select(buf, m):
    """The mode of ``buf[:m]`` (any integers), by counts and branch-free selects."""
    best = buf[0]
    best_count = 0
    for i in range(m):
        v = buf[i]
        c = 0
        for j in range(m):
            c += buf[j] == v
        take = (c > best_count) | ((c == best_count) & (v < best))
        best = v if take else best
        best_count = c if take else best_count
    return best


@njit(**_OPTS)
def mode_rows(i0, i1, x, flat, strides, offs, out, sd, sh, sw, inside_d, inside_h, inside_w, kd,
              kh, kw, dd, dh, dw, packed, keys, vals):  # fmt: skip
    """``out[n, od, oh, ow, c]`` = mode of the window starting at ``(sd[od], sh[oh], sw[ow])``
    with ``(kd, kh, kw)`` taps ``(dd, dh, dw)`` apart; items are output rows ``(n, od, oh)``.

    ``x`` is C-contiguous and ``flat`` its 1-d view: windows wholly inside the input
    (``inside_*`` along every axis) read their taps at ``flat[base + offs]`` (``strides``: the
    element strides), the others tap by tap, skipping those outside. ``packed``: the labels
    have at most 32 bits and count in int64 ``keys``; else in ``vals`` (x's dtype).
    """
    _N, D, H, W, C = x.shape
    sn, sdd, shh, sww, sc = strides[0], strides[1], strides[2], strides[3], strides[4]
    OD, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    taps = offs.shape[0]
    for r in range(i0, i1):
        n = r // (OD * OH)
        rest = r - n * OD * OH
        od = rest // OH
        oh = rest - od * OH
        d0 = sd[od]
        h0 = sh[oh]
        row_inside = inside_d[od] and inside_h[oh]
        row = n * sn + d0 * sdd + h0 * shh
        dst = out[n, od, oh]
        for ow in range(OW):
            w0 = sw[ow]
            whole = row_inside and inside_w[ow]
            for c in range(C):
                m = 0
                if whole:
                    base = row + w0 * sww + c * sc
                    m = taps
                    if taps == 4:
                        dst[ow, c] = _pick4(
                            flat[base + offs[0]],
                            flat[base + offs[1]],
                            flat[base + offs[2]],
                            flat[base + offs[3]],
                        )
                        continue
                    if taps == 8:
                        dst[ow, c] = _pick8(
                            flat[base + offs[0]],
                            flat[base + offs[1]],
                            flat[base + offs[2]],
                            flat[base + offs[3]],
                            flat[base + offs[4]],
                            flat[base + offs[5]],
                            flat[base + offs[6]],
                            flat[base + offs[7]],
                        )
                        continue
                    if packed:
                        for t in range(taps):
                            keys[t] = np.int64(flat[base + offs[t]]) + _OFFSET
                    else:
                        for t in range(taps):
                            vals[t] = flat[base + offs[t]]
                else:
                    # only the taps inside the input (closed form, so a huge padded kernel
                    # costs its in-bounds taps, not its length)
                    for a in range(_first(d0, dd), _stop(d0, dd, kd, D)):
                        zd = d0 + a * dd
                        for b in range(_first(h0, dh), _stop(h0, dh, kh, H)):
                            zh = h0 + b * dh
                            for e in range(_first(w0, dw), _stop(w0, dw, kw, W)):
                                zw = w0 + e * dw
                                if packed:
                                    keys[m] = np.int64(x[n, zd, zh, zw, c]) + _OFFSET
                                else:
                                    vals[m] = x[n, zd, zh, zw, c]
                                m += 1
                if m <= COUNT_MAX:
                    if packed:
                        dst[ow, c] = _count_packed(keys, m)
                    else:
                        dst[ow, c] = _count_select(vals, m)
                elif packed:
                    _sort(keys, m)
                    dst[ow, c] = _most_frequent(keys, m) - _OFFSET
                else:
                    _sort(vals, m)
                    dst[ow, c] = _most_frequent(vals, m)
