"""Hostile input at the command line: every bad file, path or argument ends in ONE line on
stderr naming it, exit status 2, and no traceback (``poolkit --debug`` shows one).

Each case runs ``python -m poolkit ...`` in a child process under a memory limit (RLIMIT_AS)
and a timeout, on real files written to ``tmp_path``. Tests run as root, where a chmod-ed
folder stays writable: an unwritable ``--out`` is simulated with a path under a regular file
(``FILE/sub``) or with ``/proc/self`` (a folder in which no file can be created).
"""

from __future__ import annotations

import gzip
import os
import pickle
import re
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # each case starts a poolkit process

try:  # tests/hostile is a rootdir-style folder (no __init__.py); a package also works
    from ._isolated import DEFAULT_MEMORY, _limit
except ImportError:
    from _isolated import DEFAULT_MEMORY, _limit

UNWRITABLE = "/proc/self"  # exists, is a folder, and no file can be created in it (even as root)
TIMEOUT = 300


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        return (
            f"rc={self.returncode}\nstdout:\n{self.stdout[-2000:]}\nstderr:\n{self.stderr[-3000:]}"
        )


def run_cli(
    args, cwd=None, memory: int = DEFAULT_MEMORY, timeout: float = TIMEOUT, env=None
) -> Run:
    """``python -m poolkit *args`` in a child process under ``memory`` bytes of address space
    (``env``: extra environment variables)."""
    proc = subprocess.run(
        [sys.executable, "-m", "poolkit", *args],
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit(memory),
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    decode = lambda raw: raw.decode("utf-8", "backslashreplace")  # noqa: E731
    return Run(proc.returncode, decode(proc.stdout), decode(proc.stderr))


def expect_one_line(run: Run, *words: str) -> str:
    """Exit status 2, exactly one non-empty stderr line (``\\r`` counts as a line break: a
    progress bar is a line), holding every one of ``words``, and no traceback."""
    assert "Traceback" not in run.stderr, run.explain()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.explain()
    assert run.returncode == 2, run.explain()
    line = lines[0]
    assert line.startswith("poolkit "), line
    for word in words:
        assert word in line, (word, line)
    return line


# --------------------------------------------------------------------------- file builders


def write_npy_header(path: Path, shape, dtype="<f8", body: bytes = b"") -> Path:
    """A .npy file whose header declares ``shape`` and ``dtype``, followed by ``body``."""
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {tuple(shape)!r}, }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    path.write_bytes(
        b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + body
    )
    return path


IDX_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.tobytes()


def mnist_dir(root: Path, **replace: bytes) -> Path:
    """A valid tiny MNIST folder; ``replace`` maps a file name (``train-images-idx3-ubyte``,
    underscores for dashes) to the bytes it holds instead."""
    folder = root / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        IDX_NAMES[0]: rng.integers(0, 256, (40, 12, 12), dtype=np.uint8),
        IDX_NAMES[1]: rng.integers(0, 10, 40, dtype=np.uint8),
        IDX_NAMES[2]: rng.integers(0, 256, (20, 12, 12), dtype=np.uint8),
        IDX_NAMES[3]: rng.integers(0, 10, 20, dtype=np.uint8),
    }
    for name, array in arrays.items():
        (folder / name).write_bytes(replace.get(name.replace("-", "_"), idx_bytes(array)))
    return folder


def cifar_dir(root: Path, test_batch: bytes) -> Path:
    """A CIFAR-10 folder: one valid data_batch_1 and the given test_batch bytes."""
    folder = root / "cifar"
    folder.mkdir()
    good = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}
    (folder / "data_batch_1").write_bytes(pickle.dumps(good, protocol=2))
    (folder / "test_batch").write_bytes(test_batch)
    return folder


class _System:
    """Pickles as a call to os.system: what a hostile checkpoint or data file holds."""

    def __reduce__(self):
        return (os.system, ("echo PWNED-BY-PICKLE",))


def sparse_idx(path: Path, shape, total: int) -> Path:
    """An IDX header for ``shape`` (uint8) in a sparse file of ``total`` bytes (no disk used)."""
    with open(path, "wb") as handle:
        handle.write(bytes([0, 0, 8, len(shape)]) + np.array(shape, ">u4").tobytes())
        handle.truncate(total)
    return path


def torch_save(path: Path, obj) -> Path:
    import torch

    torch.save(obj, path)
    return path


TRAIN = ["train", "--quiet", "--epochs", "0", "--train-limit", "8", "--test-limit", "8"]


# --------------------------------------------------------------------------- cases
# Each builder gets tmp_path and returns (argv, words the one error line must hold).


def _file(tmp, name="afile", data=b"plain text\n"):
    path = tmp / name
    path.write_bytes(data)
    return path


CASES = {
    # trace --input: files and literals
    "trace-input-missing": lambda t: (
        ["trace", "--input", str(t / "none.npy"), "--kernel", "2"],
        ["--input", "none.npy"],
    ),
    "trace-input-directory": lambda t: (
        ["trace", "--input", str(t) + os.sep, "--kernel", "2"],
        ["--input", "directory"],
    ),
    "trace-input-empty-npy": lambda t: (
        ["trace", "--input", str(_file(t, "e.npy", b"")), "--kernel", "2"],
        ["--input", "e.npy"],
    ),
    "trace-input-garbage-npy": lambda t: (
        ["trace", "--input", str(_file(t, "g.npy", os.urandom(300))), "--kernel", "2"],
        ["--input", "g.npy"],
    ),
    "trace-input-npy-header-claims-2**40-cells": lambda t: (
        [
            "trace",
            "--input",
            str(write_npy_header(t / "h.npy", (1 << 20, 1 << 20))),
            "--kernel",
            "2",
        ],
        ["--input", "h.npy", "1099511627776"],
    ),
    "trace-input-npy-truncated-body": lambda t: (
        [
            "trace",
            "--input",
            str(write_npy_header(t / "t.npy", (3, 3), body=b"\0" * 40)),
            "--kernel",
            "2",
        ],
        ["--input", "t.npy", "truncated"],
    ),
    "trace-input-npy-object-dtype": lambda t: (
        [
            "trace",
            "--input",
            str(write_npy_header(t / "o.npy", (2,), "|O", pickle.dumps([1, 2]))),
            "--kernel",
            "2",
        ],
        ["--input", "o.npy", "object"],
    ),
    "trace-input-text-too-big": lambda t: (
        ["trace", "--input", str(_file(t, "big.txt", b"1 " * (9 << 20))), "--kernel", "2"],
        ["--input", "big.txt", "bytes"],
    ),
    "trace-input-non-utf8-path": lambda t: (
        ["trace", "--input", os.fsencode(str(t)) + b"/\xff\xfe.npy", "--kernel", "2"],
        ["--input", "\\udcff"],
    ),
    "trace-input-empty-text": lambda t: (  # numpy's two-line warning must not show
        ["trace", "--input", str(_file(t, "e.txt", b"")), "--kernel", "2"],
        ["--input", "e.txt", "empty"],
    ),
    "trace-input-char-device": lambda t: (
        ["trace", "--input", "/dev/zero", "--kernel", "2"],
        ["--input", "/dev/zero", "not a regular file"],
    ),
    "trace-input-ragged-literal": lambda t: (
        ["trace", "--input", "1,2;3", "--kernel", "2"],
        ["--input", "1,2;3"],
    ),
    "trace-kernel-huge": lambda t: (
        ["trace", "--input", "1,2;3,4", "--kernel", str(10**30)],
        ["kernel"],
    ),
    "trace-out-under-file": lambda t: (
        ["trace", "--out", str(_file(t) / "sub")],
        ["--out", "afile"],
    ),
    "trace-out-unwritable": lambda t: (["trace", "--out", UNWRITABLE], ["--out", UNWRITABLE]),
    # explain
    "explain-size-negative": lambda t: (["explain", "-5", "--kernel", "3"], ["-5"]),
    "explain-out-unwritable": lambda t: (
        ["explain", "5", "--kernel", "3", "--out", UNWRITABLE],
        ["--out", UNWRITABLE],
    ),
    "explain-out-is-file": lambda t: (
        ["explain", "5", "--kernel", "3", "--out", str(_file(t))],
        ["--out", "afile"],
    ),
    # explore
    "explore-image-missing": lambda t: (
        ["explore", str(t / "none.png"), "--out", str(t / "o")],
        ["none.png"],
    ),
    "explore-image-directory": lambda t: (["explore", str(t), "--out", str(t / "o")], [str(t)]),
    "explore-image-not-an-image": lambda t: (
        ["explore", str(_file(t, "fake.png")), "--out", str(t / "o")],
        ["fake.png"],
    ),
    "explore-image-truncated-png": lambda t: (
        ["explore", str(_truncated_png(t)), "--out", str(t / "o")],
        ["cut.png"],
    ),
    "explore-kernel-garbage-file": lambda t: (
        ["explore", "--kernel", str(_file(t, "k.npy", os.urandom(200))), "--out", str(t / "o")],
        ["--kernel", "k.npy"],
    ),
    "explore-image-png-claims-10**10-pixels": lambda t: (
        ["explore", str(_png_header(t / "bomb.png", 100_000, 100_000)), "--out", str(t / "o")],
        ["bomb.png"],
    ),
    "explore-kernel-text-not-numbers": lambda t: (
        ["explore", "--kernel", str(_file(t, "k.txt", b"a b\nc d\n")), "--out", str(t / "o")],
        ["--kernel", "k.txt"],
    ),
    "explore-kernel-nan": lambda t: (
        ["explore", "--kernel", "nan,1;1,1", "--out", str(t / "o")],
        ["kernel", "nan,1;1,1"],
    ),
    "explore-out-unwritable": lambda t: (["explore", "--out", UNWRITABLE], ["--out", UNWRITABLE]),
    "explore-out-under-file": lambda t: (
        ["explore", "--out", str(_file(t) / "sub")],
        ["--out", "afile"],
    ),
    "explore-tensorboard-under-file": lambda t: (
        ["explore", "--out", str(t / "o"), "--tensorboard", str(_file(t) / "tb")],
        ["--tensorboard", "afile"],
    ),
    # invariance and tour
    "invariance-out-unwritable": lambda t: (
        ["invariance", "--samples", "1", "--out", UNWRITABLE],
        ["--out", UNWRITABLE],
    ),
    "invariance-out-under-file": lambda t: (
        ["invariance", "--samples", "1", "--out", str(_file(t) / "sub")],
        ["--out", "afile"],
    ),
    "invariance-samples-10**12": lambda t: (
        ["invariance", "--samples", str(10**12), "--out", str(t / "o")],
        ["--samples"],
    ),
    "invariance-seed-negative": lambda t: (
        ["invariance", "--samples", "1", "--seed", "-1", "--out", str(t / "o")],
        ["--seed -1"],
    ),
    "explain-figure-of-a-million-cells": lambda t: (
        ["explain", "1000000", "--kernel", "100000", "--stride", "1", "--out", str(t / "o")],
        ["figure", "1200000 cells"],
    ),
    "invariance-kernel-10**30": lambda t: (
        ["invariance", "--kernel", str(10**30), "--out", str(t / "o")],
        ["kernel", str(10**30)],
    ),
    "tour-out-unwritable": lambda t: (["tour", "--out", UNWRITABLE], ["--out", UNWRITABLE]),
    "tour-out-is-file": lambda t: (["tour", "--out", str(_file(t))], ["--out", "afile"]),
    # train: outputs, checked before any training
    "train-save-unwritable": lambda t: (
        [*TRAIN, "--pool", "max", "--runs", "1", "--save", UNWRITABLE + "/m.pt"],
        ["--save", UNWRITABLE],
    ),
    "train-save-under-file": lambda t: (
        [*TRAIN, "--pool", "max", "--runs", "1", "--save", str(_file(t) / "m.pt")],
        ["--save", "afile"],
    ),
    "train-save-is-directory": lambda t: (
        [*TRAIN, "--pool", "max", "--runs", "1", "--save", str(t)],
        ["--save", str(t)],
    ),
    "train-json-unwritable": lambda t: (
        [*TRAIN, "--pool", "max", "--runs", "1", "--json", UNWRITABLE + "/r.json"],
        ["--json", UNWRITABLE],
    ),
    "train-out-unwritable": lambda t: (
        [*TRAIN, "--pool", "max", "--runs", "1", "--out", UNWRITABLE],
        ["--out", UNWRITABLE],
    ),
    "train-lr-inf": lambda t: ([*TRAIN, "--lr", "inf"], ["--lr", "inf"]),
    "train-seed-negative": lambda t: ([*TRAIN, "--seed", "-1"], ["--seed", "-1"]),
    "train-batch-size-10**30": lambda t: (
        [*TRAIN, "--batch-size", str(10**30)],
        ["--batch-size", str(10**30)],
    ),
    "train-max-shift-10**30": lambda t: (
        [*TRAIN, "--max-shift", str(10**30)],
        ["--max-shift", str(10**30)],
    ),
    "train-augment-10**30": lambda t: ([*TRAIN, "--augment", str(10**30)], ["--augment"]),
    "train-shift-pairs-10**12": lambda t: (
        [*TRAIN, "--shift-pairs", str(10**12)],
        ["--shift-pairs"],
    ),
    "train-runs-10**30": lambda t: ([*TRAIN, "--pool", "max", "--runs", str(10**30)], ["--runs"]),
    # train --load: checkpoints
    "load-missing": lambda t: ([*TRAIN, "--load", str(t / "none.pt")], ["--load", "none.pt"]),
    "load-directory": lambda t: ([*TRAIN, "--load", str(t)], ["--load", "directory"]),
    "load-empty": lambda t: ([*TRAIN, "--load", str(_file(t, "e.pt", b""))], ["--load", "e.pt"]),
    "load-garbage": lambda t: (
        [*TRAIN, "--load", str(_file(t, "g.pt", b"\x80\x02garbage" + os.urandom(1000)))],
        ["--load", "g.pt", "cannot read"],
    ),
    "load-truncated-zip": lambda t: (
        [*TRAIN, "--load", str(_truncated_checkpoint(t))],
        ["--load", "cut.pt"],
    ),
    "load-pickle-runs-os-system": lambda t: (
        [*TRAIN, "--pool", "max", "--load", str(_file(t, "evil.pkl", pickle.dumps(_System())))],
        ["--load", "refused for safety", "evil.pkl", "posix.system"],
    ),
    "load-checkpoint-runs-os-system": lambda t: (
        [*TRAIN, "--load", str(torch_save(t / "evil.pt", {"state_dict": _System(), "meta": {}}))],
        ["--load", "refused for safety", "evil.pt", "posix.system"],
    ),
    "load-meta-is-a-list": lambda t: (
        [*TRAIN, "--load", str(torch_save(t / "m.pt", {"state_dict": {}, "meta": [1, 2]}))],
        ["--load", "m.pt", "'meta' of type list"],
    ),
    "load-meta-is-an-int": lambda t: (
        [
            *TRAIN,
            "--pool",
            "max",
            "--load",
            str(torch_save(t / "m.pt", {"state_dict": {}, "meta": 5})),
        ],
        ["--load", "m.pt", "'meta' of type int"],
    ),
    "load-state-dict-is-a-list": lambda t: (
        [*TRAIN, "--pool", "max", "--load", str(torch_save(t / "l.pt", [1, 2, 3]))],
        ["--load", "l.pt", "state_dict"],
    ),
    # train --data: paths
    "data-missing": lambda t: ([*TRAIN, "--data", str(t / "none")], ["--data", "none"]),
    "data-is-a-file": lambda t: ([*TRAIN, "--data", str(_file(t))], ["--data", "afile"]),
    "data-non-utf8-path": lambda t: (
        [*TRAIN, "--data", os.fsencode(str(t)) + b"/\xff"],
        ["--data", "\\udcff"],
    ),
    # train --data: IDX files
    "idx-wrong-magic": lambda t: (
        [
            *TRAIN,
            "--data",
            str(mnist_dir(t, train_labels_idx1_ubyte=b"\x01\x00\x08\x01\0\0\0\x01\x05")),
        ],
        ["--data", "train-labels-idx1-ubyte", "not an IDX file"],
    ),
    "idx-wrong-dtype-code": lambda t: (
        [
            *TRAIN,
            "--data",
            str(mnist_dir(t, train_labels_idx1_ubyte=b"\0\0\x07\x01\0\0\0\x01\x05")),
        ],
        ["--data", "train-labels-idx1-ubyte", "not an IDX file"],
    ),
    "idx-truncated-header": lambda t: (
        [*TRAIN, "--data", str(mnist_dir(t, t10k_images_idx3_ubyte=b"\0\0\x08\x03\0\0\0\x14\0"))],
        ["--data", "t10k-images-idx3-ubyte", "truncated"],
    ),
    "idx-truncated-body": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                mnist_dir(
                    t, t10k_images_idx3_ubyte=idx_bytes(np.zeros((20, 12, 12), np.uint8))[:-7]
                )
            ),
        ],
        ["--data", "t10k-images-idx3-ubyte"],
    ),
    "idx-dims-multiply-past-2**63": lambda t: (
        # 2**16 ** 4 == 2**64: np.prod wraps to 0, so a bare header "matched" its size
        [
            *TRAIN,
            "--data",
            str(
                mnist_dir(
                    t,
                    train_images_idx3_ubyte=bytes([0, 0, 8, 4])
                    + np.array([1 << 16] * 4, ">u4").tobytes(),
                )
            ),
        ],
        ["--data", "train-images-idx3-ubyte", "18446744073709551616"],
    ),
    "idx-64GiB-sparse-file-matching-header": lambda t: (
        [*TRAIN, "--data", str(_sparse_mnist(t, (1 << 26, 32, 32), 16 + (64 << 30)))],
        ["--data", "train-images-idx3-ubyte", "68719476736"],
    ),
    "idx-64GiB-sparse-file-small-header": lambda t: (
        [*TRAIN, "--data", str(_sparse_mnist(t, (40, 12, 12), 64 << 30))],
        ["--data", "train-images-idx3-ubyte", "68719476736"],
    ),
    "idx-wrong-magic-64GiB-file": lambda t: (  # refused from 4 bytes, the body never read
        [*TRAIN, "--data", str(_sparse_mnist(t, (40, 12, 12), 64 << 30, magic=b"\1\0\x08\3"))],
        ["--data", "train-images-idx3-ubyte", "not an IDX file"],
    ),
    "idx-wrong-dtype-64GiB-file": lambda t: (
        [*TRAIN, "--data", str(_sparse_mnist(t, (40, 12, 12), 64 << 30, magic=b"\0\0\x0a\3"))],
        ["--data", "train-images-idx3-ubyte", "not an IDX file"],
    ),
    "idx-gz-decompresses-past-its-header": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                _gz_mnist(
                    t, gzip.compress(idx_bytes(np.zeros((40, 12, 12), np.uint8)) + bytes(200 << 20))
                )
            ),
        ],
        ["--data", "train-images-idx3-ubyte.gz", "more than"],
    ),
    "idx-gz-not-gzip": lambda t: (
        [*TRAIN, "--data", str(_gz_mnist(t, b"definitely not gzip"))],
        ["--data", "train-images-idx3-ubyte.gz"],
    ),
    "idx-gz-corrupt-deflate": lambda t: (
        [*TRAIN, "--data", str(_gz_mnist(t, _corrupt_gzip()))],
        ["--data", "train-images-idx3-ubyte.gz"],
    ),
    "idx-float-labels": lambda t: (
        [
            *TRAIN,
            "--data",
            str(mnist_dir(t, train_labels_idx1_ubyte=idx_bytes(np.full(40, np.nan, ">f4"), 0x0D))),
        ],
        ["--data", "labels", "float"],
    ),
    "idx-no-images": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                mnist_dir(
                    t,
                    train_images_idx3_ubyte=idx_bytes(np.zeros((0, 12, 12), np.uint8)),
                    train_labels_idx1_ubyte=idx_bytes(np.zeros(0, np.uint8)),
                )
            ),
        ],
        ["--data", "empty"],
    ),
    "idx-train-test-sizes-differ": lambda t: (
        [
            *TRAIN,
            "--data",
            str(mnist_dir(t, t10k_images_idx3_ubyte=idx_bytes(np.zeros((20, 28, 28), np.uint8)))),
        ],
        ["--data", "differ"],
    ),
    # train --data: CIFAR-10 batches
    "cifar-batch-is-a-list": lambda t: (
        [*TRAIN, "--data", str(cifar_dir(t, pickle.dumps([1, 2, 3], protocol=2)))],
        ["--data", "test_batch", "list"],
    ),
    "cifar-string-labels": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                cifar_dir(
                    t,
                    pickle.dumps(
                        {b"data": np.zeros((2, 3072), np.uint8), b"labels": ["cat", "dog"]},
                        protocol=2,
                    ),
                )
            ),
        ],
        ["--data", "test_batch", "labels"],
    ),
    "cifar-labels-dict": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                cifar_dir(
                    t,
                    pickle.dumps(
                        {b"data": np.zeros((2, 3072), np.uint8), b"labels": {0: 1}}, protocol=2
                    ),
                )
            ),
        ],
        ["--data", "test_batch", "labels"],
    ),
    "cifar-non-utf8-keys": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                cifar_dir(
                    t,
                    pickle.dumps(
                        {b"\xff\xfe": 1, b"data": np.zeros((2, 3072), np.uint8)}, protocol=2
                    ),
                )
            ),
        ],
        ["--data", "test_batch", "labels"],
    ),
    "cifar-mixed-key-types": lambda t: (
        [*TRAIN, "--data", str(cifar_dir(t, pickle.dumps({1: 2, b"x": 3}, protocol=2)))],
        ["--data", "test_batch", "needs 'data'"],
    ),
    "cifar-ragged-data": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                cifar_dir(t, pickle.dumps({b"data": [[1, 2], [3]], b"labels": [0, 1]}, protocol=2))
            ),
        ],
        ["--data", "test_batch"],
    ),
    "cifar-string-data": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                cifar_dir(
                    t, pickle.dumps({b"data": [["x"] * 3072] * 2, b"labels": [0, 1]}, protocol=2)
                )
            ),
        ],
        ["--data", "test_batch", "data"],
    ),
    "cifar-binbytes8-claims-2**40": lambda t: (
        [
            *TRAIN,
            "--data",
            str(cifar_dir(t, b"\x80\x04\x8e" + (1 << 40).to_bytes(8, "little") + b"abc")),
        ],
        ["--data", "test_batch", "1099511627776"],
    ),
    "cifar-truncated-pickle": lambda t: (
        [
            *TRAIN,
            "--data",
            str(
                cifar_dir(
                    t,
                    pickle.dumps(
                        {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}, protocol=2
                    )[:500],
                )
            ),
        ],
        ["--data", "test_batch"],
    ),
    "cifar-pickle-runs-os-system": lambda t: (
        [*TRAIN, "--data", str(cifar_dir(t, pickle.dumps({b"data": _System()}, protocol=2)))],
        ["--data", "test_batch", "refusing"],
    ),
}


def _truncated_png(tmp: Path) -> Path:
    from PIL import Image

    path = tmp / "cut.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:300])
    return path


def _png_header(path: Path, width: int, height: int) -> Path:
    """A PNG holding only a signature and an IHDR chunk claiming ``width`` x ``height``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


def _truncated_checkpoint(tmp: Path) -> Path:
    import torch

    whole = tmp / "whole.pt"
    torch.save({"state_dict": {"w": torch.zeros(100)}, "meta": {"pool": "max"}}, whole)
    cut = tmp / "cut.pt"
    cut.write_bytes(whole.read_bytes()[:300])
    return cut


def _sparse_mnist(tmp: Path, shape, total: int, magic: bytes | None = None) -> Path:
    folder = mnist_dir(tmp)
    sparse_idx(folder / IDX_NAMES[0], shape, total)
    if magic is not None:
        with open(folder / IDX_NAMES[0], "r+b") as handle:
            handle.write(magic)
    return folder


def _gz_mnist(tmp: Path, raw: bytes) -> Path:
    folder = mnist_dir(tmp)
    os.remove(folder / IDX_NAMES[0])
    (folder / (IDX_NAMES[0] + ".gz")).write_bytes(raw)
    return folder


def _corrupt_gzip() -> bytes:
    """A gzip member whose deflate stream is garbage after the first bytes (zlib.error)."""
    good = gzip.compress(idx_bytes(np.arange(40 * 144, dtype=np.uint8).reshape(40, 12, 12)))
    body = bytearray(good)
    for i in range(14, len(body) - 8):
        body[i] ^= 0x5A
    with pytest.raises(zlib.error):  # the corruption is one zlib itself refuses
        zlib.decompress(bytes(body[10:-8]), -15)
    return bytes(body)


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_cli_input_is_one_line_exit_2(case, tmp_path):
    argv, words = CASES[case](tmp_path)
    run = run_cli(argv, cwd=tmp_path)
    expect_one_line(run, *words)
    assert "PWNED" not in run.stdout + run.stderr


# --------------------------------------------------------------------------- valid input


def only_progress(stderr: str) -> bool:
    """A good run writes nothing to stderr but its progress lines ('what: step k/n') and the
    one-time kernel-compile notice: no warning, no traceback."""
    from poolkit.tour._common import COMPILE_NOTICE

    allowed = re.compile(r".*: step \d+/\d+( \(.*\))?|  kernels compiled and cached; .*")
    return all(
        line == COMPILE_NOTICE or allowed.fullmatch(line) for line in stderr.splitlines()
    )


@pytest.mark.parametrize(
    ("literal", "expected"),
    [("1,nan;3,4", "[[nan]]"), ("inf,1;2,3", "[[inf]]"), ("-inf,-inf;-inf,-inf", "[[-inf]]")],
)
def test_trace_nan_and_inf_propagate_like_max_pooling(literal, expected, tmp_path):
    run = run_cli(["trace", f"--input={literal}", "--kernel", "2"], cwd=tmp_path)
    assert run.returncode == 0 and only_progress(run.stderr), run.explain()
    assert f"output:\n{expected}" in run.stdout, run.stdout


def test_trace_npy_with_nan_and_inf(tmp_path):
    path = tmp_path / "m.npy"
    np.save(path, np.array([[1.0, np.nan, 0.0], [3.0, 4.0, np.inf], [0.0, -np.inf, 2.0]]))
    run = run_cli(
        [
            "trace",
            "--input",
            str(path),
            "--kernel",
            "2",
            "--stride",
            "1",
            "--out",
            str(tmp_path / "frames"),
        ],
        cwd=tmp_path,
    )
    assert run.returncode == 0 and only_progress(run.stderr), run.explain()
    assert "output:\n[[nan, nan], [4, inf]]" in run.stdout, run.stdout
    assert "winner x[0,1]=nan" in run.stdout
    assert (tmp_path / "frames" / "trace.gif").is_file()


def test_a_valid_run_of_every_file_reader(tmp_path):
    """The same readers still accept good files: IDX (plain), .npy kernel, PNG image."""
    from PIL import Image

    np.save(tmp_path / "k.npy", np.ones((3, 3)))
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "i.png")
    run = run_cli(
        [
            "explore",
            str(tmp_path / "i.png"),
            "--kernel",
            str(tmp_path / "k.npy"),
            "--out",
            str(tmp_path / "o"),
        ],
        cwd=tmp_path,
    )
    assert run.returncode == 0 and only_progress(run.stderr), run.explain()
    run = run_cli(
        [*TRAIN, "--pool", "max", "--runs", "1", "--data", str(mnist_dir(tmp_path))], cwd=tmp_path
    )
    assert run.returncode == 0, run.explain()
    assert "data: idx" in run.stdout and "40 train / 20 test" not in run.stdout  # limits apply
    assert "8 train / 8 test" in run.stdout


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(where, tmp_path):
    command = ["trace", "--out", UNWRITABLE]
    argv = ["--debug", *command] if where == "before" else [*command, "--debug"]
    run = run_cli(argv, cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" in run.stderr, run.explain()
    assert "PoolingError" in run.stderr


def test_a_non_utf8_out_path_prints_even_on_a_strict_stdout(tmp_path):
    out = os.fsencode(str(tmp_path)) + b"/\xff"
    run = run_cli(
        ["explain", "5", "--kernel", "3", "--out", out],
        cwd=tmp_path,
        env={"PYTHONIOENCODING": "utf-8:strict"},
    )
    assert run.returncode == 0 and only_progress(run.stderr), run.explain()
    assert os.path.isfile(out + b"/explain.png")


def test_a_bug_is_one_line_with_a_hint_and_status_1():
    from poolkit.__main__ import describe_error

    message, status = describe_error(TypeError("unsupported operand\nsecond line"))
    assert status == 1 and "\n" not in message
    assert "internal error" in message and "--debug" in message
    message, status = describe_error(FileNotFoundError(2, "No such file or directory", "x.png"))
    assert status == 2 and "'x.png'" in message
    message, status = describe_error(MemoryError())
    assert status == 2 and "memory" in message


def test_explain_of_a_huge_size_gives_the_exact_counts():
    # Geometry is exact in Python ints: explaining L = 10**30 is a right answer, not an error.
    run = run_cli(["explain", str(10**30), "--kernel", "3"])
    assert run.returncode == 0, run.explain()
    assert "Traceback" not in run.stderr
    assert "= " + "3" * 30 in run.stdout, run.stdout  # floor((10**30 - 3)/3) + 1


def test_explain_of_a_huge_stride_gives_one_window():
    run = run_cli(["explain", "5", "--kernel", "3", "--stride", str(10**30)])
    assert run.returncode == 0, run.explain()
    assert "PyTorch floor      (1,)" in run.stdout, run.stdout


def test_explore_with_a_pool_larger_than_the_image(tmp_path):
    # 'same' padding gives ceil(512 / 2) windows whatever the kernel (TensorFlow's rule), each
    # covering the whole image: a right answer in bounded memory, not an error.
    run = run_cli(["explore", "--pool", "100000000", "--out", str(tmp_path)])
    assert run.returncode == 0, run.explain()
    assert "Condense     256x256" in run.stdout, run.stdout
    assert (tmp_path / "explore.png").stat().st_size > 0
