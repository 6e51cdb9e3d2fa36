"""Progress bars that finish and turn into plain lines off a terminal; the compile notice."""

from __future__ import annotations

import io

import pytest

from poolkit.tour import _common


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()  # a log file or a pipe: isatty() is False
    items = list(_common.progress(range(8), "shift table", 8, stream=stream))
    assert items == list(range(8))
    text = stream.getvalue()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert lines[-1] == "shift table: step 8/8"
    assert lines == [f"shift table: step {k}/8" for k in range(1, 9)]


def test_plain_lines_are_few_for_long_loops_and_end_with_n_of_n():
    stream = io.StringIO()
    for _ in _common.progress(range(95), "frames", stream=stream):  # total from len()
        pass
    lines = stream.getvalue().splitlines()
    assert len(lines) <= 11 and lines[-1] == "frames: step 95/95"


def test_plain_lines_carry_the_postfix():
    stream = io.StringIO()
    bar = _common.progress(range(2), "max seed 0", stream=stream, unit="epoch")
    for epoch in bar:
        bar.set_postfix({"loss": f"{1.0 / (epoch + 1):.3f}"})
    assert stream.getvalue().splitlines() == [
        "max seed 0: epoch 1/2 (loss=1.000)",
        "max seed 0: epoch 2/2 (loss=0.500)",
    ]


def test_terminal_bar_finishes_at_n_of_n_and_stays():
    pytest.importorskip("tqdm")
    stream = _Terminal()
    for _ in _common.progress(range(8), "shift table", 8, stream=stream):
        pass
    text = stream.getvalue()
    last = text.split("\r")[-1]
    assert "8/8" in last and "100%" in last  # the last state drawn is the finished one
    assert text.endswith("\n")  # left on screen (leave=True), not erased


def test_disabled_progress_is_the_iterable_itself():
    items = [1, 2]
    assert _common.progress(items, "x", enabled=False) is items


def test_compile_notice_says_when_a_poolkit_kernel_compiles():
    numba = pytest.importorskip("numba")

    def add_one(x):
        return x + 1

    add_one.__module__ = "poolkit.kernels._test_only"  # what the notice looks for
    kernel = numba.njit(add_one)  # no cache: compiles on the first call
    stream = io.StringIO()
    with _common.compile_notice(stream) as state:
        assert kernel(1) == 2
        assert kernel(2) == 3  # compiled once: one notice
    text = stream.getvalue()
    assert state["compiled"] and text.count(_common.COMPILE_NOTICE) == 1
    assert "once" in text and "cached" in text and "took" in text
    again = io.StringIO()
    with _common.compile_notice(again) as state:
        kernel(3)  # already compiled: nothing to say
    assert not state["compiled"] and again.getvalue() == ""


def test_compile_notice_ignores_other_libraries_numba_functions():
    numba = pytest.importorskip("numba")

    def not_ours(x):
        return x * 2

    not_ours.__module__ = "someone_else"
    stream = io.StringIO()
    with _common.compile_notice(stream):
        assert numba.njit(not_ours)(2) == 4
    assert stream.getvalue() == ""
