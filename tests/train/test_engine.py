"""poolkit.train.engine: training, determinism, shifts and shift consistency, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from poolkit import PoolingError  # noqa: E402
from poolkit.train.engine import (  # noqa: E402
    TrainConfig,
    deterministic,
    load_checkpoint,
    predict,
    resolve_max_shift,
    run_experiment,
    save_checkpoint,
    shift_consistency,
    shift_images,
    train_model,
)
from poolkit.train.models import build_model  # noqa: E402


def _train(data, pool="max", seed=0, epochs=2, **options):
    # a high rate and small batches: a few hundred images learn in a few epochs
    config = TrainConfig(epochs=epochs, batch_size=16, lr=1e-2, progress=False, **options)
    with deterministic(seed):
        model = build_model("articles", pool, data.image_shape, data.num_classes)
        seconds, history = train_model(model, data, config, seed)
    return model, seconds, history


def test_tiny_training_run_learns(tiny_digits):
    model, seconds, history = _train(tiny_digits, epochs=3)
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]  # the loss falls
    accuracy = (predict(model, tiny_digits.x_test) == tiny_digits.y_test).mean()
    assert accuracy > 0.5  # chance is 0.1
    assert history[-1]["test_accuracy"] == pytest.approx(accuracy)
    assert seconds > 0


def test_same_seed_same_weights_and_metrics(tiny_digits):
    a, _, history_a = _train(tiny_digits, seed=3)
    b, _, history_b = _train(tiny_digits, seed=3)
    for (name, wa), wb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(wa, wb), name
    assert history_a == history_b
    c, _, _ = _train(tiny_digits, seed=4)  # and the seed matters: the test can fail
    assert not torch.equal(a.classifier.weight, c.classifier.weight)


def test_deterministic_restores_global_torch_settings():
    before = torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()
    with deterministic(0, threads=1):
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.get_num_threads() == 1
    assert (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()) == before


def test_shift_images_by_hand():
    x = np.arange(9.0, dtype=np.float32).reshape(1, 1, 3, 3)
    kept = x.copy()
    down_right = shift_images(x, np.array([[1, 1]]))[0, 0]
    np.testing.assert_array_equal(down_right, [[0, 0, 0], [0, 0, 1], [0, 3, 4]])
    up_left = shift_images(x, np.array([[-1, -2]]))[0, 0]
    np.testing.assert_array_equal(up_left, [[5, 0, 0], [8, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(shift_images(x, np.array([[0, 0]])), x)
    np.testing.assert_array_equal(x, kept)  # input untouched
    batch = np.stack([x[0], 10 * x[0]])
    out = shift_images(batch, np.array([[0, 1], [1, 0]]))  # one shift per image
    np.testing.assert_array_equal(out[1, 0, 0], [0, 0, 0])
    np.testing.assert_array_equal(out[0, 0, :, 0], [0, 0, 0])


def test_shift_consistency_definition(tiny_digits):
    model, _, _ = _train(tiny_digits, epochs=1)
    x, y = tiny_digits.x_test, tiny_digits.y_test
    accuracy = (predict(model, x) == y).mean()
    assert shift_consistency(model, x, y, 0, 2, seed=0) == (1.0, pytest.approx(accuracy))
    # recompute one draw by hand: same generator, same two shifts per image
    consistency, _ = shift_consistency(model, x, y, 2, 1, seed=5)
    shifts = np.random.default_rng(5).integers(-2, 3, size=(2, len(x), 2))
    first = predict(model, shift_images(x, shifts[0]))
    second = predict(model, shift_images(x, shifts[1]))
    assert consistency == pytest.approx((first == second).mean())
    assert consistency < 1.0  # 2-px shifts on 8x8 digits do change predictions


def test_augmentation_trains_on_shifted_images(tiny_digits):
    plain = _train(tiny_digits, epochs=1)[0]
    shifted = _train(tiny_digits, epochs=1, augment=1)[0]
    assert not torch.equal(plain.classifier.weight, shifted.classifier.weight)


def test_run_experiment_rows(tiny_digits):
    config = TrainConfig(pools=("max", "none"), epochs=1, runs=2, progress=False)
    results = run_experiment(tiny_digits, config)
    assert [r.pool for r in results] == ["max", "none"]
    assert config.max_shift == 1  # resolved: 1/8 of the 8-px digit
    row = results[0].summary()
    accuracies = [run["test_accuracy"] for run in row["runs"]]
    assert [run["seed"] for run in row["runs"]] == [0, 1]
    assert row["test_accuracy"] == pytest.approx(np.mean(accuracies))
    assert row["test_accuracy_std"] == pytest.approx(np.std(accuracies, ddof=1))
    assert 0 <= row["shift_consistency"] <= 1
    assert results[1].parameters > results[0].parameters


def test_resolve_max_shift(tiny_digits):
    assert resolve_max_shift(TrainConfig(), tiny_digits) == 1
    assert resolve_max_shift(TrainConfig(max_shift=3), tiny_digits) == 3


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("pools", ("max", "median"), "--pool: got 'median'"),
        ("pools", ("max", "max"), "each choice at most once"),
        ("model", "vgg", "--model: got 'vgg'"),
        ("epochs", -1, "--epochs: must be an integer >= 0, got -1"),
        ("batch_size", 0, "--batch-size: must be an integer >= 1"),
        ("runs", 0, "--runs: must be an integer >= 1"),
        ("lr", 0.0, "--lr: must be > 0"),
        ("max_shift", -1, "--max-shift: must be a whole number of pixels >= 0"),
        ("augment", 1.5, "--augment: must be a whole number"),
        ("backend", "jax", "--backend: got 'jax'"),
    ],
)
def test_config_errors_name_the_option(field, value, match):
    with pytest.raises(PoolingError, match=match):
        TrainConfig(**{field: value}).check()


def test_checkpoint_round_trip_and_mismatch(tmp_path, tiny_digits):
    model, _, _ = _train(tiny_digits, epochs=1)
    meta = {"model": "articles", "pool": "max", "image_shape": [1, 12, 12], "num_classes": 10}
    save_checkpoint(model, tmp_path / "m.pt", meta)
    fresh = build_model("articles", "max", (1, 12, 12), 10)
    load_checkpoint(fresh, tmp_path / "m.pt", meta)
    x = torch.from_numpy(tiny_digits.x_test[:5])
    fresh.eval(), model.eval()
    torch.testing.assert_close(fresh(x), model(x), rtol=0, atol=0)
    with pytest.raises(PoolingError, match="holds pool='max', this run has pool='avg'"):
        load_checkpoint(fresh, tmp_path / "m.pt", {**meta, "pool": "avg"})
    torch.save(build_model("resnet", "max", (1, 12, 12), 10).state_dict(), tmp_path / "r.pt")
    with pytest.raises(PoolingError, match="does not fit this model"):
        load_checkpoint(fresh, tmp_path / "r.pt", meta)
    with pytest.raises(PoolingError, match="no such file"):
        load_checkpoint(fresh, tmp_path / "missing.pt", meta)
