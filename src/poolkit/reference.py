"""The slow, obviously-correct oracle: pad -> window view -> reduce, in plain NumPy.

Every fast path is property-tested against these functions. They favour clarity over speed
(tinygrad and ``skimage.measure.block_reduce`` express pooling the same way) but stay
vectorised over output cells: Python loops here run over window taps or axes, never elements.

All functions take channels-first, batched arrays ``(N, C, *spatial)`` and a resolved
:class:`~poolkit.geometry.Window`; the public API in :mod:`poolkit.ops` handles layouts.
"""

from __future__ import annotations

import itertools
import math
from functools import reduce

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from poolkit.errors import PoolingError
from poolkit.geometry import Window, adaptive_bins
from poolkit.reducers import accumulate_dtype, identity, result_dtype

# --------------------------------------------------------------------------- window pooling


#: The reference materialises the padded input and loops over window taps: it refuses
#: geometry whose padded planes or windows pass this many elements (or 16 x the input)
#: rather than run out of memory or loop for ever; the kernels take any geometry.
MAX_PADDED = 1 << 27


def _check_size(x: np.ndarray, window: Window) -> None:
    limit = max(MAX_PADDED, 16 * x.size)
    planes = x.shape[0] * x.shape[1]
    padded_size = planes * math.prod(a.padded_length for a in window.axes)
    if padded_size > limit or window.window_size > limit:
        raise PoolingError(
            f"the reference pads the input and visits every window tap: kernel_size="
            f"{window.kernel}, padding={window.pads} and dilation={window.dilation} over "
            f"spatial size {window.input_shape} make {max(padded_size, window.window_size)} "
            f"elements (at most {limit}); unset POOLKIT_KERNELS=reference to use the kernels"
        )


def padded(x: np.ndarray, window: Window, fill) -> np.ndarray:
    """``x`` padded with ``fill``: ``lo`` before each spatial axis, ``hi + overhang`` after."""
    _check_size(x, window)
    pad_width = ((0, 0), (0, 0), *tuple((a.lo, a.hi + a.overhang) for a in window.axes))
    return np.pad(x, pad_width, mode="constant", constant_values=fill)


def _step(a) -> int:
    """The stride as a slice step: with one window it is never taken (and may be 2**64)."""
    return a.stride if a.out > 1 else 1


def windows(xp: np.ndarray, window: Window) -> np.ndarray:
    """View of every window of padded ``xp``: shape ``(N, C, *out, *kernel)``."""
    n = window.ndim
    view = sliding_window_view(xp, tuple(a.k_eff for a in window.axes), axis=tuple(range(2, 2 + n)))
    starts = tuple(slice(0, (a.out - 1) * a.stride + 1, _step(a)) for a in window.axes)
    taps = tuple(slice(None, None, a.dilation) for a in window.axes)
    return view[(slice(None), slice(None), *starts, *taps)]


#: Output cells x window taps per chunk of the reference's tap temporaries (or the input's
#: size when larger): the oracle then needs O(input + output + chunk) memory, never
#: O(outputs x kernel), whatever the window.
CHUNK_TAPS = 1 << 21


def _axis_taps(a, outputs: range) -> np.ndarray:
    """``(len(outputs), kernel)`` input coordinates of the taps of windows ``outputs``."""
    starts = np.arange(outputs.start, outputs.stop, dtype=np.int64) * _step(a) - a.lo
    return starts[:, None] + np.arange(a.kernel, dtype=np.int64) * a.dilation


def _ranges(window: Window, outputs) -> tuple[range, ...]:
    return tuple(range(a.out) for a in window.axes) if outputs is None else tuple(outputs)


def _per_tap(window: Window, per_axis, outputs=None) -> np.ndarray:
    """Combine per-axis ``(out_i, kernel_i)`` arrays into one ``(*out, *kernel)`` array
    (``outputs``: a range of windows per axis, all of them by default)."""
    n = window.ndim
    parts = []
    for i, (a, r) in enumerate(zip(window.axes, _ranges(window, outputs), strict=True)):
        shape = [1] * (2 * n)
        shape[i], shape[n + i] = len(r), a.kernel
        parts.append(per_axis(a, _axis_taps(a, r)).reshape(shape))
    return parts


def tap_inside(window: Window, outputs=None) -> np.ndarray:
    """``(*out, *kernel)`` bool: True where a tap lies inside the input (not padding);
    ``outputs`` (a range per axis) restricts it to those windows."""
    parts = _per_tap(window, lambda a, t: (t >= 0) & (t < a.length), outputs)
    return reduce(np.logical_and, parts)


def tap_flat_index(window: Window, outputs=None) -> np.ndarray:
    """``(*out, *kernel)`` int64: each tap's flat index into an input plane (row-major).

    Taps in the padding get a clipped, meaningless index; callers mask them with
    :func:`tap_inside`.
    """
    plane_strides = np.cumprod((1, *window.input_shape[:0:-1]))[::-1]
    parts = [
        p * int(st)
        for p, st in zip(
            _per_tap(window, lambda a, t: np.clip(t, 0, a.length - 1), outputs),
            plane_strides,
            strict=True,
        )
    ]
    return reduce(np.add, parts)


def _chunks(window: Window, planes: int, budget: int):
    """Ranges of windows per axis, together every window once, each chunk holding at most
    ``budget`` output cells x taps over ``planes`` planes (halving the longest range; one
    window of one plane at least)."""
    sizes = list(window.output_shape)
    taps = planes * window.window_size
    while math.prod(sizes) * taps > budget and max(sizes) > 1:
        i = sizes.index(max(sizes))
        sizes[i] = -(-sizes[i] // 2)
    per_axis = [
        [range(o0, min(o0 + size, a.out)) for o0 in range(0, a.out, size)]
        for a, size in zip(window.axes, sizes, strict=True)
    ]
    return itertools.product(*per_axis)


def _choose_max(values: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Position along the last axis that max pooling picks, PyTorch's CPU rule.

    Ties go to the first maximum in window order; a NaN wins over any number, and among
    NaNs the last one wins (``if (val > maxval || isnan(val))`` in PyTorch's loop). Taps
    outside the input never win.
    """
    big = np.where(inside, values, identity("max", values.dtype)).max(axis=-1, keepdims=True)
    choice = np.argmax((values == big) & inside, axis=-1)
    if values.dtype.kind == "f":
        nan = np.isnan(values) & inside
        last_nan = nan.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
        choice = np.where(nan.any(axis=-1), last_nan, choice)
    return choice


def max_forward(x: np.ndarray, window: Window, return_indices: bool = False):
    """Max pooling. Shape: ``(N, C, *in) -> (N, C, *out)``; indices flat per (n, c) plane.

    Windows are taken in chunks (:data:`CHUNK_TAPS`): each output depends on its own window
    only, so the chunks give exactly the whole computation's result.
    """
    n_, c_ = x.shape[:2]
    k = window.window_size
    w = windows(padded(x, window, identity("max", x.dtype)), window)
    out = np.empty((n_, c_, *window.output_shape), dtype=x.dtype)
    indices = np.empty(out.shape, dtype=np.int64) if return_indices else None
    for part in _chunks(window, n_ * c_, max(CHUNK_TAPS, x.size)):
        cells = (slice(None), slice(None), *(slice(r.start, r.stop) for r in part))
        shape = tuple(len(r) for r in part)
        flat = w[cells].reshape(n_, c_, *shape, k)
        inside = np.broadcast_to(tap_inside(window, part).reshape(*shape, k), flat.shape)
        choice = _choose_max(flat, inside)
        out[cells] = np.take_along_axis(flat, choice[..., None], axis=-1)[..., 0]
        if return_indices:
            tap_index = tap_flat_index(window, part).reshape(*shape, k)
            tap_index = np.broadcast_to(tap_index, flat.shape)
            indices[cells] = np.take_along_axis(tap_index, choice[..., None], axis=-1)[..., 0]
    return (out, indices) if return_indices else out


def sum_forward(x: np.ndarray, window: Window, reducer: str = "sum") -> np.ndarray:
    """Sum over each window, pads counting 0, in ``reducer``'s accumulate dtype (integer
    sums wrap in int64/uint64 as NumPy's do; integer averages add in float64)."""
    acc = accumulate_dtype(reducer, x.dtype)
    w = windows(padded(x.astype(acc), window, 0), window)
    # inf + -inf in one window is NaN, as in PyTorch: a valid input, so no RuntimeWarning.
    with np.errstate(invalid="ignore"):
        return w.sum(axis=tuple(range(-window.ndim, 0)))


def window_forward(
    reducer: str,
    x: np.ndarray,
    window: Window,
    *,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    p: float = 2.0,
    return_indices: bool = False,
):
    """Forward pass of windowed pooling with ``reducer`` in ``max``/``sum``/``avg``/``lp``."""
    if reducer == "max":
        return max_forward(x, window, return_indices)
    out_dtype = result_dtype(reducer, x.dtype)
    if reducer == "sum":
        return sum_forward(x, window).astype(out_dtype)
    if reducer == "avg":
        total = sum_forward(x, window, "avg")
        return (total / window.divisors(count_include_pad, divisor_override)).astype(out_dtype)
    magnitude = np.abs(x.astype(np.float64))
    if math.isinf(p):
        return max_forward(magnitude, window).astype(out_dtype)
    return (sum_forward(magnitude**p, window) ** (1.0 / p)).astype(out_dtype)


def _scatter_taps(contrib, window: Window, shape: tuple[int, ...], dtype) -> np.ndarray:
    """Add ``contrib(tap)`` (``(N, C, *out)``: every window's contribution at that tap)
    back onto the input positions of its taps.

    One vectorised slice-add per tap: for a fixed tap the positions of all windows form a
    strided slice, so no two outputs of one add touch the same cell. A callable per tap,
    not one ``(N, C, *out, *kernel)`` array: memory stays O(input + output).
    """
    buffer = np.zeros(shape[:2] + tuple(a.padded_length for a in window.axes), dtype=dtype)
    for tap in itertools.product(*(range(a.kernel) for a in window.axes)):
        target = tuple(
            slice(j * a.dilation, j * a.dilation + (a.out - 1) * a.stride + 1, _step(a))
            for j, a in zip(tap, window.axes, strict=True)
        )
        buffer[(slice(None), slice(None), *target)] += contrib(tap)
    crop = tuple(slice(a.lo, a.lo + a.length) for a in window.axes)
    return buffer[(slice(None), slice(None), *crop)]


def _scatter_indices(grad: np.ndarray, indices: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Add ``grad`` into planes of ``shape`` at flat per-plane ``indices`` (duplicates add)."""
    n_, c_ = shape[:2]
    planes = n_ * c_
    size = math.prod(shape[2:])
    out = np.zeros((planes, size), dtype=np.float64)
    rows = np.arange(planes)[:, None]
    np.add.at(out, (rows, indices.reshape(planes, -1)), grad.reshape(planes, -1))
    return out.reshape(shape)


def window_backward(
    reducer: str,
    grad: np.ndarray,
    x: np.ndarray,
    window: Window,
    *,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    p: float = 2.0,
) -> np.ndarray:
    """Gradient of :func:`window_forward` with respect to ``x`` (float64).

    max sends each output's gradient to the element it picked (the argmax is recomputed);
    sum copies it to every tap; avg divides it by the divisor first; lp multiplies it by
    ``sign(x) * (|x| / out)^(p-1)`` (0 where the output is 0).
    """
    _check_size(x, window)
    grad = grad.astype(np.float64)
    if reducer == "max" or (reducer == "lp" and math.isinf(p)):
        source = x if reducer == "max" else np.abs(x.astype(np.float64))
        _, indices = max_forward(source, window, return_indices=True)
        result = _scatter_indices(grad, indices, x.shape)
        # d|x|/dx = sign(x): the winner of max |x| passes its gradient on with x's sign
        return result if reducer == "max" else result * np.sign(x)
    if reducer == "sum":
        return _scatter_taps(lambda tap: grad, window, x.shape, grad.dtype)
    if reducer == "avg":
        share = grad / window.divisors(count_include_pad, divisor_override)
        return _scatter_taps(lambda tap: share, window, x.shape, share.dtype)
    xf = x.astype(np.float64)
    taps = windows(padded(xf, window, 0.0), window)
    out = window_forward("lp", xf, window, p=p)

    def contrib(tap):  # one tap of every window at a time: no (out, kernel) temporaries
        t = taps[(Ellipsis, *tap)]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.abs(t) / out
            scale = np.where((out > 0) & (t != 0), np.sign(t) * ratio ** (p - 1), 0.0)
        return grad * scale

    return _scatter_taps(contrib, window, x.shape, np.float64)


# --------------------------------------------------------------------------- adaptive pooling


def _bin_gather(length: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """``(out, m)`` member positions of each adaptive bin (clipped) and their validity mask."""
    start, end = adaptive_bins(length, out)
    width = int((end - start).max())
    members = start[:, None] + np.arange(width)
    valid = members < end[:, None]
    return np.minimum(members, length - 1), valid


def adaptive_max_forward(x: np.ndarray, output_size: tuple[int, ...], return_indices: bool = False):
    """Adaptive max pooling, one axis at a time from the last to the first.

    Reducing the last axis first and keeping the winner's flat index makes ties resolve to
    the first maximum in row-major window order, and NaNs to the last NaN, as PyTorch does.
    """
    spatial = x.shape[2:]
    values = x
    flat = np.broadcast_to(np.arange(math.prod(spatial), dtype=np.int64).reshape(spatial), x.shape)
    for axis in reversed(range(len(spatial))):
        members, valid = _bin_gather(spatial[axis], output_size[axis])
        ax = 2 + axis
        gathered = np.moveaxis(np.take(values, members, axis=ax), ax + 1, -1)
        gathered_flat = np.moveaxis(np.take(flat, members, axis=ax), ax + 1, -1)
        # gathered is (N, C, ..., O, rest..., m): put valid's (O, m) on those axes
        later = (1,) * (len(spatial) - 1 - axis)
        mask = np.broadcast_to(
            valid.reshape((1,) * ax + valid.shape[:1] + later + valid.shape[1:]), gathered.shape
        )
        choice = _choose_max(gathered, mask)[..., None]
        values = np.take_along_axis(gathered, choice, axis=-1)[..., 0]
        flat = np.take_along_axis(gathered_flat, choice, axis=-1)[..., 0]
    return (values, flat.astype(np.int64)) if return_indices else values


def adaptive_avg_forward(x: np.ndarray, output_size: tuple[int, ...]) -> np.ndarray:
    """Adaptive average pooling: the mean over a box is the iterated mean along each axis
    (a gather, not a matrix product, so a NaN stays inside the bins that hold it)."""
    out = x.astype(np.float64)
    for axis, o in enumerate(output_size):
        ax = 2 + axis
        members, valid = _bin_gather(out.shape[ax], o)
        gathered = np.moveaxis(np.take(out, members, axis=ax), (ax, ax + 1), (-2, -1))
        with np.errstate(invalid="ignore"):  # inf + -inf is NaN, as in PyTorch: no warning
            total = np.where(valid, gathered, 0.0).sum(axis=-1)
        out = np.moveaxis(total / valid.sum(axis=1), -1, ax)
    return out.astype(result_dtype("avg", x.dtype))


def adaptive_backward(reducer: str, grad: np.ndarray, x: np.ndarray, output_size) -> np.ndarray:
    """Gradient of adaptive ``max`` or ``avg`` pooling with respect to ``x`` (float64)."""
    if reducer == "max":
        _, indices = adaptive_max_forward(x, output_size, return_indices=True)
        return _scatter_indices(grad.astype(np.float64), indices, x.shape)
    grad = grad.astype(np.float64)
    for axis in reversed(range(len(output_size))):
        ax = 2 + axis
        length = x.shape[ax]
        members, valid = _bin_gather(length, output_size[axis])
        share = np.moveaxis(grad, ax, -1) / valid.sum(axis=1)  # (..., O)
        spread = np.zeros((*share.shape[:-1], length))
        for offset in range(members.shape[1]):  # a loop over bin width, vectorised over bins
            bins = np.flatnonzero(valid[:, offset])
            np.add.at(spread, (Ellipsis, members[bins, offset]), share[..., bins])
        grad = np.moveaxis(spread, -1, ax)
    return grad


# --------------------------------------------------------------------------- global pooling


def global_forward(reducer: str, x: np.ndarray, p: float = 2.0) -> np.ndarray:
    """Global pooling: a plain reduction over the spatial axes. Shape ``(N, C, *1)``."""
    axes = tuple(range(2, x.ndim))
    if reducer == "max":
        return adaptive_max_forward(x, (1,) * (x.ndim - 2))
    acc = accumulate_dtype(reducer, x.dtype)
    out_dtype = result_dtype(reducer, x.dtype)
    with np.errstate(invalid="ignore"):  # inf + -inf is NaN, as in PyTorch: no warning
        if reducer == "sum":
            return x.astype(acc).sum(axis=axes, keepdims=True).astype(out_dtype)
        if reducer == "avg":
            return x.astype(np.float64).mean(axis=axes, keepdims=True).astype(out_dtype)
    magnitude = np.abs(x.astype(np.float64))
    if math.isinf(p):
        return magnitude.max(axis=axes, keepdims=True).astype(out_dtype)
    return ((magnitude**p).sum(axis=axes, keepdims=True) ** (1.0 / p)).astype(out_dtype)


def global_backward(reducer: str, grad: np.ndarray, x: np.ndarray, p: float = 2.0) -> np.ndarray:
    """Gradient of :func:`global_forward`; ``grad`` has shape ``(N, C, *1)``."""
    ones = (1,) * (x.ndim - 2)
    if reducer == "max":
        return adaptive_backward("max", grad, x, ones)
    grad = grad.astype(np.float64)
    if reducer == "sum":
        return np.broadcast_to(grad, x.shape).copy()
    if reducer == "avg":
        return np.broadcast_to(grad / math.prod(x.shape[2:]), x.shape).copy()
    if math.isinf(p):  # max |x|: the winner's gradient times sign(x), as d|x|/dx says
        return adaptive_backward("max", grad, np.abs(x.astype(np.float64)), ones) * np.sign(x)
    xf = x.astype(np.float64)
    out = global_forward("lp", xf, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where((out > 0) & (xf != 0), np.sign(xf) * (np.abs(xf) / out) ** (p - 1), 0.0)
    return grad * scale


# --------------------------------------------------------------------------- unpool, upsample


def max_unpool(x: np.ndarray, indices: np.ndarray, output_spatial: tuple[int, ...]) -> np.ndarray:
    """Place each value of ``x`` at its flat per-plane index in a zero plane of
    ``output_spatial``. Where two indices coincide the later one wins (PyTorch's CPU loop)."""
    n_, c_ = x.shape[:2]
    planes = n_ * c_
    out = np.zeros((planes, math.prod(output_spatial)), dtype=x.dtype)
    rows = np.arange(planes)[:, None]
    out[rows, indices.reshape(planes, -1)] = x.reshape(planes, -1)
    return out.reshape((n_, c_, *output_spatial))


def max_unpool_backward(grad: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Gradient of :func:`max_unpool` with respect to ``x``: ``grad`` read at ``indices``."""
    n_, c_ = indices.shape[:2]
    planes = n_ * c_
    rows = np.arange(planes)[:, None]
    flat = grad.reshape(planes, -1)[rows, indices.reshape(planes, -1)]
    return flat.reshape(indices.shape)


def upsample_nearest(x: np.ndarray, scale: tuple[int, ...]) -> np.ndarray:
    """Repeat every element ``scale[i]`` times along spatial axis ``i`` (Keras UpSampling)."""
    for axis, s in enumerate(scale):
        x = np.repeat(x, s, axis=2 + axis)
    return x


def upsample_nearest_backward(grad: np.ndarray, scale: tuple[int, ...]) -> np.ndarray:
    """Gradient of :func:`upsample_nearest`: the sum over each ``scale`` block (not a
    subsample, which is the article's bug)."""
    n_, c_ = grad.shape[:2]
    shape = [n_, c_]
    for size, s in zip(grad.shape[2:], scale, strict=True):
        shape += [size // s, s]
    return grad.reshape(shape).sum(axis=tuple(range(3, len(shape), 2)))
