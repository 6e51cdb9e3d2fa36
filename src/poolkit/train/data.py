"""Data sets for ``poolkit train``: the 8x8 digits, MNIST-style IDX files, CIFAR-10 batches.

Everything is read from disk with NumPy and :mod:`pickle`; nothing is downloaded. Every loader
returns a :class:`Dataset` of float32 images in ``[0, 1]``, shape ``(N, C, H, W)``, and int64
labels. Unreadable input raises :class:`poolkit.PoolingError` naming the path and what was
expected, so the command line prints one line and exits with status 2.

>>> data = load_digits()
>>> data.x_train.shape, data.x_test.shape, data.num_classes
((1438, 1, 12, 12), (359, 1, 12, 12), 10)
"""

from __future__ import annotations

import gzip
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poolkit.errors import PoolingError

# The 8x8 digits are centred on a 12x12 zero canvas: two 2x2 pools still fit (12 -> 6 -> 3) and a
# shift of up to DIGITS_MARGIN pixels moves the digit without cutting any ink off (the 8x8 digits
# touch their own border, so shifting them in place would measure cropping, not translation).
DIGITS_MARGIN = 2
DIGITS_TEST_SHARE = 0.2  # fixed, stratified, independent of --seed: every run sees the same split
DIGITS_SPLIT_SEED = 0

# IDX element types (http://yann.lecun.com/exdb/mnist/): the third magic byte -> big-endian dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# MNIST and Fashion-MNIST use the same four names; some mirrors spell ".idx3" with a dot.
_IDX_STEMS = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}
_CIFAR_SIDE = 32
_EXPECTED = (
    "MNIST/Fashion-MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, "
    "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz) or CIFAR-10 python "
    "batches (data_batch_1 .. data_batch_5 and test_batch)"
)


@dataclass(frozen=True)
class Dataset:
    """Train and test images (float32 in [0, 1], ``(N, C, H, W)``) with int64 labels.

    ``margin`` is the zero border (pixels) added around every image by the loader; ``source``
    says where the data came from, for the report.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    source: str
    margin: int = 0

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        return tuple(self.x_train.shape[1:])

    def limit(self, train: int | None = None, test: int | None = None) -> Dataset:
        """The first ``train`` training and ``test`` test images (``None`` keeps all)."""
        for name, value in (("train", train), ("test", test)):
            if value is not None and value < 1:
                raise PoolingError(f"limit: {name} must be a positive count, got {value}")
        return Dataset(
            self.name,
            self.x_train[:train],
            self.y_train[:train],
            self.x_test[:test],
            self.y_test[:test],
            self.num_classes,
            self.source,
            self.margin,
        )


def load_data(path: str | Path | None = None) -> Dataset:
    """The digits when ``path`` is None, else the IDX or CIFAR-10 files found under ``path``.

    ``path`` may be the directory holding the files, its ``raw/`` parent (torchvision's layout)
    or a ``cifar-10-batches-py`` parent directory.
    """
    if path is None:
        return load_digits()
    root = Path(path).expanduser()
    if not root.exists():
        raise PoolingError(
            f"--data: no such file or directory: {str(path)!r}; expected {_EXPECTED}"
        )
    if not root.is_dir():
        raise PoolingError(
            f"--data: {str(path)!r} is a file; give the directory that holds {_EXPECTED}"
        )
    for folder in (root, root / "raw", root / "cifar-10-batches-py"):
        if _find_idx(folder, "train_images"):
            return load_idx(folder)
        if (folder / "test_batch").is_file():
            return load_cifar10(folder)
    raise PoolingError(f"--data: {str(path)!r} holds no recognised data set; expected {_EXPECTED}")


def load_digits() -> Dataset:
    """scikit-learn's 8x8 digits (ships offline), on a 12x12 canvas, fixed stratified split.

    Shape: images ``(N, 1, 8 + 2*DIGITS_MARGIN, 8 + 2*DIGITS_MARGIN)``; 1438 train, 359 test.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None]  # pixel values are 0..16
    labels = bunch.target.astype(np.int64)
    m = DIGITS_MARGIN
    images = np.pad(images, ((0, 0), (0, 0), (m, m), (m, m)))
    # Our own split (not sklearn's) so it cannot change with a library version: per class, a
    # fixed permutation sends the first 20% to the test set.
    rng = np.random.default_rng(DIGITS_SPLIT_SEED)
    test = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        test[members[: round(DIGITS_TEST_SHARE * len(members))]] = True
    return Dataset(
        "digits",
        images[~test],
        labels[~test],
        images[test],
        labels[test],
        10,
        "sklearn.datasets.load_digits",
        m,
    )


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX file (optionally gzip-compressed) as a native-endian array.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "t")
    >>> _ = open(f, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]))
    >>> read_idx(f).tolist()
    [7, 9]
    """
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise PoolingError(f"--data: cannot read IDX file {str(path)!r}: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES or raw[3] == 0:
        raise PoolingError(
            f"--data: {str(path)!r} is not an IDX file (expected magic bytes 00 00 <type> <ndim>, "
            f"got {raw[:4].hex(' ') or 'an empty file'})"
        )
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise PoolingError(f"--data: IDX file {str(path)!r} is truncated inside its header")
    shape = tuple(int(v) for v in np.frombuffer(raw, ">u4", ndim, 4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise PoolingError(
            f"--data: IDX file {str(path)!r} has {len(raw)} bytes, its header {shape} "
            f"needs {expected}"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find_idx(folder: Path, key: str) -> Path | None:
    for stem in _IDX_STEMS[key]:
        for name in (stem, stem + ".gz"):
            if (folder / name).is_file():
                return folder / name
    return None


def load_idx(folder: str | Path) -> Dataset:
    """MNIST or Fashion-MNIST from the four IDX files in ``folder`` (plain or .gz).

    Shape: images ``(N, 1, rows, cols)`` scaled to [0, 1] (uint8 / 255).
    """
    folder = Path(folder)
    paths = {key: _find_idx(folder, key) for key in _IDX_STEMS}
    missing = [_IDX_STEMS[key][0] for key, found in paths.items() if found is None]
    if missing:
        raise PoolingError(f"--data: {str(folder)!r} lacks IDX file(s) {', '.join(missing)}")
    arrays = {key: read_idx(found) for key, found in paths.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise PoolingError(
                f"--data: {split} IDX files in {str(folder)!r} do not match: images "
                f"{images.shape} (want (N, rows, cols)), labels {labels.shape} (want (N,))"
            )
    labels = np.concatenate([arrays["train_labels"], arrays["test_labels"]]).astype(np.int64)
    _check_labels(labels, folder)
    return Dataset(
        "idx",
        _to_unit(arrays["train_images"])[:, None],
        arrays["train_labels"].astype(np.int64),
        _to_unit(arrays["test_images"])[:, None],
        arrays["test_labels"].astype(np.int64),
        int(labels.max()) + 1,
        str(folder),
    )


class _CifarUnpickler(pickle.Unpickler):
    """Unpickles plain containers and NumPy arrays only: a pickle can run arbitrary code, and
    ``--data`` may point at files from anywhere."""

    def find_class(self, module: str, name: str):
        try:
            from numpy._core import multiarray
        except ImportError:  # NumPy 1.x
            from numpy.core import multiarray
        allowed = {
            "_reconstruct": multiarray._reconstruct,
            "scalar": multiarray.scalar,
            "ndarray": np.ndarray,
            "dtype": np.dtype,
        }
        if module.split(".")[0] == "numpy" and name in allowed:
            return allowed[name]
        if (module, name) == ("_codecs", "encode"):  # how protocol-2 pickles spell bytes
            import codecs

            return codecs.encode
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, "rb") as handle:
            batch = _CifarUnpickler(handle, encoding="bytes").load()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError) as error:
        raise PoolingError(f"--data: cannot read CIFAR-10 batch {str(path)!r}: {error}") from None
    if not isinstance(batch, dict):
        raise PoolingError(f"--data: {str(path)!r} is not a CIFAR-10 batch (not a dict)")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise PoolingError(
            f"--data: {str(path)!r} is not a CIFAR-10 batch (needs 'data' and 'labels', "
            f"has {sorted(batch)})"
        )
    data = np.asarray(batch["data"])
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * _CIFAR_SIDE**2 or len(data) != len(labels):
        raise PoolingError(
            f"--data: {str(path)!r}: 'data' must be (N, 3072) with N labels, got {data.shape} "
            f"and {labels.shape}"
        )
    # Each row is the red plane, then green, then blue, each 32x32 row-major: (N, 3, 32, 32).
    return data.reshape(-1, 3, _CIFAR_SIDE, _CIFAR_SIDE), labels


def load_cifar10(folder: str | Path) -> Dataset:
    """CIFAR-10 from its python batches in ``folder``: every ``data_batch_<i>`` present, and
    ``test_batch``.

    Shape: images ``(N, 3, 32, 32)`` scaled to [0, 1] (uint8 / 255).
    """
    folder = Path(folder)
    train_paths = sorted(
        (p for p in folder.glob("data_batch_*") if p.name[11:].isdigit()),
        key=lambda p: int(p.name[11:]),
    )
    if not train_paths or not (folder / "test_batch").is_file():
        raise PoolingError(
            f"--data: {str(folder)!r} needs data_batch_1 .. data_batch_5 and test_batch"
        )
    train = [_read_cifar_batch(p) for p in train_paths]
    x_test, y_test = _read_cifar_batch(folder / "test_batch")
    y_train = np.concatenate([labels for _, labels in train])
    _check_labels(np.concatenate([y_train, y_test]), folder)
    return Dataset(
        "cifar10",
        _to_unit(np.concatenate([images for images, _ in train])),
        y_train,
        _to_unit(x_test),
        y_test,
        10,
        str(folder),
    )


def _to_unit(images: np.ndarray) -> np.ndarray:
    if np.issubdtype(images.dtype, np.integer):
        return (images.astype(np.float32) / 255.0).astype(np.float32)
    return images.astype(np.float32)  # float IDX data: taken as already scaled


def _check_labels(labels: np.ndarray, where: Path) -> None:
    if labels.size == 0 or labels.min() < 0 or labels.max() > 1000:
        raise PoolingError(
            f"--data: labels in {str(where)!r} must be class numbers 0..999, got range "
            f"{labels.min() if labels.size else 'empty'}..{labels.max() if labels.size else ''}"
        )
