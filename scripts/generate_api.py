"""Write poolkit's public API as real source, from the tables below.

``OPERATORS`` -> ``src/poolkit/api.py``: every NumPy operator (``max_pool1d`` ...
``upsample_nearest3d_backward``) as an annotated ``def``, plus the explicit re-exports and
``__all__`` in the marked blocks of ``src/poolkit/__init__.py``. ``TORCH_FUNCTIONS`` -> the
marked block of ``src/poolkit/torch/functional.py``; ``LAYERS`` -> the marked block of
``src/poolkit/torch/modules.py`` (class statements) and the re-exports in
``src/poolkit/torch/__init__.py``. grep, mypy, jedi and ``help()`` then all read the same
source, and this script is the one place where names, parameters, defaults, annotations and
docs are written (once for the 1-, 2- and 3-d families). Outside the marked blocks, the
hand-written files are left as they are.

    python scripts/generate_api.py           # rewrite whatever is out of date
    python scripts/generate_api.py --check   # exit 1 if any file is out of date

``tests/test_generated.py`` runs the ``render_*`` functions in memory and checks the
checked-in files are identical to what they return.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API_PATH = ROOT / "src" / "poolkit" / "api.py"
INIT_PATH = ROOT / "src" / "poolkit" / "__init__.py"
TORCH_FUNCTIONAL_PATH = ROOT / "src" / "poolkit" / "torch" / "functional.py"
TORCH_MODULES_PATH = ROOT / "src" / "poolkit" / "torch" / "modules.py"
TORCH_INIT_PATH = ROOT / "src" / "poolkit" / "torch" / "__init__.py"
LINE_LENGTH = 100
DIMS = (1, 2, 3)

# ----------------------------------------------------------------------------------- the table

# Every parameter of the public API: annotation and default (None: required). An operator may
# override the annotation (``max_unpool``'s ``output_size`` is not adaptive pooling's).
PARAMETERS: dict[str, tuple[str, str | None]] = {
    "grad_output": ("ArrayLike", None),
    "x": ("ArrayLike", None),
    "indices": ("ArrayLike", None),
    "p": ("SupportsFloat", None),
    "kernel_size": ("Size", None),
    "stride": ("Size | None", "None"),
    "padding": ("Padding", "0"),
    "dilation": ("Size", "1"),
    "ceil_mode": ("bool", "False"),
    "return_indices": ("bool", "False"),
    "count_include_pad": ("bool | None", "None"),
    "divisor_override": ("SupportsIndex | None", "None"),
    "keepdims": ("bool", "False"),
    "output_size": ("OutputSize", None),
    "scale_factor": ("Size", None),
    "data_format": ("str", '"channels_first"'),
}

WINDOW = ["kernel_size", "stride", "padding", "dilation", "ceil_mode"]

UNUSED = "accepted so the forward's keyword arguments pass unchanged"
ARRAY = "NDArray[Any]"
WITH_INDICES = "tuple[NDArray[Any], NDArray[np.int64]]"

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

_BACKWARD_DOC = """Gradient of :func:`poolkit.{forward}` with respect to ``x``.

    Takes ``grad_output`` (the forward output's shape), ``x`` and the forward's own arguments;
    returns an array shaped like ``x`` in x's float type (float64 for integer input).{extra}

    Shape:
        ``grad_output``: what ``{forward}(x, ...)`` returns; the result: ``x.shape``.

    Example:
        >>> import numpy as np, poolkit
{example}
"""


def _wrap(text: str, initial_indent: str, subsequent_indent: str) -> str:
    """``textwrap.fill`` to the line length, never breaking inside a ````literal````."""
    protected = re.sub(r"``[^`]*``", lambda m: m.group(0).replace(" ", "\0"), text)
    wrapped = textwrap.fill(
        protected,
        LINE_LENGTH,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_on_hyphens=False,
    )
    return wrapped.replace("\0", " ")


@dataclass(frozen=True)
class Operator:
    """One public operator family: ``{stem}{n}d`` and ``{stem}{n}d_backward`` for n = 1, 2, 3.

    ``forward``/``backward`` are the calls into :mod:`poolkit.ops` (function, arguments) with
    ``{n}`` for the number of spatial dims; the docs are templates over the fields of
    :func:`_fields`. A forward parameter the backward call does not use (``return_indices``)
    is still accepted by the backward, so the forward's keyword arguments pass unchanged.
    """

    stem: str
    parameters: tuple[str, ...]
    forward: tuple[str, tuple[str, ...]]
    backward: tuple[str, tuple[str, ...]]
    doc: str
    backward_example: str
    backward_extra: str = ""
    annotations: tuple[tuple[str, str], ...] = ()


def _window(reducer: str, extra: tuple[str, ...] = (), keywords: tuple[str, ...] = ()):
    """The parameters and ``ops.pool``/``ops.pool_backward`` calls of one windowed reducer."""
    head = (f'"{reducer}"', "{n}", *WINDOW)
    passed = (*extra, *keywords)
    forward_keywords = tuple(f"{k}={k}" for k in passed)
    backward_keywords = tuple(f"{k}={k}" for k in passed if k != "return_indices")
    return dict(
        parameters=("x", *extra, *WINDOW, *keywords, "data_format"),
        forward=("ops.pool", ("x", *head, *forward_keywords, "data_format=data_format")),
        backward=(
            "ops.pool_backward",
            ("grad_output", "x", *head, *backward_keywords, "data_format=data_format"),
        ),
    )


def _global(reducer: str) -> Operator:
    with_p = ("p",) if reducer == "lp" else ()
    example_p = ", 2" if with_p else ""
    keywords = (*(f"{k}={k}" for k in with_p), "keepdims=keepdims", "data_format=data_format")
    return Operator(
        stem=f"global_{reducer}_pool",
        parameters=("x", *with_p, "keepdims", "data_format"),
        forward=("ops.global_pool", ("x", f'"{reducer}"', "{n}", *keywords)),
        backward=(
            "ops.global_pool_backward",
            ("grad_output", "x", f'"{reducer}"', "{n}", *keywords),
        ),
        doc=f"""Global {reducer} pooling over all {{n}} spatial dim(s): one number per channel.

    Shape:
        ``(N, C, {{sp}}) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.global_{reducer}_pool{{n}}d(np.ones({{shape_in}}){example_p}).shape
        (1, 1)
""",
        backward_example=_GLOBAL_BACKWARD_EXAMPLES[reducer],
    )


_GLOBAL_BACKWARD_EXAMPLES = {
    "max": """\
        >>> x = np.arange({size}.).reshape{shape_in}
        >>> g = poolkit.global_max_pool{n}d_backward(np.ones((1, 1)), x)
        >>> g.shape, float(g.sum()), float(g.flat[-1])
        ({shape_in}, 1.0, 1.0)""",
    "avg": """\
        >>> x, grad = np.ones({shape_in}), np.ones((1, 1))
        >>> g = poolkit.global_avg_pool{n}d_backward(grad, x)
        >>> g.shape, float(g.max()) == 1 / {size}
        ({shape_in}, True)""",
    "sum": """\
        >>> x, grad = np.ones({shape_in}), np.ones((1, 1))
        >>> g = poolkit.global_sum_pool{n}d_backward(grad, x)
        >>> g.shape, float(g.min()), float(g.max())
        ({shape_in}, 1.0, 1.0)""",
    "lp": """\
        >>> x, grad = np.ones({shape_in}), np.ones((1, 1))
        >>> g = poolkit.global_lp_pool{n}d_backward(grad, x, 2)
        >>> g.shape, bool(np.allclose(g, 1 / 2 ** {n}))
        ({shape_in}, True)""",
}


OPERATORS: tuple[Operator, ...] = (
    Operator(
        stem="max_pool",
        **_window("max", keywords=("return_indices",)),
        doc="""Max pooling over {n} spatial dim(s), exactly as PyTorch's ``max_pool{n}d``.

    Pads never win; NaN propagates; ties go to the first element in window order. Integer and
    bool inputs keep their dtype. ``return_indices=True`` also returns int64 flat indices into
    each (n, c) plane (PyTorch's format; see :func:`poolkit.convert_indices`).
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.max_pool{n}d(np.arange({size}.).reshape{shape_in}, 2).shape
        {shape_out}
""",
        backward_example="""\
        >>> x = np.arange({size}.).reshape{shape_in}
        >>> g = poolkit.max_pool{n}d_backward(np.ones({shape_out}), x, 2)
        >>> g.shape, float(g.sum())
        ({shape_in}, {windows}.0)""",
    ),
    Operator(
        stem="avg_pool",
        **_window("avg", keywords=("count_include_pad", "divisor_override")),
        doc="""Average pooling over {n} spatial dim(s).

    ``count_include_pad=None`` counts explicit numeric pads in the divisor (PyTorch) and leaves
    pads out for string padding (TensorFlow/Keras 'same'); the ceil-mode overhang never counts.
    ``divisor_override`` replaces the divisor. Returns floats (float64 for integer input).
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.avg_pool{n}d(np.ones({shape_in}), 2).shape
        {shape_out}
""",
        backward_example="""\
        >>> x, grad = np.ones({shape_in}), np.ones({shape_out})
        >>> g = poolkit.avg_pool{n}d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / {windows}
        ({shape_in}, True)""",
    ),
    Operator(
        stem="sum_pool",
        **_window("sum"),
        doc="""Sum pooling over {n} spatial dim(s): the window total, pads counting 0.

    Integers and bools accumulate in int64.
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.sum_pool{n}d(np.ones({shape_in}), 2).max()) == 2 ** {n}
        True
""",
        backward_example="""\
        >>> x, grad = np.ones({shape_in}), np.ones({shape_out})
        >>> g = poolkit.sum_pool{n}d_backward(grad, x, 2)
        >>> g.shape, float(g.min()), float(g.max())
        ({shape_in}, 1.0, 1.0)""",
    ),
    Operator(
        stem="lp_pool",
        **_window("lp", extra=("p",)),
        doc="""Lp pooling over {n} spatial dim(s): ``(sum |x|^p)^(1/p)`` per window (ONNX).

    Pads count as 0. Equal to PyTorch's ``lp_pool{n}d`` wherever ``x >= 0`` (PyTorch drops the
    absolute value). ``p=inf`` gives the max of ``|x|``.
{args}
    Example:
        >>> import numpy as np, poolkit
        >>> float(poolkit.lp_pool{n}d(np.ones({shape_in}), 2, 2).max()) == (2 ** {n}) ** 0.5
        True
""",
        backward_example="""\
        >>> x, grad = np.ones({shape_in}), np.ones({shape_out})
        >>> g = poolkit.lp_pool{n}d_backward(grad, x, 2, 2)
        >>> g.shape, bool(np.allclose(g, 1 / (2 ** {n}) ** 0.5))
        ({shape_in}, True)""",
    ),
    _global("max"),
    _global("avg"),
    _global("sum"),
    _global("lp"),
    Operator(
        stem="adaptive_max_pool",
        parameters=("x", "output_size", "return_indices", "data_format"),
        forward=(
            "ops.adaptive_pool",
            ("x", '"max"', "{n}", "output_size", "return_indices", "data_format"),
        ),
        backward=(
            "ops.adaptive_pool_backward",
            ("grad_output", "x", '"max"', "{n}", "output_size", "data_format"),
        ),
        doc="""Adaptive max pooling to ``output_size`` over {n} spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, {sp}) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_max_pool{n}d(np.ones({shape_in}), 2).shape
        {shape_out}
""",
        backward_example="""\
        >>> x = np.arange({size}.).reshape{shape_in}
        >>> g = poolkit.adaptive_max_pool{n}d_backward(np.ones({shape_out}), x, 2)
        >>> g.shape, float(g.sum())
        ({shape_in}, {windows}.0)""",
    ),
    Operator(
        stem="adaptive_avg_pool",
        parameters=("x", "output_size", "data_format"),
        forward=(
            "ops.adaptive_pool",
            ("x", '"avg"', "{n}", "output_size", "data_format=data_format"),
        ),
        backward=(
            "ops.adaptive_pool_backward",
            ("grad_output", "x", '"avg"', "{n}", "output_size", "data_format"),
        ),
        doc="""Adaptive avg pooling to ``output_size`` over {n} spatial dim(s).

    Bins follow PyTorch: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``; ``None`` in
    ``output_size`` keeps that dim's size.

    Shape:
        ``(N, C, {sp}) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.adaptive_avg_pool{n}d(np.ones({shape_in}), 2).shape
        {shape_out}
""",
        backward_example="""\
        >>> x, grad = np.ones({shape_in}), np.ones({shape_out})
        >>> g = poolkit.adaptive_avg_pool{n}d_backward(grad, x, 2)
        >>> g.shape, float(g.max()) == 1 / {windows}
        ({shape_in}, True)""",
    ),
    Operator(
        stem="max_unpool",
        parameters=(
            "x", "indices", "kernel_size", "stride", "padding", "output_size", "data_format"
        ),
        annotations=(("output_size", "Size | None = None"),),
        forward=(
            "ops.max_unpool",
            (
                "x", "indices", "{n}", "kernel_size", "stride", "padding", "output_size",
                "data_format",
            ),
        ),
        backward=(
            "ops.max_unpool_backward",
            (
                "grad_output", "x", "indices", "{n}", "kernel_size", "stride", "padding",
                "output_size", "data_format",
            ),
        ),
        doc="""Partial inverse of ``max_pool{n}d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool{n}d(..., return_indices=True)``
    returns. The output size defaults to ``(L_in - 1)*stride - lo - hi + kernel_size`` per
    dim; ``output_size`` (spatial, or a full shape) overrides it.

    Shape:
        ``(N, C, {sp}) -> (N, C, *output_size)``, ``indices`` shaped like ``x``.

    Example:
        >>> import numpy as np, poolkit
        >>> x = np.arange({size}.).reshape{shape_in}
        >>> y, i = poolkit.max_pool{n}d(x, 2, return_indices=True)
        >>> poolkit.max_unpool{n}d(y, i, 2).shape
        {shape_in}
""",
        backward_extra="\n    The gradient is ``grad_output`` read at ``indices``.",
        backward_example="""\
        >>> x = np.arange({size}.).reshape{shape_in}
        >>> y, i = poolkit.max_pool{n}d(x, 2, return_indices=True)
        >>> g = poolkit.max_unpool{n}d_backward(x, y, i, 2)
        >>> g.shape, bool((g == y).all())
        ({shape_out}, True)""",
    ),
    Operator(
        stem="upsample_nearest",
        parameters=("x", "scale_factor", "data_format"),
        forward=("ops.upsample", ("x", "{n}", "scale_factor", "data_format")),
        backward=(
            "ops.upsample_backward",
            ("grad_output", "x", "{n}", "scale_factor", "data_format"),
        ),
        doc="""Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling{n}D).

    Shape:
        ``(N, C, {sp}) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import numpy as np, poolkit
        >>> poolkit.upsample_nearest{n}d(np.ones({shape_out}), 2).shape
        {shape_in}
""",
        backward_extra="\n    Each ``x`` element gets the sum of its ``scale_factor`` block.",
        backward_example="""\
        >>> x, grad = np.ones({shape_out}), np.ones({shape_in})
        >>> g = poolkit.upsample_nearest{n}d_backward(grad, x, 2)
        >>> g.shape, float(g.max())
        ({shape_out}, {windows}.0)""",
    ),
)

# ----------------------------------------------------------------------------------- rendering

HEADER = '''\
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
'''

_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def _fields(n: int) -> dict[str, object]:
    fields: dict[str, object] = {
        "n": n,
        "sp": _SPATIAL[n],
        "shape_in": str((1, 1) + (4,) * n),
        "shape_out": str((1, 1) + (2,) * n),
        "size": 4**n,
        "windows": 2**n,
    }
    fields["args"] = _WINDOW_ARGS.format(**fields)
    return fields


def _parameter(op: Operator, name: str) -> str:
    override = dict(op.annotations).get(name)
    if override is not None:
        return f"{name}: {override}"
    annotation, default = PARAMETERS[name]
    return f"{name}: {annotation}" if default is None else f"{name}: {annotation} = {default}"


def _signature(name: str, parameters: list[str], returns: str) -> list[str]:
    return [f"def {name}(", *(f"    {p}," for p in parameters), f") -> {returns}:"]


def _call(function: str, arguments: tuple[str, ...], n: int) -> list[str]:
    arguments = tuple(a.replace("{n}", str(n)) for a in arguments)
    one_line = f"    return {function}({', '.join(arguments)})"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    inner = f"        {', '.join(arguments)}"
    if len(inner) <= LINE_LENGTH:
        return [f"    return {function}(", inner, "    )"]
    return [f"    return {function}(", *(f"        {a}," for a in arguments), "    )"]


def _docstring(text: str) -> list[str]:
    lines = text.rstrip("\n").split("\n")
    lines[0] = '    """' + lines[0]
    return [*lines, '    """']


def _overloads(
    names: tuple[str, ...], name: str, parameters: list[str], single: str, pair: str
) -> list[str]:
    """``return_indices``: False (the default) gives one result, True the (result, indices)
    pair, a plain ``bool`` either."""
    k = names.index("return_indices")
    before, after = parameters[:k], parameters[k + 1 :]
    required = [p.split(" = ")[0] for p in before]
    variants = [
        ([*before, "return_indices: Literal[False] = False", *after], single),
        ([*before, "*", "return_indices: Literal[True]", *after], pair),
        ([*required, "return_indices: Literal[True]", *after], pair),
        ([*before, "return_indices: bool = False", *after], f"{single} | {pair}"),
    ]
    lines: list[str] = []
    for variant, returns in variants:
        lines += ["@overload", *_signature(name, variant, returns), "    ...", "", ""]
    return lines


def _function(op: Operator, n: int, backward: bool) -> list[str]:
    fields = _fields(n)
    forward_name = f"{op.stem}{n}d"
    names = ("grad_output", *op.parameters) if backward else op.parameters
    parameters = [_parameter(op, p) for p in names]
    lines: list[str] = []
    if backward:
        name = f"{forward_name}_backward"
        returns = ARRAY
        doc = _BACKWARD_DOC.format(
            forward=forward_name,
            extra=op.backward_extra,
            example=op.backward_example.format(**fields),
        )
        function, arguments = op.backward
    else:
        name = forward_name
        with_indices = "return_indices" in op.parameters
        returns = f"{ARRAY} | {WITH_INDICES}" if with_indices else ARRAY
        if with_indices:
            lines += _overloads(op.parameters, name, parameters, ARRAY, WITH_INDICES)
        doc = op.doc.format(**fields)
        function, arguments = op.forward
    lines += _signature(name, parameters, returns)
    lines += _docstring(doc)
    used = {a.split("=")[-1] for a in arguments}
    for unused in (p for p in names if p not in used):
        lines.append(f"    del {unused}  # {UNUSED}")
    lines += _call(function, arguments, n)
    return lines


def public_names() -> list[str]:
    """Every generated public name, in the generated file's order."""
    return [
        f"{op.stem}{n}d{suffix}" for op in OPERATORS for n in DIMS for suffix in ("", "_backward")
    ]


def render_api() -> str:
    """The text of ``src/poolkit/api.py``."""
    lines = HEADER.rstrip("\n").split("\n")
    lines += ["", "__all__ = [", *(f'    "{name}",' for name in sorted(public_names())), "]"]
    for op in OPERATORS:
        for n in DIMS:
            for backward in (False, True):
                lines += ["", "", *_function(op, n, backward)]
    lines += [
        "",
        "",
        "OPERATORS: dict[str, Callable[..., Any]] = {",
        *(f'    "{name}": {name},' for name in public_names()),
        "}",
        '"""Every public operator by name."""',
        "",
    ]
    return "\n".join(lines)


BEGIN = "# BEGIN generated by scripts/generate_api.py ({}): do not edit"
END = "# END generated by scripts/generate_api.py ({})"


def _replace_block(text: str, label: str, block: list[str]) -> str:
    begin, end = BEGIN.format(label), END.format(label)
    start, stop = text.index(begin), text.index(end)
    return text[:start] + "\n".join([begin, *block, ""]) + text[stop:]


def render_init(current: str) -> str:
    """``src/poolkit/__init__.py`` with its two generated blocks (the explicit re-exports of
    every operator and their ``__all__`` entries) rewritten; the rest is left as it is."""
    names = sorted(public_names())
    imports = [*(f"from poolkit.api import {name} as {name}" for name in names), ""]
    listing = ["__all__ = [", *(f'    "{name}",' for name in names), "]"]
    current = _replace_block(current, "imports", imports)
    return _replace_block(current, "__all__", listing)


# ----------------------------------------------------------------- poolkit.torch.functional

# The same operators for torch tensors (forwards only: autograd gives the backwards), written
# into the marked block at the end of src/poolkit/torch/functional.py. Parameters are the
# NumPy API's, with ``input`` for ``x`` (torch's name); bodies call the helpers defined above
# the block in that file, with ``{n}`` for the number of spatial dims.
TORCH_PARAMETERS = {
    **PARAMETERS,
    "input": ("torch.Tensor", None),
    "indices": ("torch.Tensor", None),
}
TENSOR = "torch.Tensor"
TENSOR_PAIR = "tuple[torch.Tensor, torch.Tensor]"

_TORCH_WINDOW_DOC = """{title}

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
        >>> PF.{stem}{n}d(torch.ones{shape_in}{example_args}).shape
        torch.Size({torch_out})
"""


def _torch_window(stem: str, title: str, body: str, example_args: str) -> str:
    indent = "    "
    body = _wrap(body, indent, indent)
    return (
        _TORCH_WINDOW_DOC.replace("{title}", title)
        .replace("{body}", body.strip() + "\n")
        .replace("{stem}", stem)
        .replace("{example_args}", example_args)
    )


def _torch_window_body(reducer: str, keywords: str = "") -> str:
    call = (
        f'_first(input, {{n}}, last), "{reducer}", {{n}}, kernel_size, stride, padding, '
        "dilation, ceil_mode"
    )
    if keywords:
        call = f"{call},\n        {keywords},"
    inner = f"        {call}\n"
    return (
        "    last = _is_channels_last(data_format)\n"
        f"    out = window_pool(\n{inner}    )\n"
        "    return _back(out, {n}, last)\n"
    )


_TORCH_GLOBAL_DOC = """Global {what} pooling over all {n} spatial dim(s): one number per channel.

    Shape:
        ``(N, C, {sp}) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.{stem}{n}d(torch.ones(2, 3, *[4] * {n}){example_args}).shape
        torch.Size([2, 3])
"""

_TORCH_ADAPTIVE_DOC = """Adaptive {what} pooling to ``output_size`` (PyTorch's bins).

    Shape:
        ``(N, C, {sp}) -> (N, C, *output_size)``; ``None`` keeps that dim's size.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.adaptive_{what}_pool{n}d(torch.ones{shape_in}, 2).shape
        torch.Size({torch_out})
"""


@dataclass(frozen=True)
class TorchFunction:
    """One ``poolkit.torch.functional`` family: ``{stem}{n}d`` for n = 1, 2, 3."""

    stem: str
    parameters: tuple[str, ...]
    body: str
    doc: str


def _torch_global(reducer: str, what: str) -> TorchFunction:
    with_p = ("p",) if reducer == "lp" else ()
    p = "p" if with_p else "2.0"
    return TorchFunction(
        stem=f"global_{reducer}_pool",
        parameters=("input", *with_p, "keepdims", "data_format"),
        body=f'    return _global(input, "{reducer}", {{n}}, {p}, keepdims, data_format)\n',
        doc=_TORCH_GLOBAL_DOC.replace("{what}", what)
        .replace("{stem}", f"global_{reducer}_pool")
        .replace("{example_args}", ", 2" if with_p else ""),
    )


TORCH_FUNCTIONS: tuple[TorchFunction, ...] = (
    TorchFunction(
        stem="max_pool",
        parameters=("input", *WINDOW, "return_indices", "data_format"),
        body=_torch_window_body("max", "return_indices=return_indices"),
        doc=_torch_window(
            "max_pool",
            "Max pooling over {n} spatial dim(s) (PyTorch semantics).",
            "Pads never win; ties go to the first maximum; ``return_indices=True`` also "
            "returns int64 flat indices into each (n, c) plane, as torch does.\n",
            ", 2",
        ),
    ),
    TorchFunction(
        stem="avg_pool",
        parameters=("input", *WINDOW, "count_include_pad", "divisor_override", "data_format"),
        body=_torch_window_body(
            "avg", "count_include_pad=count_include_pad, divisor_override=divisor_override"
        ),
        doc=_torch_window(
            "avg_pool",
            "Average pooling over {n} spatial dim(s), with dilation.",
            "``count_include_pad=None`` counts numeric pads (PyTorch) and leaves string "
            "pads out (TensorFlow 'same'); ``divisor_override`` replaces the divisor.\n",
            ", 2",
        ),
    ),
    TorchFunction(
        stem="sum_pool",
        parameters=("input", *WINDOW, "data_format"),
        body=_torch_window_body("sum"),
        doc=_torch_window(
            "sum_pool",
            "Sum pooling over {n} spatial dim(s): the window total.",
            "Pads count as 0.\n",
            ", 2",
        ),
    ),
    TorchFunction(
        stem="lp_pool",
        parameters=("input", "p", *WINDOW, "data_format"),
        body=_torch_window_body("lp", "p=p"),
        doc=_torch_window(
            "lp_pool",
            "Lp pooling over {n} spatial dim(s): ``(sum |x|^p)^(1/p)``.",
            "Unlike ``torch.nn.functional.lp_pool{n}d``, which drops the absolute value "
            "(wrong for negative input) and rescales ceil-mode edge windows, this is the "
            "ONNX LpPool definition; the two agree for ``x >= 0`` without ceil_mode. "
            "``p=inf`` gives the max of ``|x|``.\n",
            ", 2, 2",
        ),
    ),
    _torch_global("max", "max"),
    _torch_global("avg", "average"),
    _torch_global("sum", "sum"),
    _torch_global("lp", "Lp (``(sum |x|^p)^(1/p)``)"),
    TorchFunction(
        stem="adaptive_max_pool",
        parameters=("input", "output_size", "return_indices", "data_format"),
        body=(
            "    last = _is_channels_last(data_format)\n"
            '    out = adaptive_pool(_first(input, {n}, last), "max", {n}, output_size, '
            "return_indices)\n"
            "    return _back(out, {n}, last)\n"
        ),
        doc=_TORCH_ADAPTIVE_DOC.replace("{what}", "max"),
    ),
    TorchFunction(
        stem="adaptive_avg_pool",
        parameters=("input", "output_size", "data_format"),
        body=(
            "    last = _is_channels_last(data_format)\n"
            '    out = adaptive_pool(_first(input, {n}, last), "avg", {n}, output_size)\n'
            "    return _back(out, {n}, last)\n"
        ),
        doc=_TORCH_ADAPTIVE_DOC.replace("{what}", "avg"),
    ),
    TorchFunction(
        stem="max_unpool",
        parameters=(
            "input", "indices", "kernel_size", "stride", "padding", "output_size", "data_format"
        ),
        body=(
            "    last = _is_channels_last(data_format)\n"
            "    if last and isinstance(output_size, list | tuple) and len(output_size) > {n}:\n"
            "        output_size = tuple(output_size)[:-1]  # a full (N, *spatial, C) shape\n"
            "    out = max_unpool(\n"
            "        _first(input, {n}, last), _first(indices, {n}, last), {n}, kernel_size, "
            "stride, padding,\n"
            "        output_size,\n"
            "    )\n"
            "    return _back(out, {n}, last)\n"
        ),
        doc="""Partial inverse of ``max_pool{n}d``: values back at their indices, 0 elsewhere.

    ``indices`` are the flat per-plane indices ``max_pool{n}d(..., return_indices=True)``
    returns.

    Shape:
        ``(L_in - 1)*stride - lo - hi + kernel_size`` per dim unless ``output_size``
        (spatial, or a full shape) says otherwise.

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> y, i = PF.max_pool{n}d(torch.rand{shape_in}, 2, return_indices=True)
        >>> PF.max_unpool{n}d(y, i, 2).shape
        torch.Size({torch_in})
""",
    ),
    TorchFunction(
        stem="upsample_nearest",
        parameters=("input", "scale_factor", "data_format"),
        body=(
            "    last = _is_channels_last(data_format)\n"
            "    return _back(upsample(_first(input, {n}, last), {n}, scale_factor), {n}, last)\n"
        ),
        doc="""Nearest-neighbour upsampling by integer ``scale_factor`` (Keras UpSampling{n}D).

    Shape:
        ``(N, C, {sp}) -> (N, C, *(size * scale_factor))``

    Example:
        >>> import torch
        >>> from poolkit.torch import functional as PF
        >>> PF.upsample_nearest{n}d(torch.ones{shape_in}, 2).shape
        torch.Size({torch_up})
""",
    ),
)


def _torch_fields(n: int) -> dict[str, str]:
    fields = {key: str(value) for key, value in _fields(n).items() if key != "args"}
    fields["torch_in"] = str([1, 1, *[4] * n])
    fields["torch_out"] = str([1, 1, *[2] * n])
    fields["torch_up"] = str([1, 1, *[8] * n])
    return fields


def _fill(template: str, fields: dict[str, str]) -> str:
    for key, value in fields.items():
        template = template.replace("{" + key + "}", value)
    return template


def _torch_function(function: TorchFunction, n: int) -> list[str]:
    fields = _torch_fields(n)
    name = f"{function.stem}{n}d"
    parameters = []
    for parameter in function.parameters:
        annotation, default = TORCH_PARAMETERS[parameter]
        if function.stem == "max_unpool" and parameter == "output_size":
            annotation, default = "Size | None", "None"
        parameters.append(
            f"{parameter}: {annotation}"
            if default is None
            else f"{parameter}: {annotation} = {default}"
        )
    lines: list[str] = []
    returns = TENSOR
    if "return_indices" in function.parameters:
        lines += _overloads(function.parameters, name, parameters, TENSOR, TENSOR_PAIR)
        returns = f"{TENSOR} | {TENSOR_PAIR}"
    lines += _signature(name, parameters, returns)
    lines += _docstring(_fill(function.doc, fields))
    lines += _fill(function.body, fields).rstrip("\n").split("\n")
    return lines


def torch_functional_names() -> list[str]:
    return [f"{function.stem}{n}d" for function in TORCH_FUNCTIONS for n in DIMS]


def render_torch_functional(current: str) -> str:
    """``src/poolkit/torch/functional.py`` with its generated block rewritten."""
    lines: list[str] = [""]
    for function in TORCH_FUNCTIONS:
        for n in DIMS:
            lines += [*_torch_function(function, n), "", ""]
    names = torch_functional_names()
    lines += [
        "FUNCTIONS: dict[str, Callable[..., Any]] = {",
        *(f'    "{name}": {name},' for name in names),
        "}",
        '"""Every public function by name."""',
        "",
        "__all__ = [",
        *(f'    "{name}",' for name in sorted(names)),
        "]",
    ]
    return _replace_block(current, "public functions", lines)


# -------------------------------------------------------------------- poolkit.torch.modules

# The layers, as class statements, written into the marked block at the end of
# src/poolkit/torch/modules.py; their forwards live in the mixins above that block. A drop-in
# layer subclasses the torch.nn class of its name and keeps its constructor.
_DROP_IN_DOC = """{summary}

    Shape:
        ``(N, C, {sp})`` or ``(C, {sp})`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import {name}
        >>> layer = {name}({example_args})
"""

_SUM_DOC = """Sum pooling over {n} spatial dim(s): the window total (pads count 0).

    Args: ``kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False`` as in
    ``MaxPool{n}d`` (padding may be a string or ``(lo, hi)`` pairs).

    Shape:
        ``(N, C, {sp}) -> (N, C, *out)`` with ``out`` as for max pooling.

    Example:
        >>> import torch
        >>> from poolkit.torch import {name}
        >>> {name}(2)(torch.ones(1, 1, *[4] * {n})).flatten()[0].item()
        {sum_value}
"""

_GLOBAL_LAYER_DOC = """Global {word} pooling: one number per channel.

    Shape:
        ``(N, C, {sp}) -> (N, C)``, or ``(N, C, {ones})`` with ``keepdim=True``;
        unbatched ``(C, {sp}) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import {name}
        >>> {name}()(torch.ones(2, 3, *[4] * {n})).shape
        torch.Size([2, 3])
"""


@dataclass(frozen=True)
class Layer:
    """One ``poolkit.torch`` layer family: ``{stem}{n}d`` for n = 1, 2, 3.

    ``bases`` and ``init`` (the ``__init__`` parameters and body, or none: inherited) are
    templates over ``{n}``; ``attributes`` are class attributes besides ``_n``.
    """

    stem: str
    bases: str
    doc: str
    init: tuple[tuple[str, ...], str] | None = None
    attributes: tuple[str, ...] = ()
    example_args: str = ""


_MAX_INIT = (
    ("kernel_size: Size", "stride: Size | None = None", "padding: Padding = 0",
     "dilation: Size = 1", "return_indices: bool = False", "ceil_mode: bool = False"),
    "nn.MaxPool{n}d.__init__(\n"
    "    self, kernel_size, stride, padding, dilation, return_indices, ceil_mode\n"
    ")\n",
)  # fmt: skip
_AVG_PARAMETERS = (
    "kernel_size: Size", "stride: Size | None = None", "padding: Padding = 0",
    "ceil_mode: bool = False", "count_include_pad: bool | None = None",
    "divisor_override: SupportsIndex | None = None", "*", "dilation: Size = 1",
)  # fmt: skip
_AVG_INIT_1D = (
    _AVG_PARAMETERS,
    "if divisor_override is not None:\n"
    '    raise TypeError("AvgPool1d has no divisor_override (torch.nn.AvgPool1d neither)")\n'
    "nn.AvgPool1d.__init__(self, kernel_size, stride, padding, ceil_mode)\n"
    "if isinstance(padding, str):\n"
    "    self.padding = padding  # nn.AvgPool1d's _single would spell 'same' as its letters\n"
    "self._init_extras(dilation, count_include_pad)\n",
)
_AVG_INIT = (
    _AVG_PARAMETERS,
    "nn.AvgPool{n}d.__init__(\n"
    "    self, kernel_size, stride, padding, ceil_mode, True, divisor_override\n"
    ")\n"
    "self._init_extras(dilation, count_include_pad)\n",
)
_LP_INIT = (
    ("norm_type: SupportsFloat", "kernel_size: Size", "stride: Size | None = None",
     "ceil_mode: bool = False", "*", "padding: Padding = 0", "dilation: Size = 1"),
    "nn.LPPool{n}d.__init__(self, norm_type, kernel_size, stride, ceil_mode)\n"
    "self.padding = padding\n"
    "self.dilation = dilation\n",
)  # fmt: skip


LAYERS: tuple[Layer, ...] = (
    Layer(
        stem="MaxPool",
        bases="_MaxPool, nn.MaxPool{n}d",
        init=_MAX_INIT,
        doc="Drop-in ``torch.nn.MaxPool{n}d`` on poolkit's kernels; padding may also be a "
        "string or ``(lo, hi)`` pairs.",
        example_args="3, 2, padding=1",
    ),
    Layer(
        stem="AvgPool",
        bases="_AvgPool, nn.AvgPool{n}d",
        init=_AVG_INIT,
        doc="Drop-in ``torch.nn.AvgPool{n}d`` plus ``dilation`` and string/``(lo, hi)`` "
        "padding; ``count_include_pad=None`` (default) is True for numeric padding, False for "
        "strings.",
        example_args="2, padding='same', dilation=1",
    ),
    Layer(
        stem="LPPool",
        bases="_LPPool, nn.LPPool{n}d",
        init=_LP_INIT,
        doc="``torch.nn.LPPool{n}d`` computed as ``(sum |x|^p)^(1/p)`` (ONNX LpPool), plus "
        "``padding`` and ``dilation``. torch drops the absolute value and rescales ceil-mode "
        "edge windows: equal for ``x >= 0`` without ceil-mode overhang.",
        example_args="2, 2",
    ),
    Layer(
        stem="AdaptiveMaxPool",
        bases="_AdaptiveMax, nn.AdaptiveMaxPool{n}d",
        doc="Drop-in ``torch.nn.AdaptiveMaxPool{n}d`` on poolkit's kernels.",
        example_args="1",
    ),
    Layer(
        stem="AdaptiveAvgPool",
        bases="_AdaptiveAvg, nn.AdaptiveAvgPool{n}d",
        doc="Drop-in ``torch.nn.AdaptiveAvgPool{n}d`` on poolkit's kernels.",
        example_args="1",
    ),
    Layer(
        stem="MaxUnpool",
        bases="_MaxUnpool, nn.MaxUnpool{n}d",
        doc="Drop-in ``torch.nn.MaxUnpool{n}d`` on poolkit's kernels.",
        example_args="2",
    ),
    Layer(stem="SumPool", bases="_SumPoolNd", doc=_SUM_DOC),
    Layer(
        stem="GlobalMaxPool",
        bases="_GlobalPoolNd",
        doc=_GLOBAL_LAYER_DOC.replace("{word}", "max"),
        attributes=('_reducer = "max"',),
    ),
    Layer(
        stem="GlobalAvgPool",
        bases="_GlobalPoolNd",
        doc=_GLOBAL_LAYER_DOC.replace("{word}", "avg"),
        attributes=('_reducer = "avg"',),
    ),
)


def _layer_doc(layer: Layer, n: int) -> str:
    name = f"{layer.stem}{n}d"
    fields = {
        "n": str(n),
        "sp": _SPATIAL[n],
        "name": name,
        "example_args": layer.example_args,
        "sum_value": str(float(2**n)),
        "ones": ", ".join("1" * n),
    }
    if layer.doc.startswith(("Sum pooling", "Global ")):
        return _fill(layer.doc, fields)
    opening = '    """'
    summary = _wrap(_fill(layer.doc, fields), opening, "    ").removeprefix(opening)
    return _fill(_DROP_IN_DOC.replace("{summary}", summary), fields)


def _layer(layer: Layer, n: int) -> list[str]:
    name = f"{layer.stem}{n}d"
    bases = layer.bases.replace("{n}", str(n))
    lines = [f"class {name}({bases}):", *_docstring(_layer_doc(layer, n)), ""]
    lines += [f"    _n = {n}", *(f"    {attribute}" for attribute in layer.attributes)]
    init = layer.init
    if layer.stem == "AvgPool" and n == 1:
        init = _AVG_INIT_1D
    if init is not None:
        parameters, body = init
        lines += ["", "    def __init__(", "        self,"]
        lines += [f"        {p}," for p in parameters]
        lines += ["    ) -> None:"]
        body_lines = body.replace("{n}", str(n)).rstrip("\n").split("\n")
        lines += [f"        {line}" for line in body_lines]
    return lines


def layer_names() -> list[str]:
    return [f"{layer.stem}{n}d" for n in DIMS for layer in LAYERS]


def render_torch_modules(current: str) -> str:
    """``src/poolkit/torch/modules.py`` with its generated block rewritten."""
    lines: list[str] = [""]
    for n in DIMS:
        for layer in LAYERS:
            lines += [*_layer(layer, n), "", ""]
    names = layer_names()
    lines += [
        "MODULES: dict[str, type[nn.Module]] = {",
        *(f'    "{name}": {name},' for name in names),
        "}",
        '"""Every layer by name."""',
        "",
        "__all__ = [",
        *(f'    "{name}",' for name in sorted(names)),
        "]",
    ]
    return _replace_block(current, "layers", lines)


def render_torch_init(current: str) -> str:
    """``src/poolkit/torch/__init__.py`` with its explicit re-exports of the layers rewritten."""
    names = sorted(layer_names())
    imports = [*(f"from poolkit.torch.modules import {name} as {name}" for name in names), ""]
    listing = ["__all__ = [", *(f'    "{name}",' for name in names), "]"]
    current = _replace_block(current, "imports", imports)
    return _replace_block(current, "__all__", listing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the files are current")
    args = parser.parse_args(argv)
    stale = []
    for path, text in (
        (API_PATH, render_api()),
        (INIT_PATH, render_init(INIT_PATH.read_text())),
        (TORCH_FUNCTIONAL_PATH, render_torch_functional(TORCH_FUNCTIONAL_PATH.read_text())),
        (TORCH_MODULES_PATH, render_torch_modules(TORCH_MODULES_PATH.read_text())),
        (TORCH_INIT_PATH, render_torch_init(TORCH_INIT_PATH.read_text())),
    ):
        if path.read_text() != text:
            stale.append(path)
            if not args.check:
                path.write_text(text)
    for path in stale:
        verb = "is out of date" if args.check else "rewritten"
        print(f"{path.relative_to(ROOT)} {verb}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
