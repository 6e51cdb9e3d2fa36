"""poolkit.train.report (table, JSON) and the worked examples in the train docstrings."""

from __future__ import annotations

import doctest
import importlib
import json

import pytest

from poolkit.train.report import format_table, write_json

ROW = {
    "pool": "none",
    "test_accuracy": 0.9573,
    "test_accuracy_std": 0.0085,
    "shift_consistency": 0.353,
    "shift_consistency_std": 0.02,
    "shifted_accuracy": 0.44,
    "parameters": 12858,
    "macs": 263232,
    "train_seconds": 9.14,
}


def test_table_rows_and_alignment():
    table = format_table([ROW, {**ROW, "pool": "max", "parameters": 7690}], runs=3)
    header, rule, first, second = table.splitlines()
    assert header.startswith("pool | test acc. (3 runs) | shift consistency")
    assert first.startswith("none | 95.73% +/- 0.85%   | 35.30% +/- 2.00%")
    assert first.endswith("12,858 |    263,232 |     9.1")
    assert second.index("7,690") == first.index("12,858") + 1  # counts right-aligned
    assert len(rule) == len(header.rstrip())


def test_json_has_config_and_results(tmp_path):
    path = write_json(tmp_path / "sub" / "r.json", [ROW], {"epochs": 10})
    blob = json.loads(path.read_text())
    assert blob == {"config": {"epochs": 10}, "results": [ROW]}


@pytest.mark.parametrize("module", ["data", "engine", "models", "report"])
def test_docstring_examples(module):
    if module in ("engine", "models"):
        pytest.importorskip("torch")
    result = doctest.testmod(importlib.import_module(f"poolkit.train.{module}"))
    assert result.failed == 0 and result.attempted > 0


def _rows(epochs: int) -> list[dict]:
    """Two pooling choices with made-up histories; 'max' is the right-most point."""
    rows = []
    for pool, consistency, accuracy in (("avg", 0.30, 0.60), ("max", 0.43, 0.82)):
        history = [
            {"epoch": e, "loss": 2.3 / e, "train_accuracy": 0.5, "test_accuracy": accuracy}
            for e in range(1, epochs + 1)
        ]
        rows.append(
            {
                **ROW,
                "pool": pool,
                "shift_consistency": consistency,
                "shift_consistency_std": 0.0,
                "test_accuracy_std": 0.0,
                "test_accuracy": accuracy,
                "runs": [{"history": history}],
            }
        )
    return rows


@pytest.mark.parametrize("epochs", [1, 4, 7])
def test_learning_curves_have_integer_epoch_ticks(epochs):
    pytest.importorskip("matplotlib")
    from poolkit.train.report import draw_figures

    figures = draw_figures(_rows(epochs), "test")
    figure = figures["learning_curves.png"]
    figure.canvas.draw()
    for ax in figure.axes:
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        assert min(ticks) >= 1 and max(ticks) <= epochs
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert all(label.lstrip("−-").isdigit() for label in labels), labels
    _close(figures)


def test_training_figures_text_readable_and_nothing_clipped():
    pytest.importorskip("matplotlib")
    from poolkit.tour import _common
    from poolkit.train.report import FIGURE_DPI, draw_figures

    figures = draw_figures(_rows(3), "test")
    for figure in figures.values():
        sizes = _common.figure_font_sizes(figure, FIGURE_DPI)
        assert min(sizes)[0] >= 10, min(sizes)
    scatter = figures["accuracy_vs_consistency.png"]
    ax = scatter.axes[0]
    renderer = scatter.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    labels = {t.get_text(): t.get_window_extent(renderer) for t in ax.texts}
    assert set(labels) == {"avg", "max"}
    for name, extent in labels.items():  # each point's label lies wholly inside the axes
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, name
        assert box.y0 <= extent.y0 and extent.y1 <= box.y1, name
    _close(figures)


def _close(figures) -> None:
    import matplotlib.pyplot as plt

    for figure in figures.values():
        plt.close(figure)
