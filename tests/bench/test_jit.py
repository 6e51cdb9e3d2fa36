"""`poolkit bench --jit`: each family's first call in fresh processes, cold then cached."""

from __future__ import annotations

from poolkit.bench import cli, jit


def test_measure_runs_fresh_processes():
    rows = jit.measure(families=["upsample"])
    assert [r["family"] for r in rows] == ["upsample"]
    row = rows[0]
    assert row["cold_s"] > 0 and row["cached_s"] > 0 and row["startup_s"] > 0
    # the second process loads what the first compiled (generous: the machine may be busy)
    assert row["cached_s"] < row["cold_s"]
    assert "| upsample (float32, NCHW) |" in jit.table(rows)


def test_jit_targets_verdicts():
    rows = [{"family": "max", "dtype": "float32", "layout": "NCHW", "cold_s": 3.5,
             "cached_s": 0.2, "startup_s": 0.9, "cached_startup_s": 0.8}]  # fmt: skip
    got = {t["target"]: t["met"] for t in cli.jit_targets(rows)}
    assert got == {
        "family's first call, empty cache <= 3 s": False,
        "family's first call, from cache <= 0.5 s": True,
    }
