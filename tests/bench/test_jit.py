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


def test_backward_family_also_timed_after_its_forward(monkeypatch):
    """A backward family gets a third fresh process (own empty cache) in which its forward
    family runs first, untimed; the table shows that time, and '-' for other families."""
    calls = []

    def fake_first_call(family, dtype, layout, cache_dir, before=()):
        calls.append((family, tuple(before)))
        return [0.5, 4.0 if not before else 2.5]

    monkeypatch.setattr(jit, "_first_call", fake_first_call)
    rows = jit.measure(families=["max backward", "upsample"])
    assert calls == [("max backward", ()), ("max backward", ()), ("max backward", ("max",)),
                     ("upsample", ()), ("upsample", ())]  # fmt: skip
    assert rows[0]["after_forward_s"] == 2.5 and "after_forward_s" not in rows[1]
    lines = jit.table(rows).splitlines()
    assert lines[2].endswith("| 2.50 |") and lines[3].endswith("| - |")
