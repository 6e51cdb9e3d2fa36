"""explain: every convention's output size and pads, the filled-in formulas, ceil-mode drops."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image

from poolkit.__main__ import main
from poolkit.tour import _common
from poolkit.tour.explain import CONVENTIONS, explain


def test_pytorch_article_example():
    result = explain((5, 5), 3, ceil_mode=True, figure=False)
    assert result.shapes["PyTorch floor"] == (1, 1)
    assert result.shapes["PyTorch ceil"] == (2, 2)
    assert result.shapes["TF/Keras 'valid'"] == (1, 1)
    assert result.shapes["Caffe"] == (2, 2)
    assert "floor((5 + 2*0 - 3)/3) + 1 = floor(2/3) + 1 = 1" in result.summary()


def test_tensorflow_same_and_onnx_same_lower_pads():
    result = explain((5,), 2, 2, figure=False)
    assert result.pads["TF/Keras 'same'"] == ((0, 1),)  # extra pad at the end
    assert result.pads["ONNX SAME_LOWER"] == ((1, 0),)  # extra pad at the start
    assert result.shapes["TF/Keras 'same'"] == result.shapes["ONNX SAME_LOWER"] == (3,)
    assert result.shapes["PyTorch floor"] == (2,)
    assert result.shapes["PyTorch ceil"] == (3,)


def test_ceil_mode_drop_is_explained():
    # L=5, k=2, s=2, p=1: rounding up gives 4 windows; the 4th would start at index 5 = L,
    # wholly in the right padding, so PyTorch drops it (3), and so does Caffe.
    result = explain((5,), 2, 2, padding=1, ceil_mode=True, figure=False)
    assert result.shapes["PyTorch ceil"] == (3,)
    assert result.shapes["Caffe"] == (3,)
    ceil_line = next(line for line in result.lines[0] if line.startswith("PyTorch ceil"))
    assert "= 4;" in ceil_line and "index 5" in ceil_line and "dropped -> 3" in ceil_line
    kept = explain((5,), 3, 3, ceil_mode=True, figure=False)
    assert "dropped" not in " ".join(kept.lines[0])


def test_pytorch_rows_match_torch():
    torch = pytest.importorskip("torch")
    for length, k, s, p, d in itertools.product(range(1, 9), (1, 2, 3), (1, 2, 3), (0, 1), (1, 2)):
        k_eff = d * (k - 1) + 1
        if p > k_eff // 2 or p > k // 2:
            continue  # torch rejects these pads
        result = explain((length,), k, s, p, d, figure=False)
        x = torch.zeros(1, 1, length)
        for ceil in (False, True):
            name = "PyTorch ceil" if ceil else "PyTorch floor"
            try:
                out = torch.nn.functional.max_pool1d(x, k, s, p, d, ceil_mode=ceil).shape[-1]
            except RuntimeError:
                out = None
            got = result.shapes[name]
            if got is None and "every tap in the padding" in result.errors[name]:
                continue  # poolkit refuses windows that see no input; torch returns -inf
            assert (got[0] if got else None) == out, (length, k, s, p, d, ceil)


def test_dilation_and_multiple_dims():
    result = explain((7, 6), 3, 2, dilation=2, figure=False)
    assert result.shapes["PyTorch floor"] == (2, 1)
    assert result.pads["TF/Keras 'same'"] == ((2, 2), (1, 2))
    assert result.shapes["Caffe"] is None and "dilation" in result.errors["Caffe"]
    assert "dim 0 (L=7)" in result.summary() and "dim 1 (L=6)" in result.summary()


def test_cli_prints_every_convention_and_writes_the_figure(tmp_path, capsys):
    args = ["explain", "5", "--kernel", "2", "--stride", "2", "--padding", "1", "--ceil-mode"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for name in CONVENTIONS:
        assert name in out
    assert "dropped -> 3" in out
    with Image.open(tmp_path / "explain.png") as image:
        assert np.asarray(image.convert("L")).std() > 0


def test_cli_errors_are_clean(capsys):
    assert main(["explain", "5", "--kernel", "0"]) == 2
    err = capsys.readouterr().err
    assert "kernel_size must be" in err and "Traceback" not in err


def test_too_small_input_is_reported_per_convention():
    result = explain((2,), 3, figure=False)
    assert result.shapes["PyTorch floor"] is None and "too small" in result.errors["PyTorch floor"]
    assert result.shapes["TF/Keras 'same'"] == (1,)


def test_figure_is_not_blank():
    result = explain((5,), 2, 2, padding=1, ceil_mode=True)
    assert result.figure is not None and len(result.figure.axes[0].patches) > 10
    _common.close(result.figure)


def _legend(figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].get_legend().get_texts()]


def test_figure_legend_and_title_name_only_what_the_example_shows():
    # the tour's example: pads and a dropped ceil window, no overhang
    result = explain((5,), 2, 2, padding=1, ceil_mode=True)
    figure = result.figure
    legend = _legend(figure)
    assert any("padding" in t for t in legend) and any("dropped" in t for t in legend)
    assert not any("overhang" in t for t in legend)
    title = figure.axes[0].get_title()
    assert "hatch" not in title and "overhang" not in title
    assert not any(patch.get_hatch() for patch in figure.axes[0].patches)
    _common.close(figure)
    # ceil overhang past the padded input, no pads, nothing dropped
    overhang = explain((6,), 3, 2, ceil_mode=True).figure
    legend = _legend(overhang)
    assert any("overhang" in t for t in legend) and not any("dropped" in t for t in legend)
    assert any(patch.get_hatch() == "//" for patch in overhang.axes[0].patches)
    _common.close(overhang)
    plain = explain((6,), 2, 2).figure  # nothing but input cells and windows
    assert len(_legend(plain)) == 2
    _common.close(plain)


def test_figure_cells_are_numbered_and_text_is_at_least_10_pt():
    figure = explain((5,), 2, 2, padding=1, ceil_mode=True).figure
    texts = [t.get_text() for t in figure.axes[0].texts]
    for index in ["-1", *map(str, range(5)), "5"]:
        assert index in texts
    sizes = _common.figure_font_sizes(figure, _common.SAVE_DPI)
    assert min(sizes)[0] >= 10, min(sizes)
    _common.close(figure)


def test_figure_has_no_empty_half():
    figure = explain((5,), 2, 2, padding=1, ceil_mode=True).figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    ax = figure.axes[0]
    drawn = [p.get_window_extent(renderer) for p in ax.patches]
    left = min(box.x0 for box in drawn)
    right = max(box.x1 for box in drawn)
    box = ax.get_window_extent(renderer)
    assert (right - left) > 0.6 * box.width  # the cells span most of the plot's width
    _common.close(figure)


@pytest.mark.parametrize(("size", "match"), [((), "size must be one or more"), ("ab", "size")])
def test_bad_sizes_raise_pooling_error(size, match):
    from poolkit.errors import PoolingError

    with pytest.raises(PoolingError, match=match):
        explain(size, 2, figure=False)
