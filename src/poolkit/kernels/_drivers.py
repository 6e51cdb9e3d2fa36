"""Drivers: resolved geometry and channels-first views in, Numba kernels called, results out.

Each public function mirrors one in :mod:`poolkit._dispatch` and returns the same thing as its
counterpart in :mod:`poolkit.reference` (the oracle); :mod:`poolkit.kernels.costmodel` picks
the algorithm and the compute dtype.

Conventions shared by every driver:
- Problems are lifted to 3 spatial dims with leading unit axes (views, no copy), so each
  kernel has one specialisation per dtype and memory order.
- Memory order follows the input: when the channel axis has the smallest stride the input is
  channels-last and the ``*_cl`` kernel runs on ``np.moveaxis(x, 1, -1)``; the output is
  allocated channels-last too and handed back as a channels-first *view*, so
  :func:`poolkit._layout.from_channels_first` returns it without copying. Any other strides
  reach the kernels as strided views (never a hidden full copy).
- dtypes are normalised by :func:`poolkit.kernels.costmodel.compute_dtype`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from poolkit.geometry import Window, adaptive_bins, resolve
from poolkit.kernels import costmodel
from poolkit.kernels._threads import run as _run
from poolkit.reducers import result_dtype


def _k():
    from poolkit.kernels import _loader

    return _loader.window()


def _b():
    from poolkit.kernels import _loader

    return _loader.backward()


def _m():
    from poolkit.kernels import _loader

    return _loader.misc()


# --------------------------------------------------------------------------- geometry as taps


@dataclass(frozen=True)
class Taps:
    """Per-axis window taps over 3 spatial axes (leading unit axes for 1-d and 2-d).

    ``first[a][o]``: first in-bounds input index of output ``o`` along axis ``a``;
    ``count[a][o]``: in-bounds taps; ``dil``: dilations; ``win``: the W axis's
    ``(stride, -lo, kernel, ia, ib)`` where outputs ``[ia, ib)`` have every tap in bounds;
    ``counts`` feed average pooling's divisor.
    """

    first: tuple[np.ndarray, np.ndarray, np.ndarray]
    count: tuple[np.ndarray, np.ndarray, np.ndarray]
    dil: np.ndarray
    win: np.ndarray
    in_shape: tuple[int, int, int]
    out_shape: tuple[int, int, int]
    mults: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def args(self):
        return (
            self.first[0],
            self.count[0],
            self.first[1],
            self.count[1],
            self.first[2],
            self.count[2],
            self.dil,
        )


_UNIT = (np.zeros(1, np.int64), np.ones(1, np.int64))


def _lift(values, fill):
    values = list(values)
    return tuple([fill] * (3 - len(values)) + values)


def window_taps(window: Window, count_include_pad=None, divisor_override=None) -> Taps:
    """Taps of a regular window; with ``count_include_pad`` given, the avg multipliers too.

    O(outputs) memory per axis (geometry's closed-form counts, never ``(out, kernel)``), and
    every number handed to the kernels fits int64 whatever the arguments: a dilation that
    leaves at most one tap per window in bounds is passed as 1, and the W axis's ``win``
    only holds what the kernels read (a stride longer than the row, which leaves at most
    one interior window, as 1; the offset from the first interior window; a kernel longer
    than int64 holds, which has no interior window, as any kernel longer than the row), so
    a stride, pad or kernel of 2**64 never reaches them.
    """
    first, count, dil = [], [], []
    for a in window.axes:
        f, n, _ = a.window_counts(parts="first count")
        first.append(f)
        count.append(n)
        # taps past the first are used only when a window has two in bounds (then d < L)
        dil.append(a.dilation if a.dilation < a.length else 1)
    w = window.axes[-1]
    full = np.flatnonzero(count[-1] == w.kernel) if w.kernel <= w.length else np.empty(0, int)
    ia, ib = (int(full[0]), int(full[-1]) + 1) if full.size else (0, 0)
    if full.size and full.size != ib - ia:  # not a contiguous range (cannot happen, be safe)
        ia = ib = 0
    ni = ib - ia
    # two interior windows lie inside the row, so a stride longer than the row leaves at
    # most one and is never used (1 also keeps the argmax kernels' phase buffers, stride x
    # lanes long, small); the offset is used only with an interior window, which starts at
    # its first tap (so it equals -lo); a kernel past int64 has no interior window
    sw = w.stride if w.stride <= w.length else 1
    off = int(first[-1][ia]) - ia * sw if ni else 0
    kw = w.kernel if w.kernel < 1 << 62 else max(w.length + 1, 4)
    mults = None
    if count_include_pad is not None:
        mults = _window_mults(window, count_include_pad, divisor_override, count)
    return Taps(
        first=_lift(first, _UNIT[0]),
        count=_lift(count, _UNIT[1]),
        dil=np.array(_lift(dil, 1), dtype=np.int64),
        win=np.array([sw, off, kw, ia, ib], dtype=np.int64),
        in_shape=_lift(window.input_shape, 1),
        out_shape=_lift(window.output_shape, 1),
        mults=mults,
    )


def _window_mults(window, count_include_pad, divisor_override, count=None):
    """Average pooling's per-axis reciprocal divisors (``count``: the in-bounds counts,
    when already computed)."""
    if divisor_override is not None:
        return _avg_mults([np.empty(a.out) for a in window.axes], divisor_override)
    if not count_include_pad and count is not None:
        return _avg_mults(count, None)
    part = "padded" if count_include_pad else "count"
    index = 2 if count_include_pad else 1
    return _avg_mults([a.window_counts(parts=part)[index] for a in window.axes], None)


def scan_taps(window: Window, count_include_pad=None, divisor_override=None) -> Taps:
    """What the block scan reads of the taps: the shapes and (average) multipliers only, not
    the per-output first taps and counts (16 bytes per output of a 1-d moving window that
    the scan never reads). Only for :func:`_blockscan`: ``first``/``count`` are empty."""
    mults = None
    if count_include_pad is not None:
        mults = _window_mults(window, count_include_pad, divisor_override)
    empty = (np.zeros(0, np.int64),) * 3
    return Taps(
        first=empty,
        count=empty,
        dil=np.ones(3, dtype=np.int64),
        win=np.zeros(5, dtype=np.int64),
        in_shape=_lift(window.input_shape, 1),
        out_shape=_lift(window.output_shape, 1),
        mults=mults,
    )


def adaptive_taps(spatial, output_size) -> Taps:
    """PyTorch's adaptive bins as taps (dilation 1); avg multipliers are 1 / bin width."""
    first, count = [], []
    for length, out in zip(spatial, output_size, strict=True):
        start, end = adaptive_bins(length, out)
        first.append(start.astype(np.int64))
        count.append((end - start).astype(np.int64))
    return Taps(
        first=_lift(first, _UNIT[0]),
        count=_lift(count, _UNIT[1]),
        dil=np.ones(3, dtype=np.int64),
        win=np.zeros(5, dtype=np.int64),
        in_shape=_lift(spatial, 1),
        out_shape=_lift(output_size, 1),
        mults=_avg_mults(count, None),
    )


def _avg_mults(counts, divisor_override):
    if divisor_override is not None:
        mults = [np.ones(len(c)) for c in counts]
        mults[-1] = mults[-1] / float(divisor_override)
    else:
        mults = []
        for c in counts:
            m = np.asarray(c, dtype=np.float64)
            m = np.divide(1.0, m, out=m if m is not c else None)  # in place when a copy
            mults.append(m)
    return _lift(mults, np.ones(1))


# --------------------------------------------------------------------------- layout helpers


def _to5(x: np.ndarray) -> np.ndarray:
    """``(N, C, *spatial)`` -> ``(N, C, D, H, W)`` view with leading unit spatial axes."""
    extra = 5 - x.ndim
    return x[(slice(None), slice(None)) + (None,) * extra]


def is_channels_last(x: np.ndarray) -> bool:
    """True when the channel axis of ``(N, C, *spatial)`` has the smallest stride."""
    if x.ndim < 3 or x.shape[1] <= 1:
        return False
    spatial = [abs(s) for s, n in zip(x.strides[2:], x.shape[2:], strict=True) if n > 1]
    return bool(spatial) and abs(x.strides[1]) < min(spatial)


def _alloc(n, c, spatial3, dtype, channels_last, zeros=False):
    """A 5-d result: returned as (kernel view, channels-first view)."""
    make = np.zeros if zeros else np.empty
    if channels_last:
        arr = make((n, *spatial3, c), dtype=dtype)
        return arr, np.moveaxis(arr, -1, 1)
    arr = make((n, c, *spatial3), dtype=dtype)
    return arr, arr


#: The most (input, covering output) pairs :func:`_cover` builds along D or H (3 int64 arrays
#: of this length: ~100 MB); bigger covers (long overlapping windows) take a backward that
#: needs none (:func:`_cover_fits`).
COVER_MAX_PAIRS = 1 << 22


def _cover_pairs(taps: Taps, axis: int) -> int:
    return int(taps.count[axis].sum())


def _cover_fits(taps: Taps) -> bool:
    """Whether the D and H covers of :func:`_cover` stay under :data:`COVER_MAX_PAIRS`."""
    return max(_cover_pairs(taps, 0), _cover_pairs(taps, 1)) <= COVER_MAX_PAIRS


def _cover_arrays(taps: Taps, axis: int):
    """``(ptr, lst, pos)``: the CSR lists of :func:`_cover` and each listed pair's input index,
    vectorised in O(pairs) (a stable sort by input keeps each input's outputs increasing)."""
    first, count = taps.first[axis], taps.count[axis]
    dil = int(taps.dil[axis])
    length = taps.in_shape[axis]
    total = _cover_pairs(taps, axis)
    owner = np.repeat(np.arange(len(count), dtype=np.int64), count)
    starts = np.cumsum(count) - count  # each output's first pair
    tap = np.arange(total, dtype=np.int64) - np.repeat(starts, count)
    pos = first[owner] + tap * dil
    order = np.argsort(pos, kind="stable")
    ptr = np.zeros(length + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(pos, minlength=length))
    return ptr, owner[order], pos[order]


def _cover(taps: Taps, axis: int):
    """CSR lists of the outputs whose windows cover each input index along ``axis``:
    outputs of input ``i`` are ``lst[ptr[i]:ptr[i + 1]]``, in increasing order."""
    ptr, lst, _pos = _cover_arrays(taps, axis)
    return ptr, lst


def _bufs(shapes, dtypes):
    """A factory of per-chunk work buffers (the kernels cannot allocate: see _threads.run)."""
    if not isinstance(dtypes, tuple):
        dtypes = (dtypes,) * len(shapes)
    return lambda: tuple(np.empty(sh, dtype=dt) for sh, dt in zip(shapes, dtypes, strict=True))


def _rows(taps) -> int:
    return taps.out_shape[0] * taps.out_shape[1]


def _cl(a5: np.ndarray) -> np.ndarray:
    return np.moveaxis(a5, 1, -1)


def _unlift(a5: np.ndarray, nspatial: int) -> np.ndarray:
    return a5.reshape(a5.shape[:2] + a5.shape[5 - nspatial :])


def _channel_block(n: int, c: int) -> int:
    """Channels per parallel item for the channels-last scatter kernels: enough items for
    every thread, at least a vector's worth of channels each."""
    threads = costmodel.num_threads()
    if n >= 4 * threads:
        return max(c, 1)
    blocks = -(-4 * threads // max(n, 1))
    return max(8, -(-c // blocks))


# --------------------------------------------------------------------------- window family


def _max_values(x5, taps, cl):
    k = _k()
    n, c = x5.shape[:2]
    kern, view = _alloc(n, c, taps.out_shape, x5.dtype, cl)
    if cl:
        W, OW = x5.shape[4], taps.out_shape[2]
        bufs = _bufs(((W, c), (W, c), (OW, c), (OW, c)), x5.dtype)
        args = (_cl(x5), *taps.args(), taps.win, kern)
        _run(k.max_cl, n * _rows(taps), *args, work=x5.size, scratch=bufs)
    else:
        W, OW = x5.shape[4], taps.out_shape[2]
        # work buffers only where max_cf uses them (a broadcast row of 2**31 must not cost
        # 4 of its size): combined rows when a window spans several input rows; output
        # rows unless its fused pass (_fused: stride 2, 2-3 taps) writes out directly;
        # stride-2 halves when its general W pass (_hmax) runs stride 2 with an interior
        several = any(int(cnt.max()) > 1 for cnt in taps.count[:2])
        sw, _off, kw, ia, ib = (int(v) for v in taps.win)
        fused = sw == 2 and taps.dil[2] == 1 and kw in (2, 3)
        row = W if several else 1
        orow = 1 if fused else OW
        half = W // 2 + 1 if sw == 2 and ib > ia and not fused else 1
        bufs = _bufs(((row,), (row,), (orow,), (orow,), (half,), (half,)), x5.dtype)
        _run(k.max_cf, n * c, x5, *taps.args(), taps.win, kern, work=x5.size, scratch=bufs)
    return view


def _argmax(x5, taps, cl, grad5=None):
    """Forward ``(values, indices)``; with ``grad5`` the max backward instead."""
    n, c = x5.shape[:2]
    gdt = costmodel.grad_dtype(x5.dtype)
    backward = grad5 is not None
    if cl:
        return _argmax_cl(x5, taps, grad5, gdt)
    if math.prod(taps.in_shape) >= 2**31:  # int32 codes would overflow: int64 flat indices
        return _argmax_huge(x5, taps, grad5, gdt)
    if backward and not _cover_fits(taps):  # long windows along D/H: scatter, no cover lists
        return _argmax_huge(x5, taps, grad5, gdt)
    b = _b()
    OW = taps.out_shape[2]
    win, nq, L, span = _lanes(taps)
    row_bufs = ((span,), (span,), (span,), (span,), (int(win[0]) * L,))
    row_dts = (x5.dtype, x5.dtype, np.int32, np.int32, x5.dtype)
    if not backward:
        if _tiles_2x2(taps) and x5.flags.c_contiguous:
            return _argmax_tiles(b, x5, taps)
        out_k, out = _alloc(n, c, taps.out_shape, x5.dtype, False)
        idx_k, idx = _alloc(n, c, taps.out_shape, np.int64, False)
        args = (x5, *taps.args(), win, nq, L, out_k, idx_k)
        _run(b.argmax_cf, n * c, *args, work=x5.size, scratch=_bufs(row_bufs, row_dts))
        return out, idx
    g = grad5.astype(gdt, copy=False)
    if _tiles_2x2(taps) and x5.flags.c_contiguous and g.flags.c_contiguous:
        return _max_backward_tiles(b, x5, g, taps, gdt)
    gin, _ = _alloc(n, c, taps.in_shape, gdt, False)  # every row written once
    rows = taps.out_shape[0] * taps.out_shape[1]
    bufs = _bufs(
        (*row_bufs, (rows * OW,), (rows * nq + 1,), (rows * nq + 1,), row_bufs[-1]),
        (*row_dts, np.int32, np.int32, gdt, gdt),
    )
    cover = (*_cover_taps(taps, 0), *_cover_taps(taps, 1))
    args = (x5, *taps.args(), win, nq, L, *cover, g, gin, np.zeros(1, gdt))
    _run(b.max_bwd_cf, n * c, *args, work=x5.size, scratch=bufs)
    return gin


def _tile_planes(x5, taps):
    """The (n, c, d) slices of a C-contiguous ``x5`` tiled by 2x2/2 windows as flat planes
    (a view), with what the tiling kernels take: ``(planes, x (P, H * W), OH, OW, lanes)``,
    ``lanes`` being ``OW`` rounded up to 8."""
    planes = math.prod(x5.shape[:3])
    (_D, H, W), (_OD, OH, OW) = taps.in_shape, taps.out_shape
    return planes, x5.reshape(planes, H * W), OH, OW, -(-OW // 8) * 8


def _argmax_tiles(b, x5, taps):
    """Max values and indices of 2x2/2 windows tiling C-contiguous planes (see
    :func:`poolkit.kernels._backward.argmax_tiles_cf`)."""
    planes, xf, OH, OW, lanes = _tile_planes(x5, taps)
    out = np.empty((*x5.shape[:3], OH, OW), x5.dtype)
    idx = np.empty(out.shape, np.int64)
    args = (xf, OW, lanes, taps.in_shape[0])
    _run(b.argmax_tiles_cf, planes, *args, out.reshape(planes, OH * OW),
         idx.reshape(planes, OH * OW), work=x5.size)  # fmt: skip
    return out, idx


def _max_backward_tiles(b, x5, g5, taps, gdt):
    """Max backward of 2x2/2 windows tiling C-contiguous planes (see
    :func:`poolkit.kernels._backward.max_bwd_tiles_cf`)."""
    planes, xf, OH, OW, lanes = _tile_planes(x5, taps)
    gin = np.empty(x5.shape, gdt)  # every element written
    args = (xf, g5.reshape(planes, OH * OW), OW, lanes)
    bufs = _bufs(((lanes,),) * 4, gdt)
    _run(b.max_bwd_tiles_cf, planes, *args, gin.reshape(xf.shape), np.zeros(1, gdt),
         work=x5.size, scratch=bufs)  # fmt: skip
    return gin


def _tiles_2x2(taps: Taps) -> bool:
    """2x2 windows with stride 2 tiling H and W exactly, one tap along D."""
    (D, H, W), (OD, OH, OW) = taps.in_shape, taps.out_shape
    if OD != D or H != 2 * OH or W != 2 * OW or not (taps.count[0] == 1).all():
        return False
    two = (2 * np.arange(OH), 2 * np.arange(OW))
    return bool((taps.first[0] == np.arange(D)).all()) and all(
        (taps.count[a] == 2).all() and (taps.first[a] == two[a - 1]).all() and taps.dil[a] == 1
        for a in (1, 2)
    )


def _lanes(taps: Taps):
    """``(win, nq, L, span)`` of the channels-first argmax and backward kernels: the W axis's
    taps (stride at least 1: adaptive taps have none, and no interior), interior lanes
    rounded up to 8, the length of one stride phase of a row buffer, the row buffers'."""
    win = taps.win.copy()
    win[0] = max(int(win[0]), 1)
    sw, _off, _kw, ia, ib = (int(v) for v in win)
    nq = -(-(ib - ia) // 8) * 8
    L = -(-taps.in_shape[2] // sw) + nq + 1
    return win, nq, L, max(taps.out_shape[2], ia + nq) + 1


def _cover_taps(taps: Taps, axis: int):
    """:func:`_cover` plus, for each listed output, the input's distance from that output's
    first tap (the window row holding it, times the dilation)."""
    ptr, lst, pos = _cover_arrays(taps, axis)
    return ptr, lst, (pos - taps.first[axis][lst]).astype(np.int64)


def _argmax_huge(x5, taps, grad5, gdt):
    """Planes of 2**31 elements or more: the older kernel with int64 flat indices, whose
    backward scatters into a zero-filled ``gin``."""
    k = _k()
    n, c = x5.shape[:2]
    backward = grad5 is not None
    empty5 = (0,) * 5
    if backward:
        gin = np.zeros(x5.shape, gdt)
        out = np.empty(empty5, x5.dtype)
        idx = np.empty(empty5, np.int64)
        g = grad5.astype(gdt, copy=False)
    else:
        out, _ = _alloc(n, c, taps.out_shape, x5.dtype, False)
        idx, _ = _alloc(n, c, taps.out_shape, np.int64, False)
        g = gin = np.empty(empty5, gdt)
    OW = taps.out_shape[2]
    bufs = _bufs(((OW,), (OW,), (OW,), (OW,)), (x5.dtype, x5.dtype, np.int64, np.int64))
    args = (x5, *taps.args(), taps.win, backward, out, idx, g, gin)
    _run(k.argmax_cf, n * c, *args, work=x5.size, scratch=bufs)
    return gin if backward else (out, idx)


def _argmax_cl(x5, taps, grad5, gdt):
    k = _k()
    n, c = x5.shape[:2]
    backward = grad5 is not None
    empty5 = (0,) * 5
    if backward:
        gin_k, gin = _alloc(n, c, taps.in_shape, gdt, True, zeros=True)
        out_k = np.empty(empty5, x5.dtype)
        idx_k = np.empty(empty5, np.int64)
        g_k = _cl(grad5.astype(gdt, copy=False))
    else:
        out_k, out = _alloc(n, c, taps.out_shape, x5.dtype, True)
        idx_k, idx = _alloc(n, c, taps.out_shape, np.int64, True)
        g_k = gin_k = np.empty(empty5, gdt)
    cb = _channel_block(n, c)
    items = n * (-(-c // cb))
    args = (_cl(x5), *taps.args(), backward, cb, out_k, idx_k, g_k, gin_k, np.zeros(1, gdt))
    bufs = _bufs(((cb,), (cb,), (cb,), (cb,)), (x5.dtype, x5.dtype, np.int64, np.int64))
    _run(k.argmax_cl, items, *args, work=x5.size, scratch=bufs)
    return gin if backward else (out, idx)


def _sum(x5, taps, cl, scaled, out_dtype):
    k = _k()
    n, c = x5.shape[:2]
    most = math.prod(int(cnt.max()) for cnt in taps.count)
    reducer = "avg" if scaled else "sum"
    acc = np.zeros(1, dtype=costmodel.sum_acc_dtype(x5.dtype, most, reducer))
    kern, view = _alloc(n, c, taps.out_shape, out_dtype, cl)
    # Multipliers in the accumulator's type where exact (float32: no float64 round trip per
    # output; plain integer sums: integer ones), else float64.
    mdt = acc.dtype if acc.dtype == np.float32 or not scaled else np.dtype(np.float64)
    m = taps.mults if scaled else tuple(np.ones(len(f)) for f in taps.first)
    m = tuple(a.astype(mdt) for a in m)
    if cl:
        W = x5.shape[4]
        z = lambda: (np.full(c, -0.0, dtype=x5.dtype),)  # noqa: E731 (see _dsum_cl)
        bufs = lambda: _bufs(((W, c), (c,)), acc.dtype)() + z()  # noqa: E731
        args = (_cl(x5), *taps.args(), taps.win, *m, scaled, acc, kern)
        _run(k.sum_cl, n * _rows(taps), *args, work=x5.size, scratch=bufs)
    else:
        half = x5.shape[4] // 2 + 1
        bufs = _bufs(((x5.shape[4],), (taps.out_shape[2],), (half,), (half,)), acc.dtype)
        args = (x5, *taps.args(), taps.win, *m, scaled, acc, kern)
        _run(k.sum_cf, n * c, *args, work=x5.size, scratch=bufs)
    return view


def _sum_backward(g5, taps, cl, scaled, gdt):
    n, c = g5.shape[:2]
    m = taps.mults if scaled else tuple(np.ones(len(f)) for f in taps.first)
    g = g5.astype(gdt, copy=False)
    if cl:
        k = _k()
        gin_k, gin = _alloc(n, c, taps.in_shape, gdt, True, zeros=True)
        cb = _channel_block(n, c)
        items = n * (-(-c // cb))
        bufs = _bufs(((taps.in_shape[2], cb),), gdt)
        args = (_cl(g), *taps.args(), *m, scaled, cb, gin_k)
        _run(k.sum_bwd_cl, items, *args, work=gin.size, scratch=bufs)
        return gin
    if not _cover_fits(taps):
        # long overlapping windows along D/H: the cover lists would hold outputs x kernel
        # pairs; the channels-last kernel scatters each output row instead (same sums, in
        # another order of addition), on a channels-last view of the same data
        return _sum_backward(g5, taps, True, scaled, gdt)
    gin, _ = _alloc(n, c, taps.in_shape, gdt, False)  # every row written once
    win, nq, L, _span = _lanes(taps)
    rows = taps.out_shape[0] * taps.out_shape[1]
    bufs = _bufs(((rows * nq + 1,), (int(win[0]) * L,)), gdt)
    cover = (*_cover(taps, 0), *_cover(taps, 1))
    args = (g, *taps.args(), win, nq, L, *m, scaled, *cover, gin, np.zeros(1, gdt))
    _run(_b().sum_bwd_cf, n * c, *args, work=gin.size, scratch=bufs)
    return gin


def _blockscan(reducer, x5, window, cl, taps, out_dtype):
    """Large windows: per plane the fused block scan along H and doubling along W; a depth
    window first gets its own block-scan pass into an intermediate. See
    :mod:`poolkit.kernels._scan`."""
    from poolkit.kernels import _loader
    from poolkit.reducers import identity

    k = _loader.scan()
    is_max = reducer == "max"
    scaled = reducer == "avg"
    acc_dt = x5.dtype if is_max else costmodel.scan_acc_dtype(x5.dtype)
    ident = identity("max", acc_dt) if is_max else acc_dt.type(0)
    dax, h, w = _lift(window.axes, None)
    n, c = x5.shape[:2]
    od, oh, ow = taps.out_shape
    # float sums scale in their own dtype (float32 stays float32: no float64 pass per row)
    mdt = acc_dt if acc_dt.kind == "f" else np.dtype(np.float64)
    # unscaled, scan2d reads md and mh (one factor per item and output row) but never mw:
    # one 1 for it, not a float64 array per output (80 MB for a 1-d moving max over 10**7)
    mults = taps.mults if scaled else (np.ones(od), np.ones(oh), np.ones(1))
    md, mh, mw = (np.asarray(m, dtype=mdt) for m in mults)
    src = x5.astype(acc_dt, copy=False)
    if dax is not None and not _trivial(dax):
        src = _depth_pass(k, src, dax, cl, is_max, ident)
    kh, sh, dh, loh = (h.kernel, h.stride, h.dilation, h.lo) if h is not None else (1, 1, 1, 0)
    W = src.shape[4]
    out_k, view = _alloc(n, c, taps.out_shape, out_dtype, cl)
    chan, wb = False, 1
    if not cl:  # rows (1, W)
        six, out6 = src[:, :, :, :, None, :], out_k[:, :, :, :, None, :]
        cb = W
    else:
        s_cl = _cl(src)
        cb = costmodel.blockscan_channel_block(c, kh, W, acc_dt.itemsize)
        if cb == c and _rows_contiguous(s_cl, 2):  # rows (1, W * C): long vector loops
            six = _merge_rows(s_cl)
            out6 = out_k.reshape(1, n, od, oh, 1, ow * c)
            cb, wb = W * c, c
        else:  # rows (W, C), cut into channel blocks
            six, out6 = s_cl[None], out_k[None]
            chan = True
    b = cb if chan else wb
    items = math.prod(six.shape[:3]) * (-(-six.shape[5] // cb))
    span = (ow - 1) * w.stride + (w.kernel - 1) * w.dilation + 1
    geo = (kh, sh, dh, loh, w.kernel, w.stride, w.dilation, w.lo)
    args = (six, out6, chan, cb, wb, *geo, is_max, ident, scaled, md, mh, mw)
    bufs = _scan_bufs(kh, W * b, max(span, w.lo + W) * b, ow * b, acc_dt)
    _run(k.scan2d, items, *args, work=src.size, scratch=bufs)
    return view


def _rows_contiguous(a, axis) -> bool:
    """Are the trailing axes from ``axis`` on one contiguous run of memory?"""
    step = a.itemsize
    for size, stride in reversed(list(zip(a.shape[axis:], a.strides[axis:], strict=True))):
        if size > 1 and stride != step:
            return False
        step *= size
    return True


def _merge_rows(a):
    """``(N, D, H, W, C)`` with contiguous ``(W, C)`` rows as a ``(1, N, D, H, 1, W * C)``
    view (never a copy)."""
    n, d, h, w, c = a.shape
    sn, sd, sh = a.strides[:3]
    shape, strides = (1, n, d, h, 1, w * c), (0, sn, sd, sh, 0, a.itemsize)
    # writeable as the input: a read-only view would be another Numba specialisation
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


def _scan_bufs(k, row, padded, out_row, dtype):
    return _bufs(((k + 1, row), (row,), (row,), (3, padded), (out_row,)), dtype)


def _depth_pass(k, src, dax, cl, is_max, ident):
    """The block scan along D into a new ``(N, C, OD, H, W)`` array (channels-last memory
    when ``cl``): ``scan2d`` with rows of independent columns and no W window."""
    n, c, _D, H, W = src.shape
    mid_k, mid = _alloc(n, c, (dax.out, H, W), src.dtype, cl)
    if cl:
        s_cl = _cl(src)
        if _rows_contiguous(s_cl, 3):  # rows (H, W * C)
            six = np.lib.stride_tricks.as_strided(
                s_cl, (n, 1, 1, s_cl.shape[1], H, W * c),
                (s_cl.strides[0], 0, 0, s_cl.strides[1], s_cl.strides[2], s_cl.itemsize),
                writeable=s_cl.flags.writeable,
            )  # fmt: skip
            out6 = mid_k.reshape(n, 1, 1, dax.out, H, W * c)
        else:  # strided: rows (W, C), items (n, h)
            six = np.moveaxis(s_cl, 2, 1)[:, :, None]
            out6 = np.moveaxis(mid_k, 2, 1)[:, :, None]
    else:  # rows (H, W)
        six, out6 = src[:, :, None], mid_k[:, :, None]
    b1, b2 = six.shape[4:]
    cb = costmodel.blockscan_channel_block(b2, dax.kernel, b1, src.dtype.itemsize)
    items = math.prod(six.shape[:3]) * (-(-b2 // cb))
    mdt = src.dtype if src.dtype.kind == "f" else np.dtype(np.float64)  # as in _blockscan
    one = np.ones(1, dtype=mdt)
    geo = (dax.kernel, dax.stride, dax.dilation, dax.lo, 1, 1, 1, 0)
    mh = np.ones(dax.out, dtype=mdt)
    args = (six, out6, True, cb, 1, *geo, is_max, ident, False, one, mh, one)
    bufs = _scan_bufs(dax.kernel, b1 * cb, b1 * cb, b1 * cb, src.dtype)
    _run(k.scan2d, items, *args, work=src.size, scratch=bufs)
    return mid


def _scan_fits(window: Window) -> bool:
    """The block scan takes the raw geometry (kernel, stride, pads) and row buffers as long
    as the padded row: only for geometry that fits int64 and padded rows not far longer
    than the input (a window much longer than its input runs the direct kernels, which see
    only the in-bounds taps)."""
    return all(
        a.int64_safe and a.padded_length <= 4 * (a.length + a.out) + (1 << 20) for a in window.axes
    )


def _trivial(axis) -> bool:
    return axis.kernel == 1 and axis.stride == 1 and not (axis.lo or axis.hi or axis.overhang)


def _as_compute(x: np.ndarray, cdt: np.dtype) -> np.ndarray:
    """``x`` in the kernels' compute dtype: bool as a uint8 view (no copy), else a cast
    only where the dtype differs (float16)."""
    if x.dtype == np.bool_:
        return x.view(np.uint8)
    return x.astype(cdt, copy=False)


def _from_compute(out: np.ndarray, orig: np.dtype) -> np.ndarray:
    """Max results back in the input's dtype (max only picks values: 0/1 stay bools)."""
    if orig == np.bool_:
        return out.view(np.bool_)
    return out.astype(orig, copy=False)


def _forward(reducer, x, taps, p=2.0, return_indices=False, window=None):
    """Forward of ``reducer`` over taps."""
    nsp = x.ndim - 2
    orig = x.dtype
    if reducer == "lp":
        x5 = _lp_source(x)
        out = _lp_forward64(x5, is_channels_last(x5), nsp, taps, p, window)
        return out.astype(result_dtype("lp", orig), copy=False)
    cdt = costmodel.compute_dtype(orig, reducer)
    x5 = _to5(_as_compute(x, cdt))
    cl = is_channels_last(x5)
    scan = window is not None and _uses_scan(window)
    if reducer == "max":
        if return_indices:
            out, idx = _argmax(x5, taps, cl)
            return _from_compute(_unlift(out, nsp), orig), _unlift(idx, nsp)
        out = _blockscan("max", x5, window, cl, taps, cdt) if scan else _max_values(x5, taps, cl)
        return _from_compute(_unlift(out, nsp), orig)
    out_dtype = result_dtype(reducer, orig)
    kernel_out = out_dtype if out_dtype.kind != "f" or out_dtype.itemsize >= 4 else np.float32
    if scan:
        out = _blockscan(reducer, x5, window, cl, taps, kernel_out)
    else:
        out = _sum(x5, taps, cl, reducer == "avg", kernel_out)
    return _unlift(out, nsp).astype(out_dtype, copy=False)


def _backward(reducer, grad, x, taps, p=2.0):
    nsp = x.ndim - 2
    if reducer == "max" or (reducer == "lp" and math.isinf(p)):
        source = x
        if reducer == "lp":  # max |x|: exact in x's float type, float64 for integers
            cdt = costmodel.compute_dtype(x.dtype, "lp")
            source = np.abs(x.astype(cdt if cdt.kind == "f" else np.float64))
        cdt = costmodel.compute_dtype(source.dtype, "max")
        x5 = _to5(_as_compute(source, cdt))
        cl = is_channels_last(x5)
        result = _unlift(_argmax(x5, taps, cl, _to5(grad)), nsp)
        # d|x|/dx = sign(x): the winner of max |x| passes its gradient on with x's sign
        return result if reducer == "max" else result * np.sign(x)
    if reducer in ("sum", "avg"):
        gdt = costmodel.grad_dtype(costmodel.compute_dtype(x.dtype, reducer))
        cl = is_channels_last(_to5(x))
        return _unlift(_sum_backward(_to5(grad), taps, cl, reducer == "avg", gdt), nsp)
    # lp: d out_w / d x_i = sign(x_i) |x_i|^(p-1) out_w^(1-p), so the gradient is the sum
    # backward of grad * out^(1-p) (0 where out is 0 or NaN), times sign(x) |x|^(p-1).
    x5 = _lp_source(x)
    cl = is_channels_last(x5)
    out = _lp_forward64(x5, cl, nsp, taps, p)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        weight = np.where(out > 0, grad.astype(np.float64) * out ** (1.0 - p), 0.0)
    spread = _sum_backward(_to5(weight), taps, cl, False, np.float64)
    gin_k, gin = _alloc(*x5.shape[:2], x5.shape[2:], costmodel.grad_dtype(x.dtype), cl)
    src, spread_k = (_cl(x5), _cl(spread)) if cl else (x5, spread)
    _run(_loader_lp().lp_input_grad, _items(src), src, spread_k, float(p), gin_k, work=x.size)
    return _unlift(gin, nsp)


def _loader_lp():
    from poolkit.kernels import _loader

    return _loader.lp()


def _items(a5: np.ndarray) -> int:
    """Parallel items of the elementwise kernels: the two leading axes of a kernel array."""
    return a5.shape[0] * a5.shape[1]


def _lp_source(x):
    """Lp's input as the elementwise kernels read it: 5-d, in its compute dtype."""
    return _to5(_as_compute(x, costmodel.compute_dtype(x.dtype, "lp")))


def _lp_forward64(x5, cl, nsp, taps, p, window=None):
    """Lp pooling of ``x5`` (from :func:`_lp_source`) in float64: one fused ``|x|^p`` pass
    (``|x|`` for p = inf), then the sum (max) kernel, then the root on the smaller output."""
    mag_k, mag = _alloc(*x5.shape[:2], x5.shape[2:], np.float64, cl)
    src = _cl(x5) if cl else x5
    power = 1.0 if math.isinf(p) else float(p)
    _run(_loader_lp().abs_pow, _items(src), src, power, mag_k, work=x5.size)
    mag = _unlift(mag, nsp)
    if math.isinf(p):
        return _forward("max", mag, taps, window=window)
    out = _forward("sum", mag, taps, window=window)
    return out if p == 1 else out ** (1.0 / p)


# --------------------------------------------------------------------------- public drivers

#: Taps of recently used windows: a Window is immutable and the kernels only read the taps,
#: so a training loop's repeated calls skip rebuilding them (~0.1 ms of small NumPy calls).
_cached_taps = lru_cache(maxsize=256)(window_taps)
_cached_scan_taps = lru_cache(maxsize=256)(scan_taps)
_cached_adaptive_taps = lru_cache(maxsize=256)(adaptive_taps)


#: Taps are cached only for windows with at most this many outputs along all axes together:
#: a cache of 256 moving windows over 10**7 would hold gigabytes after the calls returned.
CACHE_MAX_OUTPUTS = 1 << 16


def _taps(window, count_include_pad, divisor_override, scan=False):
    build = scan_taps if scan else window_taps
    if sum(a.out for a in window.axes) > CACHE_MAX_OUTPUTS:
        return build(window, count_include_pad, divisor_override)
    cached = _cached_scan_taps if scan else _cached_taps
    return cached(window, count_include_pad, divisor_override)


def _uses_scan(window) -> bool:
    return costmodel.use_blockscan_window(window) and _scan_fits(window)


def window_forward(reducer, x, window, *, count_include_pad=True, divisor_override=None,
                   p=2.0, return_indices=False):  # fmt: skip
    avg = reducer == "avg"
    # the block scan reads no per-output taps; indices (argmax) always need them
    scan = not return_indices and _uses_scan(window)
    taps = _taps(window, count_include_pad if avg else None, divisor_override, scan)
    return _forward(reducer, x, taps, p=p, return_indices=return_indices, window=window)


def window_backward(reducer, grad, x, window, *, count_include_pad=True, divisor_override=None,
                    p=2.0):  # fmt: skip
    avg = reducer == "avg"
    taps = _taps(window, count_include_pad if avg else None, divisor_override)
    return _backward(reducer, grad, x, taps, p=p)


def adaptive_forward(reducer, x, output_size, return_indices=False):
    taps = _cached_adaptive_taps(tuple(x.shape[2:]), tuple(output_size))
    return _forward(reducer, x, taps, return_indices=return_indices)


def adaptive_backward(reducer, grad, x, output_size):
    taps = _cached_adaptive_taps(tuple(x.shape[2:]), tuple(output_size))
    return _backward(reducer, grad, x, taps)


def _global_window(x) -> Window:
    spatial = tuple(x.shape[2:])
    return resolve(spatial, spatial)


def _flat(a: np.ndarray, shape) -> np.ndarray | None:
    """``a`` reshaped to ``shape`` as a view whose last axis is unit-stride, else ``None``."""
    try:
        view = a.reshape(shape, copy=False)
    except ValueError:
        return None
    return view if view.shape[-1] <= 1 or view.strides[-1] == view.itemsize else None


def _global_planes(reducer, x):
    """Global max/sum/avg with the kernels of :mod:`poolkit.kernels._global`; ``None`` sends
    the problem to the window kernels (max of planes that are not contiguous)."""
    if reducer not in ("max", "sum", "avg"):
        return None
    n, c = x.shape[:2]
    size = math.prod(x.shape[2:])
    if size == 0:
        return None
    cdt = costmodel.compute_dtype(x.dtype, reducer)
    xc = _as_compute(x, cdt)
    from poolkit.kernels import _global, _loader

    k = _loader.global_()
    ones = (1,) * (x.ndim - 2)
    planes = _flat(xc, (n, c, size))
    if reducer == "max":
        if planes is None:
            return None
        out = np.empty((n, c), dtype=cdt)
        bufs = _bufs(((_global.MAX_LANES,), (_global.MAX_LANES,)), cdt)
        _run(k.global_max, n * c, planes, out, work=x.size, scratch=bufs)
        return _from_compute(out, x.dtype).reshape(n, c, *ones)
    out_dtype = result_dtype(reducer, x.dtype)
    kernel_out = out_dtype if out_dtype.kind != "f" or out_dtype.itemsize >= 4 else np.float32
    out = np.empty((n, c), dtype=kernel_out)
    acc = costmodel.sum_acc_dtype(cdt, size, reducer)
    divisor = float(size) if reducer == "avg" else 0.0
    lanes = _global.LANES
    rows = _flat(np.moveaxis(xc, 1, -1), (n, size, c)) if is_channels_last(xc) else None
    if planes is not None:
        bufs = _bufs(((lanes,),), acc)
        _run(k.global_sum_cf, n * c, planes, divisor, out, work=x.size, scratch=bufs)
    elif rows is not None:
        cb = _channel_block(n, c)
        bufs = _bufs(((lanes, cb), (cb,)), acc)
        items = n * (-(-c // cb))
        _run(k.global_sum_cl, items, rows, divisor, cb, out, work=x.size, scratch=bufs)
    else:
        bufs = _bufs(((lanes,),), acc)
        _run(k.global_sum_strided, n * c, _to5(xc), divisor, out, work=x.size, scratch=bufs)
    return out.astype(out_dtype, copy=False).reshape(n, c, *ones)


def global_forward(reducer, x, p=2.0):
    fast = _global_planes(reducer, x)
    if fast is not None:
        return fast
    taps = _cached_taps(_global_window(x), False if reducer == "avg" else None)
    return _forward(reducer, x, taps, p=p)


def global_backward(reducer, grad, x, p=2.0):
    taps = _cached_taps(_global_window(x), False if reducer == "avg" else None)
    return _backward(reducer, grad, x, taps, p=p)


# --------------------------------------------------------------------------- unpool, upsample


def _as_bits(a: np.ndarray) -> np.ndarray:
    """Reinterpret as the unsigned int of the same size: data moves need no dtype kernels."""
    return a.view(np.dtype(f"u{a.dtype.itemsize}"))


def max_unpool(x, indices, output_spatial):
    m = _m()
    n, c = x.shape[:2]
    s_in = math.prod(x.shape[2:])
    s_out = math.prod(output_spatial)
    cl = is_channels_last(x) and is_channels_last(indices)
    if cl:
        out = np.zeros((n, *output_spatial, c), dtype=x.dtype)
        xk = np.moveaxis(x, 1, -1).reshape(n, s_in, c)
        ik = np.moveaxis(indices, 1, -1).reshape(n, s_in, c)
        _run(m.unpool_cl, n, _as_bits(xk), ik, _as_bits(out.reshape(n, s_out, c)), work=out.size)
        return np.moveaxis(out, -1, 1)
    out = np.zeros((n, c, *output_spatial), dtype=x.dtype)
    xk, ik = x.reshape(n, c, s_in), indices.reshape(n, c, s_in)
    _run(m.unpool_cf, n * c, _as_bits(xk), ik, _as_bits(out.reshape(n, c, s_out)), work=out.size)
    return out


def max_unpool_backward(grad, indices):
    m = _m()
    n, c = indices.shape[:2]
    s_in = math.prod(indices.shape[2:])
    s_out = math.prod(grad.shape[2:])
    g = grad.astype(np.float64, copy=False) if grad.dtype.kind != "f" else grad
    cl = is_channels_last(indices)
    if cl:
        out = np.empty((n, *indices.shape[2:], c), dtype=g.dtype)
        gk = np.moveaxis(g, 1, -1).reshape(n, s_out, c)
        ik = np.moveaxis(indices, 1, -1).reshape(n, s_in, c)
        _run(m.gather_cl, n, _as_bits(gk), ik, _as_bits(out.reshape(n, s_in, c)), work=out.size)
        return np.moveaxis(out, -1, 1)
    out = np.empty(indices.shape, dtype=g.dtype)
    gk, ik = _as_bits(g.reshape(n, c, s_out)), indices.reshape(n, c, s_in)
    _run(m.gather_cf, n * c, gk, ik, _as_bits(out.reshape(n, c, s_in)), work=out.size)
    return out


def upsample_nearest(x, scale):
    m = _m()
    nsp = x.ndim - 2
    sd, sh, sw = _lift(scale, 1)
    x5 = _to5(x)
    n, c = x5.shape[:2]
    spatial = tuple(L * s for L, s in zip(x5.shape[2:], (sd, sh, sw), strict=True))
    cl = is_channels_last(x5)
    kern, view = _alloc(n, c, spatial, x.dtype, cl)
    if cl:
        _run(
            m.upsample_cl,
            n * x5.shape[2] * x5.shape[3],
            _as_bits(_cl(x5)),
            sd,
            sh,
            sw,
            _as_bits(kern),
            work=kern.size,
        )
    else:
        _run(m.upsample_cf, n * c, _as_bits(x5), sd, sh, sw, _as_bits(kern), work=kern.size)
    return _unlift(view, nsp)


def upsample_nearest_backward(grad, scale):
    m = _m()
    nsp = grad.ndim - 2
    sd, sh, sw = _lift(scale, 1)
    g5 = _to5(grad)
    if g5.dtype.kind != "f" or g5.dtype.itemsize < 4:
        g5 = g5.astype(np.float64)
    n, c = g5.shape[:2]
    spatial = tuple(L // s for L, s in zip(g5.shape[2:], (sd, sh, sw), strict=True))
    cl = is_channels_last(g5)
    kern, view = _alloc(n, c, spatial, g5.dtype, cl)
    if cl:
        _run(
            m.upsample_bwd_cl, n * spatial[0] * spatial[1], _cl(g5), sd, sh, sw, kern, work=g5.size
        )
    else:
        _run(m.upsample_bwd_cf, n * c, g5, sd, sh, sw, kern, work=g5.size)
    return _unlift(view, nsp)


# --------------------------------------------------------------------------- mode pooling


#: Windows of more taps than this tap by tap only (no table of tap offsets).
MODE_OFFSETS_MAX = 1 << 16


def _whole(axis) -> np.ndarray:
    """1 (uint8) for each window along ``axis`` whose taps all lie inside the input."""
    return (axis.in_bounds_count() == axis.kernel).astype(np.uint8)


def mode_forward(x: np.ndarray, window: Window) -> np.ndarray:
    """Mode pooling (most frequent value, ties to the smallest) of channels-first ``x``, a
    bool or integer array ``(N, C, *spatial)`` of up to 3 spatial dims, over ``window``.

    Taps in the pads or the ceil-mode overhang are skipped. The kernel writes a channels-last
    result, returned as a channels-first view; it reads a C-contiguous ``(N, D, H, W, C)``
    array, a view for every layout ``poolkit.pool`` builds from a C-contiguous input (a copy
    otherwise), so windows wholly inside the input read their taps at fixed offsets.
    """
    from poolkit.kernels import _loader

    k = _loader.mode()
    orig = x.dtype
    src = x.view(np.uint8) if orig == np.bool_ else x
    nsp = x.ndim - 2
    n, c = x.shape[:2]
    ones = np.ones(1, dtype=np.uint8)
    unit = (np.zeros(1, dtype=np.int64), ones, 1, 1, 1)  # starts, inside, kernel, dilation, out
    per_axis = [unit] * (3 - nsp) + [
        (a.starts(), _whole(a), a.kernel, a.dilation, a.out) for a in window.axes
    ]
    starts, inside, kernel, dilation, out3 = (tuple(v) for v in zip(*per_axis, strict=True))
    x5 = np.ascontiguousarray(np.moveaxis(_to5(src), 1, -1))
    strides = np.array([s // x5.itemsize for s in x5.strides], dtype=np.int64)
    taps = window.window_size
    if taps <= MODE_OFFSETS_MAX:
        grid = np.ix_(*(np.arange(kk) * dd for kk, dd in zip(kernel, dilation, strict=True)))
        offs = sum(g * st for g, st in zip(grid, strides[1:4], strict=True)).reshape(-1)
    else:  # every window taps one by one
        offs = np.zeros(0, dtype=np.int64)
        inside = (np.zeros_like(inside[0]), np.zeros_like(inside[1]), np.zeros_like(inside[2]))
    # the most in-bounds values a window can hold: the buffers never need the whole kernel
    room = math.prod(min(a.kernel, a.length) for a in window.axes)
    packed = src.dtype.itemsize <= 4  # labels fit the kernel's int64 keys
    out = np.empty((n, *out3, c), dtype=src.dtype)
    scratch = _bufs([(room if packed else 1,), (1 if packed else room,)], (np.int64, src.dtype))
    _run(
        k.mode_rows,
        n * out3[0] * out3[1],
        x5,
        x5.reshape(-1),
        strides,
        offs.astype(np.int64),
        out,
        *starts,
        *inside,
        *kernel,
        *dilation,
        packed,
        work=x.size + out.size * room,
        scratch=scratch,
    )
    result = _unlift(np.moveaxis(out, -1, 1), nsp)
    return result.view(np.bool_) if orig == np.bool_ else result
