"""Differential tests against TensorFlow (``tensorflow-cpu``), channels-last as TF pools.

- 'SAME' / 'VALID' max and average pooling in 1-3 dims (``tf.nn.max_pool{n}d`` /
  ``tf.nn.avg_pool{n}d``, dilated windows through ``tf.nn.pool``, and the Keras layers): a
  'same' average must leave the pads out of the divisor without being told, because
  poolkit's ``count_include_pad=None`` means False for string padding.
- Explicit-padding max pooling (``tf.nn.max_pool1d`` / ``max_pool2d`` accept per-side pads).
- Gradients through ``tf.GradientTape``.
- ``tf.nn.max_pool_with_argmax`` indices through ``poolkit.convert_indices(..., to="tf")``
  and back (``source="tf"``), with ``include_batch_in_index`` both ways.

TensorFlow is imported once for the module (it is slow to import); the cases compared are
counted in the ``counts`` fixture and printed at the end of the run.
"""

from __future__ import annotations

import itertools
import os
import zlib

import numpy as np
import pytest

import poolkit

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.tensorflow

BATCH, CHANNELS = 2, 3
SHAPES = {1: [(1,), (5,), (8,)], 2: [(5, 5), (4, 7), (1, 3)], 3: [(4, 5, 3), (3, 3, 3)]}
KERNELS = {1: [1, 2, 3, 4], 2: [1, 2, 3, (2, 3)], 3: [1, 2, 3, (1, 2, 3)]}
STRIDES = {1: [1, 2, 3], 2: [1, 2, (1, 3), (3, 2)], 3: [1, 2, (2, 1, 3)]}
PADDINGS = ["SAME", "VALID"]


def rng_for(*key) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def op(name: str, n: int):
    return getattr(poolkit, f"{name}{n}d")


class Mismatches:
    """Collects every disagreement of one test, reported together at the end."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, label, actual, expected, *, exact=True, rtol=1e-12) -> None:
        actual, expected = np.asarray(actual), np.asarray(expected)
        if actual.shape != expected.shape:
            self.items.append(f"{label}: shape {actual.shape} != tf {expected.shape}")
        elif actual.dtype != expected.dtype:
            self.items.append(f"{label}: dtype {actual.dtype} != tf {expected.dtype}")
        elif exact and not np.array_equal(actual, expected, equal_nan=True):
            self.items.append(f"{label}: differs at {np.sum(actual != expected)} places")
        elif not exact and not np.allclose(actual, expected, rtol=rtol, atol=rtol):
            worst = np.max(np.abs(actual - expected))
            self.items.append(f"{label}: differs by up to {worst}")

    def fail(self, label: str, message: str) -> None:
        self.items.append(f"{label}: {message}")

    def assert_none(self, compared: int) -> None:
        assert compared > 0, "the grid compared nothing"
        if self.items:
            shown = "\n".join(self.items[:25])
            pytest.fail(f"{len(self.items)} mismatches in {compared} cases:\n{shown}")


# oneDNN's kernels (on by default on AVX-512 CPUs) refuse a window longer than the input with
# AbortedError ("could not create a descriptor") where TF's own return an empty tensor
REFUSALS = (tf.errors.InvalidArgumentError, tf.errors.AbortedError, ValueError)


def tf_call(function, *args, **kwargs):
    """TensorFlow's result as NumPy, or why it gave none: the error it raised, or "empty".

    With 'VALID' padding and a window longer than the input TensorFlow returns an empty
    tensor; poolkit raises PoolingError there ("the output must be >= 1"), which callers
    check with :func:`expect_rejection`.
    """
    try:
        result = np.asarray(function(*args, **kwargs))
    except REFUSALS as error:
        return None, error
    return (None, "empty") if result.size == 0 else (result, None)


def expect_rejection(bad, label, function, *args, **kwargs) -> None:
    """TensorFlow refused or returned nothing: poolkit must raise PoolingError."""
    try:
        function(*args, **kwargs)
    except poolkit.PoolingError:
        return
    bad.fail(label, "TensorFlow rejects (or returns an empty tensor), poolkit accepts")


def tf_dtype(n: int):
    """TensorFlow's CPU MaxPool3D/AvgPool3D have no float64 kernels: float32 there."""
    return np.float32 if n == 3 else np.float64


def negative_same_pad(shape, kernel, stride) -> bool:
    """Whether 'SAME' needs a negative total pad ``(out-1)*s + k - L`` along some dim.

    TensorFlow documents ``max(..., 0)`` and its 1-d/2-d kernels clamp it, but its 3-d
    kernels (MaxPool3D, AvgPool3D) do not: with ``k < s`` they shift the windows (e.g.
    L=3, k=1, s=3 pools element 1 instead of element 0). poolkit follows the documented
    rule; the tests count such 3-d cases separately when TensorFlow disagrees.
    """
    n = len(shape)
    kernel = (kernel,) * n if isinstance(kernel, int) else kernel
    stride = (stride,) * n if isinstance(stride, int) else stride
    return any(
        (-(-length // s) - 1) * s + k - length < 0
        for length, k, s in zip(shape, kernel, stride, strict=True)
    )


# --------------------------------------------------------------------------- SAME / VALID


@pytest.mark.parametrize("n", [1, 2, 3])
def test_same_and_valid(n, counts):
    """tf.nn.max_pool / avg_pool with 'SAME' and 'VALID' against poolkit's "same"/"valid"
    (channels_last, count_include_pad left at its default), values and gradients."""
    bad, compared = Mismatches(), 0
    for shape, k, s, padding in itertools.product(SHAPES[n], KERNELS[n], STRIDES[n], PADDINGS):
        x64 = rng_for("tf", n, shape, k, s).standard_normal((BATCH, *shape, CHANNELS))
        kwargs = {"padding": padding.lower(), "data_format": "channels_last"}
        for reducer in ("max", "avg"):
            x = x64.astype(tf_dtype(n))
            rtol = 1e-12 if x.dtype == np.float64 else 1e-5
            label = f"{reducer}{n}d shape={shape} k={k} s={s} padding={padding}"
            tf_op = getattr(tf.nn, f"{reducer}_pool{n}d")
            xt = tf.constant(x)
            with tf.GradientTape() as tape:
                tape.watch(xt)
                try:
                    yt = tf_op(xt, k, s, padding)
                except REFUSALS:
                    yt = None
            if yt is None or yt.shape.num_elements() == 0:
                expect_rejection(bad, label, op(f"{reducer}_pool", n), x, k, s, **kwargs)
                continue
            g = rng_for("g", label).standard_normal(yt.shape).astype(x.dtype)
            grad_tf = tape.gradient(yt, xt, output_gradients=tf.constant(g)).numpy()
            try:
                y = op(f"{reducer}_pool", n)(x, k, s, **kwargs)
                grad = getattr(poolkit, f"{reducer}_pool{n}d_backward")(g, x, k, s, **kwargs)
            except poolkit.PoolingError as error:
                bad.fail(label, f"TensorFlow accepts, poolkit raises {error}")
                continue
            if (
                n == 3
                and padding == "SAME"
                and negative_same_pad(shape, k, s)
                and not np.allclose(y, yt.numpy(), rtol=rtol, atol=rtol)
            ):
                counts["tensorflow (3-d SAME negative pad: TensorFlow bug)"][f"{reducer}3d"] += 1
                continue
            bad.check(f"{label} values", y, yt.numpy(), exact=reducer == "max", rtol=rtol)
            bad.check(f"{label} grad", grad, grad_tf, exact=False, rtol=rtol)
            compared += 1
    counts["tensorflow"][f"same_valid{n}d"] += compared
    bad.assert_none(compared)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_dilated_pool(n, counts):
    """tf.nn.pool with dilation_rate > 1 ('VALID' and stride 1: TensorFlow implements no
    other combination), max and average."""
    bad, compared = Mismatches(), 0
    for shape, k, d, kind in itertools.product(SHAPES[n], KERNELS[n], [2, 3], ["MAX", "AVG"]):
        x = rng_for("dilated", n, shape).standard_normal((BATCH, *shape, CHANNELS))
        x = x.astype(tf_dtype(n))
        label = f"{kind} dilated{n}d shape={shape} k={k} d={d}"
        window = (k,) * n if isinstance(k, int) else k
        name = "max_pool" if kind == "MAX" else "avg_pool"
        kwargs = {"padding": "valid", "dilation": d, "data_format": "channels_last"}
        if any((w - 1) * d + 1 > length for w, length in zip(window, shape, strict=True)):
            # a dilated window longer than the input: TF refuses it, except that on some CPUs
            # its MaxPool3D dies of SIGFPE instead (seen with TF 2.21 on AVX-512/AMX), so
            # TensorFlow is not asked; poolkit must refuse it
            expect_rejection(bad, label, op(name, n), x, k, 1, **kwargs)
            continue
        expected, error = tf_call(
            tf.nn.pool, x, window, kind, strides=(1,) * n, padding="VALID", dilations=(d,) * n
        )
        if error is not None:
            expect_rejection(bad, label, op(name, n), x, k, 1, **kwargs)
            continue
        try:
            y = op(name, n)(x, k, 1, **kwargs)
        except poolkit.PoolingError as error:
            bad.fail(label, f"TensorFlow accepts, poolkit raises {error}")
            continue
        bad.check(label, y, expected, exact=kind == "MAX", rtol=1e-5)
        compared += 1
    counts["tensorflow"][f"dilated{n}d"] += compared
    bad.assert_none(compared)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_keras_layers(n, counts):
    """tf.keras.layers.MaxPooling{n}D / AveragePooling{n}D (default channels_last) with
    'same' and 'valid' padding; strides=None means pool_size in Keras and in poolkit."""
    bad, compared = Mismatches(), 0
    strides = [None, *STRIDES[n][1:]]
    for shape, k, s, padding in itertools.product(SHAPES[n][1:], KERNELS[n][1:], strides, PADDINGS):
        x = rng_for("keras", n, shape).standard_normal((BATCH, *shape, CHANNELS))
        for kind, name in (("MaxPooling", "max_pool"), ("AveragePooling", "avg_pool")):
            label = f"{kind}{n}D shape={shape} pool_size={k} strides={s} padding={padding}"
            layer = getattr(tf.keras.layers, f"{kind}{n}D")(
                pool_size=k, strides=s, padding=padding.lower()
            )
            expected, error = tf_call(layer, x)
            kwargs = {"padding": padding.lower(), "data_format": "channels_last"}
            if error is not None:
                expect_rejection(bad, label, op(name, n), x, k, s, **kwargs)
                continue
            y = op(name, n)(x, k, s, **kwargs)
            bad.check(label, y, expected.astype(y.dtype), exact=False, rtol=1e-6)
            compared += 1
    counts["tensorflow"][f"keras{n}d"] += compared
    bad.assert_none(compared)


# --------------------------------------------------------------------------- explicit pads


@pytest.mark.parametrize("n", [1, 2])
def test_explicit_padding_max(n, counts):
    """tf.nn.max_pool{n}d with explicit per-side paddings ``[[0,0],[lo,hi],...,[0,0]]`` against
    poolkit's (lo, hi) pairs, values and gradients. TensorFlow, like poolkit, requires each
    pad to be smaller than the window; the grid includes pads that are not, and both must
    refuse them."""
    bad, compared = Mismatches(), 0
    pads_1d = [(0, 0), (1, 0), (0, 2), (2, 1), (3, 3)]
    pads = pads_1d if n == 1 else list(itertools.product(pads_1d[:4], pads_1d[:4]))
    for shape, k, s, pad in itertools.product(SHAPES[n][1:], KERNELS[n][1:], STRIDES[n], pads):
        pad_pairs = (pad,) if n == 1 else pad
        x = rng_for("explicit", n, shape).standard_normal((BATCH, *shape, CHANNELS))
        label = f"max{n}d shape={shape} k={k} s={s} pads={pad_pairs}"
        tf_pads = [[0, 0], *[list(p) for p in pad_pairs], [0, 0]]
        kwargs = {"padding": list(pad_pairs), "data_format": "channels_last"}
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            try:
                yt = getattr(tf.nn, f"max_pool{n}d")(xt, k, s, tf_pads)
            except REFUSALS:
                yt = None
        if yt is None or yt.shape.num_elements() == 0:
            expect_rejection(bad, label, op("max_pool", n), x, k, s, **kwargs)
            continue
        g = rng_for("g", label).standard_normal(yt.shape)
        grad_tf = tape.gradient(yt, xt, output_gradients=tf.constant(g)).numpy()
        try:
            y = op("max_pool", n)(x, k, s, **kwargs)
            grad = backward_max(n)(g, x, k, s, **kwargs)
        except poolkit.PoolingError as error:
            bad.fail(label, f"TensorFlow accepts, poolkit raises {error}")
            continue
        bad.check(f"{label} values", y, yt.numpy())
        bad.check(f"{label} grad", grad, grad_tf, exact=False)
        compared += 1
    counts["tensorflow"][f"explicit_max{n}d"] += compared
    bad.assert_none(compared)


def backward_max(n: int):
    return getattr(poolkit, f"max_pool{n}d_backward")


# --------------------------------------------------------------------------- argmax indices


@pytest.mark.parametrize("include_batch_in_index", [False, True])
def test_max_pool_with_argmax(include_batch_in_index, counts):
    """tf.nn.max_pool_with_argmax indices equal poolkit's converted with convert_indices(...,
    to="tf"), and TensorFlow's convert back to poolkit's (source="tf"). Distinct values:
    TensorFlow's argmax tie rule is not part of its contract."""
    bad, compared = Mismatches(), 0
    for shape, k, s, padding in itertools.product(
        [*SHAPES[2][:2], (6, 4)], KERNELS[2], STRIDES[2], PADDINGS
    ):
        x = rng_for("argmax", shape).permutation(BATCH * np.prod(shape) * CHANNELS)
        x = x.reshape(BATCH, *shape, CHANNELS).astype(np.float64)
        label = f"argmax shape={shape} k={k} s={s} padding={padding} batch={include_batch_in_index}"
        try:
            values, argmax = tf.nn.max_pool_with_argmax(
                x, k, s, padding, include_batch_in_index=include_batch_in_index
            )
        except (tf.errors.InvalidArgumentError, ValueError):
            expect_rejection(bad, label, poolkit.max_pool2d, x, k, s, padding.lower())
            continue
        y, i = poolkit.max_pool2d(
            x, k, s, padding.lower(), return_indices=True, data_format="channels_last"
        )
        options = {"data_format": "channels_last", "include_batch_in_index": include_batch_in_index}
        bad.check(f"{label} values", y, values.numpy())
        bad.check(
            f"{label} to tf", poolkit.convert_indices(i, "tf", x.shape, **options), argmax.numpy()
        )
        back = poolkit.convert_indices(argmax.numpy(), "torch", x.shape, source="tf", **options)
        bad.check(f"{label} from tf", back, i)
        if not include_batch_in_index:  # one unbatched (H, W, C) image: spatial_dims says so
            _, i1 = poolkit.max_pool2d(
                x[1], k, s, padding.lower(), return_indices=True, data_format="channels_last"
            )
            unbatched = poolkit.convert_indices(i1, "tf", x[1].shape, **options, spatial_dims=2)
            bad.check(f"{label} unbatched to tf", unbatched, argmax.numpy()[1])
        compared += 1
    counts["tensorflow"]["max_pool_with_argmax"] += compared
    bad.assert_none(compared)
