"""TensorBoard logging for ``explore``, ``tour`` and ``train`` (the ``--tensorboard DIR`` flag).

The PyTorch article logs CIFAR-10 batches before and after ``MaxPool2d(3, ceil_mode=True)`` with
``SummaryWriter.add_images``: the pooled batch looks like a lower-resolution copy ("HD to SD").
:func:`pooling_batch` rebuilds that lesson offline from scikit-image's bundled colour
photographs. :class:`SummaryLog` writes image batches and scalars with PyTorch's
``SummaryWriter`` when the ``tensorboard`` package is installed, else with TensorFlow's
``tf.summary``; both write the event files TensorBoard reads.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from poolkit.errors import PoolingError

#: Said when neither writer can be used; nothing is logged then.
MISSING = (
    "--tensorboard: no TensorBoard writer is installed (it needs the tensorboard package, with "
    "torch or tensorflow: pip install tensorboard); nothing was logged"
)

#: scikit-image's bundled colour photographs, the tour's stand-in for CIFAR-10.
COLOUR_IMAGES = ("astronaut", "coffee", "chelsea", "rocket")


def has_module(name: str) -> bool:
    """Whether ``name`` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a None or spec-less entry in sys.modules
        return False


class SummaryLog:
    """Image batches and scalars to TensorBoard event files under ``logdir``.

    Use as a context manager; ``available`` is False (and every call a no-op) when no writer is
    installed, so a caller can say :data:`MISSING` instead of failing after its work is done.
    """

    def __init__(self, logdir: str | Path):
        self.logdir = str(logdir)
        self.backend: str | None = None
        self.images_written = 0
        self.scalars_written = 0
        self._writer = None

    @property
    def available(self) -> bool:
        return self._writer is not None

    def __enter__(self) -> SummaryLog:
        if not has_module("tensorboard"):  # torch's and tf's summaries both need it
            return self
        # tensorboard imports TensorFlow where it is installed; keep its C++ start-up chatter
        # (oneDNN notices) off the user's terminal
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            SummaryWriter = None
        if SummaryWriter is not None:
            self._writer, self.backend = SummaryWriter(self.logdir), "torch.utils.tensorboard"
            return self
        try:
            import tensorflow as tf
        except ImportError:
            return self
        self._writer, self.backend = tf.summary.create_file_writer(self.logdir), "tf.summary"
        return self

    def __exit__(self, *exc) -> None:
        if self._writer is not None:
            self._writer.flush()
            self._writer.close()

    def images(self, tag: str, batch: np.ndarray, step: int = 0) -> None:
        """Log an ``(N, C, H, W)`` batch (C = 1 or 3), rescaled to [0, 1] as one image set."""
        if self._writer is None:
            return
        batch = to_unit(batch)
        if self.backend == "tf.summary":
            import tensorflow as tf

            with self._writer.as_default():
                images = batch.transpose(0, 2, 3, 1)  # tf.summary wants NHWC
                tf.summary.image(tag, images, step=step, max_outputs=len(batch))
        else:
            self._writer.add_images(tag, batch, step, dataformats="NCHW")
        self.images_written += 1

    def scalar(self, tag: str, value: float, step: int) -> None:
        if self._writer is None:
            return
        if self.backend == "tf.summary":
            import tensorflow as tf

            with self._writer.as_default():
                tf.summary.scalar(tag, float(value), step=step)
        else:
            self._writer.add_scalar(tag, float(value), step)
        self.scalars_written += 1

    def report(self) -> str:
        """One line: what was logged, where, and how to look at it."""
        if not self.available:
            return MISSING
        parts = [f"{self.images_written} image set(s)"]
        if self.scalars_written:
            parts.append(f"{self.scalars_written} scalars")
        return (
            f"logged {' and '.join(parts)} with {self.backend} to {self.logdir} "
            f"(view: tensorboard --logdir {self.logdir})"
        )


def to_unit(batch: np.ndarray) -> np.ndarray:
    """``batch`` as float32 in [0, 1]: the whole set shares one min-max scale."""
    batch = np.asarray(batch, dtype=np.float32)
    low, high = float(batch.min()), float(batch.max())
    return (batch - low) / (high - low if high > low else 1.0)


def pooling_batch(count: int = 64, size: int = 96, seed: int = 0) -> np.ndarray:
    """``count`` RGB crops ``(count, 3, size, size)`` in [0, 1] from the bundled photographs.

    The crops are taken at random places (``seed``) from photographs scaled to 4x ``size`` on
    their short side, so each crop holds a recognisable detail, as a CIFAR-10 image does.

    Shape: ``(count, 3, size, size)``, float32.

    Example:
        >>> pooling_batch(4, 32).shape
        (4, 3, 32, 32)
    """
    if not isinstance(count, int) or count < 1:
        raise PoolingError(f"pooling_batch: count must be an integer >= 1, got {count!r}")
    if not isinstance(size, int) or size < 8:
        raise PoolingError(f"pooling_batch: size must be an integer >= 8, got {size!r}")
    import skimage.data
    from skimage.transform import rescale

    rng = np.random.default_rng(seed)
    photos = []
    for name in COLOUR_IMAGES:
        photo = getattr(skimage.data, name)()[..., :3].astype(np.float32) / 255.0
        scale = 4 * size / min(photo.shape[:2])
        photos.append(rescale(photo, scale, channel_axis=-1, anti_aliasing=scale < 1))
    crops = np.empty((count, 3, size, size), dtype=np.float32)
    for i in range(count):
        photo = photos[i % len(photos)]
        top = rng.integers(0, photo.shape[0] - size + 1)
        left = rng.integers(0, photo.shape[1] - size + 1)
        crops[i] = photo[top : top + size, left : left + size].transpose(2, 0, 1)
    return np.clip(crops, 0.0, 1.0)


def log_stages(log: SummaryLog, stages: dict[str, np.ndarray]) -> None:
    """explore's stages (2-d arrays), one image each, each rescaled to [0, 1] on its own."""
    for step, (name, data) in enumerate(stages.items()):
        log.images(f"explore/{step}_{name}", np.asarray(data)[None, None])


def log_pooling_lesson(log: SummaryLog, prefix: str = "tour") -> tuple[tuple, tuple]:
    """The PyTorch article's lesson: a batch of 64 images through ``MaxPool2d(3,
    ceil_mode=True)``, input and output logged as image sets; returns both shapes."""
    import poolkit

    batch = pooling_batch()
    pooled = poolkit.max_pool2d(batch, 3, ceil_mode=True)
    log.images(f"{prefix}/maxpool_lesson/0_input", batch)
    log.images(f"{prefix}/maxpool_lesson/1_max_pool2d_k3_ceil", pooled)
    return batch.shape, pooled.shape
