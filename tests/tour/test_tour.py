"""poolkit tour (the main job) end to end, --help for every command, light imports."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from poolkit.__main__ import main

TOUR_COMMANDS = ("tour", "explore", "explain", "trace", "invariance")


@pytest.fixture(scope="module")
def tour_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    capture = subprocess.run(
        [sys.executable, "-m", "poolkit", "tour", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return out, capture


def test_tour_writes_every_figure(tour_run):
    out, capture = tour_run
    assert capture.returncode == 0, capture.stderr
    names = ["explore.png", "explain.png", "invariance_dots.png", "invariance_shift.png"]
    for name in [*names, "trace_step_00.png"]:
        with Image.open(out / name) as image:
            assert np.asarray(image.convert("L"), dtype=float).std() > 0, name
    with Image.open(out / "trace.gif") as gif:
        assert gif.n_frames == 4


def test_tour_prints_each_lessons_numbers(tour_run):
    _, capture = tour_run
    text = capture.stdout
    for i, lesson in enumerate(("explore", "explain", "trace", "invariance"), 1):
        assert f"[{i}/4] {lesson}" in text
    shares = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^\s+(Detect|Condense)\s+\d+x\d+\s+([\d.]+)%", text, re.M)
    }
    assert shares["Condense"] > shares["Detect"] > 0
    assert "[[2, 3], [5, 1]]" in text and "[[2]]" in text
    assert "[[0.8, -0.2, 0.2], [0.8, -0.1, 0.4], [0.4, -0.1, 0.8]]" in text
    assert re.search(r"TF/Keras 'same'\s+\(2, 2\)\s+\(0,1\) \(0,1\)", text)
    assert re.search(r"ONNX SAME_LOWER\s+\(2, 2\)\s+\(1,0\) \(1,0\)", text)
    assert "dropped -> 3" in text
    assert (
        "1 px apart: [2, 1, 1, 1, 1]" in text
        and "whole-stride shift: largest error 0.0e+00" in text
    )


@pytest.mark.parametrize("command", TOUR_COMMANDS)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: poolkit {command}" in capsys.readouterr().out


def test_cli_imports_no_plotting_library():
    code = (
        "import sys; from poolkit.__main__ import build_parser; build_parser(); "
        "print(sorted(m for m in ('matplotlib', 'PIL', 'skimage', 'torch') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_unusable_out_folder_fails_first(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["tour", "--out", str(blocker / "sub")]) == 2
    captured = capsys.readouterr()
    assert "cannot create folder" in captured.err and "[1/4]" not in captured.out
