"""Numba kernel for mode pooling (the most frequent value of each window; imported lazily).

Arrays are 5-d ``(N, D, H, W, C)`` (any strides; 1-d and 2-d problems get unit axes). Each
window's in-bounds values are gathered into a per-thread buffer and sorted there (insertion
sort for the usual 4-27 values, heapsort beyond), then the longest run of equal values wins;
a tie goes to the smallest value, the first of the tied runs in sorted order. Taps outside
the input (pads, the ceil-mode overhang) are skipped: they never count.
"""

from __future__ import annotations

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit

#: Windows of at most this many values sort by insertion (fewest operations for 2x2, 2x2x2,
#: 3x3x3); longer ones by heapsort, O(m log m) in place (the kernels cannot allocate).
INSERTION_MAX = 32


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
    if m <= INSERTION_MAX:
        for i in range(1, m):
            v = buf[i]
            j = i - 1
            while j >= 0 and buf[j] > v:
                buf[j + 1] = buf[j]
                j -= 1
            buf[j + 1] = v
        return
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
def mode_rows(i0, i1, x, out, sd, sh, sw, kd, kh, kw, dd, dh, dw, buf):
    """``out[n, od, oh, ow, c]`` = mode of the window starting at ``(sd[od], sh[oh], sw[ow])``
    with ``(kd, kh, kw)`` taps ``(dd, dh, dw)`` apart; items are output rows ``(n, od, oh)``."""
    _N, D, H, W, C = x.shape
    OD, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    for r in range(i0, i1):
        n = r // (OD * OH)
        rest = r - n * OD * OH
        od = rest // OH
        oh = rest - od * OH
        d0 = sd[od]
        h0 = sh[oh]
        for ow in range(OW):
            w0 = sw[ow]
            for c in range(C):
                m = 0
                for a in range(kd):
                    zd = d0 + a * dd
                    if zd < 0 or zd >= D:
                        continue
                    for b in range(kh):
                        zh = h0 + b * dh
                        if zh < 0 or zh >= H:
                            continue
                        for e in range(kw):
                            zw = w0 + e * dw
                            if zw < 0 or zw >= W:
                                continue
                            buf[m] = x[n, zd, zh, zw, c]
                            m += 1
                _sort(buf, m)
                out[n, od, oh, ow, c] = _most_frequent(buf, m)
