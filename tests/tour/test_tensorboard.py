"""--tensorboard for tour and train: the event files TensorBoard reads, read back with
TensorBoard's own EventAccumulator (needs the tensorboard package: the tensorboard extra)."""

from __future__ import annotations

import numpy as np
import pytest

from poolkit.__main__ import main
from poolkit.errors import PoolingError
from poolkit.tour.tensorboard import SummaryLog, log_pooling_lesson, pooling_batch

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)


def read_events(folder):
    events = EventAccumulator(str(folder), size_guidance={"images": 0, "scalars": 0})
    events.Reload()
    return events


def test_pooling_batch_is_64_colour_crops_in_unit_range():
    batch = pooling_batch()
    assert batch.shape == (64, 3, 96, 96) and batch.dtype == np.float32
    assert batch.min() >= 0.0 and batch.max() <= 1.0
    assert len({batch[i].tobytes() for i in range(64)}) == 64  # 64 different crops
    np.testing.assert_array_equal(batch, pooling_batch())  # the same every run


@pytest.mark.parametrize("count, size", [(0, 32), (4, 4), (2.5, 32)])
def test_pooling_batch_refuses_bad_sizes(count, size):
    with pytest.raises(PoolingError, match="pooling_batch"):
        pooling_batch(count, size)


def test_pooling_lesson_logs_input_and_maxpool3_ceil_output(tmp_path):
    with SummaryLog(tmp_path) as log:
        before, after = log_pooling_lesson(log)
    assert before == (64, 3, 96, 96) and after == (64, 3, 32, 32)  # ceil(94/3)+1 = 32
    events = read_events(tmp_path)
    tags = events.Tags()["images"]
    assert tags == ["tour/maxpool_lesson/0_input", "tour/maxpool_lesson/1_max_pool2d_k3_ceil"]
    # SummaryWriter.add_images tiles a batch of 64 into one 8x8 grid: "HD to SD" side by side
    sizes = [(events.Images(tag)[0].width, events.Images(tag)[0].height) for tag in tags]
    assert sizes == [(8 * 96, 8 * 96), (8 * 32, 8 * 32)]


def test_tour_tensorboard_flag(tmp_path, capsys):
    logdir = tmp_path / "tb"
    assert main(["tour", "--out", str(tmp_path / "figs"), "--tensorboard", str(logdir)]) == 0
    out = capsys.readouterr().out
    assert "(64, 3, 96, 96) -> (64, 3, 32, 32)" in out
    assert f"tensorboard --logdir {logdir}" in out
    tags = read_events(logdir).Tags()["images"]
    assert any("0_input" in t for t in tags) and any("max_pool2d_k3_ceil" in t for t in tags)
    assert any(t.startswith("explore/3_Condense") for t in tags)


def test_train_tensorboard_flag(tmp_path, capsys):
    pytest.importorskip("torch")
    logdir = tmp_path / "tb"
    args = ["train", "--pool", "max", "none", "--runs", "1", "--epochs", "2", "--quiet",
            "--train-limit", "64", "--test-limit", "64", "--tensorboard", str(logdir)]
    assert main(args) == 0
    assert "12 scalars in 2 run folder(s)" in capsys.readouterr().out
    for run in ("max-seed0", "none-seed0"):
        scalars = read_events(logdir / run)
        assert sorted(scalars.Tags()["scalars"]) == [
            "train/loss", "train/test_accuracy", "train/train_accuracy"
        ]
        assert [e.step for e in scalars.Scalars("train/loss")] == [1, 2]
    tags = read_events(logdir / "images").Tags()["images"]
    assert any("0_input" in t for t in tags) and any("1_max_pool_2x2" in t for t in tags)
    assert not any("none" in t for t in tags)  # a learned convolution has no fixed picture


def test_train_tensorboard_unwritable_fails_before_training(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["train", "--tensorboard", str(blocker / "tb"), "--epochs", "1"]) == 2
    assert "--tensorboard" in capsys.readouterr().err
