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
from poolkit.errors import PoolingError
from poolkit.geometry import unpool_default_length
from poolkit.ops import _check_unpool_output_size, default_count_include_pad
from poolkit.torch import _compose, _ops
from poolkit.torch._bridge import use_kernels

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
    if 0 in x.shape[-n:]:
        raise PoolingError(
            f"{name} must have non-empty spatial dims; got shape {tuple(x.shape)}"
        )


def _stride(stride, kernel, n):
    # torch.nn.functional treats an empty stride like None (``stride=[]`` in its signatures)
    if stride is None or (isinstance(stride, list | tuple) and len(stride) == 0):
        return kernel
    return to_tuple(stride, n, "stride")


def _pads(padding, n):
    spec = normalize_padding(padding, n)
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


@_constant
def _window_args(
    reducer, n, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
    divisor_override, return_indices,
):  # fmt: skip
    kernel = _int64(to_tuple(kernel_size, n, "kernel_size"), "kernel_size", kernel_size)
    strides = _int64(_stride(stride, kernel, n), "stride", stride)
    dilations = _int64(to_tuple(dilation, n, "dilation"), "dilation", dilation)
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
def _adaptive_args(output_size, n, return_indices):
    # 0 marks a None entry (keep the input's size); filled in outside, where the input's
    # sizes may be symbolic under torch.compile and so cannot be traced constants
    size = _int64(check_output_size(output_size, (0,) * n), "output_size", output_size)
    return size, check_bool(return_indices, "return_indices")


@_constant
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
def _unpool_args(n, kernel_size, stride, padding, output_size):
    """Normalised ``(kernel, strides, pads, output_size)``; pads only when output_size is None."""
    kernel = to_tuple(kernel_size, n, "kernel_size")
    strides = _stride(stride, kernel, n)
    if output_size is not None:
        size = _check_unpool_output_size(output_size, n)
        return kernel, strides, None, _int64(size, "output_size", output_size)
    spec = normalize_padding(padding, n)
    if isinstance(spec, str):
        if spec != "valid":
            raise PoolingError(
                f"padding={padding!r} does not say how large the unpooled map is; pass "
                f"output_size (the pooled input's shape) or numeric padding"
            )
        spec = ((0, 0),) * n
    return kernel, strides, spec, None


def _unpool_size(spatial, n, kernel_size, stride, padding, output_size):
    """The unpooled spatial size: ``output_size`` or ``(L_in - 1)*s - lo - hi + k``."""
    kernel, strides, spec, size = _unpool_args(n, kernel_size, stride, padding, output_size)
    if size is not None:
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
        return _ops.max_unpool(x, indices, list(size))
    return _compose.max_unpool(x, indices, n, size)


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


# --------------------------------------------------------------------------- public names

_WINDOW_DOC = """{title}

    {body}
    Args:
        input: tensor ``(N, C, {sp})`` or unbatched ``(C, {sp})``.
        kernel_size, stride, dilation: int or tuple of {n}; ``stride=None`` means kernel_size.
        padding: int, tuple of {n} ints, {n} ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow's SAME), ``"same_lower"``.
        ceil_mode: round the output size up (PyTorch's rule: the last window starts inside).
        data_format: ``"channels_last"`` for ``(N, {sp}, C)`` tensors (a view, no copy).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.{name}({example}).shape
        torch.Size({out})
"""

_IN = {1: "(1, 1, 4)", 2: "(1, 1, 4, 4)", 3: "(1, 1, 4, 4, 4)"}
_OUT = {1: "[1, 1, 2]", 2: "[1, 1, 2, 2]", 3: "[1, 1, 2, 2, 2]"}
_FULL = {1: "[1, 1, 4]", 2: "[1, 1, 4, 4]", 3: "[1, 1, 4, 4, 4]"}


def _doc(name, n, title, body, call):
    return _WINDOW_DOC.format(
        title=title,
        body=body,
        sp=_SPATIAL[n],
        n=n,
        name=name,
        example=call.format(shape=_IN[n]),
        out=_OUT[n],
    )


def _named(function, name, doc):
    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    function.__doc__ = doc
    return function


def _functions(n: int) -> dict:
    cf = "channels_first"

    def max_pool(
        input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
        return_indices=False, data_format=cf,
    ):  # fmt: skip
        last = _is_channels_last(data_format)
        out = window_pool(
            _first(input, n, last), "max", n, kernel_size, stride, padding, dilation, ceil_mode,
            return_indices=return_indices,
        )  # fmt: skip
        return _back(out, n, last)

    def avg_pool(
        input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
        count_include_pad=None, divisor_override=None, data_format=cf,
    ):  # fmt: skip
        last = _is_channels_last(data_format)
        out = window_pool(
            _first(input, n, last), "avg", n, kernel_size, stride, padding, dilation, ceil_mode,
            count_include_pad=count_include_pad, divisor_override=divisor_override,
        )  # fmt: skip
        return _back(out, n, last)

    def sum_pool(
        input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, data_format=cf
    ):
        last = _is_channels_last(data_format)
        out = window_pool(
            _first(input, n, last), "sum", n, kernel_size, stride, padding, dilation, ceil_mode
        )
        return _back(out, n, last)

    def lp_pool(
        input, p, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
        data_format=cf,
    ):  # fmt: skip
        last = _is_channels_last(data_format)
        out = window_pool(
            _first(input, n, last), "lp", n, kernel_size, stride, padding, dilation, ceil_mode,
            p=p,
        )  # fmt: skip
        return _back(out, n, last)

    def _global(input, reducer, p, keepdims, data_format):
        last = _is_channels_last(data_format)
        out = global_pool(_first(input, n, last), reducer, n, p=p, keepdims=keepdims)
        return _back(out, n, last and keepdims is True)

    def global_max_pool(input, keepdims=False, data_format=cf):
        return _global(input, "max", 2.0, keepdims, data_format)

    def global_avg_pool(input, keepdims=False, data_format=cf):
        return _global(input, "avg", 2.0, keepdims, data_format)

    def global_sum_pool(input, keepdims=False, data_format=cf):
        return _global(input, "sum", 2.0, keepdims, data_format)

    def global_lp_pool(input, p, keepdims=False, data_format=cf):
        return _global(input, "lp", p, keepdims, data_format)

    def adaptive_max_pool(input, output_size, return_indices=False, data_format=cf):
        last = _is_channels_last(data_format)
        out = adaptive_pool(_first(input, n, last), "max", n, output_size, return_indices)
        return _back(out, n, last)

    def adaptive_avg_pool(input, output_size, data_format=cf):
        last = _is_channels_last(data_format)
        return _back(adaptive_pool(_first(input, n, last), "avg", n, output_size), n, last)

    def max_unpool_(
        input, indices, kernel_size, stride=None, padding=0, output_size=None, data_format=cf
    ):
        last = _is_channels_last(data_format)
        if last and isinstance(output_size, list | tuple) and len(output_size) > n:
            output_size = tuple(output_size)[:-1]  # a full (N, *spatial, C) shape
        out = max_unpool(
            _first(input, n, last), _first(indices, n, last), n, kernel_size, stride, padding,
            output_size,
        )  # fmt: skip
        return _back(out, n, last)

    def upsample_nearest(input, scale_factor, data_format=cf):
        last = _is_channels_last(data_format)
        return _back(upsample(_first(input, n, last), n, scale_factor), n, last)

    t = "torch.ones{shape}"
    docs = {
        "max_pool": (
            max_pool,
            _doc(
                f"max_pool{n}d",
                n,
                f"Max pooling over {n} spatial dim(s) (PyTorch semantics).",
                "Pads never win; ties go to the first maximum; ``return_indices=True`` also "
                "returns int64 flat indices into each (n, c) plane, as torch does.\n",
                t + ", 2",
            ),
        ),
        "avg_pool": (
            avg_pool,
            _doc(
                f"avg_pool{n}d",
                n,
                f"Average pooling over {n} spatial dim(s), with dilation.",
                "``count_include_pad=None`` counts numeric pads (PyTorch) and leaves string "
                "pads out (TensorFlow 'same'); ``divisor_override`` replaces the divisor.\n",
                t + ", 2",
            ),
        ),
        "sum_pool": (
            sum_pool,
            _doc(
                f"sum_pool{n}d",
                n,
                f"Sum pooling over {n} spatial dim(s): the window total.",
                "Pads count as 0.\n",
                t + ", 2",
            ),
        ),
        "lp_pool": (
            lp_pool,
            _doc(
                f"lp_pool{n}d",
                n,
                f"Lp pooling over {n} spatial dim(s): ``(sum |x|^p)^(1/p)``.",
                "Unlike ``torch.nn.functional.lp_pool{n}d``, which drops the absolute value "
                "(wrong for negative input) and rescales ceil-mode edge windows, this is the "
                "ONNX LpPool definition; the two agree for ``x >= 0`` without ceil_mode. "
                "``p=inf`` gives the max of ``|x|``.\n".replace("{n}", str(n)),
                t + ", 2, 2",
            ),
        ),
    }
    public = {}
    for stem, (function, doc) in docs.items():
        public[f"{stem}{n}d"] = _named(function, f"{stem}{n}d", doc)
    for stem, function, what in (
        ("global_max_pool", global_max_pool, "max"),
        ("global_avg_pool", global_avg_pool, "average"),
        ("global_sum_pool", global_sum_pool, "sum"),
        ("global_lp_pool", global_lp_pool, "Lp (``(sum |x|^p)^(1/p)``)"),
    ):
        name = f"{stem}{n}d"
        call = (
            "torch.ones(2, 3, *[4] * {n}), 2"
            if stem == "global_lp_pool"
            else ("torch.ones(2, 3, *[4] * {n})")
        )
        public[name] = _named(
            function,
            name,
            f"""Global {what} pooling over all {n} spatial dim(s): one number per channel.

    Shape:
        ``(N, C, {_SPATIAL[n]}) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.{name}({call.format(n=n)}).shape
        torch.Size([2, 3])
""",
        )
    for stem, function in (
        ("adaptive_max_pool", adaptive_max_pool),
        ("adaptive_avg_pool", adaptive_avg_pool),
    ):
        name = f"{stem}{n}d"
        public[name] = _named(
            function,
            name,
            f"""Adaptive {stem.split("_")[1]} pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, {_SPATIAL[n]}) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.{name}(torch.ones{_IN[n]}, 2).shape
        torch.Size({_OUT[n]})
""",
        )
    public[f"max_unpool{n}d"] = _named(
        max_unpool_,
        f"max_unpool{n}d",
        f"""Partial inverse of ``max_pool{n}d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool{n}d(..., return_indices=True)``
    returns. Shape: ``(L_in - 1)*stride - lo - hi + kernel_size`` per dim unless
    ``output_size`` (spatial, or a full shape) says otherwise.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> y, i = PF.max_pool{n}d(torch.rand{_IN[n]}, 2, return_indices=True)
        >>> PF.max_unpool{n}d(y, i, 2).shape
        torch.Size({_FULL[n]})
""",
    )
    public[f"upsample_nearest{n}d"] = _named(
        upsample_nearest,
        f"upsample_nearest{n}d",
        f"""Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling{n}D).

    Shape:
        ``(N, C, {_SPATIAL[n]}) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.upsample_nearest{n}d(torch.ones{_IN[n]}, 2).shape
        torch.Size({[1, 1, *[8] * n]})
""",
    )
    return public


FUNCTIONS: dict = {}
for _n in (1, 2, 3):
    FUNCTIONS.update(_functions(_n))
globals().update(FUNCTIONS)

__all__ = sorted(FUNCTIONS)
