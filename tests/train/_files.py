"""Helpers for the train tests: tiny data sets in the formats ``--data`` reads."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np

_IDX_CODES = {np.dtype("uint8"): 0x08, np.dtype("int16"): 0x0B, np.dtype("float32"): 0x0D}


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> Path:
    """One IDX file: magic 00 00 <type> <ndim>, big-endian uint32 dims, big-endian data."""
    array = np.asarray(array)
    header = bytes([0, 0, _IDX_CODES[array.dtype], array.ndim])
    header += np.array(array.shape, dtype=">u4").tobytes()
    raw = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(raw))
    else:
        path.write_bytes(raw)
    return path


def write_mnist(folder: Path, n_train=40, n_test=20, side=12, compress=False, seed=0):
    """Four MNIST-named IDX files with random uint8 images; returns the arrays written."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, side, side), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, side, side), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, array in arrays.items():
        write_idx(folder / name, array, compress)
    return arrays


def write_cifar(folder: Path, sizes=(6, 4), n_test=5, seed=0):
    """CIFAR-10 python batches (bytes keys, as the real Python 2 pickles load)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    batches = {}
    names = [f"data_batch_{i + 1}" for i in range(len(sizes))] + ["test_batch"]
    for name, n in zip(names, [*sizes, n_test], strict=True):
        batch = {
            b"batch_label": name.encode(),
            b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
            b"labels": [int(v) for v in rng.integers(0, 10, n)],
        }
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
        batches[name] = batch
    return batches
