"""Drivers: resolved geometry and channels-first views in, Numba kernels called, results out.

Each public function mirrors one in :mod:`poolkit._dispatch` and returns the same thing as its
counterpart in :mod:`poolkit.reference` (the oracle), or ``None`` when the cost model sends
the problem to the reference (see :mod:`poolkit.kernels.costmodel`).

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

import numpy as np

from poolkit.geometry import Window, adaptive_bins, resolve
from poolkit.kernels import costmodel
from poolkit.kernels._threads import run as _run
from poolkit.reducers import result_dtype


def _k():
    from poolkit.kernels import _loader

    return _loader.window()


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
    """Taps of a regular window; with ``count_include_pad`` given, the avg multipliers too."""
    first, count = [], []
    for a in window.axes:
        start = a.starts()
        skip = np.where(start < 0, (-start + a.dilation - 1) // a.dilation, 0)
        last = np.minimum(a.kernel - 1, (a.length - 1 - start) // a.dilation)
        first.append(start + skip * a.dilation)
        count.append(last - skip + 1)
    w = window.axes[-1]
    full = np.flatnonzero(count[-1] == w.kernel)
    ia, ib = (int(full[0]), int(full[-1]) + 1) if full.size else (0, 0)
    if full.size and full.size != ib - ia:  # not a contiguous range (cannot happen, be safe)
        ia = ib = 0
    mults = None
    if count_include_pad is not None:
        mults = _avg_mults(
            [a.padded_count() if count_include_pad else a.in_bounds_count() for a in window.axes],
            divisor_override,
        )
    return Taps(
        first=_lift(first, _UNIT[0]),
        count=_lift(count, _UNIT[1]),
        dil=np.array(_lift(window.dilation, 1), dtype=np.int64),
        win=np.array([w.stride, -w.lo, w.kernel, ia, ib], dtype=np.int64),
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
        mults = [1.0 / np.asarray(c, dtype=np.float64) for c in counts]
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


def _cover(taps: Taps, axis: int):
    """CSR lists of the outputs whose windows cover each input index along ``axis``:
    outputs of input ``i`` are ``lst[ptr[i]:ptr[i + 1]]``, in increasing order."""
    first, count = taps.first[axis], taps.count[axis]
    dil = int(taps.dil[axis])
    length = taps.in_shape[axis]
    owners = [[] for _ in range(length)]
    for o, (f, k) in enumerate(zip(first.tolist(), count.tolist(), strict=True)):
        for t in range(k):
            owners[f + t * dil].append(o)
    ptr = np.zeros(length + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(o) for o in owners])
    lst = np.array([o for row in owners for o in row], dtype=np.int64)
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
        half = W // 2 + 1
        bufs = _bufs(((W,), (W,), (OW,), (OW,), (half,), (half,)), x5.dtype)
        _run(k.max_cf, n * c, x5, *taps.args(), taps.win, kern, work=x5.size, scratch=bufs)
    return view


def _argmax(x5, taps, cl, grad5=None):
    """Forward ``(values, indices)``; with ``grad5`` the max backward instead."""
    k = _k()
    n, c = x5.shape[:2]
    gdt = costmodel.grad_dtype(x5.dtype)
    backward = grad5 is not None
    empty5 = (0,) * 5
    if backward:
        gin_k, gin = _alloc(n, c, taps.in_shape, gdt, cl, zeros=True)
        out_k = np.empty(empty5, x5.dtype)
        idx_k = np.empty(empty5, np.int64)
        g = grad5.astype(gdt, copy=False)
        g_k = _cl(g) if cl else g
    else:
        out_k, out = _alloc(n, c, taps.out_shape, x5.dtype, cl)
        idx_k, idx = _alloc(n, c, taps.out_shape, np.int64, cl)
        g_k = gin_k = np.empty(empty5, gdt)
    if cl:
        cb = _channel_block(n, c)
        items = n * (-(-c // cb))
        args = (_cl(x5), *taps.args(), backward, cb, out_k, idx_k, g_k, gin_k)
        bufs = _bufs(((cb,), (cb,), (cb,), (cb,)), (x5.dtype, x5.dtype, np.int64, np.int64))
        _run(k.argmax_cl, items, *args, work=x5.size, scratch=bufs)
    else:
        args = (x5, *taps.args(), taps.win, backward, out_k, idx_k, g_k, gin_k)
        OW = taps.out_shape[2]
        bufs = _bufs(((OW,), (OW,), (OW,), (OW,)), (x5.dtype, x5.dtype, np.int64, np.int64))
        _run(k.argmax_cf, n * c, *args, work=x5.size, scratch=bufs)
    return gin if backward else (out, idx)


def _sum(x5, taps, cl, scaled, out_dtype):
    k = _k()
    n, c = x5.shape[:2]
    most = math.prod(int(cnt.max()) for cnt in taps.count)
    acc = np.zeros(1, dtype=costmodel.sum_acc_dtype(x5.dtype, most))
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
    k = _k()
    n, c = g5.shape[:2]
    gin_k, gin = _alloc(n, c, taps.in_shape, gdt, cl, zeros=cl)  # CF writes every row once
    m = taps.mults if scaled else tuple(np.ones(len(f)) for f in taps.first)
    g = g5.astype(gdt, copy=False)
    if cl:
        cb = _channel_block(n, c)
        items = n * (-(-c // cb))
        bufs = _bufs(((taps.in_shape[2], cb),), gdt)
        args = (_cl(g), *taps.args(), *m, scaled, cb, gin_k)
        _run(k.sum_bwd_cl, items, *args, work=gin.size, scratch=bufs)
    else:
        cover = (*_cover(taps, 0), *_cover(taps, 1))
        rows = taps.out_shape[0] * taps.out_shape[1]
        bufs = _bufs(((rows, taps.in_shape[2]),), gdt)
        args = (g, *taps.args(), *m, scaled, *cover, gin_k)
        _run(k.sum_bwd_cf, n * c, *args, work=gin.size, scratch=bufs)
    return gin


def _blockscan(reducer, x5, window, cl, taps, out_dtype):
    """Large windows: a block scan along H (vectorised across the contiguous axis), then
    doubling along W over whole rows; see :mod:`poolkit.kernels._scan`."""
    from poolkit.kernels import _loader
    from poolkit.reducers import identity

    k = _loader.scan()
    is_max = reducer == "max"
    scaled = reducer == "avg"
    acc_dt = x5.dtype if is_max else costmodel.scan_acc_dtype(x5.dtype)
    acc = np.zeros(1, dtype=acc_dt)
    ident = identity("max", acc_dt) if is_max else acc_dt.type(0)
    h, w = _lift(window.axes, None)[1:]
    n, c = x5.shape[:2]
    md, mh, mw = taps.mults if scaled else (np.ones(1), np.ones(taps.out_shape[1]), None)
    if mw is None:
        mw = np.ones(taps.out_shape[2])
    no_scale = np.ones((1, 1))
    D, W = x5.shape[2], x5.shape[4]
    oh = h.out if h is not None else 1
    src = _cl(x5) if cl else x5
    if h is not None and not _trivial(h):
        common = (h.kernel, h.stride, h.lo, is_max, ident, False, no_scale, np.ones(oh), acc)
        b1, b2 = (W, c) if cl else (1, W)
        bufs = _bufs(((h.kernel, b1, b2), (b1, b2), (b1, b2)), acc_dt)
        if cl:
            mid = np.empty((n, D, oh, W, c), dtype=acc_dt)
            _run(k.bscan, n * D, src[None], mid[None], *common, work=x5.size, scratch=bufs)
        else:
            mid = np.empty((n, c, D, oh, W), dtype=acc_dt)
            six, mid6 = src[:, :, :, :, None, :], mid[:, :, :, :, None, :]
            _run(k.bscan, n * c * D, six, mid6, *common, work=x5.size, scratch=bufs)
    else:
        mid = src
    ow = w.out
    out_k, view = _alloc(n, c, (D, oh, ow), out_dtype, cl)
    mitem = np.outer(md, mh) if scaled else no_scale
    common = (w.kernel, w.stride, w.lo, is_max, ident, scaled, mitem, mw, acc)
    b = c if cl else 1
    span = (ow - 1) * w.stride + w.kernel
    levels = w.kernel.bit_length()  # floor(log2(k)) + 1 doubling levels
    bufs = _bufs(((levels, span * b), (ow * b,)), acc_dt)
    if cl:
        _run(k.wdouble, n * D * oh, mid[None], out_k[None], *common, work=mid.size, scratch=bufs)
    else:
        six, out6 = mid[..., None], out_k[..., None]
        _run(k.wdouble, n * c * D * oh, six, out6, *common, work=mid.size, scratch=bufs)
    return view


def _trivial(axis) -> bool:
    return axis.kernel == 1 and axis.stride == 1 and not (axis.lo or axis.hi or axis.overhang)


def _forward(reducer, x, taps, p=2.0, return_indices=False, window=None):
    """Forward of ``reducer`` over taps; ``None`` means: use the reference."""
    nsp = x.ndim - 2
    orig = x.dtype
    if reducer == "lp":
        mag = np.abs(x.astype(np.float64))
        if math.isinf(p):
            out = _forward("max", mag, taps, window=window)
        else:
            out = _forward("sum", mag**p, taps, window=window) ** (1.0 / p)
        return out.astype(result_dtype("lp", orig), copy=False)
    cdt = costmodel.compute_dtype(orig, reducer)
    if cdt is None:
        return None
    xc = x.astype(cdt, copy=False)
    x5 = _to5(xc)
    cl = is_channels_last(x5)
    scan = window is not None and costmodel.use_blockscan_window(window)
    if reducer == "max":
        if return_indices:
            out, idx = _argmax(x5, taps, cl)
            return _unlift(out, nsp).astype(orig, copy=False), _unlift(idx, nsp)
        if scan:
            return _unlift(_blockscan("max", x5, window, cl, taps, cdt), nsp).astype(orig)
        return _unlift(_max_values(x5, taps, cl), nsp).astype(orig, copy=False)
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
        source = x if reducer == "max" else np.abs(x.astype(np.float64))
        cdt = costmodel.compute_dtype(source.dtype, "max")
        if cdt is None:
            return None
        x5 = _to5(source.astype(cdt, copy=False))
        cl = is_channels_last(x5)
        result = _unlift(_argmax(x5, taps, cl, _to5(grad)), nsp)
        # d|x|/dx = sign(x): the winner of max |x| passes its gradient on with x's sign
        return result if reducer == "max" else result * np.sign(x)
    cdt = costmodel.compute_dtype(x.dtype, reducer)
    if cdt is None:
        return None
    gdt = costmodel.grad_dtype(cdt) if reducer != "lp" else np.dtype(np.float64)
    cl = is_channels_last(_to5(x))
    if reducer in ("sum", "avg"):
        return _unlift(_sum_backward(_to5(grad), taps, cl, reducer == "avg", gdt), nsp)
    # lp: d out_w / d x_i = sign(x_i) |x_i|^(p-1) out_w^(1-p), so the gradient is the sum
    # backward of grad * out^(1-p), times sign(x) |x|^(p-1) (0 where x or out is 0).
    xf = x.astype(np.float64)
    out = _forward("lp", xf, taps, p=p)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        weight = np.where(out > 0, grad.astype(np.float64) * out ** (1.0 - p), 0.0)
        spread = _unlift(_sum_backward(_to5(weight), taps, cl, False, np.float64), nsp)
        mag = np.abs(xf)
        return np.where(xf != 0, np.sign(xf) * mag ** (p - 1) * spread, 0.0)


# --------------------------------------------------------------------------- public drivers


def window_forward(reducer, x, window, *, count_include_pad=True, divisor_override=None,
                   p=2.0, return_indices=False):  # fmt: skip
    avg = reducer == "avg"
    taps = window_taps(window, count_include_pad if avg else None, divisor_override)
    return _forward(reducer, x, taps, p=p, return_indices=return_indices, window=window)


def window_backward(reducer, grad, x, window, *, count_include_pad=True, divisor_override=None,
                    p=2.0):  # fmt: skip
    avg = reducer == "avg"
    taps = window_taps(window, count_include_pad if avg else None, divisor_override)
    return _backward(reducer, grad, x, taps, p=p)


def adaptive_forward(reducer, x, output_size, return_indices=False):
    taps = adaptive_taps(x.shape[2:], output_size)
    return _forward(reducer, x, taps, return_indices=return_indices)


def adaptive_backward(reducer, grad, x, output_size):
    return _backward(reducer, grad, x, adaptive_taps(x.shape[2:], output_size))


def _global_window(x) -> Window:
    spatial = tuple(x.shape[2:])
    return resolve(spatial, spatial)


def global_forward(reducer, x, p=2.0):
    taps = window_taps(_global_window(x), False if reducer == "avg" else None)
    return _forward(reducer, x, taps, p=p)


def global_backward(reducer, grad, x, p=2.0):
    taps = window_taps(_global_window(x), False if reducer == "avg" else None)
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
