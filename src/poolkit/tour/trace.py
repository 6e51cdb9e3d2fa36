"""Window by window: which input cells each output cell covers, what is padding, who won.

With no input it replays the PyTorch article's example: the 5x5 map
``[[1,2,0,3,1],[0,1,2,3,1],[1,2,1,0,0],[5,2,3,1,1],[2,1,0,1,1]]``, kernel 3, ``ceil_mode=True``
-> ``[[2, 3], [5, 1]]`` (``ceil_mode=False`` gives ``[[2]]``). ``dims=1`` replays the Keras
``MaxPooling1D`` word-vector example (steps x features, pool 2, stride 1). The numbers are
poolkit's own: the operator's output, its returned argmax index for the winner, and the
:class:`~poolkit.geometry.Window` for the taps, pads and average divisors.

Example:
    >>> from poolkit.tour.trace import trace
    >>> trace(figure=False).output.tolist()
    [[2.0, 3.0], [5.0, 1.0]]
"""

from __future__ import annotations

import argparse
import itertools
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import poolkit
from poolkit.demo import KERAS_WORD_VECTORS, PYTORCH_ARTICLE_INPUT
from poolkit.errors import PoolingError
from poolkit.geometry import Window, resolve
from poolkit.ops import default_count_include_pad
from poolkit.reducers import REDUCERS
from poolkit.tour import _common

MAX_STEPS = 64  # windows traced one by one (text and frames); larger inputs show the first ones
MAX_INPUT = 4096  # cells: trace is for small matrices


@dataclass
class Step:
    """One output cell: its index, the taps per axis (input coordinates, negative or past the
    end inside padding), which taps are explicit padding or ceil-mode overhang, and the result.
    ``winners`` are input coordinates (max; one per feature in 1-D); ``divisor`` is avg's."""

    index: tuple[int, ...]
    taps: tuple[np.ndarray, ...]
    value: np.ndarray
    winners: list[tuple[int, ...]]
    divisor: float | None
    n_inside: int
    n_pad: int
    n_overhang: int


@dataclass
class TraceResult:
    input: np.ndarray
    output: np.ndarray
    window: Window
    reducer: str
    dims: int
    steps: list[Step]
    note: str | None = None
    figure: object = field(default=None, repr=False)

    def grid(self, step: Step) -> str:
        """The (padded) input as text: ``[v]`` window cells, ``<v>`` the winner, ``p`` explicit
        padding, ``.`` ceil-mode overhang (cells past the padded input, never counted)."""
        rows, cols = _extent(self)
        inside_r = set(step.taps[0].tolist())
        inside_c = set(step.taps[1].tolist()) if self.dims == 2 else None
        winners = set(step.winners)
        cells = {}
        for r, c in itertools.product(rows, cols):
            in_window = r in inside_r and (inside_c is None or c in inside_c)
            text = _cell_text(self, r, c)
            if (r, c) in winners:
                text = f"<{text}>"
            elif in_window:
                text = f"[{text}]"
            cells[r, c] = text
        width = max(len(t) for t in cells.values()) + 1
        header = " " * 5 + "".join(f"{c:>{width}}" for c in cols)
        lines = [
            header
            if self.dims == 2
            else " " * 5 + "".join(f"{'f' + str(c):>{width}}" for c in cols)
        ]
        for r in rows:
            lines.append(f"{r:>4} " + "".join(f"{cells[r, c]:>{width}}" for c in cols))
        return "\n".join(lines)

    def describe(self, step: Step) -> str:
        """One line: the output cell, what the window holds, and why it has its value."""
        where = ",".join(str(i) for i in step.index)
        value = _fmt_array(step.value)
        parts = [f"{step.n_inside} input cells"]
        if step.n_pad:
            parts.append(f"{step.n_pad} padding")
        if step.n_overhang:
            parts.append(f"{step.n_overhang} past the padded edge (ceil_mode overhang)")
        text = f"out[{where}] = {value}: window over " + ", ".join(parts)
        if self.reducer == "max":
            won = "; ".join(
                f"x[{','.join(str(v) for v in w)}]={_fmt(self.input[w])}" for w in step.winners
            )
            text += f"; winner {won}" + (" (padding never wins)" if step.n_pad else "")
        elif self.reducer == "avg":
            text += f"; sum / divisor {step.divisor:g}"
        elif self.reducer == "sum":
            text += "; pads add 0"
        return text

    def summary(self) -> str:
        w = self.window
        lines = [
            f"{self.reducer} pooling, {self.dims}-d, input shape {self.input.shape}, kernel "
            f"{w.kernel}, stride {w.stride}, pads {w.pads}, dilation {w.dilation}, "
            f"ceil_mode {w.axes[0].ceil_mode} -> output shape {self.output.shape}",
        ]
        for step in self.steps:
            lines.append("")
            lines.append(self.describe(step))
            lines.append(self.grid(step))
        total = int(np.prod(w.output_shape))
        if total > len(self.steps):
            lines.append(f"(showing the first {len(self.steps)} of {total} windows)")
        lines.append("")
        lines.append(f"output:\n{_fmt_array(self.output)}")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


def _fmt(value) -> str:
    value = float(value)
    if not np.isfinite(value):
        return str(value)  # 'nan', 'inf', '-inf': NaN propagates through pooling, as in torch
    return f"{value:g}" if value != int(value) or abs(value) >= 1e6 else str(int(value))


def _fmt_array(array) -> str:
    array = np.asarray(array)
    if array.ndim == 0:
        return _fmt(array)
    return "[" + ", ".join(_fmt_array(a) for a in array) + "]"


def _extent(result: TraceResult):
    """Coordinates shown: from the left pad to the end of the last window (or the input)."""
    ranges = []
    for axis in result.window.axes:
        ranges.append(range(-axis.lo, axis.length + axis.hi + axis.overhang))
    if result.dims == 1:
        ranges.append(range(result.input.shape[1]))
    return ranges[0], ranges[1]


def _cell_text(result: TraceResult, r: int, c: int) -> str:
    axes = result.window.axes
    coords = (r, c) if result.dims == 2 else (r,)
    for coord, axis in zip(coords, axes, strict=True):
        if coord < 0 or coord >= axis.length:
            return "p" if coord < axis.length + axis.hi else "."
    return _fmt(result.input[r, c])


def _default(dims: int):
    if dims == 2:
        return PYTORCH_ARTICLE_INPUT.copy(), 3, None, True
    return KERAS_WORD_VECTORS.copy(), 2, 1, False


def trace(
    x=None,
    kernel=None,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=None,
    reducer: str = "max",
    dims: int = 2,
    count_include_pad=None,
    p: float = 2.0,
    figure: bool = True,
) -> TraceResult:
    """Trace ``reducer`` pooling of a small matrix window by window.

    ``dims=2``: ``x`` is one ``(H, W)`` map. ``dims=1``: ``x`` is ``(steps, features)`` pooled
    along steps (Keras channels_last), or a vector. ``x=None`` replays the articles' examples
    with their settings (``kernel``/``stride``/``ceil_mode`` override them). Shape: output
    ``window.output_shape`` (1-D: ``(out_steps, features)``).
    """
    if dims not in (1, 2):
        raise PoolingError(f"dims must be 1 or 2; got {dims!r}")
    if reducer not in REDUCERS:
        raise PoolingError(f"reducer must be one of {REDUCERS}; got {reducer!r}")
    d_x, d_kernel, d_stride, d_ceil = _default(dims)
    is_default = x is None
    if is_default:
        x = d_x
        stride = d_stride if stride is None and kernel is None else stride
        kernel = d_kernel if kernel is None else kernel
        ceil_mode = d_ceil if ceil_mode is None else ceil_mode
    elif kernel is None:
        raise PoolingError("kernel (--kernel) is required with an input matrix, e.g. kernel=2")
    ceil_mode = bool(ceil_mode)
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise PoolingError(f"x must be a numeric matrix; got dtype {x.dtype}")
    if dims == 1 and x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise PoolingError(
            f"x must be a 2-D matrix ({'steps x features' if dims == 1 else 'H x W'}); "
            f"got shape {x.shape}"
        )
    if x.size > MAX_INPUT:
        raise PoolingError(f"trace is for small matrices (<= {MAX_INPUT} cells); got {x.shape}")
    spatial = x.shape if dims == 2 else x.shape[:1]
    window = resolve(spatial, kernel, stride, padding, dilation, ceil_mode)
    for dim, axis in enumerate(window.axes):
        # every cell of the padded input is shown, and every tap of a traced window listed
        if max(axis.padded_length, axis.kernel) > MAX_INPUT:
            raise PoolingError(
                f"trace is for small windows: along dim {dim} kernel={axis.kernel} with "
                f"padding ({axis.lo}, {axis.hi}) spans {max(axis.padded_length, axis.kernel)} "
                f"cells (<= {MAX_INPUT})"
            )
    output, winners_idx = _pool(
        x, reducer, dims, kernel, stride, padding, dilation, ceil_mode, count_include_pad, p
    )
    include = default_count_include_pad(count_include_pad, padding)
    divisors = window.divisors(include) if reducer == "avg" else None
    steps = []
    for index in itertools.islice(np.ndindex(*window.output_shape), MAX_STEPS):
        taps = tuple(axis.window_taps(i) for axis, i in zip(window.axes, index, strict=True))
        flags = [_classify(t, axis) for t, axis in zip(taps, window.axes, strict=True)]
        n_in = int(np.prod([f[0] for f in flags]))
        n_padded = int(np.prod([f[0] + f[1] for f in flags]))
        n_all = int(np.prod([len(t) for t in taps]))
        if winners_idx is None:
            winners = []
        elif dims == 2:
            flat = int(winners_idx[index])
            winners = [divmod(flat, x.shape[1])]
        else:
            winners = [(int(row), f) for f, row in enumerate(winners_idx[index[0]])]
        steps.append(
            Step(
                index=tuple(int(i) for i in index),
                taps=taps,
                value=output[index],
                winners=winners,
                divisor=None if divisors is None else float(divisors[index]),
                n_inside=n_in * (x.shape[1] if dims == 1 else 1),
                n_pad=(n_padded - n_in) * (x.shape[1] if dims == 1 else 1),
                n_overhang=(n_all - n_padded) * (x.shape[1] if dims == 1 else 1),
            )
        )
    note = None
    if is_default and dims == 2 and ceil_mode and reducer == "max":
        floor = poolkit.max_pool2d(x[None, None], kernel, stride, padding, dilation)[0, 0]
        note = (
            f"with ceil_mode=False the same input gives {_fmt_array(floor)}: the windows that "
            f"hang over the edge are not taken (PyTorch article)"
        )
    result = TraceResult(x, output, window, reducer, dims, steps, note)
    if figure and steps:
        result.figure = draw_step(result, len(steps) - 1)
    return result


def _classify(taps: np.ndarray, axis) -> tuple[int, int]:
    """(taps inside the input, taps in explicit padding) along one axis."""
    inside = int(((taps >= 0) & (taps < axis.length)).sum())
    padded = int(((taps >= -axis.lo) & (taps < axis.length + axis.hi)).sum()) - inside
    return inside, padded


def _pool(x, reducer, dims, kernel, stride, padding, dilation, ceil_mode, include, p):
    """poolkit's operator on the matrix; for max also its argmax (the winner's index)."""
    if dims == 2:
        batch, fmt = x[None, None], "channels_first"
    else:
        batch, fmt = x[None], "channels_last"
    name = f"{reducer}_pool{dims}d"
    args = (kernel, stride, padding, dilation, ceil_mode)
    if reducer == "max":
        out, idx = getattr(poolkit, name)(batch, *args, return_indices=True, data_format=fmt)
        return (out[0, 0], idx[0, 0]) if dims == 2 else (out[0], idx[0])
    if reducer == "avg":
        out = (
            poolkit.avg_pool2d(batch, *args, include, data_format=fmt)
            if dims == 2
            else (poolkit.avg_pool1d(batch, *args, include, data_format=fmt))
        )
    elif reducer == "lp":
        out = getattr(poolkit, name)(batch, p, *args, data_format=fmt)
    else:
        out = getattr(poolkit, name)(batch, *args, data_format=fmt)
    return (out[0, 0] if dims == 2 else out[0]), None


# --------------------------------------------------------------------------- figures


#: Colours of the trace frames' cells.
_FACE = {"input": "white", "window": "lightskyblue", "winner": "gold", "pad": "0.78"}


_CELL = 0.6  # inches per cell
_LINE = 0.2  # inches per caption or legend line


def _kinds(result: TraceResult) -> set[str]:
    """Which kinds of cell a trace's frames show besides the input: padding, overhang."""
    kinds = set()
    for axis in result.window.axes:
        if axis.lo or axis.hi:
            kinds.add("pad")
        if axis.overhang:
            kinds.add("overhang")
    return kinds


def _frame_layout(result: TraceResult):
    """Every frame's geometry, in inches: the same for all frames of ``result`` (so all have
    the same pixel size and the cells stay put from frame to frame)."""
    rows, cols = _extent(result)
    out = np.atleast_2d(result.output) if result.dims == 2 else result.output
    left_w, left_h = _CELL * len(cols), _CELL * len(rows)
    right_w, right_h = _CELL * out.shape[1], _CELL * out.shape[0]
    margin_l, gap, margin_r = 0.8, 0.9, 0.3
    region_r = max(right_w, 2.4)  # room for the output's title
    width = max(margin_l + left_w + gap + region_r + margin_r, 6.5)
    chars = int(width * 11)
    lines = max(len(textwrap.wrap(result.describe(step), chars)) for step in result.steps)
    legend_rows = math.ceil((3 + len(_kinds(result))) / 2)
    bottom = 0.62 + legend_rows * 0.26 + 0.1
    top = 0.15 + lines * _LINE + 0.45
    body = max(left_h, right_h)
    height = bottom + body + top
    return {
        "size": (width, height),
        "chars": chars,
        "lines": lines,
        "left": (margin_l, bottom + body - left_h, left_w, left_h),
        "right": (
            margin_l + left_w + gap + (region_r - right_w) / 2,
            bottom + body - right_h,
            right_w,
            right_h,
        ),
    }


def _cell_label(value) -> str:
    """A cell's number, short enough for a 0.6 in cell (the caption has the full value)."""
    value = float(value)
    if np.isfinite(value) and value != int(value):
        return f"{value:.3g}"
    return _fmt(value)


def draw_step(result: TraceResult, i: int):
    """Frame ``i``: the padded input with the window and winner marked, and the output so
    far. Every frame of one trace has the same size (see :func:`_frame_layout`); the legend
    names only the kinds of cell this trace has."""
    plt = _common.pyplot()
    from matplotlib.patches import Patch, Rectangle

    font = _common.FONT_PT
    step = result.steps[i]
    rows, cols = _extent(result)
    layout = _frame_layout(result)
    width, height = layout["size"]
    fig = plt.figure(figsize=(width, height))

    def inches(box):
        x, y, w, h = box
        return (x / width, y / height, w / width, h / height)

    left = fig.add_axes(inches(layout["left"]))
    right = fig.add_axes(inches(layout["right"]))
    in_r = set(step.taps[0].tolist())
    in_c = set(step.taps[1].tolist()) if result.dims == 2 else set(cols)
    winners = set(step.winners)
    for r, c in itertools.product(rows, cols):
        text = _cell_text(result, r, c)
        kind = {"p": "pad", ".": "overhang"}.get(text, "input")
        if kind == "input":
            text = _cell_label(result.input[r, c])
        window_cell = r in in_r and c in in_c
        winner = (r, c) in winners
        face = "winner" if winner else ("window" if window_cell else kind)
        left.add_patch(
            Rectangle(
                (c - 0.5, r - 0.5),
                1,
                1,
                facecolor=_FACE.get(face, "white"),
                edgecolor="0.4",
                hatch="//" if kind == "overhang" else None,
            )
        )
        if kind != "overhang":
            left.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=font,
                color="0.3" if kind == "pad" else "black",
            )
    left.set_xlim(cols[0] - 0.5, cols[-1] + 0.5)
    left.set_ylim(rows[-1] + 0.5, rows[0] - 0.5)
    left.set_aspect("equal")
    left.set_xticks(list(cols))
    if result.dims == 1:
        left.set_xticklabels([f"f{c}" for c in cols])
    left.set_yticks(list(rows))
    left.tick_params(labelsize=font)
    left.set_xlabel("feature" if result.dims == 1 else "column", fontsize=font)
    left.set_ylabel("step" if result.dims == 1 else "row", fontsize=font)
    left.set_title("input", fontsize=font + 1)
    out = np.atleast_2d(result.output) if result.dims == 2 else result.output
    done = {s.index for s in result.steps[: i + 1]}
    for idx in np.ndindex(*out.shape):
        key = idx if result.dims == 2 else idx[:1]
        current = key == step.index
        face = "gold" if current else "white"
        right.add_patch(
            Rectangle((idx[1] - 0.5, idx[0] - 0.5), 1, 1, facecolor=face, edgecolor="0.4")
        )
        if key in done:
            right.text(
                idx[1], idx[0], _cell_label(out[idx]), ha="center", va="center", fontsize=font
            )
    right.set_xlim(-0.5, out.shape[1] - 0.5)
    right.set_ylim(out.shape[0] - 0.5, -0.5)
    right.set_aspect("equal")
    right.set_xticks(range(out.shape[1]))
    if result.dims == 1:
        right.set_xticklabels([f"f{c}" for c in range(out.shape[1])])
    right.set_yticks(range(out.shape[0]))
    right.tick_params(labelsize=font)
    right.set_title(
        f"output, {len(done)} of {int(np.prod(out.shape[: result.dims]))} cells", fontsize=font + 1
    )
    handles = [
        Patch(facecolor=_FACE["input"], edgecolor="0.4", label="input cell"),
        Patch(facecolor=_FACE["window"], edgecolor="0.4", label="in this window"),
    ]
    if result.reducer == "max":
        handles.append(
            Patch(
                facecolor=_FACE["winner"],
                edgecolor="0.4",
                label="the window's max, and its output cell",
            )
        )
    else:
        handles.append(
            Patch(facecolor=_FACE["winner"], edgecolor="0.4", label="this window's output cell")
        )
    kinds = _kinds(result)
    if "pad" in kinds:
        handles.append(
            Patch(
                facecolor=_FACE["pad"],
                edgecolor="0.4",
                label="p: padding" + (" (never wins)" if result.reducer == "max" else ""),
            )
        )
    if "overhang" in kinds:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="0.4",
                hatch="//",
                label="ceil_mode overhang: past the input, never read",
            )
        )
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.05 / height),
        ncol=2,
        fontsize=font,
        frameon=False,
    )
    caption = textwrap.fill(result.describe(step), layout["chars"])
    fig.text(0.5, 1 - 0.12 / height, caption, ha="center", va="top", fontsize=font)
    return fig


def write_frames(
    result: TraceResult, out_dir, show_progress: bool = True
) -> tuple[list[Path], Path]:
    """One PNG per step (``trace_step_00.png``, ...) and ``trace.gif`` (Pillow) in ``out_dir``."""
    from PIL import Image

    paths = []
    steps = range(len(result.steps))
    for i in _common.progress(steps, "trace frames", len(steps), show_progress):
        fig = draw_step(result, i)
        name = f"trace_step_{i:02d}.png"  # not cropped: every frame has the figure's size
        paths.append(_common.save_figure(fig, out_dir, name, tight=False))
        _common.close(fig)
    gif = Path(out_dir) / "trace.gif"
    try:
        frames = []
        for path in paths:
            with Image.open(path) as frame:
                frames.append(frame.convert("RGB"))
        size = (max(f.width for f in frames), max(f.height for f in frames))
        frames = [_on_canvas(f, size) for f in frames]
        frames[0].save(gif, save_all=True, append_images=frames[1:], duration=1200, loop=0)
    except OSError as error:
        reason = error.strerror or _common._one_line(error)
        raise PoolingError(f"--out: cannot write {str(gif)!r}: {reason}") from None
    return paths, gif


def _on_canvas(frame, size):
    from PIL import Image

    canvas = Image.new("RGB", size, "white")
    canvas.paste(frame, (0, 0))
    return canvas


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        default=None,
        help="a small matrix: '1,2;3,4' (rows split by ';'), a .npy or a text file "
        "(default: the PyTorch article's 5x5 map, or with --dims 1 Keras' word vectors)",
    )
    parser.add_argument(
        "--dims",
        type=int,
        choices=(1, 2),
        default=2,
        help="2: pool an H x W map; 1: pool steps x features along the steps (Keras 1-D)",
    )
    parser.add_argument(
        "--kernel",
        type=_common.parse_ints,
        default=None,
        help="window (default 3 for the 5x5 example, 2 for the 1-D one)",
    )
    parser.add_argument(
        "--stride",
        type=_common.parse_ints,
        default=None,
        help="default: the kernel size (1 for the 1-D example)",
    )
    parser.add_argument(
        "--padding",
        type=_common.parse_padding,
        default=0,
        help="int, ints per dim, valid, same or same_lower (default 0)",
    )
    parser.add_argument("--dilation", type=_common.parse_ints, default=1)
    ceil = parser.add_mutually_exclusive_group()
    ceil.add_argument(
        "--ceil-mode",
        dest="ceil_mode",
        action="store_true",
        default=None,
        help="round the output size up (default on for the 5x5 example)",
    )
    ceil.add_argument("--no-ceil-mode", dest="ceil_mode", action="store_false")
    parser.add_argument("--reducer", choices=REDUCERS, default="max")
    parser.add_argument("--p", type=float, default=2.0, help="the Lp norm's p (--reducer lp)")
    parser.add_argument(
        "--out",
        default=None,
        help="write one PNG per window and an animated trace.gif to this folder",
    )


def run(args: argparse.Namespace) -> int:
    if args.out:
        _common.check_writable_dir(args.out)  # before any work: a bad --out fails at once
    x = None if args.input is None else _common.load_matrix(args.input, "--input")
    if x is not None and args.dims == 1 and x.ndim == 2 and x.shape[0] == 1:
        x = x[0]  # '1,2,3' with --dims 1 is a sequence of steps, not one step of 3 features
    what = _common.describe("trace", args, "kernel", "stride", "padding", "dilation")
    with _common.arguments_checked(what), _common.compile_notice():
        result = trace(
            x,
            args.kernel,
            args.stride,
            args.padding,
            args.dilation,
            args.ceil_mode,
            args.reducer,
            args.dims,
            p=args.p,
            figure=False,
        )
    print(result.summary())
    if args.out:
        paths, gif = write_frames(result, args.out)
        print(f"frames: {len(paths)} PNGs and {gif}")
    return 0
