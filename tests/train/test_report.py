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
