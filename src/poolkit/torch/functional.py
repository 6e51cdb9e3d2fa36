"""poolkit's operators for torch tensors, named like the NumPy API (``max_pool2d``,
``avg_pool2d``, ``sum_pool2d``, ``lp_pool2d``, ``global_avg_pool2d``, ``adaptive_max_pool2d``,
``max_unpool2d``, ``upsample_nearest2d``, ... for 1, 2 and 3 spatial dims).

Same arguments and semantics as :mod:`poolkit` (string or ``(lo, hi)`` padding, dilation for
every reducer, ``count_include_pad=None`` meaning True for numeric and False for string
padding), on tensors ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``. CPU float32/float64
(and integer/bool) tensors run on poolkit's CPU kernels as custom operators with autograd and
``torch.compile`` support, keeping the input's memory format (channels_last in, channels_last
out); other devices and dtypes run as an equivalent composition of native torch ops.

>>> import torch
>>> from poolkit.torch import functional as PF
>>> PF.max_pool2d(torch.arange(16.).reshape(1, 1, 4, 4), 2, padding="same").shape
torch.Size([1, 1, 2, 2])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, SupportsFloat, SupportsIndex, overload

import torch

from poolkit._args import (
    check_bool,
    check_data_format,
    check_divisor_override,
    check_output_size,
    check_p,
    normalize_padding,
    to_tuple,
)
from poolkit.api import OutputSize, Padding, Size
from poolkit.errors import PoolingError
from poolkit.geometry import unpool_default_length
from poolkit.ops import (
    _check_unpool_output_size,
    check_unpool_index_range,
    default_count_include_pad,
)
from poolkit.torch import _compose, _ops
from poolkit.torch._bridge import (
    exporting_with_dynamo,
    saving_a_program,
    transformed,
    use_kernels,
)

_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def check_input(x, n: int, name: str = "input") -> None:
    """``x`` must be a tensor ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``."""
    if not isinstance(x, torch.Tensor):
        raise PoolingError(f"{name} must be a torch.Tensor; got {type(x).__name__}")
    if x.dim() not in (n + 1, n + 2):
        raise PoolingError(
            f"{name} must have {n + 2} dims (N, C, {_SPATIAL[n]}) or {n + 1} dims "
            f"(C, {_SPATIAL[n]}) for {n}-d pooling; got shape {tuple(x.shape)}"
        )
    if x.dtype.is_complex:
        raise PoolingError(
            f"{name} must have a bool, integer or floating dtype; got {x.dtype} (pooling of "
            f"complex numbers is not defined: pool {name}.real and {name}.imag, or "
            f"{name}.abs(), instead)"
        )
    if 0 in x.shape[-n - 1 :]:  # torch refuses an empty channel or spatial dim, not batch
        raise PoolingError(
            f"{name} must have non-empty channel and spatial dims (an empty batch is fine); "
            f"got shape {tuple(x.shape)}"
        )


def _one_for_all(value, n):
    """torch.nn.functional takes a one-element sequence (``kernel_size=(3,)``) for every dim."""
    if n > 1 and isinstance(value, list | tuple) and len(value) == 1:
        return value[0]
    return value


def _stride(stride, kernel, n):
    # torch.nn.functional treats an empty stride like None (``stride=[]`` in its signatures)
    if stride is None or (isinstance(stride, list | tuple) and len(stride) == 0):
        return kernel
    return to_tuple(_one_for_all(stride, n), n, "stride")


def _pads(padding, n):
    spec = normalize_padding(_one_for_all(padding, n), n)
    if isinstance(spec, str):
        return spec, [], spec
    return spec, [v for pair in spec for v in pair], "explicit"


# Argument normalisation is plain Python over ints, tuples and strings, but it uses NumPy
# checks that Dynamo cannot trace: torch.compile calls these once while tracing and keeps the
# result as a constant (its arguments are the layer's constants, never tensors).
def _constant(fn):
    """``torch.compiler.assume_constant_result``, which only sets this marker, without the
    ~3 s import of ``torch._dynamo`` it costs at ``import poolkit.torch`` time (a test checks
    that the public decorator still sets the same marker)."""
    fn._dynamo_marked_constant = True
    return fn


def _p(p) -> float:
    """The Lp order, checked. Outside torch.compile this is poolkit's own check; while
    tracing, p may be a symbolic float (``dynamic=True``), so the same rule is spelled without
    NumPy and stays out of the traced constants."""
    if not torch.compiler.is_compiling():
        return check_p(p)
    if isinstance(p, bool) or not isinstance(p, int | float) or p != p or p <= 0:
        raise PoolingError(f"p must be a real number > 0 (inf allowed); got {p!r}")
    return p


def _int64(values: tuple[int, ...], name: str, given) -> tuple[int, ...]:
    """torch passes sizes as int64: refuse larger ints here, by name, rather than as a
    dispatcher error about ``SymInt[]`` (NumPy's API takes them exactly)."""
    if any(not -(2**63) <= v < 2**63 for v in values):
        raise PoolingError(
            f"{name} must fit in int64 (torch's size type), so each entry < 2**63; got {given!r}"
        )
    return values


def _cached_args(normalise):
    """Memoise an argument normaliser: a hot loop's layer passes the same arguments every
    call, and checking them costs more than pooling a small tensor. The key tags every value
    with its type (``2``, ``2.0`` and ``True`` hash alike but are not the same argument);
    only ints, bools, strings, None and tuples of those are cached, anything else is checked
    every time."""
    cache: dict = {}

    @functools.wraps(normalise)
    def lookup(*args):
        key = _typed_key(args)
        if key is None:
            return normalise(*args)
        try:
            return cache[key]
        except KeyError:
            result = normalise(*args)  # raises for invalid arguments: nothing is cached
            if len(cache) >= 512:
                cache.clear()
            cache[key] = result
            return result

    return lookup


_SCALARS = frozenset({int, bool, str, type(None)})


def _typed_key(args: tuple):
    """``(args, their types)`` when every argument is an int, bool, str, None or a tuple of
    those (or of such tuples: padding pairs); ``None`` otherwise."""
    types = []
    for value in args:
        kind = type(value)
        if kind in _SCALARS:
            types.append(kind)
        elif kind is tuple:
            inner = []
            for item in value:
                item_kind = type(item)
                if item_kind is tuple:
                    if not all(type(v) in _SCALARS for v in item):
                        return None
                    inner.append(tuple(map(type, item)))
                elif item_kind in _SCALARS:
                    inner.append(item_kind)
                else:
                    return None
            types.append(tuple(inner))
        else:
            return None
    return args, tuple(types)


@_constant
@_cached_args
def _window_args(
    reducer, n, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
    divisor_override, return_indices,
):  # fmt: skip
    kernel = _int64(to_tuple(_one_for_all(kernel_size, n), n, "kernel_size"), "kernel_size",
                    kernel_size)  # fmt: skip
    strides = _int64(_stride(stride, kernel, n), "stride", stride)
    dilations = _int64(
        to_tuple(_one_for_all(dilation, n), n, "dilation"), "dilation", dilation
    )
    spec, flat, mode = _pads(padding, n)
    _int64(tuple(flat), "padding", padding)
    ceil = check_bool(ceil_mode, "ceil_mode")
    indices = check_bool(return_indices, "return_indices")
    cip = default_count_include_pad(count_include_pad, padding) if reducer == "avg" else True
    divisor = check_divisor_override(divisor_override) if reducer == "avg" else None
    return kernel, strides, dilations, spec, flat, mode, ceil, indices, cip, divisor


def window_pool(
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
):
    """The generic windowed pooling behind every ``<reducer>_pool<n>d``."""
    check_input(x, n)
    kernel, strides, dilations, spec, flat, mode, ceil, indices, cip, divisor = _window_args(
        reducer, n, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
        divisor_override, return_indices,
    )  # fmt: skip
    p = _p(p) if reducer == "lp" else 2.0
    if use_kernels(x):
        if indices:
            return _ops.max_pool_with_indices(
                x, list(kernel), list(strides), flat, mode, list(dilations), ceil
            )
        return _ops.pool(
            x, reducer, list(kernel), list(strides), flat, mode, list(dilations), ceil, cip,
            divisor, p,
        )  # fmt: skip
    return _compose.pool(
        x, reducer, n, kernel, strides, spec, dilations, ceil, cip, divisor, p, indices
    )


@_constant
@_cached_args
def _adaptive_args(output_size, n, return_indices):
    # 0 marks a None entry (keep the input's size); filled in outside, where the input's
    # sizes may be symbolic under torch.compile and so cannot be traced constants
    size = _int64(check_output_size(output_size, (0,) * n), "output_size", output_size)
    return size, check_bool(return_indices, "return_indices")


@_constant
@_cached_args
def _global_args(keepdims):
    return check_bool(keepdims, "keepdims")


def adaptive_pool(x, reducer: str, n: int, output_size, return_indices=False):
    """Adaptive ``max``/``avg`` pooling with PyTorch's bins; ``None`` keeps a dim's size."""
    check_input(x, n)
    size, indices = _adaptive_args(output_size, n, return_indices)
    size = tuple(v if v else x.shape[x.dim() - n + i] for i, v in enumerate(size))
    # ONNX has no adaptive pooling: export traces torch's own ops (exported by torch's rules)
    if use_kernels(x) and not torch.onnx.is_in_onnx_export():
        if reducer == "max" and indices:
            return _ops.adaptive_max_pool_with_indices(x, list(size))
        return _ops.adaptive_pool(x, reducer, list(size))
    return _compose.adaptive_pool(x, reducer, n, size, indices and reducer == "max")


def global_pool(x, reducer: str, n: int, p=2.0, keepdims=False):
    """One number per channel: ``(N, C, *spatial) -> (N, C)`` (``keepdims`` keeps 1s)."""
    check_input(x, n)
    keep = _global_args(keepdims)
    p = _p(p) if reducer == "lp" else 2.0
    if use_kernels(x):
        return _ops.global_pool(x, reducer, n, p, keep)
    return _compose.global_pool(x, reducer, n, p, keep)


@_constant
def _unpool_args(n, kernel_size, stride, padding, given_size: bool):
    """Normalised ``(kernel, strides, pads)``: the layer's constants (``output_size`` may be
    a traced shape under torch.compile, so it is checked outside). A padding string is kept
    when ``output_size`` is given, and refused without it."""
    kernel = to_tuple(_one_for_all(kernel_size, n), n, "kernel_size")
    strides = _stride(stride, kernel, n)
    spec = normalize_padding(_one_for_all(padding, n), n)
    if spec == "valid":
        spec = ((0, 0),) * n
    if isinstance(spec, str) and not given_size:
        raise PoolingError(
            f"padding={padding!r} does not say how large the unpooled map is; pass "
            f"output_size (the pooled input's shape) or numeric padding"
        )
    return kernel, strides, spec


def _unpool_size(spatial, n, kernel_size, stride, padding, output_size):
    """The unpooled spatial size: ``output_size`` or ``(L_in - 1)*s - lo - hi + k``."""
    kernel, strides, spec = _unpool_args(n, kernel_size, stride, padding, output_size is not None)
    if output_size is not None:
        size = _int64(_check_unpool_output_size(output_size, n), "output_size", output_size)
        if not isinstance(spec, str):
            _check_unpool_range(spatial, kernel, strides, spec, size, output_size)
        return size
    size = tuple(
        unpool_default_length(L, k, s, lo, hi)
        for L, k, s, (lo, hi) in zip(spatial, kernel, strides, spec, strict=True)
    )
    if any(v < 1 for v in size):
        raise PoolingError(
            f"padding={padding!r} is too large for kernel_size={kernel_size!r}: the "
            f"default unpooled size would be {size}; pass output_size"
        )
    return size


def _check_unpool_range(spatial, kernel, strides, pads, size, output_size) -> None:
    """torch's rule: each size strictly between ``default - stride`` and ``default + stride``.

    A flat index means (row, column) only for the plane it was taken from; a plane of another
    width would put the values in other places. Strings (``"same"``) have no default size, so
    poolkit takes any size the indices fit in there.
    """
    for dim, (L, k, s, (lo, hi), got) in enumerate(
        zip(spatial, kernel, strides, pads, size, strict=True)
    ):
        default = unpool_default_length(L, k, s, lo, hi)
        if not default - s < got < default + s:
            raise PoolingError(
                f"output_size={output_size!r} does not fit these indices: along spatial dim "
                f"{dim} it must lie strictly between {default - s} and {default + s} (the "
                f"default unpooled size {default} -/+ stride {s}, as in torch); got {got}"
            )


def max_unpool(x, indices, n: int, kernel_size, stride=None, padding=0, output_size=None):
    """Values back at their flat per-plane ``indices``, zeros elsewhere."""
    check_input(x, n)
    if not isinstance(indices, torch.Tensor) or indices.shape != x.shape:
        shape = tuple(indices.shape) if isinstance(indices, torch.Tensor) else type(indices)
        raise PoolingError(
            f"indices must be a tensor with the same shape as input {tuple(x.shape)}; got {shape}"
        )
    if indices.dtype.is_floating_point or indices.dtype.is_complex or indices.dtype == torch.bool:
        raise PoolingError(f"indices must have an integer dtype; got {indices.dtype}")
    if isinstance(output_size, list | tuple):  # torch.Size too; traced sizes are tensors
        output_size = tuple(int(v) if isinstance(v, torch.Tensor) else v for v in output_size)
    size = _unpool_size(tuple(x.shape[-n:]), n, kernel_size, stride, padding, output_size)
    indices = indices.to(torch.int64)
    if use_kernels(x):
        return _ops.max_unpool(x, indices, list(size))  # the kernels check the range
    if _plain_cpu_eager(indices) and indices.numel():
        check_unpool_index_range(int(indices.min()), int(indices.max()), tuple(size))
    return _compose.max_unpool(x, indices, n, size)


def _plain_cpu_eager(x: torch.Tensor) -> bool:
    """Whether ``x``'s values can be read now at no real cost: an eager CPU tensor, not one a
    compiler, tracer, exporter or torch.func transform is looking at (a read there would break
    the graph or fail), nor on a GPU (a read would wait for the device)."""
    return (
        x.device.type == "cpu"
        and not torch.compiler.is_compiling()
        and not torch.jit.is_tracing()
        and not exporting_with_dynamo()
        and not saving_a_program()
        and not transformed(x)
        and type(x) is torch.Tensor
    )


@_constant
def _scale_args(scale_factor, n):
    return _int64(to_tuple(scale_factor, n, "scale_factor"), "scale_factor", scale_factor)


def upsample(x, n: int, scale_factor):
    """Nearest-neighbour upsampling by integer factors (each element repeated)."""
    check_input(x, n)
    scale = _scale_args(scale_factor, n)
    if use_kernels(x) and not torch.onnx.is_in_onnx_export():
        return _ops.upsample_nearest(x, list(scale))
    return _compose.upsample_nearest(x, n, scale)


@_constant
def _is_channels_last(data_format) -> bool:
    return check_data_format(data_format) == "channels_last"


def _first(x, n: int, last: bool):
    """A channels-first view of a channels-last tensor ``(N, *spatial, C)`` (no copy: it is
    then a channels_last-strided tensor, which the kernels read as is)."""
    if last and isinstance(x, torch.Tensor) and x.dim() >= n + 1:
        return x.movedim(-1, -n - 1)
    return x


def _back(result, n: int, last: bool):
    """Undo :func:`_first` on an output (or each output of a tuple)."""
    if not last:
        return result
    if isinstance(result, tuple):
        return tuple(r.movedim(-n - 1, -1) for r in result)
    return result.movedim(-n - 1, -1)


def _global(input, reducer: str, n: int, p, keepdims, data_format):
    """The public ``global_<reducer>_pool<n>d`` (channels-last in gives channels-last out only
    with ``keepdims``: without, there are no spatial dims left to move the channels past)."""
    last = _is_channels_last(data_format)
    out = global_pool(_first(input, n, last), reducer, n, p=p, keepdims=keepdims)
    return _back(out, n, last and keepdims is True)


# --------------------------------------------------------------------------- public names
# One def per operator and dimension, written by scripts/generate_api.py from its
# TORCH_FUNCTIONS table (the same parameters as the NumPy API, with torch's ``input``).

# BEGIN generated by scripts/generate_api.py (public functions): do not edit

@overload
def max_pool1d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    ...


@overload
def max_pool1d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def max_pool1d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None,
    padding: Padding,
    dilation: Size,
    ceil_mode: bool,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def max_pool1d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    ...


def max_pool1d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Max pooling over 1 spatial dim(s) (PyTorch semantics).

    Pads never win; ties go to the first maximum; ``return_indices=True`` also returns int64 flat
    indices into each (n, c) plane, as torch does.

    Args:
        input: tensor ``(N, C, L)`` or unbatched ``(C, L)``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, L, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.max_pool1d(torch.ones(1, 1, 4), 2).shape
        torch.Size([1, 1, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 1, last), "max", 1, kernel_size, stride, padding, dilation, ceil_mode,
        return_indices=return_indices,
    )
    return _back(out, 1, last)


@overload
def max_pool2d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    ...


@overload
def max_pool2d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def max_pool2d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None,
    padding: Padding,
    dilation: Size,
    ceil_mode: bool,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def max_pool2d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    ...


def max_pool2d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Max pooling over 2 spatial dim(s) (PyTorch semantics).

    Pads never win; ties go to the first maximum; ``return_indices=True`` also returns int64 flat
    indices into each (n, c) plane, as torch does.

    Args:
        input: tensor ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.max_pool2d(torch.ones(1, 1, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 2, last), "max", 2, kernel_size, stride, padding, dilation, ceil_mode,
        return_indices=return_indices,
    )
    return _back(out, 2, last)


@overload
def max_pool3d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    ...


@overload
def max_pool3d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def max_pool3d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None,
    padding: Padding,
    dilation: Size,
    ceil_mode: bool,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def max_pool3d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    ...


def max_pool3d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Max pooling over 3 spatial dim(s) (PyTorch semantics).

    Pads never win; ties go to the first maximum; ``return_indices=True`` also returns int64 flat
    indices into each (n, c) plane, as torch does.

    Args:
        input: tensor ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, D, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.max_pool3d(torch.ones(1, 1, 4, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 3, last), "max", 3, kernel_size, stride, padding, dilation, ceil_mode,
        return_indices=return_indices,
    )
    return _back(out, 3, last)


def avg_pool1d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Average pooling over 1 spatial dim(s), with dilation.

    ``count_include_pad=None`` counts numeric pads (PyTorch) and leaves string pads out (TensorFlow
    'same'); ``divisor_override`` replaces the divisor.

    Args:
        input: tensor ``(N, C, L)`` or unbatched ``(C, L)``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, L, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.avg_pool1d(torch.ones(1, 1, 4), 2).shape
        torch.Size([1, 1, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 1, last), "avg", 1, kernel_size, stride, padding, dilation, ceil_mode,
        count_include_pad=count_include_pad, divisor_override=divisor_override,
    )
    return _back(out, 1, last)


def avg_pool2d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Average pooling over 2 spatial dim(s), with dilation.

    ``count_include_pad=None`` counts numeric pads (PyTorch) and leaves string pads out (TensorFlow
    'same'); ``divisor_override`` replaces the divisor.

    Args:
        input: tensor ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.avg_pool2d(torch.ones(1, 1, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 2, last), "avg", 2, kernel_size, stride, padding, dilation, ceil_mode,
        count_include_pad=count_include_pad, divisor_override=divisor_override,
    )
    return _back(out, 2, last)


def avg_pool3d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
    divisor_override: SupportsIndex | None = None,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Average pooling over 3 spatial dim(s), with dilation.

    ``count_include_pad=None`` counts numeric pads (PyTorch) and leaves string pads out (TensorFlow
    'same'); ``divisor_override`` replaces the divisor.

    Args:
        input: tensor ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, D, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.avg_pool3d(torch.ones(1, 1, 4, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 3, last), "avg", 3, kernel_size, stride, padding, dilation, ceil_mode,
        count_include_pad=count_include_pad, divisor_override=divisor_override,
    )
    return _back(out, 3, last)


def sum_pool1d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Sum pooling over 1 spatial dim(s): the window total.

    Pads count as 0.

    Args:
        input: tensor ``(N, C, L)`` or unbatched ``(C, L)``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, L, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.sum_pool1d(torch.ones(1, 1, 4), 2).shape
        torch.Size([1, 1, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 1, last), "sum", 1, kernel_size, stride, padding, dilation, ceil_mode
    )
    return _back(out, 1, last)


def sum_pool2d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Sum pooling over 2 spatial dim(s): the window total.

    Pads count as 0.

    Args:
        input: tensor ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.sum_pool2d(torch.ones(1, 1, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 2, last), "sum", 2, kernel_size, stride, padding, dilation, ceil_mode
    )
    return _back(out, 2, last)


def sum_pool3d(
    input: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Sum pooling over 3 spatial dim(s): the window total.

    Pads count as 0.

    Args:
        input: tensor ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, D, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.sum_pool3d(torch.ones(1, 1, 4, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 3, last), "sum", 3, kernel_size, stride, padding, dilation, ceil_mode
    )
    return _back(out, 3, last)


def lp_pool1d(
    input: torch.Tensor,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Lp pooling over 1 spatial dim(s): ``(sum |x|^p)^(1/p)``.

    Unlike ``torch.nn.functional.lp_pool1d``, which drops the absolute value (wrong for negative
    input) and rescales ceil-mode edge windows, this is the ONNX LpPool definition; the two agree
    for ``x >= 0`` without ceil_mode. ``p=inf`` gives the max of ``|x|``.

    Args:
        input: tensor ``(N, C, L)`` or unbatched ``(C, L)``.
        kernel_size, stride, dilation: int or tuple of 1; ``stride=None`` means kernel_size.
        padding: int, tuple of 1 ints, 1 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, L, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.lp_pool1d(torch.ones(1, 1, 4), 2, 2).shape
        torch.Size([1, 1, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 1, last), "lp", 1, kernel_size, stride, padding, dilation, ceil_mode,
        p=p,
    )
    return _back(out, 1, last)


def lp_pool2d(
    input: torch.Tensor,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Lp pooling over 2 spatial dim(s): ``(sum |x|^p)^(1/p)``.

    Unlike ``torch.nn.functional.lp_pool2d``, which drops the absolute value (wrong for negative
    input) and rescales ceil-mode edge windows, this is the ONNX LpPool definition; the two agree
    for ``x >= 0`` without ceil_mode. ``p=inf`` gives the max of ``|x|``.

    Args:
        input: tensor ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size, stride, dilation: int or tuple of 2; ``stride=None`` means kernel_size.
        padding: int, tuple of 2 ints, 2 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.lp_pool2d(torch.ones(1, 1, 4, 4), 2, 2).shape
        torch.Size([1, 1, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 2, last), "lp", 2, kernel_size, stride, padding, dilation, ceil_mode,
        p=p,
    )
    return _back(out, 2, last)


def lp_pool3d(
    input: torch.Tensor,
    p: SupportsFloat,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Lp pooling over 3 spatial dim(s): ``(sum |x|^p)^(1/p)``.

    Unlike ``torch.nn.functional.lp_pool3d``, which drops the absolute value (wrong for negative
    input) and rescales ceil-mode edge windows, this is the ONNX LpPool definition; the two agree
    for ``x >= 0`` without ceil_mode. ``p=inf`` gives the max of ``|x|``.

    Args:
        input: tensor ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.
        kernel_size, stride, dilation: int or tuple of 3; ``stride=None`` means kernel_size.
        padding: int, tuple of 3 ints, 3 ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, D, H, W, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.lp_pool3d(torch.ones(1, 1, 4, 4, 4), 2, 2).shape
        torch.Size([1, 1, 2, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = window_pool(
        _first(input, 3, last), "lp", 3, kernel_size, stride, padding, dilation, ceil_mode,
        p=p,
    )
    return _back(out, 3, last)


def global_max_pool1d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global max pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_max_pool1d(torch.ones(2, 3, *[4] * 1)).shape
        torch.Size([2, 3])
    """
    return _global(input, "max", 1, 2.0, keepdims, data_format)


def global_max_pool2d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global max pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_max_pool2d(torch.ones(2, 3, *[4] * 2)).shape
        torch.Size([2, 3])
    """
    return _global(input, "max", 2, 2.0, keepdims, data_format)


def global_max_pool3d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global max pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_max_pool3d(torch.ones(2, 3, *[4] * 3)).shape
        torch.Size([2, 3])
    """
    return _global(input, "max", 3, 2.0, keepdims, data_format)


def global_avg_pool1d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global average pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_avg_pool1d(torch.ones(2, 3, *[4] * 1)).shape
        torch.Size([2, 3])
    """
    return _global(input, "avg", 1, 2.0, keepdims, data_format)


def global_avg_pool2d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global average pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_avg_pool2d(torch.ones(2, 3, *[4] * 2)).shape
        torch.Size([2, 3])
    """
    return _global(input, "avg", 2, 2.0, keepdims, data_format)


def global_avg_pool3d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global average pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_avg_pool3d(torch.ones(2, 3, *[4] * 3)).shape
        torch.Size([2, 3])
    """
    return _global(input, "avg", 3, 2.0, keepdims, data_format)


def global_sum_pool1d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global sum pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_sum_pool1d(torch.ones(2, 3, *[4] * 1)).shape
        torch.Size([2, 3])
    """
    return _global(input, "sum", 1, 2.0, keepdims, data_format)


def global_sum_pool2d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global sum pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_sum_pool2d(torch.ones(2, 3, *[4] * 2)).shape
        torch.Size([2, 3])
    """
    return _global(input, "sum", 2, 2.0, keepdims, data_format)


def global_sum_pool3d(
    input: torch.Tensor,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global sum pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_sum_pool3d(torch.ones(2, 3, *[4] * 3)).shape
        torch.Size([2, 3])
    """
    return _global(input, "sum", 3, 2.0, keepdims, data_format)


def global_lp_pool1d(
    input: torch.Tensor,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global Lp (``(sum |x|^p)^(1/p)``) pooling over all 1 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_lp_pool1d(torch.ones(2, 3, *[4] * 1), 2).shape
        torch.Size([2, 3])
    """
    return _global(input, "lp", 1, p, keepdims, data_format)


def global_lp_pool2d(
    input: torch.Tensor,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global Lp (``(sum |x|^p)^(1/p)``) pooling over all 2 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_lp_pool2d(torch.ones(2, 3, *[4] * 2), 2).shape
        torch.Size([2, 3])
    """
    return _global(input, "lp", 2, p, keepdims, data_format)


def global_lp_pool3d(
    input: torch.Tensor,
    p: SupportsFloat,
    keepdims: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Global Lp (``(sum |x|^p)^(1/p)``) pooling over all 3 spatial dim(s): one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.global_lp_pool3d(torch.ones(2, 3, *[4] * 3), 2).shape
        torch.Size([2, 3])
    """
    return _global(input, "lp", 3, p, keepdims, data_format)


@overload
def adaptive_max_pool1d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    ...


@overload
def adaptive_max_pool1d(
    input: torch.Tensor,
    output_size: OutputSize,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def adaptive_max_pool1d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def adaptive_max_pool1d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    ...


def adaptive_max_pool1d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Adaptive max pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.adaptive_max_pool1d(torch.ones(1, 1, 4), 2).shape
        torch.Size([1, 1, 2])
    """
    last = _is_channels_last(data_format)
    out = adaptive_pool(_first(input, 1, last), "max", 1, output_size, return_indices)
    return _back(out, 1, last)


@overload
def adaptive_max_pool2d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    ...


@overload
def adaptive_max_pool2d(
    input: torch.Tensor,
    output_size: OutputSize,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def adaptive_max_pool2d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def adaptive_max_pool2d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    ...


def adaptive_max_pool2d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Adaptive max pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.adaptive_max_pool2d(torch.ones(1, 1, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = adaptive_pool(_first(input, 2, last), "max", 2, output_size, return_indices)
    return _back(out, 2, last)


@overload
def adaptive_max_pool3d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: Literal[False] = False,
    data_format: str = "channels_first",
) -> torch.Tensor:
    ...


@overload
def adaptive_max_pool3d(
    input: torch.Tensor,
    output_size: OutputSize,
    *,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def adaptive_max_pool3d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: Literal[True],
    data_format: str = "channels_first",
) -> tuple[torch.Tensor, torch.Tensor]:
    ...


@overload
def adaptive_max_pool3d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    ...


def adaptive_max_pool3d(
    input: torch.Tensor,
    output_size: OutputSize,
    return_indices: bool = False,
    data_format: str = "channels_first",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Adaptive max pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.adaptive_max_pool3d(torch.ones(1, 1, 4, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = adaptive_pool(_first(input, 3, last), "max", 3, output_size, return_indices)
    return _back(out, 3, last)


def adaptive_avg_pool1d(
    input: torch.Tensor,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Adaptive avg pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, L) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.adaptive_avg_pool1d(torch.ones(1, 1, 4), 2).shape
        torch.Size([1, 1, 2])
    """
    last = _is_channels_last(data_format)
    out = adaptive_pool(_first(input, 1, last), "avg", 1, output_size)
    return _back(out, 1, last)


def adaptive_avg_pool2d(
    input: torch.Tensor,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Adaptive avg pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, H, W) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.adaptive_avg_pool2d(torch.ones(1, 1, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = adaptive_pool(_first(input, 2, last), "avg", 2, output_size)
    return _back(out, 2, last)


def adaptive_avg_pool3d(
    input: torch.Tensor,
    output_size: OutputSize,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Adaptive avg pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.adaptive_avg_pool3d(torch.ones(1, 1, 4, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2, 2])
    """
    last = _is_channels_last(data_format)
    out = adaptive_pool(_first(input, 3, last), "avg", 3, output_size)
    return _back(out, 3, last)


def max_unpool1d(
    input: torch.Tensor,
    indices: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Partial inverse of ``max_pool1d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool1d(..., return_indices=True)``
    returns.

    Shape:
        ``(L_in - 1)*stride - lo - hi + kernel_size`` per dim unless ``output_size``
        (spatial, or a full shape) says otherwise.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> y, i = PF.max_pool1d(torch.rand(1, 1, 4), 2, return_indices=True)
        >>> PF.max_unpool1d(y, i, 2).shape
        torch.Size([1, 1, 4])
    """
    last = _is_channels_last(data_format)
    if last and isinstance(output_size, list | tuple) and len(output_size) > 1:
        output_size = tuple(output_size)[:-1]  # a full (N, *spatial, C) shape
    out = max_unpool(
        _first(input, 1, last), _first(indices, 1, last), 1, kernel_size, stride, padding,
        output_size,
    )
    return _back(out, 1, last)


def max_unpool2d(
    input: torch.Tensor,
    indices: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Partial inverse of ``max_pool2d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool2d(..., return_indices=True)``
    returns.

    Shape:
        ``(L_in - 1)*stride - lo - hi + kernel_size`` per dim unless ``output_size``
        (spatial, or a full shape) says otherwise.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> y, i = PF.max_pool2d(torch.rand(1, 1, 4, 4), 2, return_indices=True)
        >>> PF.max_unpool2d(y, i, 2).shape
        torch.Size([1, 1, 4, 4])
    """
    last = _is_channels_last(data_format)
    if last and isinstance(output_size, list | tuple) and len(output_size) > 2:
        output_size = tuple(output_size)[:-1]  # a full (N, *spatial, C) shape
    out = max_unpool(
        _first(input, 2, last), _first(indices, 2, last), 2, kernel_size, stride, padding,
        output_size,
    )
    return _back(out, 2, last)


def max_unpool3d(
    input: torch.Tensor,
    indices: torch.Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    output_size: Size | None = None,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Partial inverse of ``max_pool3d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool3d(..., return_indices=True)``
    returns.

    Shape:
        ``(L_in - 1)*stride - lo - hi + kernel_size`` per dim unless ``output_size``
        (spatial, or a full shape) says otherwise.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> y, i = PF.max_pool3d(torch.rand(1, 1, 4, 4, 4), 2, return_indices=True)
        >>> PF.max_unpool3d(y, i, 2).shape
        torch.Size([1, 1, 4, 4, 4])
    """
    last = _is_channels_last(data_format)
    if last and isinstance(output_size, list | tuple) and len(output_size) > 3:
        output_size = tuple(output_size)[:-1]  # a full (N, *spatial, C) shape
    out = max_unpool(
        _first(input, 3, last), _first(indices, 3, last), 3, kernel_size, stride, padding,
        output_size,
    )
    return _back(out, 3, last)


def upsample_nearest1d(
    input: torch.Tensor,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling1D).

    Shape:
        ``(N, C, L) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.upsample_nearest1d(torch.ones(1, 1, 4), 2).shape
        torch.Size([1, 1, 8])
    """
    last = _is_channels_last(data_format)
    return _back(upsample(_first(input, 1, last), 1, scale_factor), 1, last)


def upsample_nearest2d(
    input: torch.Tensor,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling2D).

    Shape:
        ``(N, C, H, W) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.upsample_nearest2d(torch.ones(1, 1, 4, 4), 2).shape
        torch.Size([1, 1, 8, 8])
    """
    last = _is_channels_last(data_format)
    return _back(upsample(_first(input, 2, last), 2, scale_factor), 2, last)


def upsample_nearest3d(
    input: torch.Tensor,
    scale_factor: Size,
    data_format: str = "channels_first",
) -> torch.Tensor:
    """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling3D).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.upsample_nearest3d(torch.ones(1, 1, 4, 4, 4), 2).shape
        torch.Size([1, 1, 8, 8, 8])
    """
    last = _is_channels_last(data_format)
    return _back(upsample(_first(input, 3, last), 3, scale_factor), 3, last)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "max_pool1d": max_pool1d,
    "max_pool2d": max_pool2d,
    "max_pool3d": max_pool3d,
    "avg_pool1d": avg_pool1d,
    "avg_pool2d": avg_pool2d,
    "avg_pool3d": avg_pool3d,
    "sum_pool1d": sum_pool1d,
    "sum_pool2d": sum_pool2d,
    "sum_pool3d": sum_pool3d,
    "lp_pool1d": lp_pool1d,
    "lp_pool2d": lp_pool2d,
    "lp_pool3d": lp_pool3d,
    "global_max_pool1d": global_max_pool1d,
    "global_max_pool2d": global_max_pool2d,
    "global_max_pool3d": global_max_pool3d,
    "global_avg_pool1d": global_avg_pool1d,
    "global_avg_pool2d": global_avg_pool2d,
    "global_avg_pool3d": global_avg_pool3d,
    "global_sum_pool1d": global_sum_pool1d,
    "global_sum_pool2d": global_sum_pool2d,
    "global_sum_pool3d": global_sum_pool3d,
    "global_lp_pool1d": global_lp_pool1d,
    "global_lp_pool2d": global_lp_pool2d,
    "global_lp_pool3d": global_lp_pool3d,
    "adaptive_max_pool1d": adaptive_max_pool1d,
    "adaptive_max_pool2d": adaptive_max_pool2d,
    "adaptive_max_pool3d": adaptive_max_pool3d,
    "adaptive_avg_pool1d": adaptive_avg_pool1d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
    "adaptive_avg_pool3d": adaptive_avg_pool3d,
    "max_unpool1d": max_unpool1d,
    "max_unpool2d": max_unpool2d,
    "max_unpool3d": max_unpool3d,
    "upsample_nearest1d": upsample_nearest1d,
    "upsample_nearest2d": upsample_nearest2d,
    "upsample_nearest3d": upsample_nearest3d,
}
"""Every public function by name."""

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
# END generated by scripts/generate_api.py (public functions)


# torch.fx: each pooling call is one graph node (a leaf), never traced into, so symbolic_trace,
# FX passes and feature extractors see ``max_pool2d(x, ...)`` rather than argument checks on a
# Proxy. The layers call the generic functions below, which are leaves too. ``wrap`` must run
# at module level, once per name.
for _leaf in (*__all__, "window_pool", "adaptive_pool", "global_pool", "max_unpool", "upsample"):
    torch.fx.wrap(_leaf)
del _leaf
