"""The comparison table, the JSON report and the figures of ``poolkit train``.

>>> print(format_table([{"pool": "max", "test_accuracy": 0.98, "test_accuracy_std": 0.004,
...     "shift_consistency": 0.9, "shift_consistency_std": 0.01, "shifted_accuracy": 0.89,
...     "parameters": 7706, "macs": 190000, "train_seconds": 2.5}], runs=3))
pool | test acc. (3 runs) | shift consistency | shifted acc. | params | MACs/image | train s
---- | ------------------ | ----------------- | ------------ | ------ | ---------- | -------
max  | 98.00% +/- 0.40%   | 90.00% +/- 1.00%  | 89.00%       |  7,706 |    190,000 |     2.5
"""

from __future__ import annotations

import json
from pathlib import Path


def format_table(rows: list[dict], runs: int) -> str:
    """A plain-text (and Markdown) table, one row per pooling choice."""
    header = [
        "pool",
        f"test acc. ({runs} run{'s' if runs != 1 else ''})",
        "shift consistency",
        "shifted acc.",
        "params",
        "MACs/image",
        "train s",
    ]
    body = [
        [
            row["pool"],
            f"{row['test_accuracy']:.2%} +/- {row['test_accuracy_std']:.2%}",
            f"{row['shift_consistency']:.2%} +/- {row['shift_consistency_std']:.2%}",
            f"{row['shifted_accuracy']:.2%}",
            f"{row['parameters']:,}",
            f"{row['macs']:,}",
            f"{row['train_seconds']:.1f}",
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    numeric = {4, 5, 6}  # right-align the counts and times

    def fmt(line):
        cells = [
            cell.rjust(width) if i in numeric and line is not header else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        return " | ".join(cells).rstrip()

    rule = " | ".join("-" * width for width in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in body)])


def write_json(path: str | Path, rows: list[dict], config: dict) -> Path:
    """``{"config": {...}, "results": [row, ...]}`` with one row per pooling choice."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"config": config, "results": rows}, indent=2) + "\n")
    return path


#: Resolution of the training figures; their smallest text is 10 pt (at least 12 px here).
FIGURE_DPI = 120


def write_figures(out: str | Path, rows: list[dict], title: str) -> list[Path]:
    """``learning_curves.png`` (mean training loss and test accuracy per epoch, over runs) and
    ``accuracy_vs_consistency.png`` (one point per pooling choice, error bars = std)."""
    paths = []
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")  # files only; never open a window
    import matplotlib.pyplot as plt

    for name, figure in draw_figures(rows, title).items():
        paths.append(out / name)
        figure.savefig(paths[-1], dpi=FIGURE_DPI, bbox_inches="tight")
        plt.close(figure)
    return paths


def draw_figures(rows: list[dict], title: str) -> dict:
    """The two figures of :func:`write_figures`, by file name (matplotlib figures, unsaved)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

    font = 10
    figures = {}
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
    most = 1
    for row in rows:
        histories = [run["history"] for run in row["runs"] if run["history"]]
        if not histories:
            continue
        epochs = min(len(h) for h in histories)
        most = max(most, epochs)
        x = np.arange(1, epochs + 1)
        loss = np.mean([[e["loss"] for e in h[:epochs]] for h in histories], axis=0)
        acc = np.mean([[e["test_accuracy"] for e in h[:epochs]] for h in histories], axis=0)
        ax_loss.plot(x, loss, marker="o", ms=4, label=row["pool"])
        ax_acc.plot(x, acc, marker="o", ms=4, label=row["pool"])
    ax_loss.set(ylabel="training loss (cross-entropy, log scale)", yscale="log")
    # plain numbers on the log axis (2, 1, 0.5), not 2x10^0
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    low, high = ax_loss.get_ylim()
    narrow = low > 0 and high / low < 10  # within a decade: label more steps of it
    ax_loss.yaxis.set_major_locator(
        LogLocator(subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0) if narrow else (1.0, 2.0, 5.0))
    )
    ax_loss.yaxis.set_major_formatter(plain)
    ax_loss.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
    ax_acc.set(ylabel="test accuracy")
    ax_acc.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0%}"))
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        ax.set_xlim(0.7, most + 0.3)
        ax.grid(alpha=0.3)
        ax.legend(title="pool", fontsize=font, title_fontsize=font)
        ax.tick_params(labelsize=font)
    fig.suptitle(f"Learning curves, mean over runs: {title}")
    figures["learning_curves.png"] = fig

    fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    for row in rows:
        ax.errorbar(
            row["shift_consistency"],
            row["test_accuracy"],
            xerr=row["shift_consistency_std"],
            yerr=row["test_accuracy_std"],
            fmt="o",
            capsize=3,
            label=row["pool"],
        )
        ax.annotate(
            row["pool"],
            (row["shift_consistency"], row["test_accuracy"]),
            textcoords="offset points",
            xytext=(7, 5),
            fontsize=font + 1,
        )
    # room around the points: a label next to the right-most point stays inside the axes
    ax.margins(x=0.18, y=0.12)
    percent = FuncFormatter(
        lambda value, _: (
            f"{value:.0%}" if abs(value * 100 - round(value * 100)) < 1e-9 else f"{value:.1%}"
        )
    )
    ax.xaxis.set_major_formatter(percent)
    ax.yaxis.set_major_formatter(percent)
    ax.set(
        xlabel="shift consistency (error bars: std over runs)", ylabel="test accuracy", title=title
    )
    ax.tick_params(labelsize=font)
    ax.grid(alpha=0.3)
    figures["accuracy_vs_consistency.png"] = fig
    return figures


def log_tensorboard(logdir: str | Path, data, results, lp_norm: float = 2.0) -> str:
    """Log a training run for TensorBoard under ``logdir``; return what was logged, in a line.

    Per network, in its own run folder ``<pool>-seed<N>`` (so TensorBoard overlays them): the
    per-epoch ``loss``, ``train_accuracy`` and ``test_accuracy``. Once, as in the PyTorch
    article's ``add_images`` lesson: the first 64 test images, and the same images after each
    chosen 2x2/2 pooling (``none`` is a learned convolution, so it has no fixed picture).
    """
    from poolkit.tour.tensorboard import SummaryLog

    logdir = Path(logdir)
    scalars_per_run = []
    for result in results:
        for run in result.runs:
            with SummaryLog(logdir / f"{result.pool}-seed{run.seed}") as log:
                for row in run.history:
                    for name in ("loss", "train_accuracy", "test_accuracy"):
                        log.scalar(f"train/{name}", row[name], row["epoch"])
            scalars_per_run.append(log.scalars_written)
    with SummaryLog(logdir / "images") as log:
        if log.available:
            _log_pooled_images(log, data, [result.pool for result in results], lp_norm)
    if not log.available:
        return log.report()
    return (
        f"{log.report()}; {sum(scalars_per_run)} scalars in {len(scalars_per_run)} run folder(s)"
    )


def _log_pooled_images(log, data, pools: list[str], lp_norm: float) -> None:
    import torch

    from poolkit.train.models import make_pool

    batch = data.x_test[:64]
    log.images("images/0_input", batch)
    with torch.no_grad():
        for step, pool in enumerate((p for p in pools if p != "none"), start=1):
            layer = make_pool(pool, batch.shape[1], 2, lp_norm=lp_norm)
            log.images(f"images/{step}_{pool}_pool_2x2", layer(torch.from_numpy(batch)).numpy())
