"""The public NumPy API: thin wrappers over one internal ``pool`` per operator family.

Each public name (``max_pool2d``, ``avg_pool3d_backward``, ...) is a one-line specialisation of
a generic function below with the number of spatial dims fixed. Arguments are normalised once,
at this entry, into a :class:`~poolkit.geometry.Window`; the algorithms behind
:mod:`poolkit._dispatch` see only resolved geometry and channels-first views.
"""

from __future__ import annotations

import math

import numpy as np

from poolkit import _dispatch
from poolkit._args import (
    as_int,
    check_bool,
    check_divisor_override,
    check_not_tensor,
    check_optional_bool,
    check_output_size,
    check_p,
    describe,
    normalize_padding,
    to_tuple,
)
from poolkit._layout import as_array, check_grad, from_channels_first, to_channels_first
from poolkit.errors import PoolingError
from poolkit.geometry import resolve, unpool_default_length
from poolkit.limits import check_allocation
from poolkit.reducers import result_dtype

# --------------------------------------------------------------------------- shared pieces


def default_count_include_pad(count_include_pad, padding) -> bool:
    """``None`` means True for numeric padding (PyTorch) and False for the padding strings
    (TensorFlow/Keras leave 'SAME' pads out of the average); an explicit value always wins."""
    explicit = check_optional_bool(count_include_pad, "count_include_pad")
    if explicit is not None:
        return explicit
    return not isinstance(padding, str)


def _grad_dtype(x: np.ndarray) -> np.dtype:
    """Gradients come back in x's float type (float64 for integer and bool inputs)."""
    return result_dtype("avg", x.dtype)


def _window_setup(x, reducer, n, kernel_size, stride, padding, dilation, ceil_mode, data_format):
    array = as_array(x, reducer)
    view, batched, layout = to_channels_first(array, n, data_format)
    window = resolve(
        view.shape[2:], kernel_size, stride, padding, dilation, check_bool(ceil_mode, "ceil_mode")
    )
    return view, batched, layout, window


def _options(reducer, padding, count_include_pad, divisor_override, p) -> dict:
    if reducer == "avg":
        return {
            "count_include_pad": default_count_include_pad(count_include_pad, padding),
            "divisor_override": check_divisor_override(divisor_override),
        }
    if reducer == "lp":
        return {"p": check_p(p)}
    return {}


def _expected_output_shape(view, batched, layout, spatial_out) -> tuple[int, ...]:
    n_, c_ = view.shape[:2]
    shape = (c_, *spatial_out) if layout == "channels_first" else (*spatial_out, c_)
    return (n_, *shape) if batched else shape


# --------------------------------------------------------------------------- window pooling


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
    """Windowed pooling with ``reducer`` (``max``/``sum``/``avg``/``lp``) over ``n`` spatial dims.

    The public ``<reducer>_pool<n>d`` functions are this with ``reducer`` and ``n`` fixed.
    """
    check_not_tensor(f"{reducer}_pool{n}d", x=x)
    view, batched, layout, window = _window_setup(
        x, reducer, n, kernel_size, stride, padding, dilation, ceil_mode, data_format
    )
    options = _options(reducer, padding, count_include_pad, divisor_override, p)
    with_indices = reducer == "max" and check_bool(return_indices, "return_indices")
    check_allocation(
        (*view.shape[:2], *window.output_shape),
        result_dtype(reducer, view.dtype),
        because=lambda: (
            f"kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}, "
            f"dilation={dilation!r} on spatial size {tuple(view.shape[2:])}"
        ),
        extra_itemsize=8 if with_indices else 0,
    )
    if with_indices:
        out, indices = _dispatch.window_forward("max", view, window, return_indices=True)
        return (
            from_channels_first(out, batched, layout),
            from_channels_first(indices, batched, layout),
        )
    out = _dispatch.window_forward(reducer, view, window, **options)
    return from_channels_first(out, batched, layout)


def pool_backward(
    grad_output,
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
    data_format="channels_first",
):
    """Gradient of :func:`pool` with respect to ``x``, same shape and layout as ``x``."""
    check_not_tensor(f"{reducer}_pool{n}d_backward", grad_output=grad_output, x=x)
    view, batched, layout, window = _window_setup(
        x, reducer, n, kernel_size, stride, padding, dilation, ceil_mode, data_format
    )
    options = _options(reducer, padding, count_include_pad, divisor_override, p)
    grad = check_grad(
        grad_output, _expected_output_shape(view, batched, layout, window.output_shape)
    )
    grad_view, _, _ = to_channels_first(grad, n, layout, "grad_output")
    result = _dispatch.window_backward(reducer, grad_view, view, window, **options)
    return from_channels_first(result.astype(_grad_dtype(view), copy=False), batched, layout)


# --------------------------------------------------------------------------- adaptive pooling


def adaptive_pool(x, reducer, n, output_size, return_indices=False, data_format="channels_first"):
    """Adaptive ``max`` or ``avg`` pooling to ``output_size`` with PyTorch's bins."""
    check_not_tensor(f"adaptive_{reducer}_pool{n}d", x=x)
    view, batched, layout = to_channels_first(as_array(x, reducer), n, data_format)
    size = check_output_size(output_size, view.shape[2:])
    with_indices = reducer == "max" and check_bool(return_indices, "return_indices")
    check_allocation(
        (*view.shape[:2], *size),
        result_dtype(reducer, view.dtype),
        because=lambda: f"output_size={output_size!r}",
        extra_itemsize=8 if with_indices else 0,
    )
    if with_indices:
        out, indices = _dispatch.adaptive_forward("max", view, size, return_indices=True)
        return (
            from_channels_first(out, batched, layout),
            from_channels_first(indices, batched, layout),
        )
    return from_channels_first(_dispatch.adaptive_forward(reducer, view, size), batched, layout)


def adaptive_pool_backward(grad_output, x, reducer, n, output_size, data_format="channels_first"):
    """Gradient of :func:`adaptive_pool` with respect to ``x``."""
    check_not_tensor(f"adaptive_{reducer}_pool{n}d_backward", grad_output=grad_output, x=x)
    view, batched, layout = to_channels_first(as_array(x, reducer), n, data_format)
    size = check_output_size(output_size, view.shape[2:])
    grad = check_grad(grad_output, _expected_output_shape(view, batched, layout, size))
    grad_view, _, _ = to_channels_first(grad, n, layout, "grad_output")
    result = _dispatch.adaptive_backward(reducer, grad_view, view, size)
    return from_channels_first(result.astype(_grad_dtype(view), copy=False), batched, layout)


# --------------------------------------------------------------------------- global pooling


def _global_shape(view, batched, layout, keepdims) -> tuple[int, ...]:
    if keepdims:
        return _expected_output_shape(view, batched, layout, (1,) * (view.ndim - 2))
    return (view.shape[0], view.shape[1]) if batched else (view.shape[1],)


def global_pool(x, reducer, n, p=2.0, keepdims=False, data_format="channels_first"):
    """The window is the whole map: one number per channel. Shape ``(N, C)`` (or kept dims)."""
    check_not_tensor(f"global_{reducer}_pool{n}d", x=x)
    view, batched, layout = to_channels_first(as_array(x, reducer), n, data_format)
    keep = check_bool(keepdims, "keepdims")
    p = check_p(p) if reducer == "lp" else p
    out = from_channels_first(_dispatch.global_forward(reducer, view, p), batched, layout)
    return out.reshape(_global_shape(view, batched, layout, keep))


def global_pool_backward(
    grad_output, x, reducer, n, p=2.0, keepdims=False, data_format="channels_first"
):
    """Gradient of :func:`global_pool` with respect to ``x``."""
    check_not_tensor(f"global_{reducer}_pool{n}d_backward", grad_output=grad_output, x=x)
    view, batched, layout = to_channels_first(as_array(x, reducer), n, data_format)
    keep = check_bool(keepdims, "keepdims")
    p = check_p(p) if reducer == "lp" else p
    grad = check_grad(grad_output, _global_shape(view, batched, layout, keep))
    grad_view = grad.reshape(view.shape[:2] + (1,) * n)
    result = _dispatch.global_backward(reducer, grad_view, view, p)
    return from_channels_first(result.astype(_grad_dtype(view), copy=False), batched, layout)


# --------------------------------------------------------------------------- unpooling


def unpool_spatial_size(
    spatial_in, n, kernel_size, stride, padding, output_size, data_format="channels_first"
) -> tuple[int, ...]:
    """The unpooled map's spatial size: ``output_size`` (spatial, or a full shape), else the
    default ``(L_in - 1)*stride - lo - hi + kernel_size`` per dim. Shared by every front end."""
    kernel = to_tuple(kernel_size, n, "kernel_size")  # checked even where output_size rules
    strides = kernel if stride is None else to_tuple(stride, n, "stride")
    if output_size is not None:
        return _check_unpool_output_size(output_size, n, data_format)
    pads = normalize_padding(padding, n)
    if isinstance(pads, str):
        if pads != "valid":
            raise PoolingError(
                f"padding={padding!r} does not say how large the unpooled map is; pass "
                f"output_size (the pooled input's shape) or numeric padding"
            )
        pads = ((0, 0),) * n
    spatial_out = tuple(
        unpool_default_length(L, k, s, lo, hi)
        for L, k, s, (lo, hi) in zip(spatial_in, kernel, strides, pads, strict=True)
    )
    if any(size < 1 for size in spatial_out):
        raise PoolingError(
            f"padding={padding!r} is too large for kernel_size={kernel_size!r}: the default "
            f"unpooled size would be {spatial_out}; pass output_size"
        )
    return spatial_out


def _unpool_setup(x, indices, n, kernel_size, stride, padding, output_size, data_format):
    view, batched, layout = to_channels_first(as_array(x, "max_unpool"), n, data_format)
    spatial_out = unpool_spatial_size(
        view.shape[2:], n, kernel_size, stride, padding, output_size, layout
    )
    check_allocation(
        (*view.shape[:2], *spatial_out),
        view.dtype,
        because=lambda: (
            f"output_size={output_size!r}"
            if output_size is not None
            else f"kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}"
        ),
    )
    index_array = np.asarray(indices)
    if index_array.dtype.kind not in "iu":
        raise PoolingError(f"indices must have an integer dtype; got dtype {index_array.dtype}")
    if index_array.shape != np.shape(x):
        raise PoolingError(
            f"indices must have the same shape as x {np.shape(x)}; got shape {index_array.shape}"
        )
    index_view, _, _ = to_channels_first(index_array, n, layout, "indices")
    if index_view.size:
        check_unpool_index_range(int(index_view.min()), int(index_view.max()), spatial_out)
    return view, index_view.astype(np.int64, copy=False), spatial_out, batched, layout


def check_unpool_index_range(low: int, high: int, spatial_out: tuple[int, ...]) -> None:
    """Refuse flat per-plane indices outside an unpooled map of ``spatial_out``, given their
    smallest and largest value (each front end reads those in its own framework)."""
    plane = math.prod(spatial_out)
    if low < 0 or high >= plane:
        raise PoolingError(
            f"indices must lie in [0, {plane}) for an unpooled map of spatial size "
            f"{spatial_out}; got values from {low} to {high}"
        )


def _check_unpool_output_size(output_size, n, data_format="channels_first") -> tuple[int, ...]:
    """Like PyTorch: the spatial size, or a full shape (in ``data_format``'s layout) whose
    spatial entries are used."""
    allowed = f"a tuple of {n} ints >= 1 (or a full shape ending in them)"
    single = as_int(output_size)
    if single is not None:
        output_size = (single,) * n
    if isinstance(output_size, np.ndarray) and output_size.ndim == 0:
        raise PoolingError(f"output_size must be {allowed}; got {describe(output_size)}")
    try:
        items = tuple(as_int(v) for v in output_size)
    except TypeError:
        raise PoolingError(f"output_size must be {allowed}; got {describe(output_size)}") from None
    if len(items) not in (n, n + 1, n + 2) or any(v is None for v in items):
        raise PoolingError(f"output_size must be {allowed}; got {describe(output_size)}")
    if data_format == "channels_last" and len(items) > n:
        items = items[:-1]  # a full (N, *spatial, C) shape: the channels come last
    spatial = items[len(items) - n :]
    if any(v < 1 for v in spatial):
        raise PoolingError(f"output_size must be {allowed}; got {describe(output_size)}")
    return spatial


def max_unpool(
    x,
    indices,
    n,
    kernel_size,
    stride=None,
    padding=0,
    output_size=None,
    data_format="channels_first",
):
    """Partial inverse of max pooling: values go back to their indices, zeros elsewhere."""
    check_not_tensor(f"max_unpool{n}d", x=x, indices=indices)
    view, index_view, spatial_out, batched, layout = _unpool_setup(
        x, indices, n, kernel_size, stride, padding, output_size, data_format
    )
    return from_channels_first(_dispatch.max_unpool(view, index_view, spatial_out), batched, layout)


def max_unpool_backward(
    grad_output,
    x,
    indices,
    n,
    kernel_size,
    stride=None,
    padding=0,
    output_size=None,
    data_format="channels_first",
):
    """Gradient of :func:`max_unpool` with respect to ``x``: ``grad_output`` read at ``indices``."""
    check_not_tensor(f"max_unpool{n}d_backward", grad_output=grad_output, x=x, indices=indices)
    view, index_view, spatial_out, batched, layout = _unpool_setup(
        x, indices, n, kernel_size, stride, padding, output_size, data_format
    )
    grad = check_grad(grad_output, _expected_output_shape(view, batched, layout, spatial_out))
    grad_view, _, _ = to_channels_first(grad, n, layout, "grad_output")
    result = _dispatch.max_unpool_backward(grad_view, index_view)
    return from_channels_first(result.astype(_grad_dtype(view), copy=False), batched, layout)


# --------------------------------------------------------------------------- upsampling


def upsample(x, n, scale_factor, data_format="channels_first"):
    """Nearest-neighbour upsampling by integer factors (Keras ``UpSampling``)."""
    check_not_tensor(f"upsample_nearest{n}d", x=x)
    view, batched, layout = to_channels_first(as_array(x, "upsample"), n, data_format)
    scale = to_tuple(scale_factor, n, "scale_factor")
    check_allocation(
        (*view.shape[:2], *(size * s for size, s in zip(view.shape[2:], scale, strict=True))),
        view.dtype,
        because=lambda: f"scale_factor={scale_factor!r} on spatial size {tuple(view.shape[2:])}",
    )
    return from_channels_first(_dispatch.upsample_nearest(view, scale), batched, layout)


def upsample_backward(grad_output, x, n, scale_factor, data_format="channels_first"):
    """Gradient of :func:`upsample`: the sum of each ``scale_factor`` block."""
    check_not_tensor(f"upsample_nearest{n}d_backward", grad_output=grad_output, x=x)
    view, batched, layout = to_channels_first(as_array(x, "upsample"), n, data_format)
    scale = to_tuple(scale_factor, n, "scale_factor")
    spatial_out = tuple(L * s for L, s in zip(view.shape[2:], scale, strict=True))
    grad = check_grad(grad_output, _expected_output_shape(view, batched, layout, spatial_out))
    grad_view, _, _ = to_channels_first(grad, n, layout, "grad_output")
    result = _dispatch.upsample_nearest_backward(grad_view, scale)
    return from_channels_first(result.astype(_grad_dtype(view), copy=False), batched, layout)
