"""trace: window-by-window replay, winners from poolkit's indices, divisors, frames and GIF."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from poolkit.__main__ import main
from poolkit.tour import _common
from poolkit.tour.trace import trace


def test_pytorch_article_default(capsys):
    result = trace(figure=False)
    assert result.output.tolist() == [[2, 3], [5, 1]]
    assert "[[2]]" in result.note
    # out[1,0]: rows 3..5 x cols 0..2, row 5 is past the edge (ceil overhang); 5 wins at x[3,0]
    step = result.steps[2]
    assert step.index == (1, 0) and step.winners == [(3, 0)]
    assert (step.n_inside, step.n_pad, step.n_overhang) == (6, 0, 3)
    assert main(["trace"]) == 0
    out = capsys.readouterr().out
    assert "[[2, 3], [5, 1]]" in out and "ceil_mode=False the same input gives [[2]]" in out
    assert "<5>" in out  # the winner is marked in the grid


def test_ceil_mode_off():
    assert trace(ceil_mode=False, figure=False).output.tolist() == [[2]]


def test_keras_word_vectors(capsys):
    result = trace(dims=1, figure=False)
    np.testing.assert_allclose(
        result.output, [[0.8, -0.2, 0.2], [0.8, -0.1, 0.4], [0.4, -0.1, 0.8]]
    )
    assert result.steps[0].winners == [(1, 0), (0, 1), (1, 2)]  # boy, the, boy
    assert main(["trace", "--dims", "1"]) == 0
    assert "[[0.8, -0.2, 0.2], [0.8, -0.1, 0.4], [0.4, -0.1, 0.8]]" in capsys.readouterr().out


def test_winner_is_the_window_maximum():
    x = np.random.default_rng(0).permutation(49).reshape(7, 7).astype(float)
    result = trace(x, 3, 2, padding=1, figure=False)
    for step in result.steps:
        rows, cols = (t[(t >= 0) & (t < 7)] for t in step.taps)
        block = x[np.ix_(rows, cols)]
        (r, c) = step.winners[0]
        assert x[r, c] == block.max() == step.value
        assert r in rows and c in cols


@pytest.mark.parametrize(("padding", "divisors"), [(1, [4, 4, 4, 4]), ("same", [4, 2, 2, 1])])
def test_average_divisors(padding, divisors):
    x = np.arange(9.0).reshape(3, 3)
    result = trace(x, 2, 2, padding=padding, reducer="avg", figure=False)
    assert [s.divisor for s in result.steps] == divisors
    for step in result.steps:
        rows, cols = (t[(t >= 0) & (t < 3)] for t in step.taps)
        assert step.value == pytest.approx(x[np.ix_(rows, cols)].sum() / step.divisor)


def test_input_matrix_file_and_errors(tmp_path, capsys):
    np.save(tmp_path / "m.npy", np.array([[1, 5], [3, 2]]))
    assert main(["trace", "--input", str(tmp_path / "m.npy"), "--kernel", "2"]) == 0
    assert "output:\n[[5]]" in capsys.readouterr().out
    for bad in (
        ["--input", "1,2;3"],
        ["--input", str(tmp_path / "none.npy"), "--kernel", "2"],
        ["--input", "1,2;3,4"],
        ["--input", "1,2,3", "--kernel", "2"],
    ):
        assert main(["trace", *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_frames_and_gif(tmp_path, capsys):
    assert main(["trace", "--out", str(tmp_path)]) == 0
    assert "4 PNGs" in capsys.readouterr().out
    frames = sorted(tmp_path.glob("trace_step_*.png"))
    assert len(frames) == 4
    for frame in frames:
        with Image.open(frame) as image:
            assert np.asarray(image.convert("L")).std() > 0
    with Image.open(tmp_path / "trace.gif") as gif:
        assert gif.n_frames == 4


def _legend(figure) -> list[str]:
    return [t.get_text() for legend in figure.legends for t in legend.get_texts()]


def test_frame_legend_names_overhang_not_padding_when_there_is_none():
    result = trace()  # the article's example: no padding, ceil_mode overhang
    legend = _legend(result.figure)
    assert any("overhang" in t for t in legend)
    assert not any("padding" in t for t in legend)
    _common.close(result.figure)
    padded = trace(np.arange(16).reshape(4, 4), 3, 2, padding=1)  # padding, no overhang
    legend = _legend(padded.figure)
    assert any("padding" in t for t in legend)
    assert not any("overhang" in t for t in legend)
    _common.close(padded.figure)


@pytest.mark.parametrize("dims", [1, 2])
def test_frame_text_is_at_least_10_pt_at_the_saved_size(dims):
    result = trace(dims=dims)
    sizes = _common.figure_font_sizes(result.figure, _common.SAVE_DPI)
    assert sizes and min(sizes)[0] >= 10, min(sizes)
    _common.close(result.figure)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {
            "x": np.arange(20).reshape(4, 5) / 3,
            "kernel": 3,
            "stride": 2,
            "padding": 1,
            "reducer": "avg",
        },
    ],
)
def test_every_frame_has_the_same_pixel_size(tmp_path, kwargs):
    from poolkit.tour.trace import write_frames

    result = trace(figure=False, **kwargs)
    captions = {len(result.describe(step)) for step in result.steps}
    assert len(captions) > 1  # captions of different lengths: the case that differed
    paths, gif = write_frames(result, tmp_path, show_progress=False)
    sizes = set()
    for path in paths:
        with Image.open(path) as image:
            sizes.add(image.size)
    assert len(sizes) == 1, sizes
    with Image.open(gif) as image:
        assert image.size == sizes.pop()


def test_figure_marks_window_and_winner():
    result = trace()
    colors = [tuple(p.get_facecolor()) for p in result.figure.axes[0].patches]
    gold = (1.0, 0.8431372549019608, 0.0, 1.0)
    assert sum(np.allclose(c, gold) for c in colors) == 1  # one winner
    _common.close(result.figure)


def test_sum_and_lp():
    x = np.arange(16.0).reshape(4, 4)
    assert trace(x, 2, reducer="sum", figure=False).output.tolist() == [[10, 18], [42, 50]]
    lp = trace(x, 2, reducer="lp", figure=False).output
    assert lp[0, 0] == pytest.approx(np.sqrt(0 + 1 + 16 + 25))


def test_one_row_with_dims_1_is_a_sequence(capsys):
    assert (
        main(["trace", "--dims", "1", "--input", "1,3,2,0", "--kernel", "2", "--stride", "1"]) == 0
    )
    assert "output:\n[[3], [3], [2]]" in capsys.readouterr().out


@pytest.mark.parametrize("reducer", ["max", "avg"])
def test_taps_reproduce_the_operator_over_a_grid(reducer):
    # The trace's taps (from the Window) and the operator's numbers must tell the same story.
    x = np.random.default_rng(7).normal(size=(6, 7))
    cases = [(2, 2, 0, 1, True), (3, 2, 1, 1, False), (3, 2, 1, 1, True), (2, 1, 1, 2, False)]
    cases += [(3, 3, "same", 1, False), (2, 3, "same_lower", 1, False)]
    for kernel, stride, padding, dilation, ceil in cases:
        result = trace(x, kernel, stride, padding, dilation, ceil, reducer, figure=False)
        assert len(result.steps) == result.output.size
        for step in result.steps:
            rows, cols = (t[(t >= 0) & (t < n)] for t, n in zip(step.taps, x.shape, strict=True))
            block = x[np.ix_(rows, cols)]
            assert step.n_inside == block.size
            if reducer == "max":
                assert step.value == block.max() and x[step.winners[0]] == block.max()
            else:
                assert step.value == pytest.approx(block.sum() / step.divisor)


@pytest.mark.parametrize(
    ("text", "padding"), [("SAME_UPPER", "same"), (" Same_Lower ", "same_lower")]
)
def test_padding_option_takes_onnx_auto_pad_words(text, padding, capsys):
    assert _common.parse_padding(text) == padding
    assert main(["trace", "--kernel", "2", "--stride", "1", "--padding", text]) == 0
    assert "output shape (5, 5)" in capsys.readouterr().out
