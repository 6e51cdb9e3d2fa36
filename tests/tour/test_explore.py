"""explore: the filter -> detect -> condense pipeline, its numbers, figure and file errors."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import numpy as np
import pytest
from PIL import Image

from poolkit.__main__ import main
from poolkit.tour import _common
from poolkit.tour.explore import KERNELS, conv2d_same, explore, get_kernel, log_tensorboard


def png_std(path) -> float:
    with Image.open(path) as image:
        return float(np.asarray(image.convert("L"), dtype=np.float64).std())


def write_png(path, shape=(40, 60), seed=0):
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random(shape) * 255).astype(np.uint8)).save(path)
    return path


@pytest.mark.parametrize("name", ["edge", "sobel-h", "sobel-v", "emboss"])
def test_conv2d_same_is_zero_padded_cross_correlation(name):
    # scipy's correlate2d with zero fill and 'same' equals TF SAME for odd kernels.
    signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(1).random((9, 7))
    kernel = np.array(KERNELS[name], dtype=np.float64)
    expected = signal.correlate2d(x, kernel, mode="same", boundary="fill")
    np.testing.assert_allclose(conv2d_same(x, kernel), expected, atol=1e-12)


def test_conv2d_same_even_kernel_pads_at_the_end_like_tensorflow():
    x = np.arange(12.0).reshape(3, 4)
    padded = np.pad(x, ((0, 1), (0, 1)))  # TF SAME, k=2: the one pad goes after
    expected = padded[:-1, :-1] + padded[1:, :-1] + padded[:-1, 1:] + padded[1:, 1:]
    np.testing.assert_array_equal(conv2d_same(x, np.ones((2, 2))), expected)


def test_default_pipeline_on_the_builtin_photo():
    result = explore(figure=False)
    gray, filtered = result.stages["Input"], result.stages["Filter"]
    detected, condensed = result.stages["Detect"], result.stages["Condense"]
    assert gray.min() >= 0 and gray.max() <= 1 and gray.ndim == 2
    np.testing.assert_array_equal(detected, np.maximum(filtered, 0))
    h, w = detected.shape
    assert condensed.shape == (-(-h // 2), -(-w // 2))
    if h % 2 == 0 and w % 2 == 0:  # 'same' adds no pad: plain 2x2 block maxima
        blocks = detected.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))
        np.testing.assert_array_equal(condensed, blocks)
    # The lesson's claim: ReLU leaves dead regions; condensing raises the active share.
    assert result.active_share["Detect"] < result.active_share["Filter"]
    assert result.active_share["Condense"] > result.active_share["Detect"]
    assert "raised the share of active pixels" in result.summary()


@pytest.mark.parametrize(
    ("reducer", "pool", "stride", "padding", "shape"),
    [("avg", 2, 2, "valid", (3, 4)), ("sum", 3, 1, "same", (7, 9)), ("lp", 2, 1, 0, (6, 8))],
)
def test_reducers_and_windows(reducer, pool, stride, padding, shape):
    image = np.random.default_rng(2).random((7, 9))
    result = explore(image, "sobel-v", reducer, pool, stride, padding, figure=False)
    assert result.stages["Condense"].shape == shape


def test_every_named_kernel_and_a_kernel_file(tmp_path):
    image = np.random.default_rng(3).random((12, 10))
    for name in KERNELS:
        assert explore(image, name, figure=False).kernel_name == name
    path = tmp_path / "k.npy"
    np.save(path, np.eye(3))
    _, kernel = get_kernel(str(path))
    np.testing.assert_array_equal(kernel, np.eye(3))
    text = tmp_path / "k.txt"
    text.write_text("0 1 0\n1 -4 1\n0 1 0\n")
    assert get_kernel(str(text))[1][1, 1] == -4
    assert get_kernel("1,0;0,-1")[1].tolist() == [[1, 0], [0, -1]]


def test_cli_writes_a_figure_and_prints_the_stages(tmp_path, capsys):
    image = write_png(tmp_path / "noise.png")
    assert main(["explore", str(image), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    figure = tmp_path / "out" / "explore.png"
    assert figure.is_file() and png_std(figure) > 0
    for stage, shape in [("Input", "40x60"), ("Detect", "40x60"), ("Condense", "20x30")]:
        assert any(line.split()[:2] == [stage, shape] for line in out.splitlines()), stage
    expected = explore(str(image), figure=False).active_share["Condense"]
    assert f"{expected:.1%}" in out


def test_figure_has_the_four_panels_the_kernel_and_colour_bars():
    result = explore(np.random.default_rng(4).random((16, 16)))
    titles = [ax.get_title().split("\n")[0] for ax in result.figure.axes if ax.get_title()]
    names = [t.split(" ")[0].rstrip(":") for t in titles]
    assert names == ["Input", "Kernel", "Filter", "Detect", "Condense"]
    images = [ax for ax in result.figure.axes if ax.get_title() and ax.images]
    # every image panel but the kernel has a colour bar (an axes without a title)
    bars = [ax for ax in result.figure.axes if not ax.get_title()]
    assert len(bars) == 4 and len(images) == 5
    filter_image = images[2].images[0]
    low, high = filter_image.norm.vmin, filter_image.norm.vmax
    assert low < 0 < high and low == -high  # signed values: a scale centred on 0
    _common.close(result.figure)


def test_kernel_is_its_own_panel_with_readable_digits():
    result = explore(np.random.default_rng(4).random((16, 16)))
    kernel = next(ax for ax in result.figure.axes if ax.get_title().startswith("Kernel"))
    filt = next(ax for ax in result.figure.axes if ax.get_title().startswith("Filter"))
    digits = {t.get_text(): t for t in kernel.texts}
    assert set(digits) == {"-1", "8"} and len(kernel.texts) == 9
    assert all(t.get_fontsize() >= _common.MIN_FONT_PT for t in kernel.texts)
    assert digits["8"].get_color() == "white"  # on the darkest red
    result.figure.canvas.draw()
    a, b = kernel.get_window_extent(), filt.get_window_extent()
    assert a.x1 <= b.x0 or b.x1 <= a.x0  # side by side: the kernel covers nothing of Filter
    assert not filt.child_axes
    _common.close(result.figure)


def test_saved_text_is_at_least_10_pt():
    result = explore(np.random.default_rng(4).random((16, 16)))
    sizes = _common.figure_font_sizes(result.figure, _common.SAVE_DPI)
    assert sizes and min(sizes)[0] >= 10, min(sizes)
    _common.close(result.figure)


def _text_file(path):
    path.write_text("not an image")
    return path


def _truncated_png(path):
    full = write_png(path.with_suffix(".full.png"), (64, 64))
    path.write_bytes(full.read_bytes()[:200])
    return path


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda p: p / "missing.png", "not found"),
        (lambda p: p, "directory"),
        (lambda p: _text_file(p / "notes.png"), "not an image"),
        (lambda p: _truncated_png(p / "cut.png"), "cannot read image"),
    ],
)
def test_bad_files_give_one_line_errors_and_exit_2(tmp_path, capsys, make, phrase):
    path = make(tmp_path)
    assert main(["explore", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert phrase in err and str(path) in err


def test_decompression_bomb_guard_stays_on(tmp_path, capsys, monkeypatch):
    path = write_png(tmp_path / "big.png", (100, 100))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 10000 px > 2x the limit
    assert main(["explore", str(path), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "decompression-bomb" in err and str(path) in err


def test_large_images_are_downscaled_before_conversion(tmp_path, capsys):
    path = tmp_path / "large.jpg"
    Image.fromarray(np.full((1800, 2400, 3), 120, np.uint8)).save(path, quality=50)
    gray, note = _common.load_image(path, max_size=300)
    assert max(gray.shape) <= 300 and "downscaled 2400x1800" in note
    assert main(["explore", str(path), "--max-size", "300", "--out", str(tmp_path)]) == 0
    assert "downscaled" in capsys.readouterr().out


def test_bad_kernel_is_a_clean_error(tmp_path, capsys):
    np.save(tmp_path / "k.npy", np.ones(3))
    assert main(["explore", "--kernel", str(tmp_path / "k.npy"), "--out", str(tmp_path)]) == 2
    assert "kernel must be" in capsys.readouterr().err


def test_tensorboard_logs_each_stage_with_the_installed_writer(monkeypatch, tmp_path):
    calls = []

    class FakeWriter:
        def __init__(self, logdir):
            calls.append(("dir", logdir))

        def add_images(self, tag, data, step, dataformats):
            calls.append((tag, data.shape, dataformats, float(data.min()), float(data.max())))

        def flush(self):
            calls.append(("flush",))

        def close(self):
            calls.append(("close",))

    module = types.ModuleType("torch.utils.tensorboard")
    module.SummaryWriter = FakeWriter
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", module)
    tensorboard = types.ModuleType("tensorboard")
    tensorboard.__spec__ = importlib.machinery.ModuleSpec("tensorboard", None)
    monkeypatch.setitem(sys.modules, "tensorboard", tensorboard)
    stages = explore(np.random.default_rng(5).random((8, 6)), figure=False).stages
    message = log_tensorboard(stages, tmp_path)
    assert "logged 4 image set(s) with torch.utils.tensorboard" in message
    images = calls[1:5]
    assert [c[0] for c in images] == [
        "explore/0_Input", "explore/1_Filter", "explore/2_Detect", "explore/3_Condense"
    ]
    assert images[3][1] == (1, 1, 4, 3) and all(0 <= c[3] <= c[4] <= 1 for c in images)
    assert calls[5:] == [("flush",), ("close",)]


def test_tensorboard_missing_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    image = write_png(tmp_path / "x.png", (8, 8))
    args = ["explore", str(image), "--out", str(tmp_path), "--tensorboard", str(tmp_path / "tb")]
    assert main(args) == 0
    assert "no TensorBoard writer is installed" in capsys.readouterr().out


def test_tensorboard_real_writer(tmp_path):
    # Runs only where the tensorboard package is installed (it is not in the tour extra).
    pytest.importorskip("tensorboard")
    stages = explore(np.random.default_rng(6).random((8, 8)), figure=False).stages
    message = log_tensorboard(stages, tmp_path)
    assert "logged 4 image set(s)" in message
    assert list(tmp_path.glob("events.out.tfevents.*"))


def test_kernel_numbers_fit_their_cells():
    weights = np.round(np.random.default_rng(1).standard_normal((5, 5)), 2) - 0.005  # '-0.275'
    result = explore(np.random.default_rng(4).random((16, 16)), weights)
    figure = result.figure
    kernel = next(ax for ax in figure.axes if ax.get_title().startswith("Kernel"))
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    cell = kernel.get_window_extent(renderer).width / 5
    assert len(kernel.texts) == 25
    for text in kernel.texts:
        assert text.get_window_extent(renderer).width < cell, text.get_text()
    _common.close(figure)
