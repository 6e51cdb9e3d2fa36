# GENERATED FILE, do not edit: written by scripts/generate_api.py from its OPERATORS table.
# Regenerate with `python scripts/generate_api.py`; tests/test_generated.py checks it is current.
"""The public per-dimension names: ``max_pool1d``, ``avg_pool2d_backward``, ``global_lp_pool3d``...

Each is a one-line specialisation of a generic function in :mod:`poolkit.ops` with the number
of spatial dims fixed. They are written out here, one ``def`` each, by
``scripts/generate_api.py`` from one table, so the 1-, 2- and 3-d families cannot drift apart
while grep, type checkers, editors and ``help()`` all read real signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, SupportsFloat, SupportsIndex, TypeAlias, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from poolkit import ops

Size: TypeAlias = SupportsIndex | Sequence[SupportsIndex]
"""An int (every spatial dim) or one int per spatial dim."""
Padding: TypeAlias = (
    str | SupportsIndex | Sequence[SupportsIndex] | Sequence[Sequence[SupportsIndex]]
)
"""An int, one int per spatial dim, one ``(lo, hi)`` pair per dim, or a padding string."""
OutputSize: TypeAlias = SupportsIndex | Sequence[SupportsIndex | None]
"""Adaptive pooling's target: an int, or one int (or None: keep that dim) per spatial dim."""

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool1d_backward",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool2d_backward",
    "adaptive_avg_pool3d",
    "adaptive_avg_pool3d_backward",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_backward",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_backward",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_backward",
    "avg_pool1d",
    "avg_pool1d_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
    "avg_pool3d",
    "avg_pool3d_backward",
    "global_avg_pool1d",
    "global_avg_pool1d_backward",
    "global_avg_pool2d",
    "global_avg_pool2d_backward",
    "global_avg_pool3d",
    "global_avg_pool3d_backward",
    "global_lp_pool1d",
    "global_lp_pool1d_backward",
    "global_lp_pool2d",
    "global_lp_pool2d_backward",
    "global_lp_pool3d",
    "global_lp_pool3d_backward",
    "global_max_pool1d",
    "global_max_pool1d_backward",
    "global_max_pool2d",
    "global_max_pool2d_backward",
    "global_max_pool3d",
    "global_max_pool3d_backward",
    "global_sum_pool1d",
    "global_sum_pool1d_backward",
    "global_sum_pool2d",
    "global_sum_pool2d_backward",
    "global_sum_pool3d",
    "global_sum_pool3d_backward",
    "lp_pool1d",
    "lp_pool1d_backward",
    "lp_pool2d",
    "lp_pool2d_backward",
    "lp_pool3d",
    "lp_pool3d_backward",
    "max_pool1d",
    "max_pool1d_backward",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool3d",
    "max_pool3d_backward",
    "max_unpool1d",
    "max_unpool1d_backward",
    "max_unpool2d",
    "max_unpool2d_backward",
    "max_unpool3d",
    "max_unpool3d_backward",
    "sum_pool1d",
    "sum_pool1d_backward",
    "sum_pool2d",
    "sum_pool2d_backward",
    "sum_pool3d",
    "sum_pool3d_backward",
    "upsample_nearest1d",
    "upsample_nearest1d_backward",
    "upsample_nearest2d",
    "upsample_nearest2d_backward",
    "upsample_nearest3d",
    "upsample_nearest3d_backward",
]


@overload
def max_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    ...


@overload
def max_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def max_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None,
    padding: Padding,
    dilation: Size,
    ceil_mode: bool,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def max_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    ...


def max_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """Max pooling over 1 spatial dim(s), exactly as PyTorch's ``max_pool1d``.

    Pads never win; NaN propagates; ties go to the first element in window order. Integer and
    bool inputs keep their dtype. ``return_indices=True`` also returns int64 flat indices into
    each (n, c) plane (PyTorch's format; see :func:`poolkit.convert_indices`).

    Args:
        x: array ``(N, C, L)`` or unbatched ``(C, L)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.max_pool1d(np.arange(4.).reshape(1, 1, 4), 2).shape
        (1, 1, 2)
    """
    return ops.pool(
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


def max_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.max_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``max_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(4.).reshape(1, 1, 4)
        >>> g = poolkit.max_pool1d_backward(np.ones((1, 1, 2)), x, 2)
        >>> g.shape, float(g.sum())
        ((1, 1, 4), 2.0)
    """
    del return_indices  # accepted so the forward's keyword arguments pass unchanged
    return ops.pool_backward(
        grad_output,
        x,
        "max",
        1,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format=data_format,
    )


@overload
def max_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    ...


@overload
def max_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def max_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None,
    padding: Padding,
    dilation: Size,
    ceil_mode: bool,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def max_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    ...


def max_pool2d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """Max pooling over 2 spatial dim(s), exactly as PyTorch's ``max_pool2d``.

    Pads never win; NaN propagates; ties go to the first element in window order. Integer and
    bool inputs keep their dtype. ``return_indices=True`` also returns int64 flat indices into
    each (n, c) plane (PyTorch's format; see :func:`poolkit.convert_indices`).

    Args:
        x: array ``(N, C, H, W)`` or unbatched ``(C, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.max_pool2d(np.arange(16.).reshape(1, 1, 4, 4), 2).shape
        (1, 1, 2, 2)
    """
    return ops.pool(
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


def max_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.max_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``max_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(16.).reshape(1, 1, 4, 4)
        >>> g = poolkit.max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2)
        >>> g.shape, float(g.sum())
        ((1, 1, 4, 4), 4.0)
    """
    del return_indices  # accepted so the forward's keyword arguments pass unchanged
    return ops.pool_backward(
        grad_output,
        x,
        "max",
        2,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format=data_format,
    )


@overload
def max_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    ...


@overload
def max_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def max_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None,
    padding: Padding,
    dilation: Size,
    ceil_mode: bool,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def max_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    ...


def max_pool3d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """Max pooling over 3 spatial dim(s), exactly as PyTorch's ``max_pool3d``.

    Pads never win; NaN propagates; ties go to the first element in window order. Integer and
    bool inputs keep their dtype. ``return_indices=True`` also returns int64 flat indices into
    each (n, c) plane (PyTorch's format; see :func:`poolkit.convert_indices`).

    Args:
        x: array ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.max_pool3d(np.arange(64.).reshape(1, 1, 4, 4, 4), 2).shape
        (1, 1, 2, 2, 2)
    """
    return ops.pool(
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


def max_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.max_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``max_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(64.).reshape(1, 1, 4, 4, 4)
        >>> g = poolkit.max_pool3d_backward(np.ones((1, 1, 2, 2, 2)), x, 2)
        >>> g.shape, float(g.sum())
        ((1, 1, 4, 4, 4), 8.0)
    """
    del return_indices  # accepted so the forward's keyword arguments pass unchanged
    return ops.pool_backward(
        grad_output,
        x,
        "max",
        3,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
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
) -> NDArray[Any]:
    """Average pooling over 1 spatial dim(s).

    ``count_include_pad=None`` counts explicit numeric pads in the divisor (PyTorch) and leaves
    pads out for string padding (TensorFlow/Keras 'same'); the ceil-mode overhang never counts.
    ``divisor_override`` replaces the divisor. Returns floats (float64 for integer input).

    Args:
        x: array ``(N, C, L)`` or unbatched ``(C, L)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.avg_pool1d(np.ones((1, 1, 4)), 2).shape
        (1, 1, 2)
    """
    return ops.pool(
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


def avg_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.avg_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``avg_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4)), np.ones((1, 1, 2))
        >>> g = poolkit.avg_pool1d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / 2
        ((1, 1, 4), True)
    """
    return ops.pool_backward(
        grad_output,
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
) -> NDArray[Any]:
    """Average pooling over 2 spatial dim(s).

    ``count_include_pad=None`` counts explicit numeric pads in the divisor (PyTorch) and leaves
    pads out for string padding (TensorFlow/Keras 'same'); the ceil-mode overhang never counts.
    ``divisor_override`` replaces the divisor. Returns floats (float64 for integer input).

    Args:
        x: array ``(N, C, H, W)`` or unbatched ``(C, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.avg_pool2d(np.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 2, 2)
    """
    return ops.pool(
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


def avg_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.avg_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``avg_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
        >>> g = poolkit.avg_pool2d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / 4
        ((1, 1, 4, 4), True)
    """
    return ops.pool_backward(
        grad_output,
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
) -> NDArray[Any]:
    """Average pooling over 3 spatial dim(s).

    ``count_include_pad=None`` counts explicit numeric pads in the divisor (PyTorch) and leaves
    pads out for string padding (TensorFlow/Keras 'same'); the ceil-mode overhang never counts.
    ``divisor_override`` replaces the divisor. Returns floats (float64 for integer input).

    Args:
        x: array ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.avg_pool3d(np.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 2, 2, 2)
    """
    return ops.pool(
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


def avg_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.avg_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``avg_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4, 4)), np.ones((1, 1, 2, 2, 2))
        >>> g = poolkit.avg_pool3d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / 8
        ((1, 1, 4, 4, 4), True)
    """
    return ops.pool_backward(
        grad_output,
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


def sum_pool1d(
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Sum pooling over 1 spatial dim(s): the window total, pads counting 0.

    Integers and bools accumulate in int64.

    Args:
        x: array ``(N, C, L)`` or unbatched ``(C, L)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.sum_pool1d(np.ones((1, 1, 4)), 2).max()) == 2 ** 1
        True
    """
    return ops.pool(
        x, "sum", 1, kernel_size, stride, padding, dilation, ceil_mode, data_format=data_format
    )


def sum_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.sum_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``sum_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4)), np.ones((1, 1, 2))
        >>> g = poolkit.sum_pool1d_backward(grad, x, 2)
        >>> g.shape, float(g.min()), float(g.max())
        ((1, 1, 4), 1.0, 1.0)
    """
    return ops.pool_backward(
        grad_output,
        x,
        "sum",
        1,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
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
) -> NDArray[Any]:
    """Sum pooling over 2 spatial dim(s): the window total, pads counting 0.

    Integers and bools accumulate in int64.

    Args:
        x: array ``(N, C, H, W)`` or unbatched ``(C, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.sum_pool2d(np.ones((1, 1, 4, 4)), 2).max()) == 2 ** 2
        True
    """
    return ops.pool(
        x, "sum", 2, kernel_size, stride, padding, dilation, ceil_mode, data_format=data_format
    )


def sum_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.sum_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``sum_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
        >>> g = poolkit.sum_pool2d_backward(grad, x, 2)
        >>> g.shape, float(g.min()), float(g.max())
        ((1, 1, 4, 4), 1.0, 1.0)
    """
    return ops.pool_backward(
        grad_output,
        x,
        "sum",
        2,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
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
) -> NDArray[Any]:
    """Sum pooling over 3 spatial dim(s): the window total, pads counting 0.

    Integers and bools accumulate in int64.

    Args:
        x: array ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.sum_pool3d(np.ones((1, 1, 4, 4, 4)), 2).max()) == 2 ** 3
        True
    """
    return ops.pool(
        x, "sum", 3, kernel_size, stride, padding, dilation, ceil_mode, data_format=data_format
    )


def sum_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.sum_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``sum_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4, 4)), np.ones((1, 1, 2, 2, 2))
        >>> g = poolkit.sum_pool3d_backward(grad, x, 2)
        >>> g.shape, float(g.min()), float(g.max())
        ((1, 1, 4, 4, 4), 1.0, 1.0)
    """
    return ops.pool_backward(
        grad_output,
        x,
        "sum",
        3,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format=data_format,
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
) -> NDArray[Any]:
    """Lp pooling over 1 spatial dim(s): ``(sum |x|^p)^(1/p)`` per window (ONNX).

    Pads count as 0. Equal to PyTorch's ``lp_pool1d`` wherever ``x >= 0`` (PyTorch drops the
    absolute value). ``p=inf`` gives the max of ``|x|``.

    Args:
        x: array ``(N, C, L)`` or unbatched ``(C, L)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.lp_pool1d(np.ones((1, 1, 4)), 2, 2).max()) == (2 ** 1) ** 0.5
        True
    """
    return ops.pool(
        x, "lp", 1, kernel_size, stride, padding, dilation, ceil_mode, p=p, data_format=data_format
    )


def lp_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.lp_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``lp_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4)), np.ones((1, 1, 2))
        >>> g = poolkit.lp_pool1d_backward(grad, x, 2, 2)
        >>> g.shape, bool(np.allclose(g, 1 / (2 ** 1) ** 0.5))
        ((1, 1, 4), True)
    """
    return ops.pool_backward(
        grad_output,
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


def lp_pool2d(
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Lp pooling over 2 spatial dim(s): ``(sum |x|^p)^(1/p)`` per window (ONNX).

    Pads count as 0. Equal to PyTorch's ``lp_pool2d`` wherever ``x >= 0`` (PyTorch drops the
    absolute value). ``p=inf`` gives the max of ``|x|``.

    Args:
        x: array ``(N, C, H, W)`` or unbatched ``(C, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.lp_pool2d(np.ones((1, 1, 4, 4)), 2, 2).max()) == (2 ** 2) ** 0.5
        True
    """
    return ops.pool(
        x, "lp", 2, kernel_size, stride, padding, dilation, ceil_mode, p=p, data_format=data_format
    )


def lp_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.lp_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``lp_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
        >>> g = poolkit.lp_pool2d_backward(grad, x, 2, 2)
        >>> g.shape, bool(np.allclose(g, 1 / (2 ** 2) ** 0.5))
        ((1, 1, 4, 4), True)
    """
    return ops.pool_backward(
        grad_output,
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


def lp_pool3d(
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Lp pooling over 3 spatial dim(s): ``(sum |x|^p)^(1/p)`` per window (ONNX).

    Pads count as 0. Equal to PyTorch's ``lp_pool3d`` wherever ``x >= 0`` (PyTorch drops the
    absolute value). ``p=inf`` gives the max of ``|x|``.

    Args:
        x: array ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).

    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.lp_pool3d(np.ones((1, 1, 4, 4, 4)), 2, 2).max()) == (2 ** 3) ** 0.5
        True
    """
    return ops.pool(
        x, "lp", 3, kernel_size, stride, padding, dilation, ceil_mode, p=p, data_format=data_format
    )


def lp_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.lp_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``lp_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4, 4)), np.ones((1, 1, 2, 2, 2))
        >>> g = poolkit.lp_pool3d_backward(grad, x, 2, 2)
        >>> g.shape, bool(np.allclose(g, 1 / (2 ** 3) ** 0.5))
        ((1, 1, 4, 4, 4), True)
    """
    return ops.pool_backward(
        grad_output,
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


def global_max_pool1d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global max pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_max_pool1d(np.ones((1, 1, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "max", 1, keepdims=keepdims, data_format=data_format)


def global_max_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_max_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_max_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(4.).reshape(1, 1, 4)
        >>> g = poolkit.global_max_pool1d_backward(np.ones((1, 1)), x)
        >>> g.shape, float(g.sum()), float(g.flat[-1])
        ((1, 1, 4), 1.0, 1.0)
    """
    return ops.global_pool_backward(
        grad_output, x, "max", 1, keepdims=keepdims, data_format=data_format
    )


def global_max_pool2d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global max pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_max_pool2d(np.ones((1, 1, 4, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "max", 2, keepdims=keepdims, data_format=data_format)


def global_max_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_max_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_max_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(16.).reshape(1, 1, 4, 4)
        >>> g = poolkit.global_max_pool2d_backward(np.ones((1, 1)), x)
        >>> g.shape, float(g.sum()), float(g.flat[-1])
        ((1, 1, 4, 4), 1.0, 1.0)
    """
    return ops.global_pool_backward(
        grad_output, x, "max", 2, keepdims=keepdims, data_format=data_format
    )


def global_max_pool3d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global max pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_max_pool3d(np.ones((1, 1, 4, 4, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "max", 3, keepdims=keepdims, data_format=data_format)


def global_max_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_max_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_max_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(64.).reshape(1, 1, 4, 4, 4)
        >>> g = poolkit.global_max_pool3d_backward(np.ones((1, 1)), x)
        >>> g.shape, float(g.sum()), float(g.flat[-1])
        ((1, 1, 4, 4, 4), 1.0, 1.0)
    """
    return ops.global_pool_backward(
        grad_output, x, "max", 3, keepdims=keepdims, data_format=data_format
    )


def global_avg_pool1d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global avg pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_avg_pool1d(np.ones((1, 1, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "avg", 1, keepdims=keepdims, data_format=data_format)


def global_avg_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_avg_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_avg_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4)), np.ones((1, 1))
        >>> g = poolkit.global_avg_pool1d_backward(grad, x)
        >>> g.shape, float(g.max()) == 1 / 4
        ((1, 1, 4), True)
    """
    return ops.global_pool_backward(
        grad_output, x, "avg", 1, keepdims=keepdims, data_format=data_format
    )


def global_avg_pool2d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global avg pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_avg_pool2d(np.ones((1, 1, 4, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "avg", 2, keepdims=keepdims, data_format=data_format)


def global_avg_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_avg_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_avg_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4)), np.ones((1, 1))
        >>> g = poolkit.global_avg_pool2d_backward(grad, x)
        >>> g.shape, float(g.max()) == 1 / 16
        ((1, 1, 4, 4), True)
    """
    return ops.global_pool_backward(
        grad_output, x, "avg", 2, keepdims=keepdims, data_format=data_format
    )


def global_avg_pool3d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global avg pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_avg_pool3d(np.ones((1, 1, 4, 4, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "avg", 3, keepdims=keepdims, data_format=data_format)


def global_avg_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_avg_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_avg_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4, 4)), np.ones((1, 1))
        >>> g = poolkit.global_avg_pool3d_backward(grad, x)
        >>> g.shape, float(g.max()) == 1 / 64
        ((1, 1, 4, 4, 4), True)
    """
    return ops.global_pool_backward(
        grad_output, x, "avg", 3, keepdims=keepdims, data_format=data_format
    )


def global_sum_pool1d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global sum pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_sum_pool1d(np.ones((1, 1, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "sum", 1, keepdims=keepdims, data_format=data_format)


def global_sum_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_sum_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_sum_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4)), np.ones((1, 1))
        >>> g = poolkit.global_sum_pool1d_backward(grad, x)
        >>> g.shape, float(g.min()), float(g.max())
        ((1, 1, 4), 1.0, 1.0)
    """
    return ops.global_pool_backward(
        grad_output, x, "sum", 1, keepdims=keepdims, data_format=data_format
    )


def global_sum_pool2d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global sum pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_sum_pool2d(np.ones((1, 1, 4, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "sum", 2, keepdims=keepdims, data_format=data_format)


def global_sum_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_sum_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_sum_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4)), np.ones((1, 1))
        >>> g = poolkit.global_sum_pool2d_backward(grad, x)
        >>> g.shape, float(g.min()), float(g.max())
        ((1, 1, 4, 4), 1.0, 1.0)
    """
    return ops.global_pool_backward(
        grad_output, x, "sum", 2, keepdims=keepdims, data_format=data_format
    )


def global_sum_pool3d(
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global sum pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_sum_pool3d(np.ones((1, 1, 4, 4, 4))).shape
        (1, 1)
    """
    return ops.global_pool(x, "sum", 3, keepdims=keepdims, data_format=data_format)


def global_sum_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_sum_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_sum_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4, 4)), np.ones((1, 1))
        >>> g = poolkit.global_sum_pool3d_backward(grad, x)
        >>> g.shape, float(g.min()), float(g.max())
        ((1, 1, 4, 4, 4), 1.0, 1.0)
    """
    return ops.global_pool_backward(
        grad_output, x, "sum", 3, keepdims=keepdims, data_format=data_format
    )


def global_lp_pool1d(
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global lp pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_lp_pool1d(np.ones((1, 1, 4)), 2).shape
        (1, 1)
    """
    return ops.global_pool(x, "lp", 1, p=p, keepdims=keepdims, data_format=data_format)


def global_lp_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_lp_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_lp_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4)), np.ones((1, 1))
        >>> g = poolkit.global_lp_pool1d_backward(grad, x, 2)
        >>> g.shape, bool(np.allclose(g, 1 / 2 ** 1))
        ((1, 1, 4), True)
    """
    return ops.global_pool_backward(
        grad_output, x, "lp", 1, p=p, keepdims=keepdims, data_format=data_format
    )


def global_lp_pool2d(
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global lp pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_lp_pool2d(np.ones((1, 1, 4, 4)), 2).shape
        (1, 1)
    """
    return ops.global_pool(x, "lp", 2, p=p, keepdims=keepdims, data_format=data_format)


def global_lp_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_lp_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_lp_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4)), np.ones((1, 1))
        >>> g = poolkit.global_lp_pool2d_backward(grad, x, 2)
        >>> g.shape, bool(np.allclose(g, 1 / 2 ** 2))
        ((1, 1, 4, 4), True)
    """
    return ops.global_pool_backward(
        grad_output, x, "lp", 2, p=p, keepdims=keepdims, data_format=data_format
    )


def global_lp_pool3d(
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Global lp pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_lp_pool3d(np.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1)
    """
    return ops.global_pool(x, "lp", 3, p=p, keepdims=keepdims, data_format=data_format)


def global_lp_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.global_lp_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``global_lp_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4, 4)), np.ones((1, 1))
        >>> g = poolkit.global_lp_pool3d_backward(grad, x, 2)
        >>> g.shape, bool(np.allclose(g, 1 / 2 ** 3))
        ((1, 1, 4, 4, 4), True)
    """
    return ops.global_pool_backward(
        grad_output, x, "lp", 3, p=p, keepdims=keepdims, data_format=data_format
    )


@overload
def adaptive_max_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    ...


@overload
def adaptive_max_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def adaptive_max_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def adaptive_max_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    ...


def adaptive_max_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """Adaptive max pooling to ``output_size`` over 1 spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_max_pool1d(np.ones((1, 1, 4)), 2).shape
        (1, 1, 2)
    """
    return ops.adaptive_pool(x, "max", 1, output_size, return_indices, data_format)


def adaptive_max_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.adaptive_max_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``adaptive_max_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(4.).reshape(1, 1, 4)
        >>> g = poolkit.adaptive_max_pool1d_backward(np.ones((1, 1, 2)), x, 2)
        >>> g.shape, float(g.sum())
        ((1, 1, 4), 2.0)
    """
    del return_indices  # accepted so the forward's keyword arguments pass unchanged
    return ops.adaptive_pool_backward(grad_output, x, "max", 1, output_size, data_format)


@overload
def adaptive_max_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    ...


@overload
def adaptive_max_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def adaptive_max_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def adaptive_max_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    ...


def adaptive_max_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """Adaptive max pooling to ``output_size`` over 2 spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_max_pool2d(np.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 2, 2)
    """
    return ops.adaptive_pool(x, "max", 2, output_size, return_indices, data_format)


def adaptive_max_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.adaptive_max_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``adaptive_max_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(16.).reshape(1, 1, 4, 4)
        >>> g = poolkit.adaptive_max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2)
        >>> g.shape, float(g.sum())
        ((1, 1, 4, 4), 4.0)
    """
    del return_indices  # accepted so the forward's keyword arguments pass unchanged
    return ops.adaptive_pool_backward(grad_output, x, "max", 2, output_size, data_format)


@overload
def adaptive_max_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    ...


@overload
def adaptive_max_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def adaptive_max_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    ...


@overload
def adaptive_max_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    ...


def adaptive_max_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]]:
    """Adaptive max pooling to ``output_size`` over 3 spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_max_pool3d(np.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 2, 2, 2)
    """
    return ops.adaptive_pool(x, "max", 3, output_size, return_indices, data_format)


def adaptive_max_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.adaptive_max_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``adaptive_max_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(64.).reshape(1, 1, 4, 4, 4)
        >>> g = poolkit.adaptive_max_pool3d_backward(np.ones((1, 1, 2, 2, 2)), x, 2)
        >>> g.shape, float(g.sum())
        ((1, 1, 4, 4, 4), 8.0)
    """
    del return_indices  # accepted so the forward's keyword arguments pass unchanged
    return ops.adaptive_pool_backward(grad_output, x, "max", 3, output_size, data_format)


def adaptive_avg_pool1d(
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Adaptive avg pooling to ``output_size`` over 1 spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_avg_pool1d(np.ones((1, 1, 4)), 2).shape
        (1, 1, 2)
    """
    return ops.adaptive_pool(x, "avg", 1, output_size, data_format=data_format)


def adaptive_avg_pool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.adaptive_avg_pool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``adaptive_avg_pool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4)), np.ones((1, 1, 2))
        >>> g = poolkit.adaptive_avg_pool1d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / 2
        ((1, 1, 4), True)
    """
    return ops.adaptive_pool_backward(grad_output, x, "avg", 1, output_size, data_format)


def adaptive_avg_pool2d(
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Adaptive avg pooling to ``output_size`` over 2 spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_avg_pool2d(np.ones((1, 1, 4, 4)), 2).shape
        (1, 1, 2, 2)
    """
    return ops.adaptive_pool(x, "avg", 2, output_size, data_format=data_format)


def adaptive_avg_pool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.adaptive_avg_pool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``adaptive_avg_pool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
        >>> g = poolkit.adaptive_avg_pool2d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / 4
        ((1, 1, 4, 4), True)
    """
    return ops.adaptive_pool_backward(grad_output, x, "avg", 2, output_size, data_format)


def adaptive_avg_pool3d(
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Adaptive avg pooling to ``output_size`` over 3 spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_avg_pool3d(np.ones((1, 1, 4, 4, 4)), 2).shape
        (1, 1, 2, 2, 2)
    """
    return ops.adaptive_pool(x, "avg", 3, output_size, data_format=data_format)


def adaptive_avg_pool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.adaptive_avg_pool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).

    Shape:
        ``grad_output``: what ``adaptive_avg_pool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 4, 4, 4)), np.ones((1, 1, 2, 2, 2))
        >>> g = poolkit.adaptive_avg_pool3d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / 8
        ((1, 1, 4, 4, 4), True)
    """
    return ops.adaptive_pool_backward(grad_output, x, "avg", 3, output_size, data_format)


def max_unpool1d(
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Partial inverse of ``max_pool1d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool1d(..., return_indices=True)``
    returns. The output size defaults to ``(L_in - 1)*stride - lo - hi + kernel_size`` per
    dim; ``output_size`` (spatial, or a full shape) overrides it.

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``, ``indices`` shaped like ``x``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(4.).reshape(1, 1, 4)
        >>> y, i = poolkit.max_pool1d(x, 2, return_indices=True)
        >>> poolkit.max_unpool1d(y, i, 2).shape
        (1, 1, 4)
    """
    return ops.max_unpool(x, indices, 1, kernel_size, stride, padding, output_size, data_format)


def max_unpool1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.max_unpool1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).
    The gradient is ``grad_output`` read at ``indices``.

    Shape:
        ``grad_output``: what ``max_unpool1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(4.).reshape(1, 1, 4)
        >>> y, i = poolkit.max_pool1d(x, 2, return_indices=True)
        >>> g = poolkit.max_unpool1d_backward(x, y, i, 2)
        >>> g.shape, bool((g == y).all())
        ((1, 1, 2), True)
    """
    return ops.max_unpool_backward(
        grad_output, x, indices, 1, kernel_size, stride, padding, output_size, data_format
    )


def max_unpool2d(
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Partial inverse of ``max_pool2d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool2d(..., return_indices=True)``
    returns. The output size defaults to ``(L_in - 1)*stride - lo - hi + kernel_size`` per
    dim; ``output_size`` (spatial, or a full shape) overrides it.

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``, ``indices`` shaped like ``x``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(16.).reshape(1, 1, 4, 4)
        >>> y, i = poolkit.max_pool2d(x, 2, return_indices=True)
        >>> poolkit.max_unpool2d(y, i, 2).shape
        (1, 1, 4, 4)
    """
    return ops.max_unpool(x, indices, 2, kernel_size, stride, padding, output_size, data_format)


def max_unpool2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.max_unpool2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).
    The gradient is ``grad_output`` read at ``indices``.

    Shape:
        ``grad_output``: what ``max_unpool2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(16.).reshape(1, 1, 4, 4)
        >>> y, i = poolkit.max_pool2d(x, 2, return_indices=True)
        >>> g = poolkit.max_unpool2d_backward(x, y, i, 2)
        >>> g.shape, bool((g == y).all())
        ((1, 1, 2, 2), True)
    """
    return ops.max_unpool_backward(
        grad_output, x, indices, 2, kernel_size, stride, padding, output_size, data_format
    )


def max_unpool3d(
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Partial inverse of ``max_pool3d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool3d(..., return_indices=True)``
    returns. The output size defaults to ``(L_in - 1)*stride - lo - hi + kernel_size`` per
    dim; ``output_size`` (spatial, or a full shape) overrides it.

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``, ``indices`` shaped like ``x``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(64.).reshape(1, 1, 4, 4, 4)
        >>> y, i = poolkit.max_pool3d(x, 2, return_indices=True)
        >>> poolkit.max_unpool3d(y, i, 2).shape
        (1, 1, 4, 4, 4)
    """
    return ops.max_unpool(x, indices, 3, kernel_size, stride, padding, output_size, data_format)


def max_unpool3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    indices: ArrayLike,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.max_unpool3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).
    The gradient is ``grad_output`` read at ``indices``.

    Shape:
        ``grad_output``: what ``max_unpool3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange(64.).reshape(1, 1, 4, 4, 4)
        >>> y, i = poolkit.max_pool3d(x, 2, return_indices=True)
        >>> g = poolkit.max_unpool3d_backward(x, y, i, 2)
        >>> g.shape, bool((g == y).all())
        ((1, 1, 2, 2, 2), True)
    """
    return ops.max_unpool_backward(
        grad_output, x, indices, 3, kernel_size, stride, padding, output_size, data_format
    )


def upsample_nearest1d(
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling1D).

    Shape:
        ``(N, C, L) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.upsample_nearest1d(np.ones((1, 1, 2)), 2).shape
        (1, 1, 4)
    """
    return ops.upsample(x, 1, scale_factor, data_format)


def upsample_nearest1d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.upsample_nearest1d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).
    Each ``x`` element gets the sum of its ``scale_factor`` block.

    Shape:
        ``grad_output``: what ``upsample_nearest1d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 2)), np.ones((1, 1, 4))
        >>> g = poolkit.upsample_nearest1d_backward(grad, x, 2)
        >>> g.shape, float(g.max())
        ((1, 1, 2), 2.0)
    """
    return ops.upsample_backward(grad_output, x, 1, scale_factor, data_format)


def upsample_nearest2d(
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling2D).

    Shape:
        ``(N, C, H, W) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.upsample_nearest2d(np.ones((1, 1, 2, 2)), 2).shape
        (1, 1, 4, 4)
    """
    return ops.upsample(x, 2, scale_factor, data_format)


def upsample_nearest2d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.upsample_nearest2d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).
    Each ``x`` element gets the sum of its ``scale_factor`` block.

    Shape:
        ``grad_output``: what ``upsample_nearest2d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 2, 2)), np.ones((1, 1, 4, 4))
        >>> g = poolkit.upsample_nearest2d_backward(grad, x, 2)
        >>> g.shape, float(g.max())
        ((1, 1, 2, 2), 4.0)
    """
    return ops.upsample_backward(grad_output, x, 2, scale_factor, data_format)


def upsample_nearest3d(
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling3D).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.upsample_nearest3d(np.ones((1, 1, 2, 2, 2)), 2).shape
        (1, 1, 4, 4, 4)
    """
    return ops.upsample(x, 3, scale_factor, data_format)


def upsample_nearest3d_backward(
    grad_output: ArrayLike,
    x: ArrayLike,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> NDArray[Any]:
    """Gradient of :func:`poolkit.upsample_nearest3d` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).
    Each ``x`` element gets the sum of its ``scale_factor`` block.

    Shape:
        ``grad_output``: what ``upsample_nearest3d(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
        >>> x, grad = np.ones((1, 1, 2, 2, 2)), np.ones((1, 1, 4, 4, 4))
        >>> g = poolkit.upsample_nearest3d_backward(grad, x, 2)
        >>> g.shape, float(g.max())
        ((1, 1, 2, 2, 2), 8.0)
    """
    return ops.upsample_backward(grad_output, x, 3, scale_factor, data_format)


OPERATORS: dict[str, Callable[..., Any]] = {
    "max_pool1d": max_pool1d,
    "max_pool1d_backward": max_pool1d_backward,
    "max_pool2d": max_pool2d,
    "max_pool2d_backward": max_pool2d_backward,
    "max_pool3d": max_pool3d,
    "max_pool3d_backward": max_pool3d_backward,
    "avg_pool1d": avg_pool1d,
    "avg_pool1d_backward": avg_pool1d_backward,
    "avg_pool2d": avg_pool2d,
    "avg_pool2d_backward": avg_pool2d_backward,
    "avg_pool3d": avg_pool3d,
    "avg_pool3d_backward": avg_pool3d_backward,
    "sum_pool1d": sum_pool1d,
    "sum_pool1d_backward": sum_pool1d_backward,
    "sum_pool2d": sum_pool2d,
    "sum_pool2d_backward": sum_pool2d_backward,
    "sum_pool3d": sum_pool3d,
    "sum_pool3d_backward": sum_pool3d_backward,
    "lp_pool1d": lp_pool1d,
    "lp_pool1d_backward": lp_pool1d_backward,
    "lp_pool2d": lp_pool2d,
    "lp_pool2d_backward": lp_pool2d_backward,
    "lp_pool3d": lp_pool3d,
    "lp_pool3d_backward": lp_pool3d_backward,
    "global_max_pool1d": global_max_pool1d,
    "global_max_pool1d_backward": global_max_pool1d_backward,
    "global_max_pool2d": global_max_pool2d,
    "global_max_pool2d_backward": global_max_pool2d_backward,
    "global_max_pool3d": global_max_pool3d,
    "global_max_pool3d_backward": global_max_pool3d_backward,
    "global_avg_pool1d": global_avg_pool1d,
    "global_avg_pool1d_backward": global_avg_pool1d_backward,
    "global_avg_pool2d": global_avg_pool2d,
    "global_avg_pool2d_backward": global_avg_pool2d_backward,
    "global_avg_pool3d": global_avg_pool3d,
    "global_avg_pool3d_backward": global_avg_pool3d_backward,
    "global_sum_pool1d": global_sum_pool1d,
    "global_sum_pool1d_backward": global_sum_pool1d_backward,
    "global_sum_pool2d": global_sum_pool2d,
    "global_sum_pool2d_backward": global_sum_pool2d_backward,
    "global_sum_pool3d": global_sum_pool3d,
    "global_sum_pool3d_backward": global_sum_pool3d_backward,
    "global_lp_pool1d": global_lp_pool1d,
    "global_lp_pool1d_backward": global_lp_pool1d_backward,
    "global_lp_pool2d": global_lp_pool2d,
    "global_lp_pool2d_backward": global_lp_pool2d_backward,
    "global_lp_pool3d": global_lp_pool3d,
    "global_lp_pool3d_backward": global_lp_pool3d_backward,
    "adaptive_max_pool1d": adaptive_max_pool1d,
    "adaptive_max_pool1d_backward": adaptive_max_pool1d_backward,
    "adaptive_max_pool2d": adaptive_max_pool2d,
    "adaptive_max_pool2d_backward": adaptive_max_pool2d_backward,
    "adaptive_max_pool3d": adaptive_max_pool3d,
    "adaptive_max_pool3d_backward": adaptive_max_pool3d_backward,
    "adaptive_avg_pool1d": adaptive_avg_pool1d,
    "adaptive_avg_pool1d_backward": adaptive_avg_pool1d_backward,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
    "adaptive_avg_pool2d_backward": adaptive_avg_pool2d_backward,
    "adaptive_avg_pool3d": adaptive_avg_pool3d,
    "adaptive_avg_pool3d_backward": adaptive_avg_pool3d_backward,
    "max_unpool1d": max_unpool1d,
    "max_unpool1d_backward": max_unpool1d_backward,
    "max_unpool2d": max_unpool2d,
    "max_unpool2d_backward": max_unpool2d_backward,
    "max_unpool3d": max_unpool3d,
    "max_unpool3d_backward": max_unpool3d_backward,
    "upsample_nearest1d": upsample_nearest1d,
    "upsample_nearest1d_backward": upsample_nearest1d_backward,
    "upsample_nearest2d": upsample_nearest2d,
    "upsample_nearest2d_backward": upsample_nearest2d_backward,
    "upsample_nearest3d": upsample_nearest3d,
    "upsample_nearest3d_backward": upsample_nearest3d_backward,
}
"""Every public operator by name."""
