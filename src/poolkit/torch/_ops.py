"""poolkit's CPU kernels as PyTorch custom operators (``torch.ops.poolkit.*``).

Each operator has a real implementation (tensor -> NumPy view -> :mod:`poolkit.ops` -> tensor,
no copies), a fake implementation (output shape, dtype and memory layout only, so
``torch.compile(fullgraph=True)`` traces through without graph breaks) and an autograd formula
that calls the matching ``*_backward`` operator with the saved input (max pooling recomputes
its argmax instead of storing indices). The backward of every operator that is linear in its
input (sum, avg, adaptive avg, global sum/avg, unpool, upsample) is itself differentiable, so
double backward works for those; max pooling's double backward gathers at the argmax.

Operators take resolved, normalised arguments only (tuples, explicit pad pairs flattened as
``[lo_1, hi_1, lo_2, hi_2, ...]`` or a padding string); :mod:`poolkit.torch.functional` does
the normalising and names the argument in every error.
"""

from __future__ import annotations

import numpy as np
import torch

from poolkit import ops
from poolkit.geometry import resolve
from poolkit.reducers import result_dtype
from poolkit.torch._bridge import from_numpy, inverse, like_layout, sync_threads, to_numpy

_TORCH_TO_NUMPY = {
    torch.float32: np.float32,
    torch.float64: np.float64,
    torch.float16: np.float16,
    torch.int8: np.int8,
    torch.int16: np.int16,
    torch.int32: np.int32,
    torch.int64: np.int64,
    torch.uint8: np.uint8,
    torch.bool: np.bool_,
}
_NUMPY_TO_TORCH = {np.dtype(v): k for k, v in _TORCH_TO_NUMPY.items()}


def out_dtype(reducer: str, dtype: torch.dtype) -> torch.dtype:
    """The torch dtype a reducer returns (poolkit's rule: max keeps it, sum of ints is int64,
    avg/lp of ints is float64)."""
    if dtype not in _TORCH_TO_NUMPY:
        return dtype
    return _NUMPY_TO_TORCH[result_dtype(reducer, _TORCH_TO_NUMPY[dtype])]


def padding_arg(pads: list[int], padding_mode: str):
    """Undo the flat encoding: ``[(lo, hi), ...]`` for explicit pads, else the string."""
    if padding_mode != "explicit":
        return padding_mode
    return [(pads[2 * i], pads[2 * i + 1]) for i in range(len(pads) // 2)]


def _spatial(x: torch.Tensor, n: int):
    return tuple(x.shape[-n:])


def _batch_shape(x: torch.Tensor, n: int):
    return tuple(x.shape[:-n])


def _result(out: np.ndarray, source: np.ndarray, inv) -> torch.Tensor:
    # A custom operator's output must never alias its input (kernel_size 1 could in principle
    # hand the input back): copy in that rare case only.
    if np.may_share_memory(out, source):
        out = out.copy()
    return from_numpy(out, inv)


# --------------------------------------------------------------------------- window pooling


@torch.library.custom_op("poolkit::pool", mutates_args=())
def pool(
    x: torch.Tensor,
    reducer: str,
    kernel: list[int],
    stride: list[int],
    pads: list[int],
    padding_mode: str,
    dilation: list[int],
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
    p: float,
) -> torch.Tensor:
    n = len(kernel)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out = ops.pool(
        array,
        reducer,
        n,
        tuple(kernel),
        tuple(stride),
        padding_arg(pads, padding_mode),
        tuple(dilation),
        ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
        p=p,
        data_format=fmt,
    )
    return _result(out, array, inv)


def _window_out_shape(x, kernel, stride, pads, padding_mode, dilation, ceil_mode):
    n = len(kernel)
    window = resolve(
        _spatial(x, n), kernel, stride, padding_arg(pads, padding_mode), dilation, ceil_mode
    )
    return (*_batch_shape(x, n), *window.output_shape)


@pool.register_fake
def _(x, reducer, kernel, stride, pads, padding_mode, dilation, ceil_mode, cip, div, p):
    shape = _window_out_shape(x, kernel, stride, pads, padding_mode, dilation, ceil_mode)
    return like_layout(shape, x, len(kernel), out_dtype(reducer, x.dtype))


@torch.library.custom_op("poolkit::pool_backward", mutates_args=())
def pool_backward(
    grad: torch.Tensor,
    x: torch.Tensor,
    reducer: str,
    kernel: list[int],
    stride: list[int],
    pads: list[int],
    padding_mode: str,
    dilation: list[int],
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
    p: float,
) -> torch.Tensor:
    n = len(kernel)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    grad_array = _grad_like(grad, inv, n)
    out = ops.pool_backward(
        grad_array,
        array,
        reducer,
        n,
        tuple(kernel),
        tuple(stride),
        padding_arg(pads, padding_mode),
        tuple(dilation),
        ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
        p=p,
        data_format=fmt,
    )
    return _result(out, array, inv)


def _grad_like(grad: torch.Tensor, inv, n: int) -> np.ndarray:
    """The incoming gradient as an array in the same layout as the saved input (a copy only
    when its memory order differs, e.g. an expanded gradient with zero strides)."""
    grad = grad.detach()
    if inv is None:
        return grad.contiguous().numpy()
    return grad.permute(inverse(inv)).contiguous().numpy()


@pool_backward.register_fake
def _(grad, x, reducer, kernel, stride, pads, padding_mode, dilation, ceil_mode, cip, div, p):
    return like_layout(tuple(x.shape), x, len(kernel), out_dtype("avg", x.dtype))


def _pool_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])
    ctx.args = inputs[1:]


def _pool_grad(ctx, grad):
    (x,) = ctx.saved_tensors
    grad_x = pool_backward(grad, x, *ctx.args).to(x.dtype)
    return (grad_x,) + (None,) * len(ctx.args)


pool.register_autograd(_pool_grad, setup_context=_pool_setup)


def _pool_backward_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[1])
    ctx.args = inputs[2:]


def _pool_backward_grad(ctx, grad_grad):
    """Double backward. sum/avg: the backward is linear in ``grad`` and independent of ``x``,
    its adjoint is the forward pooling itself. max: linear in ``grad`` with the argmax fixed,
    so the adjoint gathers at the argmax. lp: not provided (its backward is not linear)."""
    (x,) = ctx.saved_tensors
    reducer = ctx.args[0]
    rest = (None,) * len(ctx.args)
    if reducer in ("sum", "avg"):
        return (pool(grad_grad.to(x.dtype), *ctx.args), None, *rest)
    if reducer == "max":
        n = len(ctx.args[1])
        _, indices = max_pool_with_indices(x, *ctx.args[1:7])
        flat = grad_grad.flatten(-n)
        picked = flat.gather(-1, indices.flatten(-n)).reshape(indices.shape)
        return (picked, None, *rest)
    raise NotImplementedError(
        "poolkit.torch: double backward of lp pooling is not implemented (its backward is "
        "not linear in the input); first-order gradients are supported"
    )


pool_backward.register_autograd(_pool_backward_grad, setup_context=_pool_backward_setup)


@torch.library.custom_op("poolkit::max_pool_with_indices", mutates_args=())
def max_pool_with_indices(
    x: torch.Tensor,
    kernel: list[int],
    stride: list[int],
    pads: list[int],
    padding_mode: str,
    dilation: list[int],
    ceil_mode: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    n = len(kernel)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out, indices = ops.pool(
        array,
        "max",
        n,
        tuple(kernel),
        tuple(stride),
        padding_arg(pads, padding_mode),
        tuple(dilation),
        ceil_mode,
        return_indices=True,
        data_format=fmt,
    )
    return _result(out, array, inv), _result(indices, array, inv)


@max_pool_with_indices.register_fake
def _(x, kernel, stride, pads, padding_mode, dilation, ceil_mode):
    shape = _window_out_shape(x, kernel, stride, pads, padding_mode, dilation, ceil_mode)
    n = len(kernel)
    return like_layout(shape, x, n), like_layout(shape, x, n, torch.int64)


def _max_indices_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])
    ctx.args = inputs[1:]
    ctx.mark_non_differentiable(output[1])


def _max_indices_grad(ctx, grad, _grad_indices):
    (x,) = ctx.saved_tensors
    kernel, stride, pads, mode, dilation, ceil_mode = ctx.args
    grad_x = pool_backward(
        grad, x, "max", kernel, stride, pads, mode, dilation, ceil_mode, True, None, 2.0
    )
    return (grad_x.to(x.dtype),) + (None,) * len(ctx.args)


max_pool_with_indices.register_autograd(_max_indices_grad, setup_context=_max_indices_setup)


# --------------------------------------------------------------------------- adaptive pooling


@torch.library.custom_op("poolkit::adaptive_pool", mutates_args=())
def adaptive_pool(x: torch.Tensor, reducer: str, output_size: list[int]) -> torch.Tensor:
    n = len(output_size)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out = ops.adaptive_pool(array, reducer, n, tuple(output_size), data_format=fmt)
    return _result(out, array, inv)


@adaptive_pool.register_fake
def _(x, reducer, output_size):
    n = len(output_size)
    shape = (*_batch_shape(x, n), *output_size)
    return like_layout(shape, x, n, out_dtype(reducer, x.dtype))


@torch.library.custom_op("poolkit::adaptive_pool_backward", mutates_args=())
def adaptive_pool_backward(
    grad: torch.Tensor, x: torch.Tensor, reducer: str, output_size: list[int]
) -> torch.Tensor:
    n = len(output_size)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out = ops.adaptive_pool_backward(
        _grad_like(grad, inv, n), array, reducer, n, tuple(output_size), data_format=fmt
    )
    return _result(out, array, inv)


@adaptive_pool_backward.register_fake
def _(grad, x, reducer, output_size):
    return like_layout(tuple(x.shape), x, len(output_size), out_dtype("avg", x.dtype))


@torch.library.custom_op("poolkit::adaptive_max_pool_with_indices", mutates_args=())
def adaptive_max_pool_with_indices(
    x: torch.Tensor, output_size: list[int]
) -> tuple[torch.Tensor, torch.Tensor]:
    n = len(output_size)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out, indices = ops.adaptive_pool(
        array, "max", n, tuple(output_size), return_indices=True, data_format=fmt
    )
    return _result(out, array, inv), _result(indices, array, inv)


@adaptive_max_pool_with_indices.register_fake
def _(x, output_size):
    n = len(output_size)
    shape = (*_batch_shape(x, n), *output_size)
    return like_layout(shape, x, n), like_layout(shape, x, n, torch.int64)


def _adaptive_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])
    ctx.args = inputs[1:]


def _adaptive_grad(ctx, grad):
    (x,) = ctx.saved_tensors
    reducer, output_size = ctx.args
    return adaptive_pool_backward(grad, x, reducer, output_size).to(x.dtype), None, None


adaptive_pool.register_autograd(_adaptive_grad, setup_context=_adaptive_setup)


def _adaptive_indices_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])
    ctx.output_size = inputs[1]
    ctx.mark_non_differentiable(output[1])


def _adaptive_indices_grad(ctx, grad, _grad_indices):
    (x,) = ctx.saved_tensors
    return adaptive_pool_backward(grad, x, "max", ctx.output_size).to(x.dtype), None


adaptive_max_pool_with_indices.register_autograd(
    _adaptive_indices_grad, setup_context=_adaptive_indices_setup
)


def _adaptive_backward_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[1])
    ctx.args = inputs[2:]


def _adaptive_backward_grad(ctx, grad_grad):
    (x,) = ctx.saved_tensors
    reducer, output_size = ctx.args
    if reducer != "avg":
        raise NotImplementedError(
            "poolkit.torch: double backward is implemented for adaptive avg pooling only"
        )
    return adaptive_pool(grad_grad.to(x.dtype), "avg", output_size), None, None, None


adaptive_pool_backward.register_autograd(
    _adaptive_backward_grad, setup_context=_adaptive_backward_setup
)


# --------------------------------------------------------------------------- global pooling


@torch.library.custom_op("poolkit::global_pool", mutates_args=())
def global_pool(x: torch.Tensor, reducer: str, n: int, p: float, keepdim: bool) -> torch.Tensor:
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out = ops.global_pool(array, reducer, n, p=p, keepdims=keepdim, data_format=fmt)
    return _result(out, array, inv if keepdim else None)


def _global_shape(x, n, keepdim):
    return (*_batch_shape(x, n), *((1,) * n if keepdim else ()))


@global_pool.register_fake
def _(x, reducer, n, p, keepdim):
    shape = _global_shape(x, n, keepdim)
    if keepdim:
        return like_layout(shape, x, n, out_dtype(reducer, x.dtype))
    return x.new_empty(shape, dtype=out_dtype(reducer, x.dtype))


@torch.library.custom_op("poolkit::global_pool_backward", mutates_args=())
def global_pool_backward(
    grad: torch.Tensor, x: torch.Tensor, reducer: str, n: int, p: float, keepdim: bool
) -> torch.Tensor:
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    grad = grad.detach()
    if keepdim and inv is not None:
        grad_array = _grad_like(grad, inv, n)
    else:  # (N, C) reads the same in either layout
        grad_array = grad.contiguous().numpy()
    out = ops.global_pool_backward(
        grad_array, array, reducer, n, p=p, keepdims=keepdim, data_format=fmt
    )
    return _result(out, array, inv)


@global_pool_backward.register_fake
def _(grad, x, reducer, n, p, keepdim):
    return like_layout(tuple(x.shape), x, n, out_dtype("avg", x.dtype))


def _global_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])
    ctx.args = inputs[1:]


def _global_grad(ctx, grad):
    (x,) = ctx.saved_tensors
    return (global_pool_backward(grad, x, *ctx.args).to(x.dtype), None, None, None, None)


global_pool.register_autograd(_global_grad, setup_context=_global_setup)


def _global_backward_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[1])
    ctx.args = inputs[2:]


def _global_backward_grad(ctx, grad_grad):
    (x,) = ctx.saved_tensors
    reducer = ctx.args[0]
    if reducer not in ("sum", "avg"):
        raise NotImplementedError(
            "poolkit.torch: double backward is implemented for global sum and avg pooling only"
        )
    return (global_pool(grad_grad.to(x.dtype), *ctx.args), None, None, None, None, None)


global_pool_backward.register_autograd(_global_backward_grad, setup_context=_global_backward_setup)


# --------------------------------------------------------------------------- unpool, upsample


@torch.library.custom_op("poolkit::max_unpool", mutates_args=())
def max_unpool(x: torch.Tensor, indices: torch.Tensor, output_size: list[int]) -> torch.Tensor:
    n = len(output_size)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    index_array = _grad_like(indices, inv, n)
    out = ops.max_unpool(array, index_array, n, 1, output_size=tuple(output_size), data_format=fmt)
    return _result(out, array, inv)


@max_unpool.register_fake
def _(x, indices, output_size):
    n = len(output_size)
    return like_layout((*_batch_shape(x, n), *output_size), x, n)


@torch.library.custom_op("poolkit::max_unpool_backward", mutates_args=())
def max_unpool_backward(
    grad: torch.Tensor, x: torch.Tensor, indices: torch.Tensor, output_size: list[int]
) -> torch.Tensor:
    n = len(output_size)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out = ops.max_unpool_backward(
        _grad_like(grad, inv, n),
        array,
        _grad_like(indices, inv, n),
        n,
        1,
        output_size=tuple(output_size),
        data_format=fmt,
    )
    return _result(out, array, inv)


@max_unpool_backward.register_fake
def _(grad, x, indices, output_size):
    return like_layout(tuple(x.shape), x, len(output_size), out_dtype("avg", x.dtype))


def _unpool_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0], inputs[1])
    ctx.output_size = inputs[2]


def _unpool_grad(ctx, grad):
    x, indices = ctx.saved_tensors
    return max_unpool_backward(grad, x, indices, ctx.output_size).to(x.dtype), None, None


max_unpool.register_autograd(_unpool_grad, setup_context=_unpool_setup)


def _unpool_backward_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[1], inputs[2])
    ctx.output_size = inputs[3]


def _unpool_backward_grad(ctx, grad_grad):
    x, indices = ctx.saved_tensors
    return max_unpool(grad_grad.to(x.dtype), indices, ctx.output_size), None, None, None


max_unpool_backward.register_autograd(_unpool_backward_grad, setup_context=_unpool_backward_setup)


@torch.library.custom_op("poolkit::upsample_nearest", mutates_args=())
def upsample_nearest(x: torch.Tensor, scale: list[int]) -> torch.Tensor:
    n = len(scale)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out = ops.upsample(array, n, tuple(scale), data_format=fmt)
    return _result(out, array, inv)


@upsample_nearest.register_fake
def _(x, scale):
    n = len(scale)
    shape = (*_batch_shape(x, n), *(L * s for L, s in zip(_spatial(x, n), scale, strict=True)))
    return like_layout(shape, x, n)


@torch.library.custom_op("poolkit::upsample_nearest_backward", mutates_args=())
def upsample_nearest_backward(
    grad: torch.Tensor, x: torch.Tensor, scale: list[int]
) -> torch.Tensor:
    n = len(scale)
    sync_threads()
    array, fmt, inv = to_numpy(x, n)
    out = ops.upsample_backward(_grad_like(grad, inv, n), array, n, tuple(scale), data_format=fmt)
    return _result(out, array, inv)


@upsample_nearest_backward.register_fake
def _(grad, x, scale):
    return like_layout(tuple(x.shape), x, len(scale), out_dtype("avg", x.dtype))


def _upsample_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])
    ctx.scale = inputs[1]


def _upsample_grad(ctx, grad):
    (x,) = ctx.saved_tensors
    return upsample_nearest_backward(grad, x, ctx.scale).to(x.dtype), None


upsample_nearest.register_autograd(_upsample_grad, setup_context=_upsample_setup)


def _upsample_backward_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[1])
    ctx.scale = inputs[2]


def _upsample_backward_grad(ctx, grad_grad):
    (x,) = ctx.saved_tensors
    return upsample_nearest(grad_grad.to(x.dtype), ctx.scale), None, None


upsample_nearest_backward.register_autograd(
    _upsample_backward_grad, setup_context=_upsample_backward_setup
)
