"""Output size and pads of a pooling window under every framework's convention, explained.

For each spatial size it shows PyTorch (ceil_mode off and on), TensorFlow/Keras 'valid' and
'same', ONNX SAME_LOWER and Caffe: the output size, the pads on each side, the formula with the
numbers filled in, and, when ceil_mode dropped a window, why. The numbers come from
:mod:`poolkit.geometry` (``resolve``, ``output_length``, ``same_pads``,
``caffe_output_length``, ``ceil_mode_drop``): the same code the operators run.

Example:
    >>> from poolkit.tour.explain import explain
    >>> result = explain((5,), kernel=2, stride=2, figure=False)
    >>> result.shapes["TF/Keras 'same'"], result.pads["TF/Keras 'same'"]
    ((3,), ((0, 1),))
    >>> result.pads["ONNX SAME_LOWER"]
    ((1, 0),)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

import numpy as np

from poolkit._args import to_tuple
from poolkit.errors import PoolingError
from poolkit.geometry import (
    caffe_output_length,
    ceil_mode_drop,
    effective_kernel,
    output_length,
    resolve,
)
from poolkit.tour import _common

CONVENTIONS = (
    "PyTorch floor",
    "PyTorch ceil",
    "TF/Keras 'valid'",
    "TF/Keras 'same'",
    "ONNX SAME_LOWER",
    "Caffe",
)
# How each convention spells its padding for poolkit.geometry.resolve (None: explicit pads).
_PADDING = {"TF/Keras 'valid'": "valid", "TF/Keras 'same'": "same", "ONNX SAME_LOWER": "same_lower"}


@dataclass
class ExplainResult:
    """Output shape, per-dim (lo, hi) pads and explanation lines for each convention.

    A convention that cannot pool this input has shape ``None`` and its reason in ``errors``.
    """

    size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    shapes: dict[str, tuple[int, ...] | None]
    pads: dict[str, tuple[tuple[int, int], ...] | None]
    lines: dict[str, list[str]]
    errors: dict[str, str]
    figure: object = field(default=None, repr=False)

    def summary(self) -> str:
        k_eff = tuple(
            effective_kernel(k, d) for k, d in zip(self.kernel, self.dilation, strict=True)
        )
        out = [
            f"input {self.size}, kernel {self.kernel}, stride {self.stride}, padding "
            f"{self.padding}, dilation {self.dilation} (window span k_eff = d*(k-1)+1 = "
            f"{k_eff})",
            f"  {'convention':<18} {'output':<14} pads (lo, hi) per dim",
        ]
        for name in CONVENTIONS:
            mark = ""
            if name == ("PyTorch ceil" if self.ceil_mode else "PyTorch floor"):
                mark = "   <- your ceil_mode"
            if self.shapes[name] is None:
                out.append(f"  {name:<18} {'-':<14} {self.errors[name]}")
            else:
                pads = " ".join(f"({lo},{hi})" for lo, hi in self.pads[name])
                out.append(f"  {name:<18} {self.shapes[name]!s:<14} {pads}{mark}")
        for dims, lines in _grouped_lines(self):
            out.append(f"  {dims}:")
            out.extend(f"    {line}" for line in lines)
        out.append(
            "  ONNX with explicit pads and ceil_mode follows the PyTorch rows; ONNX SAME_UPPER "
            "is TF 'same'."
        )
        return "\n".join(out)


def _grouped_lines(result: ExplainResult):
    """Per-dim explanations, dims with identical arguments shown once."""
    seen: dict[tuple, list[int]] = {}
    for dim, key in enumerate(
        zip(
            result.size,
            result.kernel,
            result.stride,
            result.padding,
            result.dilation,
            strict=True,
        )
    ):
        seen.setdefault(key, []).append(dim)
    for key, dims in seen.items():
        label = "dim " + " and ".join(str(d) for d in dims) + f" (L={key[0]})"
        yield label, result.lines[dims[0]]


def _frac(a: int, b: int) -> str:
    return f"{a}/{b}"


def _explain_dim(length: int, k: int, s: int, p: int, d: int) -> list[str]:
    """The formulas for one dim with the numbers filled in; every result is geometry's."""
    k_eff = effective_kernel(k, d)
    span = length + 2 * p - k_eff  # shown in the formulas; the results below are geometry's
    lines = []
    floor_out = output_length(length, k_eff, s, p, p, ceil_mode=False)
    keff = f"({d}*({k}-1)+1)" if d != 1 else f"{k}"
    raw_floor = span // s + 1  # what the formula gives before geometry clamps it at 0
    text = (
        f"PyTorch floor: floor((L + 2p - k_eff)/s) + 1 = floor(({length} + 2*{p} - {keff})/{s})"
        f" + 1 = floor({_frac(span, s)}) + 1 = {raw_floor}"
    )
    lines.append(text + (": no window fits" if floor_out < 1 else ""))
    ceil_out = output_length(length, k_eff, s, p, p, ceil_mode=True)
    dropped = ceil_mode_drop(length, k_eff, s, p, p)
    raw_ceil = ceil_out + (dropped is not None)
    text = (
        f"PyTorch ceil: ceil(({length} + 2*{p} - {keff})/{s}) + 1 = ceil({_frac(span, s)}) "
        f"+ 1 = {raw_ceil}"
    )
    if dropped is not None:
        text += (
            f"; but that last window would start at input index {dropped} >= L = {length}"
            f", i.e. wholly in the right padding (PyTorch: 'the last pooling must start "
            f"inside the image'), so it is dropped -> {ceil_out}"
        )
    elif ceil_out < 1:
        text += ": no window fits"
    elif ceil_out > max(floor_out, 0):
        start = (ceil_out - 1) * s - p
        end = start + k_eff - 1
        text += (
            f"; the extra window starts at index {start} (< L + lo = {length + p}, kept) "
            f"and reaches index {end}, past the padded input: those cells never count"
        )
    lines.append(text)
    if 2 * p > k:  # poolkit computes these sizes; PyTorch's own shape check refuses them
        lines.append(
            f"note: PyTorch itself refuses padding {p} > kernel_size/2 = {k / 2:g} (its "
            f"max and avg pooling shape checks); poolkit accepts any pad smaller than the window"
        )
    for name, spelling in _PADDING.items():
        try:
            axis = resolve((length,), k, s, spelling, d).axes[0]
        except PoolingError as error:
            lines.append(f"{name}: {error}")
            continue
        if spelling == "valid":
            lines.append(
                f"{name}: floor((L - k_eff)/s) + 1 = floor(({length} - {k_eff})/{s}) + 1 = "
                f"{axis.out}, no pads"
            )
        else:
            total = axis.lo + axis.hi
            first = "larger pad first" if spelling == "same_lower" else "larger pad last"
            lines.append(
                f"{name}: ceil(L/s) = ceil({length}/{s}) = {axis.out}; total pad "
                f"max((out-1)*s + k_eff - L, 0) = max({axis.out - 1}*{s} + {k_eff} - {length}, "
                f"0) = {total}, split ({axis.lo}, {axis.hi}) ({first})"
            )
    if d != 1:
        lines.append("Caffe: its pooling has no dilation")
    else:  # Caffe rounds up even a negative span (its window is clipped to the input)
        caffe = caffe_output_length(length, k_eff, s, p)
        raw = f"ceil(({length} + 2*{p} - {k_eff})/{s}) + 1 = ceil({_frac(span, s)}) + 1"
        text = f"Caffe: {raw}"
        if p > 0 and ceil_mode_drop(length, k_eff, s, p, p) is not None:
            text += f", minus a last window starting at or past L + p = {length + p} -> {caffe}"
        else:
            text += f" = {caffe}"
        lines.append(text)
    return lines


#: The most cells (input, pads and window spans along dim 0) the figure draws one by one.
MAX_FIGURE_CELLS = 400


def explain(
    size,
    kernel,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    figure: bool = True,
) -> ExplainResult:
    """Output size and pads of pooling ``size`` (spatial dims) under every convention.

    ``padding`` is PyTorch's/Caffe's explicit symmetric pad (an int or one per dim); the
    TF/Keras and ONNX 'same' rows compute their own. Shape: see each row's formula.
    """
    size = (size,) if isinstance(size, int) else tuple(np.atleast_1d(np.asarray(size, object)))
    n = len(size)
    if n == 0:
        raise PoolingError(f"size must be one or more ints >= 1 (spatial dims); got {size!r}")
    sizes = to_tuple(size, n, "size")
    kernels = to_tuple(kernel, n, "kernel_size")
    strides = kernels if stride is None else to_tuple(stride, n, "stride")
    pads_in = to_tuple(padding, n, "padding", minimum=0)
    dilations = to_tuple(dilation, n, "dilation")
    extent = sizes[0] + 2 * effective_kernel(kernels[0], dilations[0]) + 2 * pads_in[0]
    if figure and extent > MAX_FIGURE_CELLS:
        raise PoolingError(
            f"the figure draws every cell of dim 0 and its windows: size {sizes[0]} with "
            f"kernel_size={kernels[0]}, dilation={dilations[0]}, padding={pads_in[0]} spans "
            f"about {extent} cells, more than the {MAX_FIGURE_CELLS} it can show; explain "
            f"without a figure (no --out) for sizes this large"
        )
    shapes, pads, errors = {}, {}, {}
    for name in CONVENTIONS:
        try:
            if name == "Caffe":
                if any(d != 1 for d in dilations):
                    raise PoolingError("Caffe's pooling has no dilation")
                outs = tuple(
                    caffe_output_length(L, k, s, p)
                    for L, k, s, p in zip(sizes, kernels, strides, pads_in, strict=True)
                )
                if min(outs) < 1:
                    raise PoolingError(f"no window fits: output {outs}")
                shapes[name], pads[name] = outs, tuple((p, p) for p in pads_in)
                continue
            spelling = _PADDING.get(name, pads_in)
            window = resolve(sizes, kernels, strides, spelling, dilations, name == "PyTorch ceil")
            shapes[name], pads[name] = window.output_shape, window.pads
        except PoolingError as error:
            shapes[name], pads[name], errors[name] = None, None, " ".join(str(error).split())
    lines = {
        dim: _explain_dim(L, k, s, p, d)
        for dim, (L, k, s, p, d) in enumerate(
            zip(sizes, kernels, strides, pads_in, dilations, strict=True)
        )
    }
    result = ExplainResult(
        sizes, kernels, strides, pads_in, dilations, bool(ceil_mode), shapes, pads, lines, errors
    )
    if figure:
        result.figure = draw(result)
    return result


#: Window bars: matplotlib's cycle without its red, which marks a dropped window.
_WINDOW_COLOURS = ("C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9")


def draw(result: ExplainResult):
    """Dim 0's windows under each convention, one row each: the cells numbered by input
    index (white: input, grey: pads, hatched: ceil overhang past the padded input), each
    output window a coloured bar over the cells it covers, a window ceil_mode drops dashed
    red. The legend lists only what this example shows."""
    plt = _common.pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    font = _common.FONT_PT
    length, k, s, p, d = (
        result.size[0],
        result.kernel[0],
        result.stride[0],
        result.padding[0],
        result.dilation[0],
    )
    k_eff = effective_kernel(k, d)
    rows = []  # (name, cells, windows, dropped, out) per convention that can pool
    low, high = 0, length
    for name in CONVENTIONS:
        if result.shapes[name] is None:
            rows.append((name, None, None, None, None))
            continue
        lo, hi = result.pads[name][0]
        out = result.shapes[name][0]
        windows = [i * s - lo for i in range(out)]
        end = max(length + hi, windows[-1] + k_eff)
        cells = [
            (c, "input" if 0 <= c < length else ("overhang" if c >= length + hi else "pad"))
            for c in range(-lo, end)
        ]
        dropped = ceil_mode_drop(length, k_eff, s, lo, hi) if name == "PyTorch ceil" else None
        low = min(low, -lo)
        high = max(high, end, (dropped + k_eff) if dropped is not None else end)
        rows.append((name, cells, windows, dropped, out))
    span = high - low
    row_height = 1.6
    # every cell numbered while the numbers fit (up to 50 cells); beyond, every 5th or 10th
    every = 1 if span <= 50 else (5 if span <= 150 else 10)
    fig, ax = plt.subplots(
        figsize=(min(max(6.0, 0.55 * (span + 3) + 2.5), 30.0), 0.62 * row_height * len(rows) + 2.2)
    )
    shown = set()
    for row, (_name, cells, windows, dropped, out) in enumerate(rows):
        y = -row * row_height
        if cells is None:
            ax.text(low, y + 0.3, "cannot pool this input", va="center", fontsize=font, color="red")
            continue
        for cell, kind in cells:
            shown.add(kind)
            ax.add_patch(
                Rectangle(
                    (cell, y),
                    1,
                    0.6,
                    facecolor={"input": "white", "pad": "0.78", "overhang": "white"}[kind],
                    edgecolor="0.3",
                    hatch="//" if kind == "overhang" else None,
                    lw=0.8,
                )
            )
            if kind != "overhang" and cell % every == 0:
                ax.text(
                    cell + 0.5,
                    y + 0.3,
                    str(cell),
                    ha="center",
                    va="center",
                    fontsize=font - 1 if abs(cell) >= 100 else font,
                    color="black" if kind == "input" else "0.25",
                )
        for i, start in enumerate(windows):
            ax.plot(
                [start + 0.08, start + k_eff - 0.08],
                [y + 0.75 + 0.17 * (i % 3)] * 2,
                lw=3,
                color=_WINDOW_COLOURS[i % len(_WINDOW_COLOURS)],
                solid_capstyle="butt",
            )
        if dropped is not None:  # the rounded-up window PyTorch's rule removes
            shown.add("dropped")
            ax.plot(
                [dropped + 0.08, dropped + k_eff - 0.08],
                [y + 0.75 + 0.17 * (len(windows) % 3)] * 2,
                lw=2.5,
                ls="--",
                color="red",
            )
        ax.text(high + 0.4, y + 0.3, f"out {out}", va="center", fontsize=font)
    ax.set_yticks([-r * row_height + 0.3 for r in range(len(rows))])
    ax.set_yticklabels([name for name, *_ in rows], fontsize=font)
    ax.tick_params(axis="y", length=0)
    ax.set_xticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(low - 0.3, high + 2.2)
    ax.set_ylim(-row_height * (len(rows) - 1) - 0.3, 1.4)
    handles = [
        Patch(
            facecolor="white",
            edgecolor="0.3",
            label="input cell (its index)" if every == 1 else f"input cell (every {every}th index)",
        ),
        Line2D([], [], color=_WINDOW_COLOURS[0], lw=3, label="a window (one output cell)"),
    ]
    if "pad" in shown:
        handles.insert(1, Patch(facecolor="0.78", edgecolor="0.3", label="padding"))
    if "overhang" in shown:
        handles.insert(
            -1,
            Patch(
                facecolor="white",
                edgecolor="0.3",
                hatch="//",
                label="ceil overhang (past the padded input, never read)",
            ),
        )
    if "dropped" in shown:
        handles.append(
            Line2D(
                [],
                [],
                color="red",
                lw=2.5,
                ls="--",
                label="dropped by ceil_mode (starts in the right padding)",
            )
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        fontsize=font - 1 if font > _common.MIN_FONT_PT else font,
        frameon=False,
    )
    dilation = f", dilation {d} (window span {k_eff})" if d != 1 else ""
    ax.set_title(
        f"Pooling windows over L={length} cells: kernel {k}, stride {s}{dilation}, padding "
        f"{p} (PyTorch, Caffe)\n'valid' pads nothing, 'same' and SAME_LOWER pad what they "
        f"need; out: the output size",
        fontsize=font + 1,
    )
    fig.tight_layout()
    return fig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("size", nargs="+", type=int, help="input spatial size(s), e.g. 5 5")
    parser.add_argument(
        "--kernel", type=_common.parse_ints, required=True, help="window size: 3 or 3,2"
    )
    parser.add_argument(
        "--stride", type=_common.parse_ints, default=None, help="default: the kernel size"
    )
    parser.add_argument(
        "--padding",
        type=_common.parse_ints,
        default=0,
        help="explicit symmetric pad for PyTorch/Caffe (int or one per dim; default 0); "
        "TF/Keras/ONNX 'same' compute their own",
    )
    parser.add_argument("--dilation", type=_common.parse_ints, default=1, help="default 1")
    parser.add_argument(
        "--ceil-mode", action="store_true", help="mark PyTorch's ceil_mode=True row as yours"
    )
    parser.add_argument("--out", default=None, help="also write explain.png (dim 0) to this folder")


def run(args: argparse.Namespace) -> int:
    if args.out is not None:
        _common.check_writable_dir(args.out)  # before any work: a bad --out fails at once
    what = _common.describe(
        "explain " + " ".join(str(n) for n in args.size),
        args,
        *("kernel", "stride", "padding", "dilation"),
    )
    with _common.arguments_checked(what):
        result = explain(
            args.size,
            args.kernel,
            args.stride,
            args.padding,
            args.dilation,
            args.ceil_mode,
            figure=args.out is not None,
        )
    print(result.summary())
    if result.figure is not None:
        path = _common.save_figure(result.figure, args.out, "explain.png")
        _common.close(result.figure)
        print(f"  figure: {path}")
    return 0
