"""Translation invariance: the lesson's two dots, and shift errors measured per reducer.

**Two dots.** A 32x32 map holds two single-pixel dots on one row, ``d`` px apart (the left
dot at column 8, aligned with the 2x2 grid). Max pooling 2x2/2 is applied 4 times
(32 -> 16 -> 8 -> 4 -> 2); after each step we count the active cells: near dots fall into one
cell (they merge, the map no longer tells where each was), far dots stay apart. Pooling is
invariant over *small* distances only (Kaggle lesson 3).

**Shift table.** For pooling ``P`` (kernel ``k``, stride ``s``, 'valid'), a map ``x`` of shape
``(H, W)`` is cut from a wider source ``X`` of shape ``(H, W + s)``: ``x = X[:, :W]`` and
``shift_t(x) = X[:, t:t+W]`` (the scene moves left by ``t`` px under a fixed frame; nothing
wraps around and no zeros enter). Pooling turns a shift by ``t`` px into a shift by ``t/s``
output cells, so the comparison is with

    shift'_t(y)[:, j] = (1 - f) * y[:, j + q] + f * y[:, j + q + 1],  q = t // s, f = t/s - q,

the pooled map ``y = P(x)`` moved by ``t/s`` cells (linear interpolation between cells when
``t`` is not a multiple of ``s``). Border handling: only the output columns ``j`` where
``shift'_t(y)`` is defined from ``y`` alone (``j + q + (f > 0) < W_out``) are compared. The
error is ``||P(shift_t(x)) - shift'_t(y)|| / ||y||`` (Frobenius norms over those columns),
averaged over random maps (uniform [0, 1)) and over patches of the built-in photograph. For
``t = s`` (a whole stride) pooling is exactly equivariant: ``P(shift_s(x))[:, j] = y[:, j+1]``,
so that column is a check whose error must be 0 (up to float rounding).

Example:
    >>> from poolkit.tour.invariance import two_dots
    >>> two_dots(distances=(1, 16))[1]          # active cells per pooling level
    {1: [2, 1, 1, 1, 1], 16: [2, 2, 2, 2, 2]}
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

import numpy as np

import poolkit
from poolkit.errors import PoolingError
from poolkit.tour import _common

SIZE = 32
DOT_ROW, DOT_COL = 15, 8
DISTANCES = (1, 2, 4, 8, 16)
LEVELS = 4
SHIFT_REDUCERS = ("max", "avg", "sum", "lp")


@dataclass
class InvarianceResult:
    """``dots``: maps per distance (level 0 = input); ``active``: active cells per level;
    ``errors[source][reducer]``: mean relative error per shift ``0..s`` (the last is the
    whole-stride check); ``check_max``: the largest whole-stride error seen."""

    dots: dict[int, list[np.ndarray]]
    active: dict[int, list[int]]
    kernel: int
    stride: int
    samples: int
    errors: dict[str, dict[str, list[float]]]
    check_max: float
    figure: object = field(default=None, repr=False)
    shift_figure: object = field(default=None, repr=False)

    def summary(self) -> str:
        sizes = [SIZE >> level for level in range(LEVELS + 1)]
        lines = [
            f"two dots on a {SIZE}x{SIZE} map, max pool 2x2 stride 2 repeated; active cells at "
            f"sizes {sizes}:"
        ]
        for distance, counts in self.active.items():
            merged = next((lvl for lvl, c in enumerate(counts) if c == 1), None)
            verdict = f"merge after {merged} pooling(s)" if merged is not None else "stay apart"
            lines.append(f"  {distance:>2} px apart: {counts}  -> {verdict}")
        shifts = list(range(self.stride + 1))
        lines.append(
            f"shift error ||P(shift_t x) - shift'_t(P x)|| / ||P x||, kernel {self.kernel}, "
            f"stride {self.stride}, mean of {self.samples} maps each (t = {self.stride}: the "
            f"whole-stride check)"
        )
        header = "".join(f"{'t=' + str(t):>9}" for t in shifts)
        for source, table in self.errors.items():
            lines.append(f"  {source:<14}{header}")
            for reducer, values in table.items():
                cells = "".join(f"{v:>9.4f}" for v in values)
                lines.append(f"    {reducer:<12}{cells}")
        lines.append(
            f"  whole-stride shift: largest error {self.check_max:.1e} (exact equivariance "
            f"away from the border)"
        )
        if self.stride > 1:
            best = []
            for source, table in self.errors.items():
                means = {r: float(np.mean(v[1 : self.stride])) for r, v in table.items()}
                winner = min(means, key=means.get)
                best.append(f"{source}: {winner} ({means[winner]:.4f})")
            lines.append(
                "  smallest mean sub-stride error: " + "; ".join(best) + " (avg and sum agree: "
                "sum = k*k*avg, the error is relative)"
            )
        return "\n".join(lines)


def two_dots(distances=DISTANCES, levels: int = LEVELS):
    """Maps with two dots ``d`` px apart, max-pooled 2x2/2 ``levels`` times.

    Returns ``(maps, active)``: ``maps[d]`` is the list of maps from the input down, and
    ``active[d]`` the number of active cells at each level (2: apart, 1: merged).
    """
    distances = tuple(int(d) for d in distances)
    if not distances or min(distances) < 1 or DOT_COL + max(distances) >= SIZE:
        raise PoolingError(
            f"distances must be ints in [1, {SIZE - DOT_COL - 1}]; got {distances!r}"
        )
    batch = np.zeros((len(distances), 1, SIZE, SIZE), dtype=np.float32)
    for i, distance in enumerate(distances):
        batch[i, 0, DOT_ROW, DOT_COL] = batch[i, 0, DOT_ROW, DOT_COL + distance] = 1.0
    stack = [batch]
    for _ in range(levels):
        stack.append(poolkit.max_pool2d(stack[-1], 2, 2))
    maps = {d: [level[i, 0] for level in stack] for i, d in enumerate(distances)}
    active = {d: [int(np.count_nonzero(m)) for m in maps[d]] for d in distances}
    return maps, active


def _pool(x: np.ndarray, reducer: str, kernel: int, stride: int) -> np.ndarray:
    if reducer == "lp":
        return poolkit.lp_pool2d(x, 2.0, kernel, stride)
    return getattr(poolkit, f"{reducer}_pool2d")(x, kernel, stride)


def shift_errors(sources: np.ndarray, reducer: str, kernel: int, stride: int) -> np.ndarray:
    """Mean relative shift error for ``t = 0..stride`` over ``sources`` ``(N, H, W + stride)``
    (see the module docstring for ``shift'`` and the border rule)."""
    _, _, wide = sources.shape
    width = wide - stride
    x = sources[:, None, :, :width]
    y = _pool(x, reducer, kernel, stride).astype(np.float64)
    w_out = y.shape[-1]
    errors = []
    for t in range(stride + 1):
        moved = _pool(sources[:, None, :, t : t + width], reducer, kernel, stride)
        q, f = divmod(t, stride)
        frac = f / stride
        cols = w_out - q - (1 if f else 0)
        if cols < 1:
            raise PoolingError(f"maps too narrow for a shift of {t} px with stride {stride}")
        expected = y[..., q : q + cols]
        if f:
            expected = (1 - frac) * expected + frac * y[..., q + 1 : q + 1 + cols]
        diff = moved[..., :cols].astype(np.float64) - expected
        num = np.sqrt((diff**2).sum(axis=(1, 2, 3)))
        den = np.sqrt((y[..., :cols] ** 2).sum(axis=(1, 2, 3)))
        errors.append(float(np.mean(num / np.where(den > 0, den, 1.0))))
    return np.array(errors)


def _sources(samples: int, size: int, stride: int, seed: int, photo: np.ndarray):
    rng = np.random.default_rng(seed)
    random_maps = rng.random((samples, size, size + stride))
    top = rng.integers(0, photo.shape[0] - size + 1, samples)
    left = rng.integers(0, photo.shape[1] - size - stride + 1, samples)
    patches = np.stack(
        [photo[r : r + size, c : c + size + stride] for r, c in zip(top, left, strict=True)]
    )
    return {"random maps": random_maps, "photo patches": patches}


def invariance(
    kernel: int = 2,
    stride: int = 2,
    samples: int = 64,
    size: int = 32,
    seed: int = 0,
    figure: bool = True,
    show_progress: bool = False,
) -> InvarianceResult:
    """Run the two-dots experiment and measure the shift table (module docstring)."""
    if not (isinstance(samples, int) and samples >= 1):
        raise PoolingError(f"samples must be an int >= 1; got {samples!r}")
    if not (isinstance(size, int) and size >= kernel + 2 * stride):
        raise PoolingError(
            f"kernel + 2*stride must be <= the map size {size!r}; got kernel {kernel}, "
            f"stride {stride}"
        )
    maps, active = two_dots()
    photo = _common.builtin_image()
    sources = _sources(samples, size, stride, seed, photo)
    errors: dict[str, dict[str, list[float]]] = {name: {} for name in sources}
    jobs = [(s, r) for s in sources for r in SHIFT_REDUCERS]
    for source, reducer in _common.progress(jobs, "shift table", len(jobs), show_progress):
        values = shift_errors(sources[source], reducer, kernel, stride)
        errors[source][reducer] = [float(v) for v in values]
    check_max = max(table[r][-1] for table in errors.values() for r in table)
    result = InvarianceResult(maps, active, kernel, stride, samples, errors, check_max)
    if figure:
        result.figure = draw_dots(maps, active)
        result.shift_figure = draw_shifts(result)
    return result


def draw_dots(maps, active):
    """Rows: distances; columns: pooling levels. Each map is drawn cell by cell with grid lines
    between the cells, so two adjacent active cells read as two."""
    plt = _common.pyplot()
    from matplotlib.patches import Patch

    font = _common.FONT_PT
    distances = list(maps)
    fig, axes = plt.subplots(
        len(distances),
        LEVELS + 1,
        figsize=(2.5 * (LEVELS + 1) + 0.6, 2.5 * len(distances) + 1.3),
        squeeze=False,
        layout="constrained",
    )
    for i, distance in enumerate(distances):
        for level, image in enumerate(maps[distance]):
            ax = axes[i, level]
            ax.imshow(image, cmap="magma", vmin=0, vmax=1, interpolation="nearest")
            rows, cols = image.shape
            ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
            ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
            ax.grid(which="minor", color="0.45", lw=0.5 if cols > 16 else 1.0)
            ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
            ax.set_xticks([])
            ax.set_yticks([])
            count = active[distance][level]
            merged = count == 1 and level > 0
            ax.set_title(
                f"{rows}x{cols}: {count} active" + (" (merged)" if merged else ""),
                fontsize=font,
                color="tab:red" if merged else "black",
            )
            if level == 0:
                ax.set_ylabel(f"{distance} px apart", fontsize=font + 1)
    for level in range(LEVELS + 1):
        axes[-1, level].set_xlabel(
            "input" if level == 0 else f"after {level} pooling" + ("s" if level > 1 else ""),
            fontsize=font,
        )
    handles = [
        Patch(facecolor=plt.get_cmap("magma")(1.0), edgecolor="0.45", label="active cell (1)"),
        Patch(facecolor=plt.get_cmap("magma")(0.0), edgecolor="0.45", label="inactive cell (0)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=font, frameon=False)
    fig.suptitle(
        "Two dots, max pooled 2x2 stride 2 again and again: near dots merge into one cell "
        "(red), far dots stay apart",
        fontsize=font + 1,
    )
    return fig


def draw_shifts(result: InvarianceResult):
    """Bars: mean relative shift error per reducer for each sub-stride shift ``t`` (1 ..
    stride-1), one panel per source. ``t = 0`` and ``t = stride`` are exact (error 0 up to
    rounding): stated in each panel, not drawn as empty bars."""
    plt = _common.pyplot()
    font = _common.FONT_PT
    sources = list(result.errors)
    stride = result.stride
    shifts = list(range(1, stride)) or [stride]  # stride 1 has no sub-stride shift
    fig, axes = plt.subplots(
        1,
        len(sources),
        figsize=(max(4.8, 1.8 * len(shifts) + 2.4) * len(sources), 5.2),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    width = 0.8 / len(SHIFT_REDUCERS)
    x = np.arange(len(shifts))
    for ax, source in zip(axes[0], sources, strict=True):
        table = result.errors[source]
        for i, reducer in enumerate(SHIFT_REDUCERS):
            values = [table[reducer][t] for t in shifts]
            bars = ax.bar(
                x + (i - (len(SHIFT_REDUCERS) - 1) / 2) * width,
                values,
                width,
                label=reducer,
                color=f"C{i}",
            )
            ax.bar_label(
                bars,
                fmt="%.3f",
                fontsize=font - 1 if font > 10 else font,
                padding=2,
                rotation=90 if len(shifts) > 2 else 0,
            )
        ax.set_xticks(x)
        ax.set_xticklabels([f"t={t}" for t in shifts])
        ax.tick_params(labelsize=font)
        ax.set_xlabel(f"input shift t (px); stride s = {stride}", fontsize=font)
        exact = max(max(table[r][0], table[r][stride]) for r in table)
        bound = "error 0" if exact == 0 else f"error <= {exact:.0e}"
        note = (
            f"t=0 and t={stride} (a whole stride):\nexact, {bound} (not drawn)"
            if stride > 1
            else f"t={stride} is a whole stride:\nexact, {bound}"
        )
        ax.text(
            0.98,
            0.97,
            note,
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=font - 1 if font > 10 else font,
            bbox={"facecolor": "white", "edgecolor": "0.7"},
        )
        ax.set_title(f"{source} ({result.samples} maps)", fontsize=font + 1)
        ax.grid(axis="y", alpha=0.3)
        ax.margins(y=0.35)
        ax.set_xlim(-0.7, len(shifts) - 0.3)
    axes[0, 0].set_ylabel("mean relative error", fontsize=font)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        title="reducer",
        fontsize=font,
        title_fontsize=font,
        loc="outside lower center",
        ncol=len(SHIFT_REDUCERS),
        frameon=False,
    )
    fig.suptitle(
        f"Shift error ||P(shift_t x) - shift'_t(P x)|| / ||P x||, kernel {result.kernel}, "
        f"stride {stride}\nshift_t moves the input t px; shift'_t moves the pooled map P x by "
        f"t/s cells (interpolating between cells); 0 = shift-equivariant",
        fontsize=font,
    )
    return fig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        default="poolkit-tour",
        help="folder for invariance_dots.png and invariance_shift.png (default ./poolkit-tour)",
    )
    parser.add_argument("--kernel", type=int, default=2, help="shift table: window (default 2)")
    parser.add_argument("--stride", type=int, default=2, help="shift table: stride (default 2)")
    parser.add_argument(
        "--samples", type=int, default=64, help="random maps and photo patches each (default 64)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def run(args: argparse.Namespace) -> int:
    _common.check_writable_dir(args.out)  # before the shift table: a bad --out fails at once
    what = _common.describe("invariance", args, "kernel", "stride", "samples", "seed")
    with _common.arguments_checked(what), _common.compile_notice():
        result = invariance(
            args.kernel, args.stride, args.samples, seed=args.seed, show_progress=True
        )
    print(result.summary())
    dots = _common.save_figure(result.figure, args.out, "invariance_dots.png")
    shifts = _common.save_figure(result.shift_figure, args.out, "invariance_shift.png")
    _common.close(result.figure)
    _common.close(result.shift_figure)
    print(f"  figures: {dots}, {shifts}")
    return 0
