"""Filter -> detect -> condense on a photo: the Kaggle lesson's feature-extraction pipeline.

The image becomes grayscale floats in [0, 1]; a 3x3 kernel (default the lesson's edge detector)
is applied with 'same' zero padding (cross-correlation, like ``tf.nn.conv2d(strides=1,
padding='SAME')``); ReLU keeps the positive responses; poolkit pools the result (default max
2x2, stride 2, 'same', like ``tf.nn.pool``). Each stage's shape and share of active (non-zero)
pixels is printed: condensing raises that share. The figure shows Input, the kernel's weights,
Filter (signed: blue below zero, red above), Detect and Condense (magma, as in the lesson),
each with its colour bar.

Example:
    >>> from poolkit.tour.explore import explore
    >>> result = explore(kernel="edge")                        # doctest: +SKIP
    >>> result.active_share["Condense"] > result.active_share["Detect"]  # doctest: +SKIP
    True
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import poolkit
from poolkit.errors import PoolingError
from poolkit.geometry import same_pads
from poolkit.reducers import REDUCERS
from poolkit.tour import _common

KERNELS = {
    # The lesson's edge detector: positive where a pixel is brighter than its neighbours.
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sobel-h": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],  # horizontal edges (bright above)
    "sobel-v": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],  # vertical edges (bright on the left)
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "blur": [[1 / 9] * 3] * 3,
}
STAGES = ("Input", "Filter", "Detect", "Condense")
#: The Filter panel's colour scale ends at this percentile of |response| (most responses are
#: small next to the strongest edges, and would otherwise all look white).
FILTER_PERCENTILE = 98.0


@dataclass
class ExploreResult:
    """The pipeline's stages (2-D float arrays), their active shares and the figure."""

    source: str
    kernel_name: str
    kernel: np.ndarray
    pooling: str
    stages: dict[str, np.ndarray]
    active_share: dict[str, float]
    figure: object = field(repr=False)
    note: str | None = None

    def summary(self) -> str:
        lines = [
            f"image: {self.source}" + (f" ({self.note})" if self.note else ""),
            f"kernel: {self.kernel_name} {self.kernel.tolist()}; pooling: {self.pooling}",
            f"  {'stage':<9} {'shape':>10} {'active':>8}",
        ]
        for name in STAGES:
            shape = "x".join(str(n) for n in self.stages[name].shape)
            lines.append(f"  {name:<9} {shape:>10} {self.active_share[name]:>8.1%}")
        before, after = self.active_share["Detect"], self.active_share["Condense"]
        verb = "raised" if after > before else "did not raise"
        ratio = f" (x{after / before:.2f})" if before > 0 else ""
        lines.append(
            f"  condensing {verb} the share of active pixels: {before:.1%} -> {after:.1%}{ratio}"
        )
        return "\n".join(lines)


def get_kernel(kernel) -> tuple[str, np.ndarray]:
    """A kernel by name (``edge``, ``sobel-h``, ``sobel-v``, ``emboss``, ``blur``), from a
    ``.npy``/text file or ``"a,b,c;d,e,f;..."``, or an array. Returns (label, 2-D float64)."""
    if isinstance(kernel, str) and kernel in KERNELS:
        return kernel, np.array(KERNELS[kernel], dtype=np.float64)
    if isinstance(kernel, str | Path):
        label, array = str(kernel), _common.load_matrix(str(kernel), "--kernel")
    else:
        label, array = "custom", np.asarray(kernel)
    if array.ndim != 2 or array.dtype.kind not in "biuf" or not np.all(np.isfinite(array)):
        raise PoolingError(
            f"kernel must be one of {sorted(KERNELS)} or a finite 2-D matrix (.npy, text, or "
            f"'a,b,c;d,e,f;g,h,i'); got {label!r} with shape {np.shape(array)}"
        )
    return label, array.astype(np.float64)


def conv2d_same(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """2-D cross-correlation with 'same' zero padding, as ``tf.nn.conv2d(strides=1,
    padding='SAME')`` computes it (pads from :func:`poolkit.geometry.same_pads`, the extra pad
    at the end for even kernels). One shifted slice per kernel tap, so memory stays at a few
    copies of the image.

    Shape: ``(H, W) -> (H, W)``.

    >>> conv2d_same(np.eye(3), np.ones((3, 3))).tolist()
    [[2.0, 2.0, 1.0], [2.0, 3.0, 2.0], [1.0, 2.0, 2.0]]
    """
    (top, bottom), (left, right) = (
        same_pads(n, k, 1) for n, k in zip(image.shape, kernel.shape, strict=True)
    )
    padded = np.pad(image.astype(np.float64), ((top, bottom), (left, right)))
    height, width = image.shape
    out = np.zeros((height, width), dtype=np.float64)
    for (a, b), weight in np.ndenumerate(kernel):
        if weight:
            out += weight * padded[a : a + height, b : b + width]
    return out


def _as_gray(image, builtin, max_size) -> tuple[np.ndarray, str, str | None]:
    if image is None:
        name = builtin or _common.DEFAULT_IMAGE
        return _common.builtin_image(name), f"{name} (scikit-image's bundled photograph)", None
    if isinstance(image, str | Path):
        array, note = _common.load_image(image, max_size)
        return array, str(image), note
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        from skimage.color import rgb2gray

        array = rgb2gray(array[..., :3])
    if array.ndim != 2 or array.dtype.kind not in "biuf":
        raise PoolingError(
            f"image must be a path, None or a 2-D (or RGB) numeric array; got shape "
            f"{array.shape} dtype {array.dtype}"
        )
    if array.dtype.kind in "iu":
        array = array / float(np.iinfo(array.dtype).max)
    return np.clip(array.astype(np.float64), 0.0, 1.0), "array", None


def pool_map(feature: np.ndarray, reducer="max", pool=2, stride=2, padding="same", p=2.0):
    """Pool a 2-D map with poolkit's ``<reducer>_pool2d``."""
    if reducer not in REDUCERS:
        raise PoolingError(f"reducer must be one of {REDUCERS}; got {reducer!r}")
    x = feature[None, None]
    if reducer == "lp":
        return poolkit.lp_pool2d(x, p, pool, stride, padding)[0, 0]
    return getattr(poolkit, f"{reducer}_pool2d")(x, pool, stride, padding)[0, 0]


def explore(
    image=None,
    kernel="edge",
    reducer: str = "max",
    pool=2,
    stride=2,
    padding="same",
    p: float = 2.0,
    builtin: str | None = None,
    max_size: int = _common.DEFAULT_MAX_SIZE,
    figure: bool = True,
) -> ExploreResult:
    """Run filter -> detect -> condense on ``image`` (a path, an array, or None for the
    built-in photograph; ``builtin`` picks another bundled one) and draw the figure.

    Files larger than ``max_size`` px on a side are downscaled while loading (``note`` says
    so). Shape: Input, Filter, Detect ``(H, W)``; Condense the pooled ``(H', W')``.
    """
    gray, source, note = _as_gray(image, builtin, max_size)
    kernel_name, weights = get_kernel(kernel)
    filtered = conv2d_same(gray, weights)
    detected = np.maximum(filtered, 0.0)
    condensed = pool_map(detected, reducer, pool, stride, padding, p)
    stages = {"Input": gray, "Filter": filtered, "Detect": detected, "Condense": condensed}
    shares = {name: _common.active_share(value) for name, value in stages.items()}
    pooling = f"{reducer} pool {pool} stride {stride} padding {padding!r}"
    if reducer == "lp":
        pooling += f" p={p}"
    fig = draw(stages, shares, kernel_name, weights, pooling) if figure else None
    return ExploreResult(source, kernel_name, weights, pooling, stages, shares, fig, note)


def draw(stages, shares, kernel_name, weights, pooling):
    """Input, the kernel's numbers, Filter (signed, diverging colours centred on 0), Detect
    and Condense (magma), each image with its colour bar."""
    plt = _common.pyplot()
    from matplotlib.colors import TwoSlopeNorm

    font = _common.FONT_PT
    kernel_width = _kernel_panel_width(weights)  # inches the kernel's numbers need
    image_width = 4.2  # inches per image panel, its colour bar included
    fig = plt.figure(figsize=(4 * image_width + kernel_width + 1.0, 5.6), layout="constrained")
    grid = fig.add_gridspec(1, 5, width_ratios=[1, kernel_width / image_width, 1, 1, 1])
    axes = {
        name: fig.add_subplot(grid[0, i])
        for i, name in enumerate(("Input", "Kernel", "Filter", "Detect", "Condense"))
    }
    pooled = pooling.replace(" padding ", ", padding ").replace(" stride ", ", stride ")
    titles = {
        "Input": "Input (grayscale)",
        "Filter": f"Filter: image * {kernel_name} kernel",
        "Detect": "Detect: ReLU, max(filter, 0)",
        "Condense": f"Condense: {pooled}",
    }
    for name in STAGES:
        ax, data = axes[name], stages[name]
        # Clip the display at a high percentile: a few border pixels would otherwise set the
        # colour scale and leave every feature dark. The numbers are unchanged; the colour
        # bar's pointed end marks the clipped values.
        if name == "Input":
            image = ax.imshow(data, cmap="gray", vmin=0.0, vmax=1.0)
            bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
            bar.set_label("intensity", fontsize=font)
        elif name == "Filter":  # signed: blue below 0, red above, white at 0
            top = float(np.percentile(np.abs(data), FILTER_PERCENTILE)) or 1e-12
            clip = bool(np.abs(data).max() > top)
            image = ax.imshow(data, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -top, top))
            bar = fig.colorbar(
                image, ax=ax, shrink=0.8, pad=0.02, extend="both" if clip else "neither"
            )
            bar.set_label("response (signed)", fontsize=font)
        else:
            top = max(float(np.percentile(data, 99.5)), 1e-12)
            clip = bool(data.max() > top)
            image = ax.imshow(data, cmap="magma", vmin=0.0, vmax=top)
            bar = fig.colorbar(
                image, ax=ax, shrink=0.8, pad=0.02, extend="max" if clip else "neither"
            )
            bar.set_label("activation", fontsize=font)
        bar.ax.tick_params(labelsize=font - 1 if font > _common.MIN_FONT_PT else font)
        ax.set_title(
            f"{titles[name]}\n{data.shape[0]}x{data.shape[1]} px, active {shares[name]:.1%}",
            fontsize=font + 1,
        )
        ax.set_axis_off()
    _draw_kernel(fig, axes["Kernel"], kernel_name, weights)
    fig.suptitle(
        "Filter -> detect -> condense (the Kaggle lesson's pipeline); active: the share of "
        "pixels with |v| > 1e-9\ncolours clipped for display at the 99.5th percentile (Filter: "
        f"{FILTER_PERCENTILE:g}th of |v|), marked by the colour bars' pointed ends; the "
        "numbers are not clipped",
        fontsize=font + 2,
    )
    return fig


def _kernel_label(value: float) -> str:
    return f"{value:.3g}"


def _kernel_font(weights: np.ndarray) -> int:
    """Large digits for short numbers (the edge kernel's -1 and 8), body size otherwise."""
    longest = max(len(_kernel_label(v)) for v in weights.ravel())
    return _common.FONT_PT + (3 if longest <= 2 else 1)


def _kernel_panel_width(weights: np.ndarray) -> float:
    """Inches the kernel panel needs: each cell as wide as its longest number (at least 2
    inches: room for the title); a kernel too large to print gets 2.5 inches."""
    rows, cols = weights.shape
    if rows > 7 or cols > 7:
        return 2.5
    longest = max(len(_kernel_label(v)) for v in weights.ravel())
    cell = longest * 0.62 * _kernel_font(weights) / 72 + 0.2
    return max(2.0, cols * cell)


def _draw_kernel(fig, ax, kernel_name, weights) -> None:
    """The kernel as a small matrix of coloured cells with its numbers (kernels up to 7x7;
    larger ones as an image with a colour bar)."""
    from matplotlib.colors import TwoSlopeNorm

    font = _common.FONT_PT
    top = float(np.abs(weights).max()) or 1.0
    image = ax.imshow(weights, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -top, top))
    rows, cols = weights.shape
    if rows <= 7 and cols <= 7:
        for (i, j), value in np.ndenumerate(weights):
            strong = abs(value) > 0.55 * top  # white digits on the dark ends of the map
            ax.text(
                j,
                i,
                _kernel_label(value),
                ha="center",
                va="center",
                fontsize=_kernel_font(weights),
                color="white" if strong else "black",
                fontweight="bold",
            )
        ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
        ax.grid(which="minor", color="0.3", lw=1)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    else:
        bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
        bar.ax.tick_params(labelsize=font)
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(f"Kernel ({kernel_name})\n{rows}x{cols} weights", fontsize=font + 1)


def log_tensorboard(stages: dict[str, np.ndarray], logdir) -> str:
    """Log each stage as an image summary (each rescaled to [0, 1] on its own), with
    :class:`poolkit.tour.tensorboard.SummaryLog`. Returns what happened, in one line."""
    from poolkit.tour.tensorboard import SummaryLog, log_stages

    with SummaryLog(logdir) as log:
        log_stages(log, stages)
    return log.report()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "image",
        nargs="?",
        help="PNG/JPEG file (default: a photograph bundled with scikit-image, offline)",
    )
    parser.add_argument(
        "--builtin",
        choices=_common.BUILTIN_IMAGES,
        default=None,
        help=f"which bundled photograph to use when no IMAGE is given "
        f"(default {_common.DEFAULT_IMAGE})",
    )
    parser.add_argument(
        "--kernel",
        default="edge",
        help=f"3x3 filter: one of {', '.join(KERNELS)} (default edge, the lesson's "
        f"[[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]), a .npy/text file, or 'a,b,c;d,e,f;g,h,i'",
    )
    parser.add_argument("--reducer", choices=REDUCERS, default="max", help="pooling kind")
    parser.add_argument(
        "--pool", type=_common.parse_ints, default=2, help="pooling window (default 2)"
    )
    parser.add_argument(
        "--stride", type=_common.parse_ints, default=2, help="pooling stride (default 2)"
    )
    parser.add_argument(
        "--padding",
        type=_common.parse_padding,
        default="same",
        help="valid, same (default, TensorFlow's), same_lower, or ints",
    )
    parser.add_argument("--p", type=float, default=2.0, help="the Lp norm's p (--reducer lp)")
    parser.add_argument(
        "--max-size",
        type=int,
        default=_common.DEFAULT_MAX_SIZE,
        help="largest image side loaded, in px; bigger images are downscaled first "
        f"(default {_common.DEFAULT_MAX_SIZE})",
    )
    parser.add_argument(
        "--out", default="poolkit-tour", help="folder for explore.png (default ./poolkit-tour)"
    )
    parser.add_argument(
        "--tensorboard",
        metavar="DIR",
        default=None,
        help="also log the stages as TensorBoard image summaries to DIR",
    )


def run(args: argparse.Namespace) -> int:
    _common.check_writable_dir(args.out)  # before any work: a bad --out fails at once
    if args.tensorboard:
        _common.check_writable_dir(args.tensorboard, "--tensorboard")
    what = _common.describe("explore", args, "pool", "stride", "padding")
    with _common.arguments_checked(what), _common.compile_notice():
        result = explore(
            args.image,
            args.kernel,
            args.reducer,
            args.pool,
            args.stride,
            args.padding,
            args.p,
            builtin=args.builtin,
            max_size=args.max_size,
        )
    print(result.summary())
    path = _common.save_figure(result.figure, args.out, "explore.png")
    _common.close(result.figure)
    print(f"  figure: {path}")
    if args.tensorboard:
        print("  " + log_tensorboard(result.stages, args.tensorboard))
    return 0
