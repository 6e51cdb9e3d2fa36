"""poolkit's NumPy API for JAX arrays, written in ``jax.lax``: ``import poolkit.jax``.

The same names and arguments as :mod:`poolkit.api` (forward functions only: gradients come
from JAX's autodiff). Everything works under ``jax.jit``, ``jax.grad``, ``jax.vmap`` and
``jax.export``: geometry is resolved on the static shape at trace time by
:func:`poolkit.geometry.resolve`, and bad arguments raise :class:`poolkit.PoolingError` then.

Dtypes are :func:`poolkit.reducers.result_dtype`'s as JAX stores them: with
``jax_enable_x64`` off (JAX's default) avg/lp of integers give float32, integer sums and
indices int32; with it on, float64 and int64 as in NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import SupportsFloat, SupportsIndex, TypeAlias

import jax
from numpy.typing import ArrayLike

from poolkit.jax import _lax
from poolkit.jax._lax import convert_indices

Size: TypeAlias = SupportsIndex | Sequence[SupportsIndex]
Padding: TypeAlias = (
    str | SupportsIndex | Sequence[SupportsIndex] | Sequence[Sequence[SupportsIndex]]
)
OutputSize: TypeAlias = SupportsIndex | Sequence[SupportsIndex | None]

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "convert_indices",
    "global_avg_pool1d",
    "global_avg_pool2d",
    "global_avg_pool3d",
    "global_lp_pool1d",
    "global_lp_pool2d",
    "global_lp_pool3d",
    "global_max_pool1d",
    "global_max_pool2d",
    "global_max_pool3d",
    "global_sum_pool1d",
    "global_sum_pool2d",
    "global_sum_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "sum_pool1d",
    "sum_pool2d",
    "sum_pool3d",
    "upsample_nearest1d",
    "upsample_nearest2d",
    "upsample_nearest3d",
]


def max_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Max pooling over 1 spatial dim(s), as :func:`poolkit.max_pool1d`.

    Pads never win; NaN propagates; ties (and the gradient) go to the first maximum in
    window order. ``return_indices=True`` also returns flat per-(n, c)-plane indices
    (PyTorch's format; int64 with ``jax_enable_x64``, else int32).

    Shape:
        ``(N, C, L) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.max_pool1d(jnp.ones((1, 1, 4)), 2).shape
        (1, 1, 2)
    """
    return _lax.pool(
        x,
        "max",
        1,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices=return_indices,
        data_format=data_format,
    )


def avg_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> jax.Array:
    """Average pooling over 1 spatial dim(s), as :func:`poolkit.avg_pool1d`.

    ``count_include_pad=None`` counts numeric pads (PyTorch), not string pads (Keras 'same');
    the ceil-mode overhang never counts. Integer input gives JAX's default float type.

    Shape:
        ``(N, C, L) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.avg_pool1d(jnp.ones((1, 1, 4)), 2).shape
        (1, 1, 2)
    """
    return _lax.pool(
        x,
        "avg",
        1,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
        data_format=data_format,
    )


def sum_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Sum pooling over 1 spatial dim(s): window totals, pads counting 0.

    Integers and bools accumulate in int64 (int32 without ``jax_enable_x64``).

    Shape:
        ``(N, C, L) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> float(pj.sum_pool1d(jnp.ones((1, 1, 4)), 2).max())
        2.0
    """
    return _lax.pool(
        x, "sum", 1, kernel_size, stride, padding, dilation, ceil_mode, data_format=data_format
    )


def lp_pool1d(
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Lp pooling over 1 spatial dim(s): ``(sum |x|^p)^(1/p)`` per window; ``p=inf`` is
    the max of ``|x|``. Pads count as 0.

    Shape:
        ``(N, C, L) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.lp_pool1d(jnp.ones((1, 1, 4)), 2, 2).shape
        (1, 1, 2)
    """
    return _lax.pool(
        x,
        "lp",
        1,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        p=p,
        data_format=data_format,
    )


def global_max_pool1d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global max pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_max_pool1d(jnp.ones((1, 1, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "max", 1, keepdims=keepdims, data_format=data_format)


def global_avg_pool1d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global avg pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_avg_pool1d(jnp.ones((1, 1, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "avg", 1, keepdims=keepdims, data_format=data_format)


def global_sum_pool1d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global sum pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_sum_pool1d(jnp.ones((1, 1, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "sum", 1, keepdims=keepdims, data_format=data_format)


def global_lp_pool1d(
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global lp pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_lp_pool1d(jnp.ones((1, 1, 4)), 2).shape
        (1, 1)
    """
    return _lax.global_pool(x, "lp", 1, p=p, keepdims=keepdims, data_format=data_format)


def adaptive_max_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Adaptive max pooling to ``output_size`` over 1 spatial dim(s) (PyTorch's bins).

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.adaptive_max_pool1d(jnp.ones((1, 1, 4)), 2).shape
        (1, 1, 2)
    """
    return _lax.adaptive_pool(x, "max", 1, output_size, return_indices, data_format)


def adaptive_avg_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> jax.Array:
    """Adaptive average pooling to ``output_size`` over 1 spatial dim(s) (PyTorch's bins).

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.adaptive_avg_pool1d(jnp.ones((1, 1, 4)), 2).shape
        (1, 1, 2)
    """
    return _lax.adaptive_pool(x, "avg", 1, output_size, False, data_format)


def max_unpool1d(
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> jax.Array:
    """Partial inverse of ``max_pool1d``: values back at their indices, 0 elsewhere.

    The value range of ``indices`` is checked only when they are concrete (not traced).

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``, ``indices`` shaped like ``x``.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> y, i = pj.max_pool1d(jnp.ones((1, 1, 4)), 2, return_indices=True)
        >>> pj.max_unpool1d(y, i, 2).shape
        (1, 1, 4)
    """
    return _lax.max_unpool(x, indices, 1, kernel_size, stride, padding, output_size, data_format)


def upsample_nearest1d(
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> jax.Array:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling1D).

    Shape:
        ``(N, C, L) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.upsample_nearest1d(jnp.ones((1, 1, 4)), 2).shape
        (1, 1, 8)
    """
    return _lax.upsample(x, 1, scale_factor, data_format)


def max_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Max pooling over 2 spatial dim(s), as :func:`poolkit.max_pool2d`.

    Pads never win; NaN propagates; ties (and the gradient) go to the first maximum in
    window order. ``return_indices=True`` also returns flat per-(n, c)-plane indices
    (PyTorch's format; int64 with ``jax_enable_x64``, else int32).

    Shape:
        ``(N, C, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.max_pool2d(jnp.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 2, 2)
    """
    return _lax.pool(
        x,
        "max",
        2,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices=return_indices,
        data_format=data_format,
    )


def avg_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> jax.Array:
    """Average pooling over 2 spatial dim(s), as :func:`poolkit.avg_pool2d`.

    ``count_include_pad=None`` counts numeric pads (PyTorch), not string pads (Keras 'same');
    the ceil-mode overhang never counts. Integer input gives JAX's default float type.

    Shape:
        ``(N, C, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.avg_pool2d(jnp.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 2, 2)
    """
    return _lax.pool(
        x,
        "avg",
        2,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
        data_format=data_format,
    )


def sum_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Sum pooling over 2 spatial dim(s): window totals, pads counting 0.

    Integers and bools accumulate in int64 (int32 without ``jax_enable_x64``).

    Shape:
        ``(N, C, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> float(pj.sum_pool2d(jnp.ones((1, 1, 4, 4)), 2).max())
        4.0
    """
    return _lax.pool(
        x, "sum", 2, kernel_size, stride, padding, dilation, ceil_mode, data_format=data_format
    )


def lp_pool2d(
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Lp pooling over 2 spatial dim(s): ``(sum |x|^p)^(1/p)`` per window; ``p=inf`` is
    the max of ``|x|``. Pads count as 0.

    Shape:
        ``(N, C, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.lp_pool2d(jnp.ones((1, 1, 4, 4)), 2, 2).shape
        (1, 1, 2, 2)
    """
    return _lax.pool(
        x,
        "lp",
        2,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        p=p,
        data_format=data_format,
    )


def global_max_pool2d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global max pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_max_pool2d(jnp.ones((1, 1, 4, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "max", 2, keepdims=keepdims, data_format=data_format)


def global_avg_pool2d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global avg pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_avg_pool2d(jnp.ones((1, 1, 4, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "avg", 2, keepdims=keepdims, data_format=data_format)


def global_sum_pool2d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global sum pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_sum_pool2d(jnp.ones((1, 1, 4, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "sum", 2, keepdims=keepdims, data_format=data_format)


def global_lp_pool2d(
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global lp pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_lp_pool2d(jnp.ones((1, 1, 4, 4)), 2).shape
        (1, 1)
    """
    return _lax.global_pool(x, "lp", 2, p=p, keepdims=keepdims, data_format=data_format)


def adaptive_max_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Adaptive max pooling to ``output_size`` over 2 spatial dim(s) (PyTorch's bins).

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.adaptive_max_pool2d(jnp.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 2, 2)
    """
    return _lax.adaptive_pool(x, "max", 2, output_size, return_indices, data_format)


def adaptive_avg_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> jax.Array:
    """Adaptive average pooling to ``output_size`` over 2 spatial dim(s) (PyTorch's bins).

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.adaptive_avg_pool2d(jnp.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 2, 2)
    """
    return _lax.adaptive_pool(x, "avg", 2, output_size, False, data_format)


def max_unpool2d(
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> jax.Array:
    """Partial inverse of ``max_pool2d``: values back at their indices, 0 elsewhere.

    The value range of ``indices`` is checked only when they are concrete (not traced).

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``, ``indices`` shaped like ``x``.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> y, i = pj.max_pool2d(jnp.ones((1, 1, 4, 4)), 2, return_indices=True)
        >>> pj.max_unpool2d(y, i, 2).shape
        (1, 1, 4, 4)
    """
    return _lax.max_unpool(x, indices, 2, kernel_size, stride, padding, output_size, data_format)


def upsample_nearest2d(
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> jax.Array:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling2D).

    Shape:
        ``(N, C, H, W) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.upsample_nearest2d(jnp.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 8, 8)
    """
    return _lax.upsample(x, 2, scale_factor, data_format)


def max_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Max pooling over 3 spatial dim(s), as :func:`poolkit.max_pool3d`.

    Pads never win; NaN propagates; ties (and the gradient) go to the first maximum in
    window order. ``return_indices=True`` also returns flat per-(n, c)-plane indices
    (PyTorch's format; int64 with ``jax_enable_x64``, else int32).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.max_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 2, 2, 2)
    """
    return _lax.pool(
        x,
        "max",
        3,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices=return_indices,
        data_format=data_format,
    )


def avg_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> jax.Array:
    """Average pooling over 3 spatial dim(s), as :func:`poolkit.avg_pool3d`.

    ``count_include_pad=None`` counts numeric pads (PyTorch), not string pads (Keras 'same');
    the ceil-mode overhang never counts. Integer input gives JAX's default float type.

    Shape:
        ``(N, C, D, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.avg_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 2, 2, 2)
    """
    return _lax.pool(
        x,
        "avg",
        3,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
        data_format=data_format,
    )


def sum_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Sum pooling over 3 spatial dim(s): window totals, pads counting 0.

    Integers and bools accumulate in int64 (int32 without ``jax_enable_x64``).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> float(pj.sum_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2).max())
        8.0
    """
    return _lax.pool(
        x, "sum", 3, kernel_size, stride, padding, dilation, ceil_mode, data_format=data_format
    )


def lp_pool3d(
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Lp pooling over 3 spatial dim(s): ``(sum |x|^p)^(1/p)`` per window; ``p=inf`` is
    the max of ``|x|``. Pads count as 0.

    Shape:
        ``(N, C, D, H, W) -> (N, C, *out)``, ``out`` from :func:`poolkit.geometry.resolve`.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.lp_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2, 2).shape
        (1, 1, 2, 2, 2)
    """
    return _lax.pool(
        x,
        "lp",
        3,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        p=p,
        data_format=data_format,
    )


def global_max_pool3d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global max pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_max_pool3d(jnp.ones((1, 1, 4, 4, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "max", 3, keepdims=keepdims, data_format=data_format)


def global_avg_pool3d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global avg pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_avg_pool3d(jnp.ones((1, 1, 4, 4, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "avg", 3, keepdims=keepdims, data_format=data_format)


def global_sum_pool3d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global sum pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_sum_pool3d(jnp.ones((1, 1, 4, 4, 4))).shape
        (1, 1)
    """
    return _lax.global_pool(x, "sum", 3, keepdims=keepdims, data_format=data_format)


def global_lp_pool3d(
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> jax.Array:
    """Global lp pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.global_lp_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1)
    """
    return _lax.global_pool(x, "lp", 3, p=p, keepdims=keepdims, data_format=data_format)


def adaptive_max_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """Adaptive max pooling to ``output_size`` over 3 spatial dim(s) (PyTorch's bins).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.adaptive_max_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 2, 2, 2)
    """
    return _lax.adaptive_pool(x, "max", 3, output_size, return_indices, data_format)


def adaptive_avg_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> jax.Array:
    """Adaptive average pooling to ``output_size`` over 3 spatial dim(s) (PyTorch's bins).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.adaptive_avg_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 2, 2, 2)
    """
    return _lax.adaptive_pool(x, "avg", 3, output_size, False, data_format)


def max_unpool3d(
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> jax.Array:
    """Partial inverse of ``max_pool3d``: values back at their indices, 0 elsewhere.

    The value range of ``indices`` is checked only when they are concrete (not traced).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``, ``indices`` shaped like ``x``.

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> y, i = pj.max_pool3d(jnp.ones((1, 1, 4, 4, 4)), 2, return_indices=True)
        >>> pj.max_unpool3d(y, i, 2).shape
        (1, 1, 4, 4, 4)
    """
    return _lax.max_unpool(x, indices, 3, kernel_size, stride, padding, output_size, data_format)


def upsample_nearest3d(
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> jax.Array:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling3D).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import jax.numpy as jnp, poolkit.jax as pj
        >>> pj.upsample_nearest3d(jnp.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 8, 8, 8)
    """
    return _lax.upsample(x, 3, scale_factor, data_format)
