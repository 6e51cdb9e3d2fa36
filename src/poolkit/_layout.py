"""Input validation and layout: user arrays in, channels-first batched views out, and back.

The public functions accept ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``, or with
``data_format="channels_last"`` ``(N, *spatial, C)`` / ``(*spatial, C)``. Internally every
algorithm sees a channels-first batched *view* (``np.moveaxis`` copies nothing); kernels may
return an output whose memory is channels-last, and :func:`from_channels_first` hands it back
in the caller's layout without another copy.
"""

from __future__ import annotations

import numpy as np

from poolkit._args import check_data_format
from poolkit.errors import PoolingError
from poolkit.reducers import check_dtype


def as_array(x, reducer: str, name: str = "x") -> np.ndarray:
    """``x`` as a native-byte-order ndarray with a poolable dtype (never modified in place)."""
    if isinstance(x, np.ma.MaskedArray):
        # np.asarray would drop the mask and pool the hidden values as if they were data.
        raise PoolingError(
            f"{name} is a masked array, whose mask poolkit cannot honour; fill it first "
            f"({name}.filled(value), e.g. -inf for max pooling or 0 for sums) or compress it"
        )
    lazy = type(x).__module__.split(".")[0]
    if lazy in ("dask", "zarr"):
        # np.asarray would load the whole (maybe larger than memory) array, silently.
        raise PoolingError(
            f"{name} is a {lazy} array ({type(x).__module__}.{type(x).__name__}), which the "
            f"NumPy API would load whole into memory; pool it lazily, chunk by chunk, with "
            f"poolkit.dask (same function names and arguments"
            + (", after da.from_zarr(store)" if lazy == "zarr" else "")
            + f"), or load it explicitly with np.asarray({name})"
        )
    try:
        array = np.asarray(x)
    except Exception as error:  # ragged lists and other non-arrays
        raise PoolingError(f"{name} must be an array of numbers; got {type(x).__name__}") from error
    check_dtype(array, reducer, name)
    if not array.dtype.isnative:
        # Big-endian input: kernels want native order; the copy leaves the caller's array alone.
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def to_channels_first(
    array: np.ndarray, n: int, data_format: str, name: str = "x"
) -> tuple[np.ndarray, bool, str]:
    """A ``(N, C, *spatial)`` view of ``array``, whether it was batched, and the layout."""
    data_format = check_data_format(data_format)
    if array.ndim not in (n + 1, n + 2):
        layout = "(N, C, *spatial) or (C, *spatial)"
        if data_format == "channels_last":
            layout = "(N, *spatial, C) or (*spatial, C)"
        raise PoolingError(
            f"{name} must have {n + 2} dims {layout} for {n}-d pooling with "
            f"data_format={data_format!r} ({n + 1} when unbatched); got shape {array.shape}"
            + (_image_hint(array.shape, n, data_format) if name == "x" else "")
        )
    batched = array.ndim == n + 2
    view = array if batched else array[None]
    if data_format == "channels_last":
        view = np.moveaxis(view, -1, 1)
    if name == "x" and 0 in view.shape[2:]:
        # PyTorch refuses these too: a window, bin or global reduction over nothing has no
        # value (an empty batch or zero channels are fine and give an empty result).
        raise PoolingError(
            f"{name} must have non-empty spatial dims; got shape {array.shape} "
            f"(data_format={data_format!r}), whose spatial dims are {tuple(view.shape[2:])}"
        )
    return view, batched, data_format


def _image_hint(shape: tuple[int, ...], n: int, data_format: str) -> str:
    """How to pool an array without batch and channel axes (an image, a volume) instead."""
    ndim = len(shape)
    if ndim == 0:
        return ""
    axes = tuple(range(min(n, ndim))) if ndim <= n else tuple(range(ndim - n, ndim))
    text = (
        f". To pool the axes of an image or volume where they are, name them: "
        f"poolkit.pool(x, 'max', 2, axes={axes}) (any reducer, any rank)"
    )
    if ndim == n:
        text += f"; or add batch and channel axes: x[None, None] is {(1, 1, *shape)}"
        if data_format == "channels_first":
            last = {1: "(L, C)", 2: "(H, W, C)", 3: "(D, H, W, C)"}.get(n, "(*spatial, C)")
            first = {1: "C=L, L=C", 2: "C=H, H=W, W=C", 3: "C=D, D=H, H=W, W=C"}.get(n, "")
            text += (
                f"; an array {last} with its channels last takes data_format='channels_last' "
                f"(channels first reads it as {first or 'channels, then spatial dims'})"
            )
    return text


def from_channels_first(out: np.ndarray, batched: bool, data_format: str) -> np.ndarray:
    """Undo :func:`to_channels_first` on a result and make it contiguous in that layout."""
    if data_format == "channels_last":
        out = np.moveaxis(out, 1, -1)
    if not batched:
        out = out[0]
    return np.ascontiguousarray(out)


def check_grad(grad, expected_shape: tuple[int, ...], name: str = "grad_output") -> np.ndarray:
    """The incoming gradient must be a float-convertible array of the forward output's shape."""
    array = as_array(grad, "backward", name)
    if array.shape != tuple(expected_shape):
        raise PoolingError(
            f"{name} must have the forward output's shape {tuple(expected_shape)}; "
            f"got shape {array.shape}"
        )
    return array


def spatial_shape(view: np.ndarray) -> tuple[int, ...]:
    return tuple(view.shape[2:])
