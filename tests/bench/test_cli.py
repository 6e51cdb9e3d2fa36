"""`poolkit bench --quick`: the smoke run works end to end and its report is consistent.

Speed is never asserted here (ratios are measured by `poolkit bench`, not by tests)."""

from __future__ import annotations

import json

import pytest

from poolkit.__main__ import main
from poolkit.bench import cases, cli


def test_quick_json_report(tmp_path, capsys):
    path = tmp_path / "report.json"
    md = tmp_path / "RESULTS.md"
    code = main(["bench", "--quick", "--repeat", "1", "--only", "3x3/2 pad 1",
                 "--json", str(path), "--markdown", str(md), "--no-sweep"])  # fmt: skip
    assert code == 0
    report = json.loads(path.read_text())
    assert report["quick"] and report["bandwidth"] > 0
    names = [r["case"] for r in report["results"]]
    assert names and all("3x3/2 pad 1" in n for n in names)
    for row in report["results"]:
        assert row["floor_s"] > 0
        if not row["case"].startswith("train"):
            assert row["times_s"]["poolkit NCHW"] > 0
            assert row["times_s"]["poolkit NHWC"] > 0
    text = md.read_text()
    assert "side by side in one process" in text and "## Targets from issue 3" in text
    out = capsys.readouterr().out
    assert "copy bandwidth" in out and "| case |" in out


def test_quick_plot(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "sweep.png"
    code = main(["bench", "--quick", "--repeat", "1", "--only", "max",
                 "--peers", "poolkit NCHW,scipy.ndimage", "--plot", str(png)])  # fmt: skip
    assert code == 0
    assert png.stat().st_size > 1000


def test_unknown_peer_is_a_clean_error(capsys):
    assert main(["bench", "--quick", "--peers", "nope"]) == 2
    assert "unknown ['nope']" in capsys.readouterr().err


def test_targets_logic():
    """The met/missed verdicts read the right ratios."""
    row = {"group": "issue", "case": "c", "backward": False, "shape": [32, 64, 112, 112],
           "floor_s": 0.01, "reducer": "max", "kernel": 3,
           "times_s": {"poolkit NCHW": 0.02, "poolkit NHWC": 0.04, "torch NCHW": 0.2,
                       "torch channels_last": 0.04}}  # fmt: skip
    got = {t["target"]: (round(t["value"], 3), t["met"]) for t in cli.targets([row])}
    assert got["NCHW fwd >= 5x torch NCHW"] == (10.0, True)
    assert got["channels_last fwd >= 1.2x torch channels_last"] == (1.0, False)
    assert got["poolkit NCHW within 3x of the bandwidth floor"] == (2.0, True)
    assert got["poolkit NHWC within 3x of the bandwidth floor"] == (4.0, False)


def test_traffic_bytes():
    case = cases.Case("max", (1, 1, 4, 4), 2, 2)
    assert case.traffic_bytes() == 4 * (16 + 4)
    assert cases.Case("max", (1, 1, 4, 4), 2, 2, backward=True).traffic_bytes() == 4 * (40 + 16)


def test_round_robin_times_every_peer_in_each_round():
    """After one warm-up each, every round calls each peer once (so a slow spell of the
    machine hits all peers alike); a peer slower than ``slow_after`` on its warm-up is timed
    in the first round only; each time reported is that peer's best."""
    import time

    from poolkit.bench.cli import best_of_round_robin

    calls = []

    def peer(name, seconds=0.0):
        def fn():
            calls.append(name)
            time.sleep(seconds)

        return fn

    times = best_of_round_robin({"a": peer("a"), "b": peer("b"), "slow": peer("slow", 0.02)},
                                repeat=3, slow_after=0.01)  # fmt: skip
    assert calls == ["a", "b", "slow", "a", "b", "slow", "a", "b", "a", "b"]
    assert set(times) == {"a", "b", "slow"}
    assert times["slow"] >= 0.02 > times["a"]
