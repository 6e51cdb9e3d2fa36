"""poolkit tour (the main job) end to end, --help for every command, light imports."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from poolkit.__main__ import main
from poolkit.tour import _common

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


def test_tour_progress_in_a_pipe_is_plain_lines_that_finish(tour_run):
    _, capture = tour_run  # stderr is a pipe here, as in a log file
    err = capture.stderr
    assert "\r" not in err and "\x1b" not in err
    lines = err.splitlines()
    assert "shift table: step 8/8" in lines and "trace frames: step 4/4" in lines
    assert not any(
        line.startswith("shift table:")
        for line in lines[lines.index("shift table: step 8/8") + 1 :]
    )  # 8/8 is the last word on the shift table


def test_trace_frames_of_the_tour_have_one_size(tour_run):
    out, _ = tour_run
    sizes = set()
    for frame in sorted(out.glob("trace_step_*.png")):
        with Image.open(frame) as image:
            sizes.add(image.size)
    assert len(sizes) == 1, sizes


@pytest.mark.slow
def test_first_run_announces_the_kernel_compile(tmp_path):
    # An empty Numba cache: the kernels compile (seconds), and the CLI says so first.
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    capture = subprocess.run(
        [sys.executable, "-m", "poolkit", "trace"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert capture.returncode == 0, capture.stderr
    assert _common.COMPILE_NOTICE in capture.stderr
    assert "kernels compiled and cached" in capture.stderr
    again = subprocess.run(  # the cache is warm now: nothing to announce
        [sys.executable, "-m", "poolkit", "trace"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert again.returncode == 0 and _common.COMPILE_NOTICE not in again.stderr


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
