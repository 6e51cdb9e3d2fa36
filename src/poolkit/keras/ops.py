"""keras.ops-style pooling functions on the active Keras backend's native ops.

"tensorflow" runs poolkit's TensorFlow composition, "torch" :mod:`poolkit.torch.functional`
and "jax" ``poolkit.jax`` (imported when first needed). The number of spatial dims is the
input's rank minus 2; ``data_format=None`` means ``keras.config.image_data_format()``.

>>> import numpy as np
>>> from poolkit.keras import ops
>>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
>>> np.asarray(ops.max_pool(x, 2))[0, :, :, 0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""

from __future__ import annotations

import importlib
from typing import Any

import keras

from poolkit._args import (
    check_bool,
    check_data_format,
    check_divisor_override,
    check_output_size,
    check_p,
    normalize_padding,
    to_tuple,
)
from poolkit.errors import PoolingError
from poolkit.geometry import resolve
from poolkit.ops import default_count_include_pad, unpool_spatial_size

__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "global_average_pool",
    "global_lp_pool",
    "global_max_pool",
    "global_sum_pool",
    "lp_pool",
    "max_pool",
    "max_unpool",
    "sum_pool",
    "upsampling",
]


def _format(data_format) -> str:
    return check_data_format(
        keras.config.image_data_format() if data_format is None else data_format
    )


def _rank(x) -> int:
    n = len(x.shape) - 2
    if not 1 <= n <= 3:
        raise PoolingError(
            f"input must have rank 3, 4 or 5 (batch, channels and 1-3 spatial dims); "
            f"got shape {tuple(x.shape)}"
        )
    return n


def _spatial(x, n: int, data_format: str) -> tuple[int, ...]:
    shape = tuple(x.shape)
    return shape[1 : n + 1] if data_format == "channels_last" else shape[2:]


def _module():
    """poolkit's functional module for the torch or jax backend."""
    backend = keras.backend.backend()
    if backend == "torch":
        return importlib.import_module("poolkit.torch.functional")
    if backend == "jax":
        return importlib.import_module("poolkit.jax")
    raise PoolingError(
        f"poolkit.keras supports the tensorflow, torch and jax backends; got {backend!r}"
    )


def _tf():
    from poolkit.keras import _tf

    return _tf


def _window(x, pool_size, strides, padding, dilation_rate, ceil_mode, data_format):
    x = keras.ops.convert_to_tensor(x)
    n = _rank(x)
    data_format = _format(data_format)
    kernel = to_tuple(pool_size, n, "pool_size")
    stride = kernel if strides is None else to_tuple(strides, n, "strides")
    dilation = to_tuple(dilation_rate, n, "dilation_rate")
    pad = normalize_padding(padding, n)
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    return x, n, data_format, kernel, stride, pad, dilation, ceil_mode


def max_pool(
    x: Any,
    pool_size: Any = 2,
    strides: Any = None,
    padding: Any = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max pooling over 1-3 spatial dims; with ``return_indices`` also the flat per-plane
    argmax indices (PyTorch's format).

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).
    """
    x, n, df, k, s, pad, d, ceil = _window(
        x, pool_size, strides, padding, dilation_rate, ceil_mode, data_format
    )
    return_indices = check_bool(return_indices, "return_indices")
    if keras.backend.backend() == "tensorflow":
        return _tf().pool(x, "max", n, k, s, pad, d, ceil, False, None, 2.0, return_indices, df)
    fn = getattr(_module(), f"max_pool{n}d")
    return fn(x, k, s, pad, d, ceil, return_indices=return_indices, data_format=df)


def average_pool(
    x: Any,
    pool_size: Any = 2,
    strides: Any = None,
    padding: Any = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: int | None = None,
) -> Any:
    """Average pooling; ``count_include_pad=None`` leaves string pads out of the count
    (Keras's 'same') and counts numeric pads (PyTorch's).

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).
    """
    x, n, df, k, s, pad, d, ceil = _window(
        x, pool_size, strides, padding, dilation_rate, ceil_mode, data_format
    )
    include = default_count_include_pad(count_include_pad, pad)
    divisor = check_divisor_override(divisor_override)
    if keras.backend.backend() == "tensorflow":
        return _tf().pool(x, "avg", n, k, s, pad, d, ceil, include, divisor, 2.0, False, df)
    fn = getattr(_module(), f"avg_pool{n}d")
    return fn(x, k, s, pad, d, ceil, include, divisor, data_format=df)


def sum_pool(
    x: Any,
    pool_size: Any = 2,
    strides: Any = None,
    padding: Any = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
    ceil_mode: bool = False,
) -> Any:
    """Window sums (pads count as 0).

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).
    """
    x, n, df, k, s, pad, d, ceil = _window(
        x, pool_size, strides, padding, dilation_rate, ceil_mode, data_format
    )
    if keras.backend.backend() == "tensorflow":
        return _tf().pool(x, "sum", n, k, s, pad, d, ceil, False, None, 2.0, False, df)
    return getattr(_module(), f"sum_pool{n}d")(x, k, s, pad, d, ceil, data_format=df)


def lp_pool(
    x: Any,
    p: float,
    pool_size: Any = 2,
    strides: Any = None,
    padding: Any = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
    ceil_mode: bool = False,
) -> Any:
    """Power-average pooling ``(sum |x|**p) ** (1/p)`` (``p=inf``: max of ``|x|``).

    Shape: ``(N, *spatial, C)`` -> ``(N, *out, C)`` (channels_last).
    """
    p = check_p(p)
    x, n, df, k, s, pad, d, ceil = _window(
        x, pool_size, strides, padding, dilation_rate, ceil_mode, data_format
    )
    if keras.backend.backend() == "tensorflow":
        return _tf().pool(x, "lp", n, k, s, pad, d, ceil, False, None, p, False, df)
    return getattr(_module(), f"lp_pool{n}d")(x, p, k, s, pad, d, ceil, data_format=df)


def _global(x, reducer: str, keepdims, data_format, p=2.0):
    x = keras.ops.convert_to_tensor(x)
    n = _rank(x)
    df = _format(data_format)
    keepdims = check_bool(keepdims, "keepdims")
    if keras.backend.backend() == "tensorflow":
        return _tf().global_pool(x, reducer, n, p, keepdims, df)
    fn = getattr(_module(), f"global_{reducer}_pool{n}d")
    if reducer == "lp":
        return fn(x, p, keepdims, data_format=df)
    return fn(x, keepdims, data_format=df)


def global_max_pool(x: Any, keepdims: bool = False, data_format: str | None = None) -> Any:
    """Max over every spatial position. Shape: ``(N, *spatial, C)`` -> ``(N, C)``."""
    return _global(x, "max", keepdims, data_format)


def global_average_pool(x: Any, keepdims: bool = False, data_format: str | None = None) -> Any:
    """Mean over every spatial position. Shape: ``(N, *spatial, C)`` -> ``(N, C)``."""
    return _global(x, "avg", keepdims, data_format)


def global_sum_pool(x: Any, keepdims: bool = False, data_format: str | None = None) -> Any:
    """Sum over every spatial position. Shape: ``(N, *spatial, C)`` -> ``(N, C)``."""
    return _global(x, "sum", keepdims, data_format)


def global_lp_pool(x: Any, p: float, keepdims: bool = False, data_format: str | None = None) -> Any:
    """Lp norm over every spatial position. Shape: ``(N, *spatial, C)`` -> ``(N, C)``."""
    return _global(x, "lp", keepdims, data_format, check_p(p))


def _adaptive(x, reducer: str, output_size, data_format):
    x = keras.ops.convert_to_tensor(x)
    n = _rank(x)
    df = _format(data_format)
    size = check_output_size(output_size, _spatial(x, n, df))
    if keras.backend.backend() == "tensorflow":
        return _tf().adaptive_pool(x, reducer, n, size, df)
    name = "adaptive_max_pool" if reducer == "max" else "adaptive_avg_pool"
    return getattr(_module(), f"{name}{n}d")(x, size, data_format=df)


def adaptive_max_pool(x: Any, output_size: Any, data_format: str | None = None) -> Any:
    """Max over PyTorch's adaptive bins.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)``.
    """
    return _adaptive(x, "max", output_size, data_format)


def adaptive_average_pool(x: Any, output_size: Any, data_format: str | None = None) -> Any:
    """Mean over PyTorch's adaptive bins.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)``.
    """
    return _adaptive(x, "avg", output_size, data_format)


def max_unpool(
    x: Any,
    indices: Any,
    pool_size: Any = 2,
    strides: Any = None,
    padding: Any = "valid",
    output_size: Any = None,
    data_format: str | None = None,
) -> Any:
    """Partial inverse of :func:`max_pool`: values back at their flat per-plane indices.

    Shape: ``(N, *spatial, C)`` -> ``(N, *output_size, C)`` (channels_last).
    """
    x = keras.ops.convert_to_tensor(x)
    indices = keras.ops.convert_to_tensor(indices)
    n = _rank(x)
    df = _format(data_format)
    kernel = to_tuple(pool_size, n, "pool_size")
    stride = kernel if strides is None else to_tuple(strides, n, "strides")
    size = unpool_spatial_size(_spatial(x, n, df), n, kernel, stride, padding, output_size, df)
    if keras.backend.backend() == "tensorflow":
        return _tf().max_unpool(x, indices, n, size, df)
    fn = getattr(_module(), f"max_unpool{n}d")
    return fn(x, indices, kernel, stride, padding, size, data_format=df)


def upsampling(x: Any, size: Any = 2, data_format: str | None = None) -> Any:
    """Nearest-neighbour upsampling by an integer factor per spatial dim.

    Shape: ``(N, *spatial, C)`` -> ``(N, *(spatial*size), C)`` (channels_last).
    """
    x = keras.ops.convert_to_tensor(x)
    n = _rank(x)
    df = _format(data_format)
    scale = to_tuple(size, n, "size")
    if keras.backend.backend() == "tensorflow":
        return _tf().upsample_nearest(x, n, scale, df)
    return getattr(_module(), f"upsample_nearest{n}d")(x, scale, data_format=df)


def output_window(spatial, pool_size, strides, padding, dilation_rate, ceil_mode):
    """The :class:`poolkit.Window` a pooling layer resolves for ``spatial``."""
    return resolve(tuple(spatial), pool_size, strides, padding, dilation_rate, ceil_mode)
