"""poolkit.train.data: the digits split, the IDX and CIFAR-10 readers, and their errors."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from poolkit import PoolingError
from poolkit.train.data import DIGITS_MARGIN, load_data, load_digits, read_idx

from ._files import write_cifar, write_idx, write_mnist


def test_digits_split_is_fixed_stratified_and_on_a_zero_canvas():
    a, b = load_digits(), load_digits()
    assert a.x_train.shape == (1438, 1, 12, 12) and a.x_test.shape == (359, 1, 12, 12)
    np.testing.assert_array_equal(a.x_test, b.x_test)  # same split every time
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert np.bincount(a.y_test, minlength=10).min() >= 35  # every class ~20% in the test set
    m = DIGITS_MARGIN
    for x in (a.x_train, a.x_test):
        assert x.dtype == np.float32 and x.min() >= 0 and x.max() == 1.0
        assert not x[..., :m, :].any() and not x[..., -m:, :].any()  # the zero margin
        assert not x[..., :m].any() and not x[..., -m:].any()
    assert len(a.x_train) + len(a.x_test) == 1797  # no image lost or duplicated


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gz"])
def test_idx_files_load(tmp_path, compress):
    arrays = write_mnist(tmp_path, n_train=7, n_test=5, side=6, compress=compress)
    data = load_data(tmp_path)
    assert data.x_train.shape == (7, 1, 6, 6) and data.x_test.shape == (5, 1, 6, 6)
    np.testing.assert_allclose(
        data.x_train[:, 0], arrays["train-images-idx3-ubyte"] / np.float32(255), rtol=1e-6
    )
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels-idx1-ubyte"])
    assert data.y_train.dtype == np.int64 and data.x_train.dtype == np.float32
    labels = np.concatenate([arrays["train-labels-idx1-ubyte"], arrays["t10k-labels-idx1-ubyte"]])
    assert data.num_classes == labels.max() + 1


def test_idx_in_torchvision_raw_folder(tmp_path):
    write_mnist(tmp_path / "raw", n_train=3, n_test=2, side=4)
    assert load_data(tmp_path).x_train.shape == (3, 1, 4, 4)


def test_read_idx_big_endian_types(tmp_path):
    values = np.array([[-300, 2, 1000], [7, -1, 0]], dtype=np.int16)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a", values)), values)
    floats = np.array([0.5, -2.25], dtype=np.float32)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "b", floats, True)), floats)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"", "not an IDX file"),
        (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), "not an IDX file"),
        (bytes([0, 0, 8, 2, 0, 0]), "truncated"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 3, 5]), "needs 11"),
    ],
)
def test_read_idx_rejects_broken_files(tmp_path, raw, match):
    (tmp_path / "f").write_bytes(raw)
    with pytest.raises(PoolingError, match=match):
        read_idx(tmp_path / "f")


def test_idx_missing_companion_file(tmp_path):
    write_mnist(tmp_path)
    os.remove(tmp_path / "t10k-labels-idx1-ubyte")
    with pytest.raises(PoolingError, match=r"lacks IDX file.*t10k-labels-idx1-ubyte"):
        load_data(tmp_path)


def test_cifar_batches_load_in_channel_plane_order(tmp_path):
    batches = write_cifar(tmp_path, sizes=(3, 2), n_test=4)
    data = load_data(tmp_path)
    assert data.x_train.shape == (5, 3, 32, 32) and data.x_test.shape == (4, 3, 32, 32)
    first = batches["data_batch_1"][b"data"][0]
    # A row is 1024 red, then 1024 green, then 1024 blue values, each plane row-major.
    np.testing.assert_allclose(data.x_train[0, 1], first[1024:2048].reshape(32, 32) / 255.0)
    np.testing.assert_array_equal(
        data.y_train, batches["data_batch_1"][b"labels"] + batches["data_batch_2"][b"labels"]
    )
    assert data.num_classes == 10 and data.name == "cifar10"
    # the parent of cifar-10-batches-py works too
    write_cifar(tmp_path / "parent" / "cifar-10-batches-py", sizes=(2,), n_test=1)
    assert load_data(tmp_path / "parent").x_train.shape == (2, 3, 32, 32)


def test_cifar_refuses_pickles_that_run_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    write_cifar(tmp_path, sizes=(1,), n_test=1)
    (tmp_path / "test_batch").write_bytes(pickle.dumps({b"data": Evil()}, protocol=2))
    with pytest.raises(PoolingError, match=r"refusing to load .*system"):
        load_data(tmp_path)


def test_cifar_wrong_row_length(tmp_path):
    write_cifar(tmp_path, sizes=(1,), n_test=1)
    bad = {b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(bad, protocol=2))
    with pytest.raises(PoolingError, match=r"must be \(N, 3072\)"):
        load_data(tmp_path)


def test_wrong_paths(tmp_path):
    with pytest.raises(PoolingError, match=r"--data: no such file or directory: .*nope"):
        load_data(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(PoolingError, match="is a file"):
        load_data(tmp_path / "file.txt")
    with pytest.raises(PoolingError, match="holds no recognised data set; expected MNIST"):
        load_data(tmp_path)


def test_limit_keeps_the_first_images_and_checks_counts(tiny_digits):
    full = load_digits()
    np.testing.assert_array_equal(tiny_digits.x_train, full.x_train[:240])
    assert len(tiny_digits.x_test) == 120
    with pytest.raises(PoolingError, match="train must be a positive count, got 0"):
        full.limit(0)
