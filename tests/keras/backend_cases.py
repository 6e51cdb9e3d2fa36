"""Cases run under one Keras backend (KERAS_BACKEND set by test_keras_backends.py)."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
BACKEND = keras.backend.backend()
if BACKEND == "jax":
    pytest.importorskip("poolkit.jax")

import poolkit  # noqa: E402
import poolkit.keras as pk  # noqa: E402

RNG = np.random.default_rng(0)


def grad(layer, x, g):
    """Forward value and d(sum(out*g))/dx on the active backend, as NumPy."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            out = layer(xt)
            loss = tf.reduce_sum(out * g)
        return out.numpy(), tape.gradient(loss, xt).numpy()
    if BACKEND == "torch":
        import torch

        xt = torch.tensor(x, requires_grad=True)
        out = layer(xt)
        (out * torch.as_tensor(g)).sum().backward()
        return out.detach().numpy(), xt.grad.numpy()
    import jax

    def f(v):
        out = layer(v)
        return (out * g).sum(), out

    step = jax.value_and_grad(f, has_aux=True)
    if x.ndim == 5:
        # Eager JAX compiles each of a 3-d max pool's 27 window taps on its own (2.5 s a case,
        # against 1 s for one jit); 1-d and 2-d cases run eagerly, and tests/jax runs 3-d
        # eagerly against the same NumPy oracle.
        step = jax.jit(step)
    (_, out), dx = step(x)
    return np.asarray(out), np.asarray(dx)


PADS = ["valid", "same", "same_lower", 1, "pairs"]


def pad_for(n, spelling):
    return [(0, 1), (1, 0), (1, 1)][:n] if spelling == "pairs" else spelling


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
@pytest.mark.parametrize("spelling", PADS)
@pytest.mark.parametrize("ceil_dil", [(False, 1), (True, 1), (False, 2)])
@pytest.mark.parametrize("family", ["max", "avg", "sum", "lp"])
def test_window_layers_vs_numpy(n, df, spelling, ceil_dil, family):
    ceil, dil = ceil_dil
    padding = pad_for(n, spelling)
    shape = (2, *(7, 6, 5)[:n], 3) if df == "channels_last" else (2, 3, *(7, 6, 5)[:n])
    x = RNG.standard_normal(shape).astype("float32")
    args = dict(kernel_size=3, stride=2, padding=padding, dilation=dil, ceil_mode=ceil)
    layer_kw = dict(pool_size=3, strides=2, padding=padding, data_format=df,
                    dilation_rate=dil, ceil_mode=ceil)
    extra = {}
    if family == "max":
        layer = getattr(pk, f"MaxPooling{n}D")(**layer_kw)
    elif family == "avg":
        layer = getattr(pk, f"AveragePooling{n}D")(**layer_kw)
    elif family == "sum":
        layer = getattr(pk, f"SumPooling{n}D")(**layer_kw)
    else:
        layer = getattr(pk, f"LpPooling{n}D")(p=3.0, **layer_kw)
        extra = {"p": 3.0}
    name = {"max": "max_pool", "avg": "avg_pool", "sum": "sum_pool", "lp": "lp_pool"}[family]
    fwd = getattr(poolkit, f"{name}{n}d")
    bwd = getattr(poolkit, f"{name}{n}d_backward")
    ref = fwd(x, *extra.values(), **args, data_format=df)
    g = RNG.standard_normal(ref.shape).astype("float32")
    out, dx = grad(layer, x, g)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    ref_dx = bwd(g, x, 3.0, **args, data_format=df) if extra else bwd(g, x, **args, data_format=df)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-4, atol=1e-5)


def compiled_grad(layer, x, g):
    """Like :func:`grad`, compiled the way the backend compiles a model: XLA on TensorFlow
    (``jit_compile=True``), ``jax.jit`` on JAX, ``torch.compile`` on torch."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        @tf.function(jit_compile=True)
        def step(v):
            with tf.GradientTape() as tape:
                tape.watch(v)
                out = layer(v)
                loss = tf.reduce_sum(out * g)
            return out, tape.gradient(loss, v)

        out, dx = step(tf.constant(x))
        return out.numpy(), dx.numpy()
    if BACKEND == "torch":
        import torch

        # as Keras compiles (jit_compile=True): Keras's own Layer.__call__ breaks a fullgraph
        return grad(torch.compile(layer, dynamic=False), x, g)
    import jax

    def f(v):
        out = layer(v)
        return (out * g).sum(), out

    (_, out), dx = jax.jit(jax.value_and_grad(f, has_aux=True))(x)
    return np.asarray(out), np.asarray(dx)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
@pytest.mark.parametrize("family", ["max", "avg", "sum", "lp"])
def test_window_layers_compiled(n, df, family):
    if BACKEND == "torch" and n != 2:
        pytest.skip("torch.compile costs seconds a graph: 2-d stands for all (and tests/torch)")
    padding = pad_for(n, "pairs") if family in ("max", "sum") else "same_lower"
    shape = (2, *(7, 6, 5)[:n], 3) if df == "channels_last" else (2, 3, *(7, 6, 5)[:n])
    x = RNG.standard_normal(shape).astype("float32")
    kw = dict(pool_size=3, strides=2, padding=padding, data_format=df, ceil_mode=True)
    args = dict(kernel_size=3, stride=2, padding=padding, ceil_mode=True, data_format=df)
    if family == "lp":
        layer, fwd = getattr(pk, f"LpPooling{n}D")(p=3.0, **kw), f"lp_pool{n}d"
    else:
        cls = {"max": "MaxPooling", "avg": "AveragePooling", "sum": "SumPooling"}[family]
        layer, fwd = getattr(pk, f"{cls}{n}D")(**kw), f"{family}_pool{n}d"
    extra = (3.0,) if family == "lp" else ()
    ref = getattr(poolkit, fwd)(x, *extra, **args)
    g = RNG.standard_normal(ref.shape).astype("float32")
    out, dx = compiled_grad(layer, x, g)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    ref_dx = getattr(poolkit, f"{fwd}_backward")(g, x, *extra, **args)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cip", [None, True, False])
@pytest.mark.parametrize("spelling", ["same", 1])
def test_count_include_pad(cip, spelling):
    x = RNG.standard_normal((2, 5, 6, 2)).astype("float32")
    layer = pk.AveragePooling2D(3, 2, spelling, "channels_last", count_include_pad=cip)
    ref = poolkit.avg_pool2d(x, 3, 2, spelling, count_include_pad=cip,
                             data_format="channels_last")
    np.testing.assert_allclose(np.asarray(layer(x)), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
@pytest.mark.parametrize("family", ["Max", "Average", "Sum"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_layers_vs_numpy(n, df, family, keepdims):
    shape = (2, *(5, 4, 3)[:n], 3) if df == "channels_last" else (2, 3, *(5, 4, 3)[:n])
    x = RNG.standard_normal(shape).astype("float32")
    layer = getattr(pk, f"Global{family}Pooling{n}D")(data_format=df, keepdims=keepdims)
    name = {"Max": "max", "Average": "avg", "Sum": "sum"}[family]
    ref = getattr(poolkit, f"global_{name}_pool{n}d")(x, keepdims, data_format=df)
    g = RNG.standard_normal(ref.shape).astype("float32")
    out, dx = grad(layer, x, g)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    ref_dx = getattr(poolkit, f"global_{name}_pool{n}d_backward")(g, x, keepdims, data_format=df)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
def test_upsampling_vs_numpy(n, df):
    shape = (2, *(3, 2, 2)[:n], 3) if df == "channels_last" else (2, 3, *(3, 2, 2)[:n])
    x = RNG.standard_normal(shape).astype("float32")
    layer = getattr(pk, f"UpSampling{n}D")(size=(2, 3, 1)[:n] if n > 1 else 2, data_format=df)
    scale = (2, 3, 1)[:n] if n > 1 else 2
    ref = getattr(poolkit, f"upsample_nearest{n}d")(x, scale, data_format=df)
    g = RNG.standard_normal(ref.shape).astype("float32")
    out, dx = grad(layer, x, g)
    np.testing.assert_allclose(out, ref)
    ref_dx = getattr(poolkit, f"upsample_nearest{n}d_backward")(g, x, scale, data_format=df)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-5, atol=1e-6)


KERAS_TWINS = [
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 9, 3)),
    ("MaxPooling2D", dict(pool_size=2), (2, 6, 7, 3)),
    ("MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 6, 3)),
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 6, 3)),
    ("AveragePooling1D", dict(pool_size=2, padding="valid"), (2, 9, 3)),
    ("AveragePooling3D", dict(pool_size=2, strides=1, padding="same"), (2, 4, 3, 5, 2)),
    ("GlobalAveragePooling2D", dict(), (2, 5, 4, 3)),
    ("GlobalMaxPooling1D", dict(keepdims=True), (2, 5, 3)),
    ("UpSampling2D", dict(size=(2, 3)), (2, 3, 4, 2)),
    ("UpSampling1D", dict(size=2), (2, 3, 2)),
]


# every configuration keras.layers' pooling accepts, over a grid: 1-3 d, pool sizes 2 and 3,
# strides None/1/2, 'valid' and 'same' (odd and even sizes)
SPATIAL = {1: (9,), 2: (7, 6), 3: (5, 4, 5)}
KERAS_TWINS += [
    (f"{family}Pooling{n}D", dict(pool_size=k, strides=s, padding=pad), (2, *SPATIAL[n], 3))
    for family in ("Max", "Average")
    for n in (1, 2, 3)
    for k in (2, 3)
    for s in (None, 1, 2)
    for pad in ("valid", "same")
]
KERAS_TWINS += [
    (f"Global{family}Pooling{n}D", dict(keepdims=keep), (2, *SPATIAL[n], 3))
    for family in ("Max", "Average")
    for n in (1, 2, 3)
    for keep in (False, True)
]
KERAS_TWINS += [("UpSampling3D", dict(size=(2, 1, 3)), (2, 2, 3, 2, 2))]


@pytest.mark.parametrize("cls,kwargs,shape", KERAS_TWINS)
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
def test_same_as_keras_layers(cls, kwargs, shape, df):
    if cls.endswith("1D") and df == "channels_first" and cls.startswith("UpSampling"):
        pytest.skip("keras.layers.UpSampling1D has no data_format")
    kw = dict(kwargs)
    if not cls.startswith("UpSampling1D"):
        kw["data_format"] = df
    if df == "channels_first":
        shape = (shape[0], shape[-1], *shape[1:-1])
    if BACKEND == "torch" and cls.startswith("AveragePooling") and kw.get("padding") == "same":
        pytest.skip("Keras's torch backend counts 'same' pads in the average (TF does not)")
    # distinct values: where maxima tie, the frameworks' gradients differ (see below)
    x = (RNG.permutation(np.prod(shape)).reshape(shape) / np.prod(shape) - 0.5).astype("float32")
    ours = getattr(pk, cls)(**kw)
    theirs = getattr(keras.layers, cls)(**kw)
    out, dx = grad(ours, x, 1.0)
    ref, ref_dx = grad(theirs, x, 1.0)
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-6, atol=1e-6)


def test_tensorflow_max_pool3d_gradient_goes_to_every_tie():
    """Why the twins get distinct values: one window, two equal maxima. TF's MaxPool3D sends the
    window's gradient to both (twice the mass); poolkit to the first in window order, as
    PyTorch and TF's own 2-d MaxPool do."""
    if BACKEND != "tensorflow":
        pytest.skip("a TensorFlow kernel's behaviour")
    x = np.zeros((1, 2, 2, 2, 1), "float32")
    x[0, 0, 1, 0, 0] = x[0, 1, 0, 1, 0] = 5.0
    _, theirs = grad(keras.layers.MaxPooling3D(2), x, 1.0)
    _, ours = grad(pk.MaxPooling3D(2), x, 1.0)
    assert theirs[0, 0, 1, 0, 0] == theirs[0, 1, 0, 1, 0] == 1.0
    assert ours[0, 0, 1, 0, 0] == 1.0 and ours.sum() == 1.0


def test_return_indices():
    x = RNG.standard_normal((2, 7, 6, 3)).astype("float32")
    v, i = pk.MaxPooling2D(3, 2, "same", "channels_last", return_indices=True)(x)
    rv, ri = poolkit.max_pool2d(x, 3, 2, "same", return_indices=True, data_format="channels_last")
    np.testing.assert_allclose(np.asarray(v), rv)
    np.testing.assert_array_equal(np.asarray(i), ri)


def test_serialization_round_trip(tmp_path):
    inputs = keras.Input((8, 8, 3))
    h = pk.MaxPooling2D(3, 2, padding=[(1, 0), (0, 1)], ceil_mode=True)(inputs)
    h = pk.AveragePooling2D(2, padding="same_lower", count_include_pad=True)(h)
    h = pk.LpPooling2D(p=3.0, pool_size=2, strides=1)(h)
    out = pk.GlobalSumPooling2D()(pk.UpSampling2D(2)(h))
    model = keras.Model(inputs, out)
    x = RNG.standard_normal((2, 8, 8, 3)).astype("float32")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(
        np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-6, atol=1e-6
    )
    assert type(loaded.layers[1]) is pk.MaxPooling2D


def test_errors_at_construction_and_build():
    with pytest.raises(poolkit.PoolingError, match="pool_size"):
        pk.MaxPooling2D(0)
    with pytest.raises(poolkit.PoolingError, match="strides"):
        pk.AveragePooling2D(2, strides=(1, 2, 3))
    with pytest.raises(poolkit.PoolingError, match="padding"):
        pk.MaxPooling2D(2, padding="full")
    with pytest.raises(poolkit.PoolingError, match="ceil_mode"):
        pk.MaxPooling1D(2, ceil_mode=1)
    with pytest.raises(poolkit.PoolingError, match="data_format"):
        pk.GlobalMaxPooling2D(data_format="nhwc")
    with pytest.raises(poolkit.PoolingError, match="p must"):
        pk.LpPooling2D(p=-1)
    with pytest.raises(poolkit.PoolingError, match="divisor_override"):
        pk.AveragePooling2D(2, divisor_override=0)
    with pytest.raises(poolkit.PoolingError, match="rank"):
        pk.MaxPooling2D(2)(np.zeros((2, 4, 3), "float32"))


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
@pytest.mark.parametrize("family", ["Max", "Average"])
@pytest.mark.parametrize("size", ["divides", "uneven", "none"])
def test_adaptive_layers_vs_numpy(n, df, family, size):
    spatial = (7, 6, 5)[:n]
    shape = (2, *spatial, 3) if df == "channels_last" else (2, 3, *spatial)
    output_size = {"divides": (7, 3, 5), "uneven": (3, 4, 2), "none": (None, 4, 2)}[size][:n]
    x = RNG.standard_normal(shape).astype("float32")
    layer = getattr(pk, f"Adaptive{family}Pooling{n}D")(output_size, data_format=df)
    name = "adaptive_max_pool" if family == "Max" else "adaptive_avg_pool"
    ref = getattr(poolkit, f"{name}{n}d")(x, output_size, data_format=df)
    g = RNG.standard_normal(ref.shape).astype("float32")
    out, dx = grad(layer, x, g)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    ref_dx = getattr(poolkit, f"{name}{n}d_backward")(g, x, output_size, data_format=df)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-4, atol=1e-5)
    assert layer.compute_output_shape(shape) == ref.shape


@pytest.mark.skipif(
    not hasattr(keras.layers, "AdaptiveAveragePooling2D"), reason="keras has no adaptive layers"
)
@pytest.mark.parametrize("family", ["Max", "Average"])
@pytest.mark.parametrize("output_size", [(3, 2), (4, 4)])
def test_adaptive_same_as_keras_layers(family, output_size):
    x = RNG.standard_normal((2, 7, 6, 3)).astype("float32")
    ours = getattr(pk, f"Adaptive{family}Pooling2D")(output_size, data_format="channels_last")
    theirs = getattr(keras.layers, f"Adaptive{family}Pooling2D")(
        output_size, data_format="channels_last"
    )
    out, dx = grad(ours, x, 1.0)
    ref, ref_dx = grad(theirs, x, 1.0)
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding", ["valid", 1])
def test_max_unpooling_layers_vs_numpy(n, df, padding):
    spatial = (7, 9, 5)[:n]  # sizes the default unpooled size gives back
    shape = (2, *spatial, 3) if df == "channels_last" else (2, 3, *spatial)
    x = RNG.standard_normal(shape).astype("float32")
    pool = getattr(pk, f"MaxPooling{n}D")(3, 2, padding, df, return_indices=True)
    values, indices = pool(x)
    ref_v, ref_i = getattr(poolkit, f"max_pool{n}d")(
        x, 3, 2, padding, return_indices=True, data_format=df
    )
    np.testing.assert_array_equal(np.asarray(indices), ref_i)
    unpool = getattr(pk, f"MaxUnpooling{n}D")(3, 2, padding, output_size=spatial, data_format=df)
    ref = getattr(poolkit, f"max_unpool{n}d")(
        ref_v, ref_i, 3, 2, padding, spatial, data_format=df
    )
    np.testing.assert_array_equal(np.asarray(unpool(values, indices)), ref)
    np.testing.assert_array_equal(np.asarray(unpool([values, indices])), ref)
    g = RNG.standard_normal(ref.shape).astype("float32")
    out, dv = grad(lambda v: unpool(v, indices), ref_v, g)
    np.testing.assert_array_equal(out, ref)
    ref_dv = getattr(poolkit, f"max_unpool{n}d_backward")(
        g, ref_v, ref_i, 3, 2, padding, spatial, data_format=df
    )
    np.testing.assert_allclose(dv, ref_dv)
    default = getattr(pk, f"MaxUnpooling{n}D")(3, 2, padding, data_format=df)
    assert default.compute_output_shape(ref_v.shape) == np.asarray(default(values, indices)).shape


def test_symbolic_indices_into_unpooling_round_trip(tmp_path):
    inputs = keras.Input((None, None, 2))
    values, indices = pk.MaxPooling2D(2, return_indices=True)(inputs)
    assert values.shape == (None, None, None, 2) and indices.dtype == "int64"
    out = pk.MaxUnpooling2D(2)(values, indices)
    model = keras.Model(inputs, out)
    x = RNG.standard_normal((2, 6, 4, 2)).astype("float32")
    v, i = poolkit.max_pool2d(x, 2, return_indices=True, data_format="channels_last")
    ref = poolkit.max_unpool2d(v, i, 2, data_format="channels_last")
    np.testing.assert_array_equal(np.asarray(model(x)), ref)
    path = tmp_path / "unpool.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(np.asarray(loaded(x)), ref)


def test_adaptive_and_unpooling_errors():
    with pytest.raises(poolkit.PoolingError, match="output_size"):
        pk.AdaptiveAveragePooling2D((2, 0))
    with pytest.raises(poolkit.PoolingError, match="output_size"):
        pk.AdaptiveMaxPooling3D((2, 2))
    with pytest.raises(poolkit.PoolingError, match="pool_size"):
        pk.MaxUnpooling2D(-1)
    with pytest.raises(poolkit.PoolingError, match="indices"):
        pk.MaxUnpooling2D(2)(np.zeros((1, 2, 2, 1), "float32"))
    with pytest.raises(poolkit.PoolingError, match="rank"):
        pk.AdaptiveMaxPooling2D(2)(np.zeros((2, 4, 3), "float32"))
    values = np.ones((1, 2, 2, 1), "float32")
    with pytest.raises(poolkit.PoolingError, match="indices must lie"):
        pk.MaxUnpooling2D(2)(values, np.full((1, 2, 2, 1), 16, "int64"))


def _toy_task(df):
    """Images with a bright 3x3 blob on the left (class 0) or right (class 1) half."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((96, 12, 12, 1)).astype("float32") * 0.3
    y = rng.integers(0, 2, 96)
    for img, label in zip(x, y, strict=True):
        r, c = rng.integers(0, 9), rng.integers(0, 3) + 6 * label
        img[r : r + 3, c : c + 3, 0] += 2.0
    if df == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    return x, y.astype("int32")


@pytest.mark.parametrize("jit_compile", [True, False])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
def test_fit_trains(jit_compile, df):
    keras.utils.set_random_seed(0)
    x, y = _toy_task(df)
    shape = x.shape[1:]
    model = keras.Sequential([
        keras.Input(shape),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu", data_format=df),
        pk.MaxPooling2D(3, 2, 1, data_format=df, ceil_mode=True),
        pk.LpPooling2D(p=2.0, pool_size=2, padding="same_lower", data_format=df),
        keras.layers.Conv2D(8, 1, activation="relu", data_format=df),
        pk.AdaptiveAveragePooling2D((1, 2), data_format=df),
        keras.layers.Flatten(),
        keras.layers.Dense(2),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    assert history.history["accuracy"][-1] > 0.9, history.history["accuracy"]


RELOAD_WITHOUT_POOLKIT = """
import sys, numpy as np

class NoPoolkit:
    def find_spec(self, name, path=None, target=None):
        if name == "poolkit" or name.startswith("poolkit."):
            raise ImportError("poolkit is blocked in this process")

sys.meta_path.insert(0, NoPoolkit())
import tensorflow as tf
artifact = tf.saved_model.load(sys.argv[1])
x = np.load(sys.argv[2])
out = artifact.serve(tf.constant(x)).numpy()
assert not any(m == "poolkit" or m.startswith("poolkit.") for m in sys.modules)
np.save(sys.argv[3], out)
"""


def test_export_reloads_without_poolkit(tmp_path):
    if BACKEND == "torch":
        pytest.skip("Keras exports a TF SavedModel from the tensorflow and jax backends only")
    pytest.importorskip("tensorflow")
    import subprocess
    import sys

    inputs = keras.Input((9, 9, 2))
    h = pk.MaxPooling2D(3, 2, 1, ceil_mode=True)(inputs)
    h = pk.AveragePooling2D(2, padding="same_lower", count_include_pad=False)(h)
    h = pk.SumPooling2D(2, strides=1, dilation_rate=1)(pk.UpSampling2D(2)(h))
    out = pk.AdaptiveMaxPooling2D((3, 2))(h)
    model = keras.Model(inputs, out)
    x = RNG.standard_normal((2, 9, 9, 2)).astype("float32")
    expected = np.asarray(model(x))
    model.export(str(tmp_path / "saved"), verbose=False)
    np.save(tmp_path / "x.npy", x)
    result = subprocess.run(
        [sys.executable, "-c", RELOAD_WITHOUT_POOLKIT, str(tmp_path / "saved"),
         str(tmp_path / "x.npy"), str(tmp_path / "out.npy")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, rtol=1e-6, atol=1e-6)
