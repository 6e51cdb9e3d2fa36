"""invariance: two dots merge or stay apart; shift errors and whole-stride equivariance."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from poolkit.__main__ import main
from poolkit.tour import _common
from poolkit.tour.invariance import SHIFT_REDUCERS, invariance, shift_errors, two_dots


def test_two_dots_near_merge_far_stay_apart():
    # Left dot at column 8; 2x2/2 pooling halves coordinates: 8 and 8+d share a cell after
    # n poolings exactly when 8 >> n == (8 + d) >> n.
    maps, active = two_dots()
    for distance, counts in active.items():
        expected = [1 if (8 >> n) == ((8 + distance) >> n) else 2 for n in range(5)]
        assert counts == expected, distance
    assert active[1][1] == 1 and active[16][-1] == 2
    assert [m.shape for m in maps[1]] == [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2)]


@pytest.mark.parametrize("reducer", SHIFT_REDUCERS)
def test_whole_stride_shift_is_exact_and_zero_shift_is_zero(reducer):
    sources = np.random.default_rng(0).random((5, 12, 12 + 2))
    errors = shift_errors(sources, reducer, 2, 2)
    assert errors[0] == 0 and errors[2] < 1e-12
    assert errors[1] > 0.01  # random maps are not invariant to a half-cell shift


def test_linear_ramp_is_interpolated_exactly():
    # On x[i, j] = j, avg pooling 2x2/2 gives 2j+0.5 and the 1-px shift gives 2j+1.5: exactly
    # the pooled map moved by half a cell, which is what shift' computes.
    ramp = np.tile(np.arange(14.0), (4, 12, 1))
    for reducer in ("avg", "sum", "max"):
        assert shift_errors(ramp, reducer, 2, 2) == pytest.approx([0, 0, 0], abs=1e-12)


def test_sum_and_avg_have_the_same_relative_error():
    sources = np.random.default_rng(1).random((4, 10, 13))
    np.testing.assert_allclose(
        shift_errors(sources, "avg", 3, 3), shift_errors(sources, "sum", 3, 3), rtol=1e-9
    )


def test_result_table_and_figures():
    result = invariance(samples=4)
    assert set(result.errors) == {"random maps", "photo patches"}
    for table in result.errors.values():
        assert set(table) == set(SHIFT_REDUCERS)
        assert all(len(v) == 3 and v[0] == 0 for v in table.values())
    assert result.check_max < 1e-12
    assert "stay apart" in result.summary() and "merge after 1" in result.summary()
    for figure in (result.figure, result.shift_figure):
        assert figure.axes
        _common.close(figure)


def test_cli_writes_both_figures(tmp_path, capsys):
    args = ["invariance", "--out", str(tmp_path), "--samples", "4", "--kernel", "3"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "kernel 3, stride 2" in out and "whole-stride shift: largest error" in out
    for name in ("invariance_dots.png", "invariance_shift.png"):
        with Image.open(tmp_path / name) as image:
            assert np.asarray(image.convert("L")).std() > 0


def test_bad_arguments(capsys):
    assert main(["invariance", "--samples", "0"]) == 2
    assert "samples must be" in capsys.readouterr().err


@pytest.fixture(scope="module")
def small_run():
    result = invariance(samples=4)
    yield result
    _common.close(result.figure)
    _common.close(result.shift_figure)


def test_dots_panels_have_grid_lines_between_cells(small_run):
    figure = small_run.figure
    panels = [ax for ax in figure.axes if ax.images]
    assert len(panels) == 25
    for ax in panels:
        rows, cols = ax.images[0].get_array().shape
        # a line on every cell boundary, drawn: adjacent active cells read as two
        assert len(ax.xaxis.get_minorticklocs()) == cols + 1
        assert len(ax.yaxis.get_minorticklocs()) == rows + 1
        for axis in (ax.xaxis, ax.yaxis):
            assert all(tick.gridline.get_visible() for tick in axis.get_minor_ticks())


def test_shift_figure_has_no_empty_bar_groups_and_a_labelled_x_axis(small_run):
    figure = small_run.shift_figure
    for ax in figure.axes:
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels == ["t=1"]  # t=0 and t=2 are exact: stated, not drawn as empty bars
        heights = [bar.get_height() for bar in ax.patches]
        assert len(heights) == len(SHIFT_REDUCERS) and min(heights) > 0
        assert "shift t" in ax.get_xlabel()
        assert any("t=0 and t=2" in text.get_text() for text in ax.texts)
    assert "shift'_t moves the pooled map" in figure._suptitle.get_text()


def test_shift_figure_with_a_wider_stride_draws_each_sub_stride_shift():
    result = invariance(kernel=3, stride=3, samples=2)
    ax = result.shift_figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["t=1", "t=2"]
    _common.close(result.figure)
    _common.close(result.shift_figure)


def test_invariance_text_is_at_least_10_pt(small_run):
    for figure in (small_run.figure, small_run.shift_figure):
        sizes = _common.figure_font_sizes(figure, _common.SAVE_DPI)
        assert sizes and min(sizes)[0] >= 10, min(sizes)
