"""The public per-dimension names: ``max_pool1d``, ``avg_pool2d_backward``, ``global_lp_pool3d``...

Each is a one-line specialisation of a generic function in :mod:`poolkit.ops` with the number
of spatial dims fixed, built once per dimension by :func:`_operators` so the 1-, 2- and 3-d
families cannot drift apart. Signatures are real (``help()`` and ``inspect`` show them).
"""

from __future__ import annotations

from poolkit import ops

_EXAMPLE_IN = {1: "(1, 1, 4)", 2: "(1, 1, 4, 4)", 3: "(1, 1, 4, 4, 4)"}
_EXAMPLE_OUT = {1: "(1, 1, 2)", 2: "(1, 1, 2, 2)", 3: "(1, 1, 2, 2, 2)"}
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}

_WINDOW_ARGS = """
    Args:
        x: array ``(N, C, {sp})`` or unbatched ``(C, {sp})``; channels last with
            ``data_format="channels_last"``.
        kernel_size, stride, dilation: int or tuple of {n}; ``stride=None`` means kernel_size.
        padding: int, tuple of {n} ints, {n} ``(lo, hi)`` pairs, or ``"valid"``, ``"same"``
            (extra pad at the end, TensorFlow/ONNX SAME_UPPER), ``"same_lower"``.
        ceil_mode: round the output size up, with PyTorch's last-window rule.

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim (see :func:`poolkit.geometry.output_length`).
"""

_DOCS = {
    "max_pool": """Max pooling over {n} spatial dim(s), exactly as PyTorch's ``max_pool{n}d``.

    Pads never win; NaN propagates; ties go to the first element in window order. Integer and
    bool inputs keep their dtype. ``return_indices=True`` also returns int64 flat indices into
    each (n, c) plane (PyTorch's format; see :func:`poolkit.convert_indices`).
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.max_pool{n}d(np.arange({size}.).reshape{shape_in}, 2).shape
        {shape_out}
""",
    "avg_pool": """Average pooling over {n} spatial dim(s).

    ``count_include_pad=None`` counts explicit numeric pads in the divisor (PyTorch) and leaves
    pads out for string padding (TensorFlow/Keras 'same'); the ceil-mode overhang never counts.
    ``divisor_override`` replaces the divisor. Returns floats (float64 for integer input).
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.avg_pool{n}d(np.ones({shape_in}), 2).shape
        {shape_out}
""",
    "sum_pool": """Sum pooling over {n} spatial dim(s): the window total, pads counting 0.

    Integers and bools accumulate in int64.
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.sum_pool{n}d(np.ones({shape_in}), 2).max()) == 2 ** {n}
        True
""",
    "lp_pool": """Lp pooling over {n} spatial dim(s): ``(sum |x|^p)^(1/p)`` per window (ONNX).

    Pads count as 0. Equal to PyTorch's ``lp_pool{n}d`` wherever ``x >= 0`` (PyTorch drops the
    absolute value). ``p=inf`` gives the max of ``|x|``.
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.lp_pool{n}d(np.ones({shape_in}), 2, 2).max()) == (2 ** {n}) ** 0.5
        True
""",
    "global": """Global {reducer} pooling over all {n} spatial dim(s): one number per channel.

    Shape:
        ``(N, C, {sp}) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_{reducer}_pool{n}d(np.ones({shape_in})).shape
        (1, 1)
""",
    "adaptive": """Adaptive {reducer} pooling to ``output_size`` over {n} spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, {sp}) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_{reducer}_pool{n}d(np.ones({shape_in}), 2).shape
        {shape_out}
""",
    "max_unpool": """Partial inverse of ``max_pool{n}d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool{n}d(..., return_indices=True)``
    returns. The output size defaults to ``(L_in - 1)*stride - lo - hi + kernel_size`` per
    dim; ``output_size`` (spatial, or a full shape) overrides it.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange({size}.).reshape{shape_in}
        >>> y, i = poolkit.max_pool{n}d(x, 2, return_indices=True)
        >>> poolkit.max_unpool{n}d(y, i, 2).shape
        {shape_in}
""",
    "upsample": """Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling{n}D).

    Shape:
        ``(N, C, {sp}) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.upsample_nearest{n}d(np.ones({shape_out}), 2).shape
        {shape_in}
""",
}

_BACKWARD_DOC = """Gradient of :func:`poolkit.{forward}` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).{extra}
"""


def _format(template: str, n: int, **extra) -> str:
    fields = {
        "n": n,
        "sp": _SPATIAL[n],
        "shape_in": _EXAMPLE_IN[n],
        "shape_out": _EXAMPLE_OUT[n],
        "size": 4**n,
    }
    fields.update(extra)
    fields["args"] = _WINDOW_ARGS.format(**fields)
    return template.format(**fields)


def _operators(n: int) -> dict:
    """Every public operator for ``n`` spatial dims, keyed by public name."""
    cf = "channels_first"

    def max_pool(
        x,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        ceil_mode=False,
        return_indices=False,
        data_format=cf,
    ):
        return ops.pool(
            x,
            "max",
            n,
            kernel_size,
            stride,
            padding,
            dilation,
            ceil_mode,
            return_indices=return_indices,
            data_format=data_format,
        )

    def max_pool_backward(
        grad_output,
        x,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        ceil_mode=False,
        return_indices=False,
        data_format=cf,
    ):
        del return_indices  # accepted so the forward's keyword arguments pass unchanged
        return ops.pool_backward(
            grad_output,
            x,
            "max",
            n,
            kernel_size,
            stride,
            padding,
            dilation,
            ceil_mode,
            data_format=data_format,
        )

    def avg_pool(
        x,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        ceil_mode=False,
        count_include_pad=None,
        divisor_override=None,
        data_format=cf,
    ):
        return ops.pool(
            x,
            "avg",
            n,
            kernel_size,
            stride,
            padding,
            dilation,
            ceil_mode,
            count_include_pad=count_include_pad,
            divisor_override=divisor_override,
            data_format=data_format,
        )

    def avg_pool_backward(
        grad_output,
        x,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        ceil_mode=False,
        count_include_pad=None,
        divisor_override=None,
        data_format=cf,
    ):
        return ops.pool_backward(
            grad_output,
            x,
            "avg",
            n,
            kernel_size,
            stride,
            padding,
            dilation,
            ceil_mode,
            count_include_pad=count_include_pad,
            divisor_override=divisor_override,
            data_format=data_format,
        )

    def sum_pool(
        x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, data_format=cf
    ):
        return ops.pool(
            x, "sum", n, kernel_size, stride, padding, dilation, ceil_mode, data_format=data_format
        )

    def sum_pool_backward(
        grad_output,
        x,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        ceil_mode=False,
        data_format=cf,
    ):
        return ops.pool_backward(
            grad_output,
            x,
            "sum",
            n,
            kernel_size,
            stride,
            padding,
            dilation,
            ceil_mode,
            data_format=data_format,
        )

    def lp_pool(
        x, p, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, data_format=cf
    ):
        return ops.pool(
            x,
            "lp",
            n,
            kernel_size,
            stride,
            padding,
            dilation,
            ceil_mode,
            p=p,
            data_format=data_format,
        )

    def lp_pool_backward(
        grad_output,
        x,
        p,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        ceil_mode=False,
        data_format=cf,
    ):
        return ops.pool_backward(
            grad_output,
            x,
            "lp",
            n,
            kernel_size,
            stride,
            padding,
            dilation,
            ceil_mode,
            p=p,
            data_format=data_format,
        )

    def global_max_pool(x, keepdims=False, data_format=cf):
        return ops.global_pool(x, "max", n, keepdims=keepdims, data_format=data_format)

    def global_avg_pool(x, keepdims=False, data_format=cf):
        return ops.global_pool(x, "avg", n, keepdims=keepdims, data_format=data_format)

    def global_sum_pool(x, keepdims=False, data_format=cf):
        return ops.global_pool(x, "sum", n, keepdims=keepdims, data_format=data_format)

    def global_lp_pool(x, p, keepdims=False, data_format=cf):
        return ops.global_pool(x, "lp", n, p=p, keepdims=keepdims, data_format=data_format)

    def global_max_pool_backward(grad_output, x, keepdims=False, data_format=cf):
        return ops.global_pool_backward(
            grad_output, x, "max", n, keepdims=keepdims, data_format=data_format
        )

    def global_avg_pool_backward(grad_output, x, keepdims=False, data_format=cf):
        return ops.global_pool_backward(
            grad_output, x, "avg", n, keepdims=keepdims, data_format=data_format
        )

    def global_sum_pool_backward(grad_output, x, keepdims=False, data_format=cf):
        return ops.global_pool_backward(
            grad_output, x, "sum", n, keepdims=keepdims, data_format=data_format
        )

    def global_lp_pool_backward(grad_output, x, p, keepdims=False, data_format=cf):
        return ops.global_pool_backward(
            grad_output, x, "lp", n, p=p, keepdims=keepdims, data_format=data_format
        )

    def adaptive_max_pool(x, output_size, return_indices=False, data_format=cf):
        return ops.adaptive_pool(x, "max", n, output_size, return_indices, data_format)

    def adaptive_avg_pool(x, output_size, data_format=cf):
        return ops.adaptive_pool(x, "avg", n, output_size, data_format=data_format)

    def adaptive_max_pool_backward(
        grad_output, x, output_size, return_indices=False, data_format=cf
    ):
        del return_indices  # accepted so the forward's keyword arguments pass unchanged
        return ops.adaptive_pool_backward(grad_output, x, "max", n, output_size, data_format)

    def adaptive_avg_pool_backward(grad_output, x, output_size, data_format=cf):
        return ops.adaptive_pool_backward(grad_output, x, "avg", n, output_size, data_format)

    def max_unpool(
        x, indices, kernel_size, stride=None, padding=0, output_size=None, data_format=cf
    ):
        return ops.max_unpool(x, indices, n, kernel_size, stride, padding, output_size, data_format)

    def max_unpool_backward(
        grad_output,
        x,
        indices,
        kernel_size,
        stride=None,
        padding=0,
        output_size=None,
        data_format=cf,
    ):
        return ops.max_unpool_backward(
            grad_output, x, indices, n, kernel_size, stride, padding, output_size, data_format
        )

    def upsample_nearest(x, scale_factor, data_format=cf):
        return ops.upsample(x, n, scale_factor, data_format)

    def upsample_nearest_backward(grad_output, x, scale_factor, data_format=cf):
        return ops.upsample_backward(grad_output, x, n, scale_factor, data_format)

    forwards = {
        "max_pool": (max_pool, _format(_DOCS["max_pool"], n)),
        "avg_pool": (avg_pool, _format(_DOCS["avg_pool"], n)),
        "sum_pool": (sum_pool, _format(_DOCS["sum_pool"], n)),
        "lp_pool": (lp_pool, _format(_DOCS["lp_pool"], n)),
        "global_max_pool": (global_max_pool, _format(_DOCS["global"], n, reducer="max")),
        "global_avg_pool": (global_avg_pool, _format(_DOCS["global"], n, reducer="avg")),
        "global_sum_pool": (global_sum_pool, _format(_DOCS["global"], n, reducer="sum")),
        "global_lp_pool": (
            global_lp_pool,
            _format(_DOCS["global"], n, reducer="lp").replace(
                f"global_lp_pool{n}d(np.ones({_EXAMPLE_IN[n]}))",
                f"global_lp_pool{n}d(np.ones({_EXAMPLE_IN[n]}), 2)",
            ),
        ),
        "adaptive_max_pool": (adaptive_max_pool, _format(_DOCS["adaptive"], n, reducer="max")),
        "adaptive_avg_pool": (adaptive_avg_pool, _format(_DOCS["adaptive"], n, reducer="avg")),
        "max_unpool": (max_unpool, _format(_DOCS["max_unpool"], n)),
        "upsample_nearest": (upsample_nearest, _format(_DOCS["upsample"], n)),
    }
    backwards = {
        "max_pool": max_pool_backward,
        "avg_pool": avg_pool_backward,
        "sum_pool": sum_pool_backward,
        "lp_pool": lp_pool_backward,
        "global_max_pool": global_max_pool_backward,
        "global_avg_pool": global_avg_pool_backward,
        "global_sum_pool": global_sum_pool_backward,
        "global_lp_pool": global_lp_pool_backward,
        "adaptive_max_pool": adaptive_max_pool_backward,
        "adaptive_avg_pool": adaptive_avg_pool_backward,
        "max_unpool": max_unpool_backward,
        "upsample_nearest": upsample_nearest_backward,
    }
    public = {}
    for stem, (function, doc) in forwards.items():
        name = f"{stem}{n}d"
        public[name] = _named(function, name, doc)
        extra = ""
        if stem.startswith("max_unpool"):
            extra = " Shaped like ``x``: the gradient is ``grad_output`` read at ``indices``."
        public[f"{name}_backward"] = _named(
            backwards[stem], f"{name}_backward", _BACKWARD_DOC.format(forward=name, extra=extra)
        )
    return public


def _named(function, name: str, doc: str):
    function.__name__ = function.__qualname__ = name
    function.__module__ = "poolkit"
    function.__doc__ = doc
    return function


OPERATORS: dict = {}
for _n in (1, 2, 3):
    OPERATORS.update(_operators(_n))
globals().update(OPERATORS)
