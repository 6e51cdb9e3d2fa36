"""Training, evaluation and shift consistency: the measurement behind ``poolkit train``.

:func:`run_experiment` trains every requested pooling choice ``runs`` times (seeds ``seed``,
``seed + 1``, ...; the same seeds for every choice, so initial weights of the shared layers,
batch order and test shifts match across choices) and returns one :class:`PoolResult` per choice.

Shift consistency (Zhang 2019, "Making convolutional networks shift-invariant again"): for every
test image draw two shifts ``(dy1, dx1)`` and ``(dy2, dx2)``, each coordinate uniform on the
integers ``-max_shift .. max_shift`` (drawn independently, so the two may coincide); translate
the image by each (content moves down by ``dy`` and right by ``dx``; pixels that leave the frame
are dropped and the uncovered border is filled with 0, the background of digits and MNIST); the
image counts as consistent when the network predicts the same class for both. The score is the
share of consistent (image, pair) draws over ``shift_pairs`` independent pairs per image.

>>> from poolkit.train.data import load_digits
>>> data = load_digits().limit(200, 100)
>>> config = TrainConfig(pools=("max",), epochs=1, runs=1, progress=False)
>>> [row.pool for row in run_experiment(data, config)]
['max']
"""

from __future__ import annotations

import contextlib
import os
import pickle
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from poolkit.errors import PoolingError
from poolkit.train.data import Dataset

POOLS = ("max", "avg", "sum", "lp", "none")  # models.POOLS, without importing torch here
EVAL_BATCH = 1000


@dataclass
class TrainConfig:
    """Everything that decides a training run; written into the JSON report as ``config``."""

    model: str = "articles"
    pools: tuple[str, ...] = POOLS
    epochs: int = 10
    batch_size: int = 32
    lr: float = 3e-3
    runs: int = 3
    seed: int = 0
    max_shift: int | None = None  # None: 1/8 of the image side (1 px on the 8x8 digits)
    shift_pairs: int = 5
    lp_norm: float = 2.0
    augment: int = 0
    backend: str = "poolkit"
    threads: int = 1
    progress: bool = True
    verbose: bool = False
    save: str | None = None
    load: str | None = None

    def check(self) -> None:
        """Raise :class:`PoolingError` naming the first invalid field."""
        from poolkit.train.models import BACKENDS, MODELS

        if self.model not in MODELS:
            raise PoolingError(f"--model: got {self.model!r}, expected one of {', '.join(MODELS)}")
        for pool in self.pools:
            if pool not in POOLS:
                raise PoolingError(f"--pool: got {pool!r}, expected one of {', '.join(POOLS)}")
        if not self.pools:
            raise PoolingError("--pool: no pooling choice given")
        if len(set(self.pools)) != len(self.pools):
            raise PoolingError(f"--pool: each choice at most once, got {list(self.pools)}")
        if self.backend not in BACKENDS:
            raise PoolingError(
                f"--backend: got {self.backend!r}, expected one of {', '.join(BACKENDS)}"
            )
        checks = (("epochs", 0), ("batch_size", 1), ("runs", 1), ("shift_pairs", 1), ("threads", 1))
        for name, low in checks:
            value = getattr(self, name)
            if not isinstance(value, int) or value < low:
                flag = "--" + name.replace("_", "-")
                raise PoolingError(f"{flag}: must be an integer >= {low}, got {value!r}")
        for name in ("max_shift", "augment"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                flag = "--" + name.replace("_", "-")
                raise PoolingError(f"{flag}: must be a whole number of pixels >= 0, got {value!r}")
        if not self.lr > 0:
            raise PoolingError(f"--lr: must be > 0, got {self.lr}")
        if not self.lp_norm > 0:
            raise PoolingError(f"--lp-norm: must be > 0, got {self.lp_norm}")
        if self.load and (len(self.pools) != 1 or self.runs != 1):
            raise PoolingError(
                f"--load: loads one model; give one --pool and --runs 1 (got pools "
                f"{list(self.pools)}, runs {self.runs})"
            )


@dataclass
class RunResult:
    """One trained network: its seed, per-epoch history and final measurements."""

    seed: int
    test_accuracy: float
    shift_consistency: float
    shifted_accuracy: float
    train_seconds: float
    history: list[dict] = field(default_factory=list)


@dataclass
class PoolResult:
    """Every run of one pooling choice, summarised (mean and sample std over runs)."""

    pool: str
    model: str
    parameters: int
    macs: int
    runs: list[RunResult]

    def _stat(self, name: str, reduce) -> float:
        values = np.array([getattr(run, name) for run in self.runs], dtype=float)
        return float(reduce(values))

    def summary(self) -> dict:
        """The JSON row: means, sample standard deviations (0 for one run), and every run."""

        def std(values):
            return values.std(ddof=1) if len(values) > 1 else 0.0

        row = {"pool": self.pool, "model": self.model}
        for name in ("test_accuracy", "shift_consistency", "shifted_accuracy", "train_seconds"):
            row[name] = self._stat(name, np.mean)
            row[name + "_std"] = self._stat(name, std)
        row["parameters"] = self.parameters
        row["macs"] = self.macs
        row["runs"] = [asdict(run) for run in self.runs]
        return row


@contextlib.contextmanager
def deterministic(seed: int, threads: int = 1):
    """Seed torch, force deterministic kernels and fix the thread count (float sums can round
    differently with another count); restore the previous settings afterwards."""
    import torch

    from poolkit import kernels

    previous = (
        torch.are_deterministic_algorithms_enabled(),
        torch.get_num_threads(),
        kernels.get_num_threads(),
    )
    torch.use_deterministic_algorithms(True)
    # One thread by default: these networks are too small to gain from more, and on a shared
    # machine threads that wait on each other cost several times the work itself. poolkit's
    # kernels get the same count.
    torch.set_num_threads(threads)
    kernels.set_num_threads(threads)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0])
        torch.set_num_threads(previous[1])
        kernels.set_num_threads(previous[2])


def shift_images(x: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Translate each image ``x[i]`` by ``shifts[i] = (dy, dx)`` pixels with zero fill.

    Shape: ``(N, C, H, W)`` and ``(N, 2)`` -> ``(N, C, H, W)``; ``out[i, :, y, x] =
    x[i, :, y - dy, x - dx]`` where that is inside the image, else 0.

    >>> shift_images(np.arange(4.0).reshape(1, 1, 2, 2), np.array([[1, 0]]))[0, 0].tolist()
    [[0.0, 0.0], [0.0, 1.0]]
    """
    s = int(np.abs(shifts).max(initial=0))
    height, width = x.shape[2:]
    padded = np.pad(x, ((0, 0), (0, 0), (s, s), (s, s)))
    out = np.empty_like(x)
    for i, (dy, dx) in enumerate(shifts):
        out[i] = padded[i, :, s - dy : s - dy + height, s - dx : s - dx + width]
    return out


def predict(model, x: np.ndarray) -> np.ndarray:
    """Predicted classes for ``x`` (NumPy), in evaluation mode, in batches."""
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(x), EVAL_BATCH):
            logits = model(torch.from_numpy(np.ascontiguousarray(x[start : start + EVAL_BATCH])))
            out.append(logits.argmax(1).numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def shift_consistency(
    model, x: np.ndarray, y: np.ndarray, max_shift: int, pairs: int, seed: int
) -> tuple[float, float]:
    """``(consistency, accuracy on the shifted images)`` as defined in the module docstring.

    The shifts come from ``numpy.random.default_rng(seed)`` alone, so every pooling choice
    trained with the same seed is scored on the same shifted images.
    """
    rng = np.random.default_rng(seed)
    same = correct = 0
    for _ in range(pairs):
        shifts = rng.integers(-max_shift, max_shift + 1, size=(2, len(x), 2))
        first = predict(model, shift_images(x, shifts[0]))
        second = predict(model, shift_images(x, shifts[1]))
        same += int((first == second).sum())
        correct += int((first == y).sum() + (second == y).sum())
    return same / (pairs * len(x)), correct / (2 * pairs * len(x))


def train_model(model, data: Dataset, config: TrainConfig, seed: int, label: str = ""):
    """Train ``model`` in place with Adam and cross-entropy; return ``(seconds, history)``.

    Batches come from a ``DataLoader`` whose shuffling generator is seeded with ``seed``; the
    history holds per-epoch mean training loss, training accuracy (over the epoch's batches) and
    test accuracy. ``seconds`` counts the optimisation steps only, not the test evaluations.
    With ``config.augment`` > 0 every training image is shifted at random by up to that many
    pixels (as in :func:`shift_images`; shifts drawn from ``default_rng(seed)``).
    """
    import torch
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

    dataset = TensorDataset(torch.from_numpy(data.x_train), torch.from_numpy(data.y_train))
    generator = torch.Generator().manual_seed(seed)
    # A batch sampler with batch_size=None hands whole index lists to the tensor dataset: one
    # gather per batch instead of one __getitem__ per image, same order as shuffle=True.
    sampler = BatchSampler(RandomSampler(dataset, generator=generator), config.batch_size, False)
    loader = DataLoader(dataset, sampler=sampler, batch_size=None)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    history: list[dict] = []
    seconds = 0.0
    shifts = np.random.default_rng(seed)
    epochs = _progress(range(config.epochs), config, label)
    for epoch in epochs:
        model.train()
        total_loss, correct = 0.0, 0
        start = time.perf_counter()
        for images, labels in loader:
            if config.augment:
                offsets = shifts.integers(-config.augment, config.augment + 1, (len(labels), 2))
                images = torch.from_numpy(shift_images(images.numpy(), offsets))
            optimizer.zero_grad()
            logits = model(images)
            loss = loss_fn(logits, labels)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(labels)
            correct += int((logits.argmax(1) == labels).sum())
        seconds += time.perf_counter() - start
        test_accuracy = float((predict(model, data.x_test) == data.y_test).mean())
        row = {
            "epoch": epoch + 1,
            "loss": total_loss / len(dataset),
            "train_accuracy": correct / len(dataset),
            "test_accuracy": test_accuracy,
        }
        history.append(row)
        if config.progress:
            epochs.set_postfix(  # a dict keeps this order (keywords would be sorted)
                {
                    "loss": f"{row['loss']:.3f}",
                    "train": f"{row['train_accuracy']:.1%}",
                    "test": f"{test_accuracy:.1%}",
                }
            )
        if config.verbose:
            _log(
                f"{label} epoch {epoch + 1}/{config.epochs}: loss {row['loss']:.4f}, train "
                f"accuracy {row['train_accuracy']:.2%}, test accuracy {test_accuracy:.2%}",
                config,
            )
    return seconds, history


def _progress(iterable, config: TrainConfig, label: str):
    """Epoch progress on stderr: a tqdm bar on a terminal, plain ``label: epoch k/n (loss=...)``
    lines in a log or a pipe (no ``\r``); nothing when ``config.progress`` is off."""
    if not config.progress:
        return iterable
    from poolkit.tour._common import progress

    return progress(iterable, label, enabled=True, unit="epoch", dynamic_ncols=True)


def _log(message: str, config: TrainConfig) -> None:
    if config.progress:
        from tqdm.auto import tqdm

        tqdm.write(message)
    else:
        print(message)


def checkpoint_path(base: str, pool: str, seed: int, single: bool) -> Path:
    """Where ``--save`` writes one model: ``base`` itself for a single model, else
    ``<stem>-<pool>-seed<seed><suffix>`` beside it."""
    path = Path(base)
    if single:
        return path
    return path.with_name(f"{path.stem}-{pool}-seed{seed}{path.suffix or '.pt'}")


def save_checkpoint(model, path: Path, meta: dict) -> None:
    """``{"state_dict": ..., "meta": {model, pool, image_shape, num_classes, ...}}``."""
    import torch

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": model.state_dict(), "meta": meta}, path)
    except OSError as error:
        raise PoolingError(f"--save: cannot write {str(path)!r}: {error}") from None


def read_checkpoint(path: str | Path) -> tuple[dict, dict]:
    """``(state_dict, meta)`` from a checkpoint written by :func:`save_checkpoint` (or a bare
    ``state_dict``: ``meta`` is then ``{}``), loaded with ``torch.load(weights_only=True)``.

    Every problem is one :class:`PoolingError` line naming ``--load`` and the file: missing, a
    directory, empty, corrupt, a ``meta`` that is not a dict, tensors missing, and a file
    torch's weights-only loader refuses (a pickle asking for code such as ``os.system``), which
    is reported as "refused for safety" with torch's reason (never retried unsafely).
    """
    import warnings

    import torch

    where = repr(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PoolingError(f"--load: no such file: {where}") from None
    except OSError as error:
        raise PoolingError(f"--load: cannot open {where}: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise PoolingError(f"--load: {where} is a directory, not a checkpoint file")
    if not stat.S_ISREG(info.st_mode):
        raise PoolingError(f"--load: {where} is not a regular file")
    if info.st_size == 0:
        raise PoolingError(f"--load: {where} is empty, not a checkpoint")
    try:
        with warnings.catch_warnings():  # torch warns (several lines) on unusual pickles
            warnings.simplefilter("ignore")
            blob = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        asks, broken = _pickle_globals(path, info.st_size)
        if broken is not None and not asks:
            raise PoolingError(
                f"--load: cannot read checkpoint {where}: not a torch checkpoint nor a pickle "
                f"({broken})"
            ) from None
        wants = f"it asks for {', '.join(asks[:3])}; " if asks else ""
        raise PoolingError(
            f"--load: refused for safety: {where} holds more than tensors and plain "
            f"containers ({wants}torch's weights-only loader: {_torch_reason(error)})"
        ) from None
    except Exception as error:  # torch raises several types for a corrupt or foreign file
        raise PoolingError(
            f"--load: cannot read checkpoint {where}: {_torch_reason(error)}"
        ) from None
    if isinstance(blob, dict) and "state_dict" in blob:
        meta = blob.get("meta", {})
        if not isinstance(meta, dict):
            raise PoolingError(
                f"--load: {where} has a 'meta' of type {type(meta).__name__}, not a dict"
            )
        blob = blob["state_dict"]
    else:
        meta = {}
    if not isinstance(blob, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in blob.items()
    ):
        raise PoolingError(
            f"--load: {where} is not a state_dict (a dict of names to tensors) nor a "
            f"checkpoint written by --save"
        )
    return blob, meta


def _pickle_globals(path, size: int, limit: int = 64 << 20) -> tuple[list[str], str | None]:
    """The ``module.name`` globals a plain (non-zip) pickle file would import, found by
    scanning its opcodes without running any, and the scan's error when it is no pickle."""
    import pickletools
    import zipfile

    if size > limit or zipfile.is_zipfile(path):
        return [], None
    names, strings = [], []
    try:
        with open(path, "rb") as handle:
            for opcode, arg, _ in pickletools.genops(handle):
                if opcode.name in ("GLOBAL", "INST"):
                    names.append(str(arg).replace(" ", "."))
                elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                    names.append(f"{strings[-2]}.{strings[-1]}")
                elif isinstance(arg, str):
                    strings.append(arg)
    except Exception as error:  # garbage: an unknown opcode, a length past the end, ...
        text = " ".join(str(error).split()) or type(error).__name__
        return sorted(set(names)), text if len(text) <= 120 else text[:117] + "..."
    return sorted(set(names)), None


def _torch_reason(error: BaseException) -> str:
    """torch's own reason for a refused or broken file, in one line, without its advice to
    retry with ``weights_only=False``."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    kept = []
    for line in lines:
        if line.startswith(("Weights only load failed", "Check the documentation")):
            continue
        if "WeightsUnpickler error:" in line:
            line = line.split("WeightsUnpickler error:", 1)[1].strip()
        if "weights_only=False" in line or "weights_only` set to `False" in line:
            continue
        if line:
            kept.append(line.split(" This is an internal miniz error")[0])
    text = " ".join(kept) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def load_checkpoint(model, path: str | Path, meta: dict) -> None:
    """Load a checkpoint written by :func:`save_checkpoint` (or a bare ``state_dict``) into
    ``model``; a different model, pool or data shape is a :class:`PoolingError`."""
    state, saved = read_checkpoint(path)
    for key in ("model", "pool", "image_shape", "num_classes"):
        if key in saved and _as_list(saved[key]) != _as_list(meta[key]):
            raise PoolingError(
                f"--load: {str(path)!r} holds {key}={_short(saved[key])}, this run has "
                f"{key}={meta[key]!r}"
            )
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise PoolingError(f"--load: {str(path)!r} does not fit this model: {first}") from None


def _short(value) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def resolve_max_shift(config: TrainConfig, data: Dataset) -> int:
    """``config.max_shift``, or by default 1/8 of the image's short side before any margin
    (at least 1): 1 px on the 8x8 digits, 4 px on 28x28 MNIST and 32x32 CIFAR-10."""
    if config.max_shift is not None:
        return config.max_shift
    side = min(data.image_shape[1:]) - 2 * data.margin
    return max(1, round(side / 8))


def run_experiment(data: Dataset, config: TrainConfig) -> list[PoolResult]:
    """Train and measure every pooling choice in ``config.pools``; one result per choice.

    ``config.max_shift`` is resolved in place (see :func:`resolve_max_shift`).
    """
    config.check()
    config.max_shift = resolve_max_shift(config, data)
    from poolkit.train.models import build_model, count_macs, count_parameters

    results = []
    single = len(config.pools) == 1 and config.runs == 1
    for pool in config.pools:
        runs = []
        parameters = macs = 0
        for index in range(config.runs):
            seed = config.seed + index
            label = f"{config.model}/{pool} seed {seed}"
            meta = {
                "model": config.model,
                "pool": pool,
                "image_shape": list(data.image_shape),
                "num_classes": data.num_classes,
                "lp_norm": config.lp_norm,
                "seed": seed,
            }
            with deterministic(seed, config.threads):
                model = build_model(
                    config.model,
                    pool,
                    data.image_shape,
                    data.num_classes,
                    lp_norm=config.lp_norm,
                    backend=config.backend,
                )
                if config.load:
                    load_checkpoint(model, config.load, meta)
                parameters = count_parameters(model)
                macs = count_macs(model, data.image_shape)
                seconds, history = train_model(model, data, config, seed, label)
                accuracy = float((predict(model, data.x_test) == data.y_test).mean())
                consistency, shifted = shift_consistency(
                    model, data.x_test, data.y_test, config.max_shift, config.shift_pairs, seed
                )
            if config.save:
                path = checkpoint_path(config.save, pool, seed, single)
                save_checkpoint(model, path, meta)
            runs.append(RunResult(seed, accuracy, consistency, shifted, seconds, history))
        results.append(PoolResult(pool, config.model, parameters, macs, runs))
    return results
