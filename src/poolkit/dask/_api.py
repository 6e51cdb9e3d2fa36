"""The four families of :mod:`poolkit.dask` (windowed, global, adaptive, ``pool``), each one
function that takes the NumPy API's own function and runs it on NumPy blocks.

Every argument is checked at call time, before any task runs: the geometry is resolved for
the whole array, and the NumPy function pools a dummy of the first block's shape (other axes
1) with that block's arguments, which checks the rest and gives the result's dtype.
"""

from __future__ import annotations

from functools import partial

import dask.array as da
import numpy as np

from poolkit import anyaxes
from poolkit._args import check_bool, check_output_size
from poolkit._layout import as_array, to_channels_first
from poolkit.errors import PoolingError
from poolkit.geometry import Axis, Window, resolve
from poolkit.ops import default_count_include_pad

from ._driver import blocked, first_block_shape


def check_dask(x, function: str) -> da.Array:
    """``x`` itself when it is a dask array; anything else is refused with the fix."""
    if isinstance(x, da.Array):
        if any(np.isnan(size) for size in x.shape):
            raise PoolingError(
                f"poolkit.dask.{function} needs known chunk sizes; got shape {x.shape} (after "
                f"boolean indexing, say): call x.compute_chunk_sizes() first"
            )
        return x
    hint = (
        "wrap it with dask.array.from_zarr(x)"
        if type(x).__module__.split(".")[0] == "zarr"
        else "use poolkit." + function + " for in-memory arrays, or dask.array.from_array(x)"
    )
    raise PoolingError(
        f"poolkit.dask.{function} takes a dask.array.Array; got {type(x).__name__}: {hint}"
    )


def _refuse_indices(fn, return_indices) -> None:
    if check_bool(return_indices, "return_indices"):
        raise PoolingError(
            f"poolkit.dask.{fn.__name__} does not return indices (a block's are its own); use "
            f"poolkit.{fn.__name__} on an in-memory array for return_indices=True"
        )


def _probe(x: da.Array, reducer: str, n: int, data_format):
    """The layout of ``x`` read from a zero-stride stand-in (no data is touched)."""
    stand_in = np.broadcast_to(np.zeros((), dtype=x.dtype), x.shape)
    view, batched, layout = to_channels_first(as_array(stand_in, reducer), n, data_format)
    first = 1 if batched else 0
    spatial = (
        tuple(range(first + 1, first + 1 + n))
        if layout == "channels_first"
        else tuple(range(first, first + n))
    )
    return view.shape[2:], layout, spatial


def windowed(
    fn,
    reducer: str,
    n: int,
    x,
    kernel_size,
    stride,
    padding,
    dilation,
    ceil_mode,
    data_format,
    return_indices=False,
    **options,
):
    """``fn`` (say ``poolkit.max_pool2d``) over the dask array ``x``, block by block."""
    x = check_dask(x, fn.__name__)
    _refuse_indices(fn, return_indices)
    spatial, layout, axes = _probe(x, reducer, n, data_format)
    window = resolve(
        spatial, kernel_size, stride, padding, dilation, check_bool(ceil_mode, "ceil_mode")
    )
    if "count_include_pad" in options:  # the default reads the caller's padding spelling
        options["count_include_pad"] = default_count_include_pad(
            options["count_include_pad"], padding
        )
    call = partial(_window_call, fn, window, layout, options)
    return _blocked_checked(x, axes, window, call)


def _window_call(fn, window, layout, options, block, pads, ceil_mode):
    return fn(
        block,
        kernel_size=window.kernel,
        stride=window.stride,
        padding=pads,
        dilation=window.dilation,
        ceil_mode=ceil_mode,
        data_format=layout,
        **options,
    )


def _blocked_checked(x, axes, window, call):
    shape, pads, ceil = first_block_shape(x, axes, window)
    dtype = call(np.zeros(shape, dtype=x.dtype), pads=pads, ceil_mode=ceil).dtype
    return blocked(x, axes, window, call, dtype)


def _whole(fn, x, axes, dtype, out_sizes):
    """``fn`` on blocks whose ``axes`` are whole (rechunked so); ``out_sizes``: their new
    sizes, or ``None`` to drop them."""
    y = x.rechunk({a: -1 for a in axes})
    meta = np.empty((0,) * (x.ndim - (len(axes) if out_sizes is None else 0)), dtype=dtype)
    if out_sizes is None:
        return y.map_blocks(fn, drop_axis=axes, dtype=dtype, meta=meta)
    chunks = list(y.chunks)
    for a, size in zip(axes, out_sizes, strict=True):
        chunks[a] = (size,)
    return y.map_blocks(fn, chunks=tuple(chunks), dtype=dtype, meta=meta)


def global_(fn, reducer: str, n: int, x, keepdims, data_format, **options):
    """``fn`` (say ``poolkit.global_avg_pool2d``): each block holds whole spatial planes, so
    the NumPy function's own reduction (and its summation order) gives the result."""
    x = check_dask(x, fn.__name__)
    _, layout, axes = _probe(x, reducer, n, data_format)
    keep = check_bool(keepdims, "keepdims")
    call = partial(fn, keepdims=True, data_format=layout, **options)
    dtype = call(np.zeros([1] * x.ndim, dtype=x.dtype)).dtype
    out = _whole(call, x, axes, dtype, (1,) * n)
    return out if keep else out.squeeze(axis=axes)


def adaptive(fn, reducer: str, n: int, x, output_size, return_indices, data_format):
    """``fn`` (say ``poolkit.adaptive_max_pool2d``) on blocks holding whole spatial planes."""
    x = check_dask(x, fn.__name__)
    _refuse_indices(fn, return_indices)
    spatial, layout, axes = _probe(x, reducer, n, data_format)
    size = check_output_size(output_size, spatial)
    call = partial(fn, output_size=size, data_format=layout)
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    dtype = call(np.broadcast_to(np.zeros((), dtype=x.dtype), shape)).dtype
    return _whole(call, x, axes, dtype, size)


def pool(
    x,
    reducer,
    kernel_size,
    stride,
    padding,
    dilation,
    ceil_mode,
    axes,
    count_include_pad,
    p,
    mode,
    cval,
):
    """:func:`poolkit.pool` over the dask array ``x``, block by block."""
    x = check_dask(x, "pool")
    if not isinstance(reducer, str) or reducer not in anyaxes.REDUCERS:
        anyaxes.pool(np.zeros(1), reducer, 1, axes=0)  # raises the NumPy API's message
    stand_in = np.broadcast_to(np.zeros((), dtype=x.dtype), x.shape)
    as_array(stand_in, reducer)
    axes_t = anyaxes._check_axes(axes, x.shape)
    border = anyaxes._check_mode(mode)
    ceil = check_bool(ceil_mode, "ceil_mode")
    window = anyaxes.resolve_on_axes(
        x.shape, axes, axes_t, kernel_size, stride, padding, dilation, ceil
    )
    data = border != "constant" or cval is not None
    include = count_include_pad if data else default_count_include_pad(count_include_pad, padding)
    options = {"mode": mode, "cval": cval, "count_include_pad": include, "p": p}
    check = partial(_pool_call, reducer, window, axes_t, options)
    shape, pads, first_ceil = first_block_shape(x, axes_t, window)
    dtype = check(np.zeros(shape, dtype=x.dtype), pads=pads, ceil_mode=first_ceil).dtype
    if border != "constant":
        # Pads that hold data: numpy.pad's border as an index map (np.pad of the positions,
        # so the borders are numpy.pad's exactly, even for pads longer than the axis, where
        # dask.array.pad differs), gathered with take, then the same windows without pads.
        for a, ax in zip(axes_t, window.axes, strict=True):
            if ax.lo or ax.hi:
                where = np.pad(np.arange(ax.length), (ax.lo, ax.hi), mode=border)
                x = da.take(x, where, axis=a)
        window = Window(
            tuple(
                Axis(
                    ax.length + ax.lo + ax.hi, ax.kernel, ax.stride, ax.dilation, 0, 0, ceil, ax.out
                )
                for ax in window.axes
            )
        )
        options = {"mode": "constant", "cval": None, "count_include_pad": True, "p": p}
    call = partial(_pool_call, reducer, window, axes_t, options)
    return blocked(x, axes_t, window, call, dtype)


def _pool_call(reducer, window, axes, options, block, pads, ceil_mode):
    return anyaxes.pool(
        block,
        reducer,
        window.kernel,
        window.stride,
        pads,
        window.dilation,
        ceil_mode,
        axes=axes,
        **options,
    )
