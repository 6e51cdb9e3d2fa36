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


def write_figures(out: str | Path, rows: list[dict], title: str) -> list[Path]:
    """``learning_curves.png`` (mean training loss and test accuracy per epoch, over runs) and
    ``accuracy_vs_consistency.png`` (one point per pooling choice, error bars = std)."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never open a window
    import matplotlib.pyplot as plt
    import numpy as np

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for row in rows:
        histories = [run["history"] for run in row["runs"] if run["history"]]
        if not histories:
            continue
        epochs = min(len(h) for h in histories)
        x = np.arange(1, epochs + 1)
        loss = np.mean([[e["loss"] for e in h[:epochs]] for h in histories], axis=0)
        acc = np.mean([[e["test_accuracy"] for e in h[:epochs]] for h in histories], axis=0)
        ax_loss.plot(x, loss, marker=".", label=row["pool"])
        ax_acc.plot(x, acc, marker=".", label=row["pool"])
    ax_loss.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(title="pool")
    fig.suptitle(f"Learning curves, mean over runs: {title}")
    fig.tight_layout()
    paths.append(out / "learning_curves.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4.5))
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
            xytext=(6, 4),
        )
    ax.set(xlabel="shift consistency", ylabel="test accuracy", title=title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    paths.append(out / "accuracy_vs_consistency.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    return paths
