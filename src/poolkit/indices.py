"""Max-pooling index formats: PyTorch's (poolkit's own), ONNX's and TensorFlow's.

- ``"torch"``: flat row-major index into each (n, c) spatial plane, whatever the layout.
- ``"onnx"``: flat over the whole ``N*C*spatial`` tensor (NCHW order):
  ``(n*C + c)*S + plane_index``; with ONNX's ``storage_order=1`` the plane index is
  column-major (``h + w*H`` in 2-d: the first spatial axis varies fastest).
- ``"tf"``: ``tf.nn.max_pool_with_argmax``: ``(y*W + x)*C + c`` (the NHWC flat offset inside
  one image), plus ``n*S*C`` with ``include_batch_in_index=True``.
"""

from __future__ import annotations

import math

import numpy as np

from poolkit._args import as_int, check_bool, check_data_format, describe
from poolkit.errors import PoolingError

INDEX_FORMATS = ("torch", "onnx", "tf")


def _check_format(value, name: str) -> str:
    if value not in INDEX_FORMATS:
        raise PoolingError(f"{name} must be one of {INDEX_FORMATS}; got {value!r}")
    return value


def convert_indices(
    indices,
    to: str,
    input_shape,
    data_format: str = "channels_first",
    include_batch_in_index: bool = False,
    *,
    source: str = "torch",
    spatial_dims: int | None = None,
    storage_order: int = 0,
) -> np.ndarray:
    """Convert max-pooling indices between PyTorch's, ONNX's and TensorFlow's formats.

    ``indices`` come from ``max_pool*d(..., return_indices=True)`` (``source="torch"``) or from
    another framework (``source="onnx"`` / ``"tf"``); ``input_shape`` is the shape of the pooled
    input as passed, in ``data_format``. A batched input is assumed; for unbatched input pass
    ``spatial_dims`` (``len(input_shape) - 1`` then).

    Shape:
        same as ``indices``; int64.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(16.).reshape(1, 4, 2, 2)          # NHWC: 4x2 image, 2 channels
        >>> _, i = poolkit.max_pool2d(x, 2, data_format="channels_last", return_indices=True)
        >>> i.ravel().tolist()
        [3, 3, 7, 7]
        >>> poolkit.convert_indices(i, "tf", x.shape, "channels_last").ravel().tolist()
        [6, 7, 14, 15]
    """
    to = _check_format(to, "to")
    source = _check_format(source, "source")
    layout = check_data_format(data_format)
    with_batch = check_bool(include_batch_in_index, "include_batch_in_index")
    if as_int(storage_order) not in (0, 1):
        raise PoolingError(
            f"storage_order must be 0 (row-major) or 1 (column-major, ONNX); got {storage_order!r}"
        )
    index_array = np.asarray(indices)
    if index_array.dtype.kind not in "iu":
        raise PoolingError(f"indices must have an integer dtype; got dtype {index_array.dtype}")
    shape = _check_input_shape(input_shape)
    spatial_count = len(shape) - 2 if spatial_dims is None else as_int(spatial_dims)
    if spatial_count is None or spatial_count < 1 or len(shape) - spatial_count not in (1, 2):
        raise PoolingError(
            f"spatial_dims must be len(input_shape) - 2 (batched) or - 1 (unbatched) and >= 1; "
            f"got {spatial_dims!r} for input_shape {shape}"
        )
    if index_array.ndim != len(shape):
        raise PoolingError(
            f"indices must have as many dims as input_shape {shape}; got shape {index_array.shape}"
        )
    batched = len(shape) - spatial_count == 2
    full = shape if batched else (1, *shape)
    if layout == "channels_last":
        channels, spatial = full[-1], full[1:-1]
    else:
        channels, spatial = full[1], full[2:]
    plane = math.prod(spatial)
    if plane == 0:
        raise PoolingError(f"input_shape must have non-empty spatial dims; got {shape}")
    # Every format's largest index is below N*C*plane: all of them fit int64 when that does.
    if full[0] * channels * plane > 2**63:
        raise PoolingError(
            f"input_shape {shape} has {full[0] * channels * plane} elements, more than int64 "
            f"indices can address (2**63)"
        )
    index_shape = index_array.shape if batched else (1, *index_array.shape)
    leading = (index_shape[0], index_shape[-1] if layout == "channels_last" else index_shape[1])
    if leading != (full[0], channels):
        raise PoolingError(
            f"indices of shape {index_array.shape} do not belong to input_shape {shape} "
            f"(data_format={layout!r}): their batch and channel sizes {leading} must be "
            f"{(full[0], channels)}"
        )
    if index_array.size and index_array.dtype.kind == "u" and index_array.max() >= 2**63:
        raise PoolingError(
            f"indices must lie in [0, {full[0] * channels * plane}); got values up to "
            f"{index_array.max()}"
        )
    view = index_array.astype(np.int64) if batched else index_array.astype(np.int64)[None]
    if layout == "channels_last":
        view = np.moveaxis(view, -1, 1)
    n_index = np.arange(view.shape[0]).reshape((-1,) + (1,) * (view.ndim - 1))
    c_index = np.arange(view.shape[1]).reshape((1, -1) + (1,) * (view.ndim - 2))

    if source == "onnx":
        torch_index = view - (n_index * channels + c_index) * plane
        if storage_order == 1:
            torch_index = _reorder(torch_index, spatial, "F", "C")
    elif source == "tf":
        local = view - n_index * plane * channels if with_batch else view
        if local.size and (local % channels != c_index).any():
            raise PoolingError(
                "indices are not TensorFlow argmax indices of this input: an index's "
                "channel (index % C) must be its own channel; check data_format, input_shape "
                "and include_batch_in_index"
            )
        torch_index = local // channels
    else:
        torch_index = view
    if torch_index.size and (torch_index.min() < 0 or torch_index.max() >= plane):
        where = {"torch": "each (n, c) plane", "onnx": "each plane's block", "tf": "each image"}
        raise PoolingError(
            f"indices must lie in [0, {plane}) inside {where[source]} of input_shape {shape} "
            f"(source={source!r}); got indices from {index_array.min()} to {index_array.max()}"
        )
    if to == "onnx":
        plane_index = (
            _reorder(torch_index, spatial, "C", "F") if storage_order == 1 else torch_index
        )
        result = (n_index * channels + c_index) * plane + plane_index
    elif to == "tf":
        result = torch_index * channels + c_index
        if with_batch:
            result = result + n_index * plane * channels
    else:
        result = torch_index
    if layout == "channels_last":
        result = np.moveaxis(result, 1, -1)
    result = result if batched else result[0]
    return np.ascontiguousarray(result, dtype=np.int64)


def _check_input_shape(input_shape) -> tuple[int, ...]:
    """The pooled input's shape: a sequence of ints >= 1 (a NumPy or torch shape)."""
    allowed = "a tuple of ints >= 0 with non-empty spatial dims (the pooled input's shape)"
    if isinstance(input_shape, str | bytes) or not hasattr(input_shape, "__iter__"):
        raise PoolingError(f"input_shape must be {allowed}; got {describe(input_shape)}")
    shape = tuple(as_int(v) for v in input_shape)
    if any(v is None or v < 0 for v in shape):
        raise PoolingError(f"input_shape must be {allowed}; got {describe(input_shape)}")
    return shape


def _reorder(index: np.ndarray, spatial: tuple[int, ...], source: str, target: str) -> np.ndarray:
    """Flat plane indices from ``source`` to ``target`` order ("C" row-, "F" column-major)."""
    size = math.prod(spatial)
    if index.size and (index.min() < 0 or index.max() >= size):
        raise PoolingError(
            f"indices must lie in [0, {size}) inside each plane of spatial size {spatial} to "
            f"change storage_order; got values from {index.min()} to {index.max()}"
        )
    coords = np.unravel_index(index, spatial, order=source)
    return np.ravel_multi_index(coords, spatial, order=target).astype(np.int64)
