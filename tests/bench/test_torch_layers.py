"""poolkit bench --torch: torch.nn against poolkit.torch on the issue's cases (not timed here:
the test checks the measurement runs every case on both and reports ratios and overhead)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from poolkit.bench import torch_layers


def test_every_case_times_both_and_reports_a_ratio():
    rows = torch_layers.measure(repeat=1, quick=True)
    assert [row["case"] for row in rows] == [case.name for case in torch_layers.cases(True)]
    for row in rows:
        assert row["torch_nn_s"] > 0 and row["poolkit_torch_s"] > 0
        assert row["ratio"] == pytest.approx(row["torch_nn_s"] / row["poolkit_torch_s"])
        assert row["met"] == (row["ratio"] >= (0.97 if row["goal"] == 1.0 else row["goal"]))
    overhead = torch_layers.dispatch_overhead(repeat=1, calls=10)
    assert set(overhead) == {"torch", "poolkit small path", "poolkit kernels"}
    text = torch_layers.table(rows, overhead)
    assert "dispatch overhead" in text and rows[0]["case"] in text
