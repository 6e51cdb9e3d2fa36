"""poolkit.jax against poolkit's NumPy API (the oracle): values, gradients (``jax.grad`` vs the
NumPy ``*_backward`` functions), indices, eager and under ``jax.jit``; plus vmap, export, flax.

The module runs with ``jax_enable_x64`` on (restored afterwards) so float64 and int64 results
can be compared with NumPy's exactly; :func:`test_dtypes_without_x64` checks JAX's default.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

import poolkit  # noqa: E402
import poolkit.jax as pj  # noqa: E402
from poolkit import PoolingError  # noqa: E402

pytestmark = pytest.mark.slow  # XLA compiles every case (about 2 min cold)


@pytest.fixture(autouse=True, scope="module")
def _x64():
    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", before)


SPATIAL = {1: (7,), 2: (7, 6), 3: (5, 6, 4)}
BATCH = {1: (2, 3), 2: (2, 3), 3: (1, 2)}

# (kernel, stride, padding, dilation, ceil_mode, count_include_pad); padding "asym" is a
# different (lo, hi) pair per dim
CONFIGS = [
    (2, None, 0, 1, False, None),
    (3, 2, 1, 1, True, None),
    (3, 1, "asym", 1, False, False),
    (2, 2, "valid", 1, True, None),
    (3, 2, "same", 1, False, None),
    (2, 3, "same_lower", 2, False, True),
    (2, 1, 1, 2, True, True),
    (3, 2, 2, 1, True, False),
]
ASYM = ((0, 2), (1, 0), (2, 1))


def _kwargs(config, reducer, n):
    kernel, stride, padding, dilation, ceil_mode, cip = config
    if padding == "asym":
        padding = ASYM[:n]
    kw = dict(
        kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode
    )
    if reducer == "avg":
        kw["count_include_pad"] = cip
    if reducer == "lp":
        kw["p"] = 3.0 if cip else 2.0
    return kw


def _input(n, dtype, data_format, seed=0, ties=True):
    rng = np.random.default_rng(seed)
    shape = (*BATCH[n], *SPATIAL[n])
    x = rng.integers(-2, 3, shape) if ties else rng.standard_normal(shape)
    x = x.astype(dtype)
    if data_format == "channels_last":
        x = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    return x


def _close(a, b, dtype):
    a = np.asarray(a)
    assert a.shape == np.shape(b)
    if np.dtype(dtype).kind != "f":
        np.testing.assert_array_equal(a, b)
    else:
        tol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c)))
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("reducer", ["max", "avg", "sum", "lp"])
def test_window_pooling_float64(config, n, reducer):
    # the layouts alternate over the grid (every config meets both across n)
    data_format = ("channels_first", "channels_last")[(CONFIGS.index(config) + n) % 2]
    kw = _kwargs(config, reducer, n)
    x = _input(n, np.float64, data_format, seed=n)
    name = f"{reducer}_pool{n}d"
    expected = getattr(poolkit, name)(x, data_format=data_format, **kw)
    got = getattr(pj, name)(x, data_format=data_format, **kw)
    assert got.dtype == expected.dtype
    _close(got, expected, np.float64)
    jitted = jax.jit(lambda v: getattr(pj, name)(v, data_format=data_format, **kw))(x)
    _close(jitted, expected, np.float64)
    # gradients, ties included (integer-valued input), against the NumPy backward; under jit,
    # as a training step takes them (reduce_window's gradient needs a concrete init value there)
    g = np.random.default_rng(1).standard_normal(expected.shape)
    grad = jax.jit(
        jax.grad(lambda v: jnp.sum(getattr(pj, name)(v, data_format=data_format, **kw) * g))
    )(jnp.asarray(x))
    want = getattr(poolkit, name + "_backward")(g, x, data_format=data_format, **kw)
    _close(grad, want, np.float64)
    if reducer == "max":
        values, indices = getattr(pj, name)(x, data_format=data_format, return_indices=True, **kw)
        _, want_indices = getattr(poolkit, name)(
            x, data_format=data_format, return_indices=True, **kw
        )
        np.testing.assert_array_equal(values, expected)
        np.testing.assert_array_equal(indices, want_indices)
        assert indices.dtype == np.int64


@pytest.mark.parametrize("config", CONFIGS[1:5], ids=lambda c: "-".join(map(str, c)))
@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.parametrize(
    ("reducer", "dtype"),
    [
        ("max", np.float32),
        ("avg", np.float32),
        ("lp", np.float32),
        ("max", np.int32),
        ("sum", np.int32),
        ("avg", np.int32),
        ("max", np.bool_),
    ],
)
def test_window_pooling_other_dtypes(config, n, reducer, dtype):
    kw = _kwargs(config, reducer, n)
    x = _input(n, np.float64, "channels_first", seed=n + 7)
    x = (x > 0) if dtype == np.bool_ else x.astype(dtype)
    name = f"{reducer}_pool{n}d"
    expected = getattr(poolkit, name)(x, **kw)
    got = jax.jit(lambda v: getattr(pj, name)(v, **kw))(x)
    assert got.dtype == expected.dtype
    _close(got, expected, expected.dtype)
    if np.dtype(dtype).kind == "f":
        g = np.random.default_rng(2).standard_normal(expected.shape).astype(dtype)
        grad = jax.grad(lambda v: jnp.sum(getattr(pj, name)(v, **kw) * g))(jnp.asarray(x))
        want = getattr(poolkit, name + "_backward")(g, x, **kw)
        assert grad.dtype == want.dtype
        _close(grad, want, dtype)
    if reducer == "max":
        _, indices = getattr(pj, name)(x, return_indices=True, **kw)
        np.testing.assert_array_equal(
            indices, getattr(poolkit, name)(x, return_indices=True, **kw)[1]
        )


def test_max_ties_all_equal_and_minus_inf_with_padding():
    for fill in (1.0, -np.inf):
        x = np.full((1, 2, 5, 5), fill)
        kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
        out, idx = pj.max_pool2d(x, return_indices=True, **kw)
        want, want_idx = poolkit.max_pool2d(x, return_indices=True, **kw)
        np.testing.assert_array_equal(out, want)
        np.testing.assert_array_equal(idx, want_idx)
        g = np.arange(want.size, dtype=float).reshape(want.shape)
        grad = jax.grad(lambda v, kw=kw, g=g: jnp.sum(pj.max_pool2d(v, **kw) * g))(jnp.asarray(x))
        np.testing.assert_array_equal(grad, poolkit.max_pool2d_backward(g, x, **kw))


def test_max_nan_propagates():
    x = np.random.default_rng(3).integers(0, 3, (2, 2, 6, 6)).astype(float)
    x[0, 0, 1, 1] = x[1, 1, 4, 3] = x[1, 1, 4, 4] = x[0, 1, 0, 5] = x[0, 1, 5, 0] = np.nan
    kw = dict(kernel_size=3, stride=2, padding=1)
    out, idx = jax.jit(lambda v: pj.max_pool2d(v, return_indices=True, **kw))(x)
    want, want_idx = poolkit.max_pool2d(x, return_indices=True, **kw)
    np.testing.assert_array_equal(out, want)  # NaN == NaN for assert_array_equal
    np.testing.assert_array_equal(idx, want_idx)
    g = np.ones(want.shape)
    grad = jax.grad(lambda v: jnp.sum(pj.max_pool2d(v, **kw) * g))(jnp.asarray(x))
    np.testing.assert_array_equal(grad, poolkit.max_pool2d_backward(g, x, **kw))
    for size in (1, 2, 4):
        out, idx = pj.adaptive_max_pool2d(x, size, return_indices=True)
        want, want_idx = poolkit.adaptive_max_pool2d(x, size, return_indices=True)
        np.testing.assert_array_equal(out, want)
        np.testing.assert_array_equal(idx, want_idx)
    np.testing.assert_array_equal(pj.global_max_pool2d(x), poolkit.global_max_pool2d(x))
    grad = jax.grad(lambda v: jnp.sum(pj.global_max_pool2d(v) * g[..., 0, 0]))(jnp.asarray(x))
    np.testing.assert_array_equal(grad, poolkit.global_max_pool2d_backward(g[..., 0, 0], x))


@pytest.mark.parametrize("p", [1.0, 1.5, 3.0, math.inf])
def test_lp_orders(p):
    x = np.random.default_rng(4).standard_normal((2, 3, 7, 6))
    x[0, 0, :3, :3] = 0.0  # a window of zeros: value 0, gradient 0
    kw = dict(kernel_size=3, stride=2, padding=1)
    _close(pj.lp_pool2d(x, p, **kw), poolkit.lp_pool2d(x, p, **kw), np.float64)
    g = np.random.default_rng(5).standard_normal(poolkit.lp_pool2d(x, p, **kw).shape)
    grad = jax.grad(lambda v: jnp.sum(pj.lp_pool2d(v, p, **kw) * g))(jnp.asarray(x))
    _close(grad, poolkit.lp_pool2d_backward(g, x, p, **kw), np.float64)


def test_divisor_override_and_unbatched():
    x = np.random.default_rng(6).standard_normal((3, 7, 6))
    kw = dict(kernel_size=3, stride=2, padding=1, divisor_override=5)
    _close(pj.avg_pool2d(x, **kw), poolkit.avg_pool2d(x, **kw), np.float64)
    xl = np.moveaxis(x, 0, -1)
    out = pj.max_pool2d(xl, 2, data_format="channels_last", return_indices=True)
    want = poolkit.max_pool2d(xl, 2, data_format="channels_last", return_indices=True)
    for a, b in zip(out, want, strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- adaptive, global


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
@pytest.mark.parametrize("size", [1, 3, "none", 9])
def test_adaptive(n, data_format, size):
    x = _input(n, np.float64, data_format, seed=10 + n)
    output_size = (None, *(3,) * (n - 1)) if size == "none" else size
    g_rng = np.random.default_rng(11)
    for reducer in ("max", "avg"):
        name = f"adaptive_{reducer}_pool{n}d"
        want = getattr(poolkit, name)(x, output_size, data_format=data_format)
        got = jax.jit(
            lambda v, name=name: getattr(pj, name)(v, output_size, data_format=data_format)
        )(x)
        _close(got, want, np.float64)
        g = g_rng.standard_normal(want.shape)
        grad = jax.grad(
            lambda v, name=name, g=g: jnp.sum(
                getattr(pj, name)(v, output_size, data_format=data_format) * g
            )
        )(jnp.asarray(x))
        want_grad = getattr(poolkit, name + "_backward")(g, x, output_size, data_format=data_format)
        _close(grad, want_grad, np.float64)
    name = f"adaptive_max_pool{n}d"
    _, idx = getattr(pj, name)(x, output_size, True, data_format)
    np.testing.assert_array_equal(idx, getattr(poolkit, name)(x, output_size, True, data_format)[1])


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("reducer", ["max", "avg", "sum", "lp"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global(n, reducer, keepdims):
    for data_format in ("channels_first", "channels_last"):
        x = _input(n, np.float64, data_format, seed=20 + n)
        name = f"global_{reducer}_pool{n}d"
        args = (x, 2.0) if reducer == "lp" else (x,)
        want = getattr(poolkit, name)(*args, keepdims=keepdims, data_format=data_format)
        got = getattr(pj, name)(*args, keepdims=keepdims, data_format=data_format)
        _close(got, want, np.float64)
        g = np.random.default_rng(21).standard_normal(want.shape)

        def loss(v, name=name, g=g, data_format=data_format):
            rest = (2.0,) if reducer == "lp" else ()
            return jnp.sum(
                getattr(pj, name)(v, *rest, keepdims=keepdims, data_format=data_format) * g
            )

        want_grad = getattr(poolkit, name + "_backward")(
            g, *args, keepdims=keepdims, data_format=data_format
        )
        _close(jax.grad(loss)(jnp.asarray(x)), want_grad, np.float64)
    assert pj.global_sum_pool2d(np.ones((2, 3, 4), np.int32)).dtype == np.int64


# --------------------------------------------------------------------------- unpool, upsample


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
def test_max_unpool(n, data_format):
    x = _input(n, np.float64, data_format, seed=30 + n, ties=False)
    kw = dict(kernel_size=2, stride=2, padding=0)
    y, idx = poolkit.__dict__[f"max_pool{n}d"](
        x, data_format=data_format, return_indices=True, **kw
    )
    shape = x.shape[2:] if data_format == "channels_first" else x.shape[1:-1]
    fn = getattr(pj, f"max_unpool{n}d")
    for output_size in (None, shape):
        want = getattr(poolkit, f"max_unpool{n}d")(
            y, idx, output_size=output_size, data_format=data_format, **kw
        )
        got = jax.jit(
            lambda v, i, output_size=output_size: fn(
                v, i, output_size=output_size, data_format=data_format, **kw
            )
        )(y, idx)
        np.testing.assert_array_equal(got, want)
        g = np.random.default_rng(31).standard_normal(want.shape)
        grad = jax.grad(
            lambda v, output_size=output_size, g=g: jnp.sum(
                fn(v, idx, output_size=output_size, data_format=data_format, **kw) * g
            )
        )(jnp.asarray(y))
        want_grad = getattr(poolkit, f"max_unpool{n}d_backward")(
            g, y, idx, output_size=output_size, data_format=data_format, **kw
        )
        _close(grad, want_grad, np.float64)


def test_max_unpool_repeated_indices():
    # the last value wins where an index repeats, as in the NumPy API and torch's CPU kernel;
    # every value's gradient reads the gradient at its index (poolkit's and torch's backward)
    values = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    indices = np.array([[[1, 1, 0, 1]]])
    want = poolkit.max_unpool1d(values, indices, 2, output_size=(4,))
    got = jax.jit(lambda v: pj.max_unpool1d(v, indices, 2, output_size=(4,)))(values)
    np.testing.assert_array_equal(got, want)
    g = np.array([[[10.0, 20.0, 30.0, 40.0]]])
    grad = jax.grad(lambda v: jnp.sum(pj.max_unpool1d(v, indices, 2, output_size=(4,)) * g))(
        jnp.asarray(values)
    )
    want_grad = poolkit.max_unpool1d_backward(g, values, indices, 2, output_size=(4,))
    np.testing.assert_array_equal(grad, want_grad)
    np.testing.assert_array_equal(grad, [[[20.0, 20.0, 10.0, 20.0]]])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_upsample(n):
    x = _input(n, np.float64, "channels_last", seed=40 + n)
    scale = (2, 1, 3)[:n]
    want = getattr(poolkit, f"upsample_nearest{n}d")(x, scale, "channels_last")
    got = jax.jit(lambda v: getattr(pj, f"upsample_nearest{n}d")(v, scale, "channels_last"))(x)
    np.testing.assert_array_equal(got, want)
    g = np.random.default_rng(41).standard_normal(want.shape)
    grad = jax.grad(
        lambda v: jnp.sum(getattr(pj, f"upsample_nearest{n}d")(v, scale, "channels_last") * g)
    )(jnp.asarray(x))
    want_grad = getattr(poolkit, f"upsample_nearest{n}d_backward")(g, x, scale, "channels_last")
    _close(grad, want_grad, np.float64)


@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
@pytest.mark.parametrize(
    ("to", "storage_order", "with_batch"),
    [
        ("tf", 0, False),
        ("tf", 0, True),
        ("onnx", 0, False),
        ("onnx", 1, False),
        ("torch", 0, False),
    ],
)
def test_convert_indices(data_format, to, storage_order, with_batch):
    x = _input(2, np.float64, data_format, seed=50, ties=False)
    _, idx = poolkit.max_pool2d(x, 2, data_format=data_format, return_indices=True)
    kw = dict(include_batch_in_index=with_batch, storage_order=storage_order)
    want = poolkit.convert_indices(idx, to, x.shape, data_format, **kw)
    np.testing.assert_array_equal(
        pj.convert_indices(jnp.asarray(idx), to, x.shape, data_format, **kw), want
    )
    traced = jax.jit(lambda i: pj.convert_indices(i, to, x.shape, data_format, **kw))(idx)
    np.testing.assert_array_equal(traced, want)
    back = jax.jit(lambda i: pj.convert_indices(i, "torch", x.shape, data_format, source=to, **kw))(
        want
    )
    np.testing.assert_array_equal(back, idx)


# --------------------------------------------------------------------------- transformations


def test_vmap_over_extra_leading_axis():
    x = np.random.default_rng(60).integers(0, 3, (4, 2, 3, 7, 6)).astype(float)
    kw = dict(kernel_size=3, stride=2, padding="same")
    out, idx = jax.vmap(lambda v: pj.max_pool2d(v, return_indices=True, **kw))(x)
    avg = jax.vmap(lambda v: pj.avg_pool2d(v, **kw))(x)
    for i in range(x.shape[0]):
        want, want_idx = poolkit.max_pool2d(x[i], return_indices=True, **kw)
        np.testing.assert_array_equal(out[i], want)
        np.testing.assert_array_equal(idx[i], want_idx)
        _close(avg[i], poolkit.avg_pool2d(x[i], **kw), np.float64)
    grads = jax.vmap(jax.grad(lambda v: jnp.sum(pj.max_pool2d(v, **kw))))(x)
    for i in range(x.shape[0]):
        want = poolkit.max_pool2d_backward(np.ones(out[i].shape), x[i], **kw)
        np.testing.assert_array_equal(grads[i], want)


def _pipeline(v):
    y, i = pj.max_pool2d(v, 3, 2, 1, return_indices=True, ceil_mode=True)
    return (
        pj.avg_pool2d(v, 3, 2, "same").sum()
        + pj.lp_pool2d(v, 2.0, 2).sum()
        + pj.max_unpool2d(y, i, 3, 2, 1, output_size=v.shape[2:]).sum()
        + pj.adaptive_max_pool2d(v, 3).sum()
        + pj.global_avg_pool2d(v).sum()
    )


def test_export_roundtrip_and_no_callbacks():
    from jax import export

    x = np.random.default_rng(70).standard_normal((2, 3, 7, 6)).astype(np.float32)
    text = str(jax.make_jaxpr(_pipeline)(x))
    assert "callback" not in text
    exported = export.export(jax.jit(_pipeline))(jax.ShapeDtypeStruct(x.shape, x.dtype))
    restored = export.deserialize(exported.serialize())
    np.testing.assert_allclose(restored.call(x), _pipeline(x), rtol=1e-6)


# --------------------------------------------------------------------------- flax


@pytest.mark.parametrize(
    ("window", "strides", "padding"),
    [((2, 2), (2, 2), "VALID"), ((3, 3), (2, 2), "SAME"), ((3, 2), (1, 2), ((1, 1), (0, 1)))],
)
def test_against_flax(window, strides, padding):
    nn = pytest.importorskip("flax.linen")
    x = np.random.default_rng(80).standard_normal((2, 7, 6, 3)).astype(np.float32)
    ours_padding = padding.lower() if isinstance(padding, str) else padding
    kw = dict(stride=strides, padding=ours_padding, data_format="channels_last")
    np.testing.assert_array_equal(
        pj.max_pool2d(x, window, **kw), nn.max_pool(x, window, strides, padding)
    )
    # flax counts pads by default (count_include_pad=True)
    np.testing.assert_allclose(
        pj.avg_pool2d(x, window, count_include_pad=True, **kw),
        nn.avg_pool(x, window, strides, padding),
        rtol=1e-6,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        pj.avg_pool2d(x, window, count_include_pad=False, **kw),
        nn.avg_pool(x, window, strides, padding, count_include_pad=False),
        rtol=1e-6,
        atol=1e-6,
    )


# --------------------------------------------------------------------------- dtypes, errors


def test_dtypes_without_x64():
    jax.config.update("jax_enable_x64", False)
    try:
        x = np.arange(16, dtype=np.int32).reshape(1, 1, 4, 4)
        assert pj.avg_pool2d(x, 2).dtype == np.float32
        assert pj.sum_pool2d(x, 2).dtype == np.int32
        assert pj.max_pool2d(x, 2, return_indices=True)[1].dtype == np.int32
        np.testing.assert_array_equal(pj.avg_pool2d(x, 2), poolkit.avg_pool2d(x, 2))
    finally:
        jax.config.update("jax_enable_x64", True)


def test_import_poolkit_does_not_import_jax():
    import subprocess
    import sys

    code = "import sys, poolkit; poolkit.max_pool2d; print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda x: pj.max_pool2d(x, 0), "kernel_size"),
        (lambda x: pj.max_pool2d(x, 2, stride=(1, 2, 3)), "stride"),
        (lambda x: pj.max_pool2d(x, 2, padding="full"), "padding"),
        (lambda x: pj.max_pool2d(x, 2, padding=2), "padding"),
        (lambda x: pj.max_pool2d(x, 2, ceil_mode=1), "ceil_mode"),
        (lambda x: pj.max_pool2d(x, 2, return_indices="yes"), "return_indices"),
        (lambda x: pj.max_pool2d(x, 2, data_format="NHWC"), "data_format"),
        (lambda x: pj.max_pool3d(x[0, 0], 2), "x must have 5 dims"),
        (lambda x: pj.max_pool2d(x, 9), "input is too small"),
        (lambda x: pj.avg_pool2d(x, 2, divisor_override=0), "divisor_override"),
        (lambda x: pj.avg_pool2d(x, 2, count_include_pad="no"), "count_include_pad"),
        (lambda x: pj.lp_pool2d(x, -1.0, 2), "p must"),
        (lambda x: pj.adaptive_avg_pool2d(x, 0), "output_size"),
        (lambda x: pj.global_max_pool2d(x, keepdims=None), "keepdims"),
        (lambda x: pj.upsample_nearest2d(x, 0), "scale_factor"),
        (lambda x: pj.max_unpool2d(x, jnp.zeros(x.shape, jnp.int32), 2, padding="same"), "padding"),
        (lambda x: pj.max_unpool2d(x, jnp.zeros(x.shape), 2), "integer dtype"),
        (lambda x: pj.max_unpool2d(x, jnp.full(x.shape, 999), 2), "indices must lie"),
        (lambda x: pj.max_pool2d(x.astype(jnp.complex64), 2), "dtype"),
    ],
)
def test_errors(call, word):
    x = jnp.ones((1, 2, 4, 4))
    with pytest.raises(PoolingError, match=word):
        call(x)
    if word not in ("indices must lie",):
        with pytest.raises(PoolingError, match=word):
            jax.jit(call)(x)


@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_max_unpool_under_jit_with_closed_over_indices(n, data_format):
    # indices from pj.max_pool are jax.Arrays; a jitted function that closes over them must
    # still check their range (once, at trace time) instead of failing to concretize a tracer
    x = _input(n, np.float64, data_format, seed=40 + n)
    values, indices = getattr(pj, f"max_pool{n}d")(x, 2, return_indices=True,
                                                   data_format=data_format)
    unpool = getattr(pj, f"max_unpool{n}d")
    got = jax.jit(lambda v: unpool(v, indices, 2, data_format=data_format))(values)
    want = getattr(poolkit, f"max_unpool{n}d")(np.asarray(values), np.asarray(indices), 2,
                                               data_format=data_format)
    np.testing.assert_array_equal(got, want)
    too_big = indices + 10**6
    with pytest.raises(PoolingError, match="indices"):
        jax.jit(lambda v: unpool(v, too_big, 2, data_format=data_format))(values)
