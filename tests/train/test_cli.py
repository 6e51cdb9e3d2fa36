"""``poolkit train`` end to end: tiny runs, JSON and figures, --data, --save/--load, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("torch")

from poolkit.__main__ import main

from ._files import write_cifar, write_mnist

TINY = ["--train-limit", "160", "--test-limit", "60", "--epochs", "2", "--quiet"]
FIELDS = {
    "pool",
    "model",
    "test_accuracy",
    "test_accuracy_std",
    "shift_consistency",
    "shift_consistency_std",
    "shifted_accuracy",
    "parameters",
    "macs",
    "train_seconds",
    "runs",
}


def test_tiny_comparison_writes_table_json_and_figures(tmp_path, capsys):
    report = tmp_path / "r.json"
    argv = ["train", *TINY, "--pool", "max", "avg", "--runs", "2", "--lr", "0.01"]
    assert main([*argv, "--json", str(report), "--out", str(tmp_path / "fig")]) == 0
    out = capsys.readouterr().out
    assert "pool | test acc. (2 runs) | shift consistency" in out
    assert out.count("\nmax  | ") == 1 and out.count("\navg  | ") == 1
    blob = json.loads(report.read_text())
    assert [row["pool"] for row in blob["results"]] == ["max", "avg"]
    for row in blob["results"]:
        assert set(row) >= FIELDS
        assert 0 <= row["shift_consistency"] <= 1 and row["parameters"] == 7690
        assert len(row["runs"]) == 2 and len(row["runs"][0]["history"]) == 2
        assert row["runs"][0]["history"][-1]["loss"] < row["runs"][0]["history"][0]["loss"]
    best = max(row["test_accuracy"] for row in blob["results"])
    assert best > 0.2  # chance is 0.1
    config = blob["config"]
    assert config["pools"] == ["max", "avg"] and config["max_shift"] == 1
    assert config["data"]["train_images"] == 160 and config["data"]["name"] == "digits"
    for name in ("learning_curves.png", "accuracy_vs_consistency.png"):
        assert (tmp_path / "fig" / name).stat().st_size > 1000


def test_single_run_prints_every_epoch(capsys):
    assert main(["train", *TINY, "--pool", "lp", "--runs", "1", "--model", "resnet"]) == 0
    out = capsys.readouterr().out
    assert "resnet/lp seed 0 epoch 1/2: loss" in out and "epoch 2/2" in out


@pytest.mark.parametrize("compress", [False, True], ids=["idx", "idx.gz"])
def test_data_idx_files(tmp_path, capsys, compress):
    write_mnist(tmp_path, n_train=48, n_test=16, side=12, compress=compress)
    argv = ["train", "--data", str(tmp_path), "--pool", "max", "--epochs", "1", "--quiet"]
    assert main([*argv, "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "48 train / 16 test images of shape (1, 12, 12)" in out


def test_data_cifar_batches(tmp_path, capsys):
    write_cifar(tmp_path, sizes=(8, 8), n_test=8)
    argv = ["train", "--data", str(tmp_path), "--pool", "avg", "--epochs", "1", "--quiet"]
    assert main([*argv, "--runs", "1", "--model", "resnet"]) == 0
    assert "16 train / 8 test images of shape (3, 32, 32)" in capsys.readouterr().out


def test_wrong_data_path_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("poolkit train: error: --data: no such file or directory")
    assert err.count("\n") == 1
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("hello")
    assert main(["train", "--data", str(tmp_path / "junk")]) == 2
    assert "holds no recognised data set" in capsys.readouterr().err


def test_save_then_load_evaluates_the_same_model(tmp_path, capsys):
    ckpt = tmp_path / "max.pt"
    report = tmp_path / "a.json"
    assert main(["train", *TINY, "--pool", "max", "--runs", "1", "--save", str(ckpt),
                 "--json", str(report)]) == 0  # fmt: skip
    trained = json.loads(report.read_text())["results"][0]
    # --load reads the pool from the checkpoint; --epochs 0 only evaluates
    again = tmp_path / "b.json"
    argv = ["train", *TINY[:4], "--epochs", "0", "--quiet", "--load", str(ckpt)]
    assert main([*argv, "--json", str(again)]) == 0
    loaded = json.loads(again.read_text())["results"][0]
    assert loaded["pool"] == "max"
    assert loaded["test_accuracy"] == trained["test_accuracy"]
    assert loaded["shift_consistency"] == trained["shift_consistency"]
    capsys.readouterr()
    assert main(["train", *TINY, "--pool", "avg", "--runs", "1", "--load", str(ckpt)]) == 2
    assert "holds pool='max', this run has pool='avg'" in capsys.readouterr().err
    assert main(["train", *TINY, "--runs", "2", "--load", str(ckpt)]) == 2
    assert "--load: loads one model" in capsys.readouterr().err


def test_save_several_models_names_each(tmp_path):
    argv = ["train", *TINY[:4], "--epochs", "1", "--quiet", "--pool", "max", "none"]
    assert main([*argv, "--runs", "1", "--save", str(tmp_path / "ck.pt")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck-max-seed0.pt", "ck-none-seed0.pt"]


def test_bad_option_values_exit_2(capsys):
    assert main(["train", "--epochs", "-1"]) == 2
    assert "--epochs: must be an integer >= 0, got -1" in capsys.readouterr().err
    assert main(["train", "--train-limit", "0"]) == 2
    assert "--train-limit: must be >= 1, got 0" in capsys.readouterr().err


def test_cli_module_imports_no_heavy_library():
    code = (
        "import sys, poolkit.train, poolkit.train.cli, poolkit.__main__ as m; m.build_parser(); "
        "print(sorted({'torch', 'sklearn', 'matplotlib'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_compare_overrides_pool(tmp_path):
    report = tmp_path / "r.json"
    argv = ["train", *TINY[:4], "--epochs", "0", "--quiet", "--runs", "1", "--shift-pairs", "1"]
    assert main([*argv, "--pool", "max", "--compare", "--json", str(report)]) == 0
    pools = [row["pool"] for row in json.loads(report.read_text())["results"]]
    assert pools == ["max", "avg", "sum", "lp", "none"]


def test_unwritable_outputs_exit_2(tmp_path, capsys):
    (tmp_path / "taken").write_text("a file where a folder should be")
    argv = ["train", *TINY[:4], "--epochs", "0", "--quiet", "--pool", "max", "--runs", "1"]
    assert main([*argv, "--json", str(tmp_path / "taken" / "r.json")]) == 2
    assert "--json: cannot write" in capsys.readouterr().err
    assert main([*argv, "--save", str(tmp_path / "taken" / "m.pt")]) == 2
    assert "--save: cannot write" in capsys.readouterr().err
