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
import io
import math
import os
import pickle
import pickletools
import zlib
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


#: Largest IDX body (bytes) read: the header's claim is checked against this before reading
#: (MNIST's training images are 47 MB, EMNIST's largest file about 550 MB).
MAX_IDX_BYTES = 1 << 32
#: Largest CIFAR-10 batch file (bytes) read (a real batch is about 31 MB).
MAX_CIFAR_BYTES = 1 << 30


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX file (optionally gzip-compressed) as a native-endian array.

    The header (magic, element type, dims) is read and checked first, its size computed with
    exact integers and compared with the file's size (a compressed file: with what it
    decompresses to, read no further than the header says) and with :data:`MAX_IDX_BYTES`;
    only then is the body read.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "t")
    >>> _ = open(f, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]))
    >>> read_idx(f).tolist()
    [7, 9]
    """
    path = Path(path)
    where = repr(str(path))
    compressed = path.suffix == ".gz"
    try:
        with (gzip.open if compressed else open)(path, "rb") as handle:
            magic = _read_exactly(handle, 4)
            known = len(magic) == 4 and magic[2] in _IDX_DTYPES
            if not known or magic[:2] != b"\0\0" or not magic[3]:
                raise PoolingError(
                    f"--data: {where} is not an IDX file (expected magic bytes 00 00 <type> "
                    f"<ndim>, type one of {', '.join(f'{t:02x}' for t in _IDX_DTYPES)}, ndim >= "
                    f"1; got {magic.hex(' ') or 'an empty file'})"
                )
            dtype, ndim = _IDX_DTYPES[magic[2]], magic[3]
            dims = _read_exactly(handle, 4 * ndim)
            if len(dims) < 4 * ndim:
                raise PoolingError(f"--data: IDX file {where} is truncated inside its header")
            shape = tuple(int.from_bytes(dims[i : i + 4], "big") for i in range(0, 4 * ndim, 4))
            header = 4 + 4 * ndim
            body = math.prod(shape) * dtype.itemsize  # exact: Python ints never wrap
            if body > MAX_IDX_BYTES:
                raise PoolingError(
                    f"--data: IDX file {where}: its header {shape} declares {body} bytes of "
                    f"data; at most {MAX_IDX_BYTES} are read"
                )
            if not compressed:
                size = os.fstat(handle.fileno()).st_size
                if size != header + body:
                    raise PoolingError(
                        f"--data: IDX file {where} has {size} bytes, its header {shape} needs "
                        f"{header + body}" + (" (truncated)" if size < header + body else "")
                    )
            if compressed:  # read no further than the header says, then one byte more
                raw = _read_exactly(handle, body)
                if len(raw) != body:
                    raise PoolingError(
                        f"--data: IDX file {where} is truncated: {header + len(raw)} bytes, "
                        f"its header {shape} needs {header + body}"
                    )
                if handle.read(1):
                    raise PoolingError(
                        f"--data: IDX file {where} holds more than the {header + body} bytes "
                        f"its header {shape} declares"
                    )
                array = np.frombuffer(raw, dtype)
            else:  # the size matched: one allocation, straight from the file
                array = np.fromfile(handle, dtype=dtype, count=body // dtype.itemsize)
                if array.nbytes != body:  # the file shrank while it was read
                    raise PoolingError(f"--data: IDX file {where} is truncated")
    except PoolingError:
        raise
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        reason = getattr(error, "strerror", None) or _one_line(error)
        raise PoolingError(f"--data: cannot read IDX file {where}: {reason}") from None
    # A copy only where needed: to native byte order, or off the read-only gzip buffer.
    writable = array.flags.writeable
    return array.reshape(shape).astype(dtype.newbyteorder("="), copy=not writable)


def _read_exactly(handle, count: int) -> bytes:
    """Up to ``count`` bytes, in chunks, so a short file never costs ``count`` bytes of memory
    up front."""
    chunks, left = [], count
    while left > 0:
        chunk = handle.read(min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


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
        if labels.dtype.kind not in "iu":
            raise PoolingError(
                f"--data: {split} labels in {str(folder)!r} must be integers, got {labels.dtype}"
            )
        if min(images.shape) < 1:
            raise PoolingError(
                f"--data: {split} images in {str(folder)!r} are empty: shape {images.shape}"
            )
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise PoolingError(
            f"--data: train and test images in {str(folder)!r} differ in size: "
            f"{arrays['train_images'].shape[1:]} and {arrays['test_images'].shape[1:]}"
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
    """One CIFAR-10 python batch, checked before and after unpickling.

    The file's size is capped (:data:`MAX_CIFAR_BYTES`); the pickle is scanned first, so a
    length it claims beyond the file's end (``BINBYTES8`` of 2**40 bytes) is refused without
    allocating it; only plain containers and NumPy arrays are unpickled (see
    :class:`_CifarUnpickler`); then types, shapes and labels are checked.
    """
    where = repr(str(path))
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_CIFAR_BYTES:
                raise PoolingError(
                    f"--data: CIFAR-10 batch {where} has {size} bytes; at most "
                    f"{MAX_CIFAR_BYTES} are read (a real batch has about 31 MB)"
                )
            raw = handle.read()
    except PoolingError:
        raise
    except OSError as error:
        reason = error.strerror or _one_line(error)
        raise PoolingError(f"--data: cannot read CIFAR-10 batch {where}: {reason}") from None
    try:
        for _ in pickletools.genops(io.BytesIO(raw)):  # checks every length against the data
            pass
        batch = _CifarUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except Exception as error:  # UnpicklingError, ValueError, MemoryError, ...: all refusals
        raise PoolingError(
            f"--data: cannot read CIFAR-10 batch {where}: {_one_line(error)}"
        ) from None
    if not isinstance(batch, dict):
        raise PoolingError(
            f"--data: {where} is not a CIFAR-10 batch (a {type(batch).__name__}, not a dict)"
        )
    keys = {}
    for key, value in batch.items():
        if isinstance(key, bytes):
            key = key.decode("utf-8", "backslashreplace")
        keys[key if isinstance(key, str) else repr(key)] = value
    if "data" not in keys or "labels" not in keys:
        raise PoolingError(
            f"--data: {where} is not a CIFAR-10 batch (needs 'data' and 'labels', "
            f"has {sorted(keys)})"
        )
    try:
        data = np.asarray(keys["data"])
        labels = np.asarray(keys["labels"])
    except Exception as error:  # ragged lists and the like
        raise PoolingError(
            f"--data: {where}: 'data' or 'labels' is not an array: {_one_line(error)}"
        ) from None
    if data.dtype.kind not in "biuf":
        raise PoolingError(f"--data: {where}: 'data' must hold numbers, got dtype {data.dtype}")
    if labels.dtype.kind not in "iu" or labels.ndim != 1:
        raise PoolingError(
            f"--data: {where}: 'labels' must be a list of class numbers, got dtype "
            f"{labels.dtype} shape {labels.shape}"
        )
    if data.ndim != 2 or data.shape[1] != 3 * _CIFAR_SIDE**2 or len(data) != len(labels):
        raise PoolingError(
            f"--data: {where}: 'data' must be (N, 3072) with N labels, got {data.shape} "
            f"and {labels.shape}"
        )
    # Each row is the red plane, then green, then blue, each 32x32 row-major: (N, 3, 32, 32).
    return data.reshape(-1, 3, _CIFAR_SIDE, _CIFAR_SIDE), labels.astype(np.int64)


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
    for name, count in (("training", sum(len(y) for _, y in train)), ("test", len(y_test))):
        if count == 0:
            raise PoolingError(f"--data: the {name} batches in {str(folder)!r} hold no images")
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
    if labels.size == 0 or labels.min() < 0 or labels.max() > 999:
        raise PoolingError(
            f"--data: labels in {str(where)!r} must be class numbers 0..999, got range "
            f"{labels.min() if labels.size else 'empty'}..{labels.max() if labels.size else ''}"
        )
