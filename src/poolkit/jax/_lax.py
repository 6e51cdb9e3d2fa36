"""poolkit's operators for JAX arrays, composed from ``jax.lax`` / ``jax.numpy``.

Geometry is never re-derived here: output sizes, pads (``'same'``, ``'same_lower'``, the
ceil-mode overhang) and average divisors come from :func:`poolkit.geometry.resolve`, run on the
static shape at trace time, and the arguments go through poolkit's own normalisers, so a bad
argument raises :class:`~poolkit.PoolingError` while tracing, with poolkit's message.

- Sum/avg/lp: ``lax.reduce_window`` with ``lax.add`` over explicit ``(lo, hi + overhang)``
  zero pads and ``window_dilation``; avg divides by ``Window.divisors`` (a constant).
- Max: one strided slice of the identity-padded input per window tap, folded left to right
  with a strict ``>`` (a NaN always takes over: the last NaN wins, as in
  PyTorch), restricted to in-bounds taps. This keeps PyTorch's rule
  that the *first* maximum in window order wins, so ``jax.grad`` sends the gradient there
  (``reduce_window``'s ``select_and_scatter`` gradient does not promise which tie it picks),
  and gives ``return_indices`` for free. Cost grows with the kernel size (one slice per tap).

Dtypes follow :func:`poolkit.reducers.result_dtype` as JAX canonicalises them: with
``jax_enable_x64`` off, float64 becomes float32 and int64 (sums of integers, indices) int32.
"""

from __future__ import annotations

import functools
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from poolkit._args import (
    check_bool,
    check_data_format,
    check_output_size,
    check_p,
    to_tuple,
)
from poolkit.errors import PoolingError
from poolkit.geometry import Window, adaptive_bins, resolve

# _options applies poolkit.ops.default_count_include_pad (count_include_pad=None) and the
# divisor_override / p checks
from poolkit.ops import _options, check_unpool_index_range, unpool_spatial_size
from poolkit.reducers import result_dtype

__all__ = [
    "adaptive_pool",
    "convert_indices",
    "global_pool",
    "max_unpool",
    "pool",
    "upsample",
]

# --------------------------------------------------------------------------- layout


def _dtype(dtype) -> np.dtype:
    """``dtype`` as JAX stores it (float64 -> float32 without x64)."""
    return np.dtype(jax.dtypes.canonicalize_dtype(dtype))


def _index_dtype() -> np.dtype:
    return _dtype(np.int64)


def as_array(x, what: str, name: str = "x") -> jax.Array:
    """``x`` as a JAX array of a poolable dtype (bool, integer or float)."""
    try:
        array = jnp.asarray(x)
    except Exception as error:
        raise PoolingError(f"{name} must be an array of numbers; got {type(x).__name__}") from error
    if np.dtype(array.dtype).kind not in "biuf":
        raise PoolingError(
            f"{name} must have a bool, integer or floating dtype; got dtype {array.dtype} "
            f"({what} of complex data is not defined)"
        )
    return array


def to_channels_first(x: jax.Array, n: int, data_format, name: str = "x"):
    """A ``(N, C, *spatial)`` array, whether ``x`` was batched, and the layout."""
    layout = check_data_format(data_format)
    if x.ndim not in (n + 1, n + 2):
        spelled = "(N, C, *spatial) or (C, *spatial)"
        if layout == "channels_last":
            spelled = "(N, *spatial, C) or (*spatial, C)"
        raise PoolingError(
            f"{name} must have {n + 2} dims {spelled} for {n}-d pooling with "
            f"data_format={layout!r} ({n + 1} when unbatched); got shape {tuple(x.shape)}"
        )
    batched = x.ndim == n + 2
    view = x if batched else x[None]
    if layout == "channels_last":
        view = jnp.moveaxis(view, -1, 1)
    if name == "x" and 0 in view.shape[2:]:
        raise PoolingError(
            f"{name} must have non-empty spatial dims; got shape {tuple(x.shape)} "
            f"(data_format={layout!r}), whose spatial dims are {tuple(view.shape[2:])}"
        )
    return view, batched, layout


def from_channels_first(out: jax.Array, batched: bool, layout: str) -> jax.Array:
    if layout == "channels_last":
        out = jnp.moveaxis(out, 1, -1)
    return out if batched else out[0]


def _lowest(dtype: np.dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


# --------------------------------------------------------------------------- window pooling


def _pads(window: Window) -> list[tuple[int, int]]:
    """Per spatial axis ``(lo, hi + overhang)``: every window fits the padded input."""
    return [(a.lo, a.hi + a.overhang) for a in window.axes]


def _sum_windows(v: jax.Array, window: Window) -> jax.Array:
    """Window sums of a ``(N, C, *spatial)`` array, reduced with the channels last: XLA's CPU
    ``reduce_window`` is several times slower over the minor dims (10 ms against 1.4 ms on
    (16, 64, 56, 56)), and the transposes cancel against a channels-last caller's."""
    last = jnp.moveaxis(v, 1, -1)
    total = lax.reduce_window(
        last,
        np.zeros((), v.dtype),  # concrete, so JAX sees the monoid (reduce_window_sum) under jit
        lax.add,
        (1, *window.kernel, 1),
        (1, *window.stride, 1),
        [(0, 0), *_pads(window), (0, 0)],
        window_dilation=(1, *window.dilation, 1),
    )
    return jnp.moveaxis(total, -1, 1)


def _tap_tables(window: Window, tap: tuple[int, ...]):
    """For one tap: the in-bounds mask and the flat input-plane index, shape ``output_shape``."""
    masks, coords = [], []
    for axis, j in zip(window.axes, tap, strict=True):
        coord = axis.starts() + j * axis.dilation
        masks.append((coord >= 0) & (coord < axis.length))
        coords.append(coord)
    valid = np.ones(window.output_shape, dtype=bool)
    flat = np.zeros(window.output_shape, dtype=np.int64)
    for i, (mask, coord) in enumerate(zip(masks, coords, strict=True)):
        shape = [1] * window.ndim
        shape[i] = -1
        valid = valid & mask.reshape(shape)
        flat = flat * window.axes[i].length + coord.reshape(shape)
    return valid, flat


def _max_windows(v: jax.Array, window: Window, with_indices: bool):
    """First maximum (NaN first) over each window's in-bounds taps, and its plane index.

    ``v`` is ``(N, C, *spatial)``; the taps are sliced with the channels last, where XLA's CPU
    code reads whole rows of channels (the transposes cancel against a channels-last caller's).
    """
    dtype = np.dtype(v.dtype)
    last = jnp.moveaxis(v, 1, -1)
    padded = jnp.pad(
        last, [(0, 0), *_pads(window), (0, 0)], constant_values=jnp.asarray(_lowest(dtype), dtype)
    )
    best = idx = have = None
    is_float = dtype.kind == "f"
    for tap in itertools.product(*(range(a.kernel) for a in window.axes)):
        offsets = [j * a.dilation for j, a in zip(tap, window.axes, strict=True)]
        ends = [o + (a.out - 1) * a.stride + 1 for o, a in zip(offsets, window.axes, strict=True)]
        starts = [0, *offsets, 0]
        limits = [padded.shape[0], *ends, padded.shape[-1]]
        part = lax.slice(padded, starts, limits, (1, *window.stride, 1))
        valid, flat = _tap_tables(window, tap)
        if not valid.any():
            continue
        everywhere = bool(valid.all())  # no pad or overhang under this tap: no mask needed
        valid, flat = valid[..., None], flat[..., None]  # broadcast over the channels
        if best is None:
            # the first tap with any in-bounds cell; where it is out of bounds it holds the
            # identity, which any later in-bounds tap replaces (see `have`)
            best, idx = part, jnp.asarray(flat, _index_dtype())
            have = None if everywhere else jnp.asarray(valid)
            continue
        take = part > best
        if is_float:  # PyTorch's CPU rule: `val > max || isnan(val)`, so the last NaN wins
            take = take | jnp.isnan(part)
        if have is not None:
            take = take | ~have
        if not everywhere:
            take = jnp.asarray(valid) & take
        best = jnp.where(take, part, best)
        if with_indices:
            idx = jnp.where(take, jnp.asarray(flat, _index_dtype()), idx)
        if have is not None:
            have = None if everywhere else have | jnp.asarray(valid)
    if with_indices:
        idx = jnp.moveaxis(jnp.broadcast_to(idx, best.shape), -1, 1)
        return jnp.moveaxis(best, -1, 1), idx
    return jnp.moveaxis(best, -1, 1)


def _lp_finish(total: jax.Array, p: float) -> jax.Array:
    """``total ** (1/p)``, 0 with gradient 0 where the total is 0."""
    positive = total > 0
    safe = jnp.where(positive, total, jnp.ones_like(total))
    return jnp.where(positive, safe ** (1.0 / p), jnp.zeros_like(total))


def _magnitude(v: jax.Array) -> jax.Array:
    """``|v|`` whose gradient at 0 is 0 (``sign(0)``, poolkit's rule; ``jnp.abs`` gives 1)."""
    return v * jnp.sign(v)


def _float_type(dtype) -> np.dtype:
    return _dtype(result_dtype("avg", np.dtype(dtype)))


def pool(
    x,
    reducer: str,
    n: int,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    *,
    count_include_pad=None,
    divisor_override=None,
    p=2.0,
    return_indices=False,
    data_format="channels_first",
):
    """Window pooling with ``reducer`` over ``n`` spatial dims (poolkit.ops.pool for JAX)."""
    view, batched, layout = to_channels_first(as_array(x, f"{reducer} pooling"), n, data_format)
    window = resolve(
        tuple(int(s) for s in view.shape[2:]),
        kernel_size,
        stride,
        padding,
        dilation,
        check_bool(ceil_mode, "ceil_mode"),
    )
    options = _options(reducer, padding, count_include_pad, divisor_override, p)
    with_indices = reducer == "max" and check_bool(return_indices, "return_indices")
    dtype = np.dtype(view.dtype)
    if reducer == "max":
        result = _max_windows(view, window, with_indices)
        if with_indices:
            return tuple(from_channels_first(r, batched, layout) for r in result)
        return from_channels_first(result, batched, layout)
    if reducer == "sum":
        out = _sum_windows(view.astype(_dtype(result_dtype("sum", dtype))), window)
    elif reducer == "avg":
        total = _sum_windows(view.astype(_float_type(dtype)), window)
        divisors = window.divisors(options["count_include_pad"], options["divisor_override"])
        out = (total / jnp.asarray(divisors, total.dtype)).astype(total.dtype)
    else:
        power = options["p"]
        magnitude = _magnitude(view.astype(_float_type(dtype)))
        if math.isinf(power):
            out = _max_windows(magnitude, window, False)
        else:
            out = _lp_finish(_sum_windows(magnitude**power, window), power)
    return from_channels_first(out, batched, layout)


# --------------------------------------------------------------------------- adaptive pooling


def _first_max(seg: jax.Array, axis: int) -> jax.Array:
    """Index along ``axis`` (keepdims) of the first maximum, or of the last NaN where there is
    one (PyTorch's ``val > max || isnan(val)``)."""
    first = jnp.argmax(seg, axis=axis)
    if np.dtype(seg.dtype).kind == "f":
        nan = jnp.isnan(seg)
        length = seg.shape[axis]
        last_nan = length - 1 - jnp.argmax(jnp.flip(nan, axis=axis), axis=axis)
        first = jnp.where(jnp.any(nan, axis=axis), last_nan, first)
    return jnp.expand_dims(first, axis)


def adaptive_pool(
    x, reducer: str, n: int, output_size, return_indices=False, data_format="channels_first"
):
    """Adaptive ``max``/``avg`` pooling with PyTorch's bins, one axis at a time (the bins are
    a Cartesian product, so the first row-major maximum is the first maximum of the first
    row that attains it)."""
    view, batched, layout = to_channels_first(
        as_array(x, f"adaptive {reducer} pooling"), n, data_format
    )
    spatial = tuple(int(s) for s in view.shape[2:])
    size = check_output_size(output_size, spatial)
    with_indices = reducer == "max" and check_bool(return_indices, "return_indices")
    vals = view.astype(_float_type(view.dtype)) if reducer == "avg" else view
    plane_strides = [math.prod(spatial[i + 1 :]) for i in range(n)]
    idx = jnp.zeros(vals.shape, _index_dtype()) if with_indices else None
    for i in reversed(range(n)):
        axis = 2 + i
        starts, ends = adaptive_bins(spatial[i], size[i])
        parts, index_parts = [], []
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            seg = lax.slice_in_dim(vals, start, end, axis=axis)
            if reducer == "avg":
                parts.append(jnp.mean(seg, axis=axis, keepdims=True))
                continue
            arg = _first_max(seg, axis)
            parts.append(jnp.take_along_axis(seg, arg, axis=axis))
            if with_indices:
                index_seg = lax.slice_in_dim(idx, start, end, axis=axis)
                index_parts.append(
                    jnp.take_along_axis(index_seg, arg, axis=axis)
                    + (arg.astype(idx.dtype) + start) * plane_strides[i]
                )
        vals = jnp.concatenate(parts, axis=axis)
        if with_indices:
            idx = jnp.concatenate(index_parts, axis=axis)
    if with_indices:
        return from_channels_first(vals, batched, layout), from_channels_first(idx, batched, layout)
    return from_channels_first(vals, batched, layout)


# --------------------------------------------------------------------------- global pooling


def global_pool(x, reducer: str, n: int, p=2.0, keepdims=False, data_format="channels_first"):
    """One number per channel: ``(N, C)``, or ``(N, C, 1, ...)`` in the layout with keepdims."""
    view, batched, layout = to_channels_first(
        as_array(x, f"global {reducer} pooling"), n, data_format
    )
    keep = check_bool(keepdims, "keepdims")
    if reducer == "lp":
        p = check_p(p)
    flat = view.reshape(*view.shape[:2], -1)
    dtype = np.dtype(view.dtype)
    if reducer == "max" or (reducer == "lp" and math.isinf(p)):
        if reducer == "lp":
            flat = _magnitude(flat.astype(_float_type(dtype)))
        out = jnp.take_along_axis(flat, _first_max(flat, -1), axis=-1)[..., 0]
    elif reducer == "avg":
        out = jnp.mean(flat.astype(_float_type(dtype)), axis=-1)
    elif reducer == "sum":
        out = jnp.sum(flat.astype(_dtype(result_dtype("sum", dtype))), axis=-1)
    else:
        magnitude = _magnitude(flat.astype(_float_type(dtype)))
        out = _lp_finish(jnp.sum(magnitude**p, axis=-1), p)
    if keep:
        out = from_channels_first(out.reshape(*out.shape, *(1,) * n), batched, layout)
        return out
    return out if batched else out[0]


# --------------------------------------------------------------------------- unpooling


def _is_concrete(value) -> bool:
    return not isinstance(value, jax.core.Tracer)


def max_unpool(
    x,
    indices,
    n: int,
    kernel_size,
    stride=None,
    padding=0,
    output_size=None,
    data_format="channels_first",
):
    """Values back at their flat per-plane indices, 0 elsewhere (``.at[].set``)."""
    view, batched, layout = to_channels_first(as_array(x, "max unpooling"), n, data_format)
    spatial_in = tuple(int(s) for s in view.shape[2:])
    spatial_out = unpool_spatial_size(
        spatial_in, n, kernel_size, stride, padding, output_size, layout
    )
    index_array = indices if isinstance(indices, jax.Array) else jnp.asarray(indices)
    if np.dtype(index_array.dtype).kind not in "iu":
        raise PoolingError(f"indices must have an integer dtype; got dtype {index_array.dtype}")
    if tuple(index_array.shape) != tuple(jnp.shape(x)):
        raise PoolingError(
            f"indices must have the same shape as x {tuple(jnp.shape(x))}; got shape "
            f"{tuple(index_array.shape)}"
        )
    if _is_concrete(index_array) and index_array.size:
        # NumPy, not jnp: under jax.jit even an op on a constant is traced, so the range of
        # indices closed over by a jitted function is read here, before any jnp op
        concrete = np.asarray(index_array)
        check_unpool_index_range(int(concrete.min()), int(concrete.max()), spatial_out)
    index_view, _, _ = to_channels_first(index_array, n, layout, "indices")
    plane = math.prod(spatial_out)
    batch, channels = view.shape[:2]
    flat_index = index_view.reshape(batch, channels, -1)
    out = _scatter_last_wins(view.reshape(batch, channels, -1), flat_index, plane)
    return from_channels_first(out.reshape(batch, channels, *spatial_out), batched, layout)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _scatter_last_wins(values, flat_index, plane: int):
    """``out[b, c, flat_index[b, c, j]] = values[b, c, j]``, the last ``j`` winning where an
    index repeats (as poolkit and PyTorch's CPU kernel do), on every device: a scatter-max of
    positions picks the winner, so the result does not depend on the scatter's order."""
    batch, channels, length = values.shape
    position = jnp.broadcast_to(jnp.arange(length, dtype=jnp.int32), values.shape)
    rows = (jnp.arange(batch)[:, None, None], jnp.arange(channels)[None, :, None], flat_index)
    winner = jnp.full((batch, channels, plane), -1, jnp.int32).at[rows].max(position, mode="drop")
    picked = jnp.take_along_axis(values, jnp.maximum(winner, 0), axis=-1)
    return jnp.where(winner >= 0, picked, jnp.zeros((), values.dtype))


def _scatter_last_wins_fwd(values, flat_index, plane):
    return _scatter_last_wins(values, flat_index, plane), flat_index


def _scatter_last_wins_bwd(plane, flat_index, g):
    # poolkit's (and PyTorch's) max_unpool backward: every value reads the gradient at its
    # index, repeated indices included
    dvalues = jnp.take_along_axis(g, flat_index, axis=-1, mode="clip")
    return dvalues, np.zeros(flat_index.shape, jax.dtypes.float0)


_scatter_last_wins.defvjp(_scatter_last_wins_fwd, _scatter_last_wins_bwd)


# --------------------------------------------------------------------------- upsampling


def upsample(x, n: int, scale_factor, data_format="channels_first"):
    """Nearest-neighbour upsampling by integer factors (``jnp.repeat`` per axis)."""
    view, batched, layout = to_channels_first(as_array(x, "upsampling"), n, data_format)
    scale = to_tuple(scale_factor, n, "scale_factor")
    for i, s in enumerate(scale):
        if s > 1:
            view = jnp.repeat(view, s, axis=2 + i)
    return from_channels_first(view, batched, layout)


# --------------------------------------------------------------------------- indices


def convert_indices(
    indices,
    to: str,
    input_shape,
    data_format="channels_first",
    include_batch_in_index=False,
    *,
    source="torch",
    spatial_dims=None,
    storage_order=0,
):
    """:func:`poolkit.convert_indices` for JAX arrays.

    Concrete indices go through poolkit's NumPy function (every check, values included);
    traced ones (under ``jit``/``vmap``) get the same arithmetic in ``jax.numpy``, with the
    argument checks but without those that need the values.
    """
    from poolkit.indices import convert_indices as numpy_convert

    if _is_concrete(indices):
        result = numpy_convert(
            np.asarray(indices),
            to,
            input_shape,
            data_format,
            include_batch_in_index,
            source=source,
            spatial_dims=spatial_dims,
            storage_order=storage_order,
        )
        return jnp.asarray(result, _index_dtype())
    # traced: check the arguments on a zero array of the same shape, then compute in jnp
    numpy_convert(
        np.zeros(indices.shape, np.int64),
        "torch",
        input_shape,
        data_format,
        include_batch_in_index,
        source="torch",
        spatial_dims=spatial_dims,
        storage_order=storage_order,
    )
    from poolkit.indices import _check_format

    to = _check_format(to, "to")
    source = _check_format(source, "source")
    if np.dtype(indices.dtype).kind not in "iu":
        raise PoolingError(f"indices must have an integer dtype; got dtype {indices.dtype}")
    layout = check_data_format(data_format)
    with_batch = bool(include_batch_in_index)
    shape = tuple(int(v) for v in input_shape)
    spatial_count = len(shape) - 2 if spatial_dims is None else int(spatial_dims)
    batched = len(shape) - spatial_count == 2
    full = shape if batched else (1, *shape)
    channels, spatial = (full[-1], full[1:-1]) if layout == "channels_last" else (full[1], full[2:])
    plane = math.prod(spatial)
    view = indices.astype(_index_dtype())
    view = view if batched else view[None]
    if layout == "channels_last":
        view = jnp.moveaxis(view, -1, 1)
    n_index = jnp.arange(view.shape[0]).reshape((-1,) + (1,) * (view.ndim - 1))
    c_index = jnp.arange(view.shape[1]).reshape((1, -1) + (1,) * (view.ndim - 2))

    def reorder(index, order_from, order_to):
        coords = (
            jnp.unravel_index(index, spatial)
            if order_from == "C"
            else [c for c in jnp.unravel_index(index, spatial[::-1])][::-1]
        )
        if order_to == "C":
            return jnp.ravel_multi_index(tuple(coords), spatial, mode="clip")
        return jnp.ravel_multi_index(tuple(coords[::-1]), spatial[::-1], mode="clip")

    if source == "onnx":
        torch_index = view - (n_index * channels + c_index) * plane
        if int(storage_order) == 1:
            torch_index = reorder(torch_index, "F", "C")
    elif source == "tf":
        local = view - n_index * plane * channels if with_batch else view
        torch_index = local // channels
    else:
        torch_index = view
    if to == "onnx":
        plane_index = reorder(torch_index, "C", "F") if int(storage_order) == 1 else torch_index
        result = (n_index * channels + c_index) * plane + plane_index
    elif to == "tf":
        result = torch_index * channels + c_index
        if with_batch:
            result = result + n_index * plane * channels
    else:
        result = torch_index
    if layout == "channels_last":
        result = jnp.moveaxis(result, 1, -1)
    result = result if batched else result[0]
    return result.astype(_index_dtype())
