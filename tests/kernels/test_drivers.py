"""Property tests: every Numba fast path against the NumPy reference (the oracle).

Inputs come in every memory order the kernels meet (channels-first, channels-last, strided
views) with ties, NaN, +-inf, integers and bools; geometry covers asymmetric pads, dilation and
ceil_mode. Max values and indices must be identical; sums within float rounding.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from poolkit import reference
from poolkit.errors import PoolingError
from poolkit.geometry import resolve
from poolkit.kernels import _drivers, costmodel

from ._layouts import as_layout

pytestmark = pytest.mark.slow  # property tests over every driver

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FLOAT_PALETTE = [0.0, 1.0, 2.0, -1.0, 0.5, -np.inf, np.inf, np.nan]
FINITE_PALETTE = [0.0, 1.0, 2.0, -1.0, 0.5, -3.0, 0.25]


@st.composite
def problems(draw, dtype=np.float32, palette=FLOAT_PALETTE, max_kernel=3):
    """A (channels-first view, Window) pair with valid geometry."""
    n = draw(st.integers(1, 3))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)))
    spatial = tuple(draw(st.integers(1, 7 if n < 3 else 5)) for _ in range(n))
    kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(n))
    ceil_mode = draw(st.booleans())
    try:
        window = resolve(spatial, kernel, stride, pads, dilation, ceil_mode)
    except PoolingError:
        assume(False)
    size = math.prod(shape + spatial)
    picks = draw(st.lists(st.integers(0, len(palette) - 1), min_size=size, max_size=size))
    base = np.array([palette[i] for i in picks]).astype(dtype).reshape(shape + spatial)
    layout = draw(st.sampled_from(["channels_first", "channels_last", "strided"]))
    x = as_layout(base, layout)
    x.flags.writeable = False  # kernels must never write to their input
    return x, window


def _grad(x_shape, out_shape, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(x_shape[:2] + out_shape).astype(dtype)


def _close(fast, slow, dtype):
    assert fast.shape == slow.shape
    assert fast.dtype == slow.dtype, (fast.dtype, slow.dtype)
    rtol = 2e-5 if np.dtype(dtype) in (np.float32, np.float16) else 1e-11
    if np.dtype(dtype) == np.float16:
        rtol = 2e-3
    np.testing.assert_allclose(fast, slow, rtol=rtol, atol=rtol, equal_nan=True)


# --------------------------------------------------------------------------- max


@SETTINGS
@given(problems(), st.sampled_from([np.float32, np.float64]))
def test_max_forward_values_and_indices(problem, dtype):
    x, window = problem
    x = x.astype(dtype)
    np.testing.assert_array_equal(
        _drivers.window_forward("max", x, window), reference.max_forward(x, window)
    )
    out, idx = _drivers.window_forward("max", x, window, return_indices=True)
    ref_out, ref_idx = reference.max_forward(x, window, return_indices=True)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(idx, ref_idx)
    assert out.dtype == x.dtype and idx.dtype == np.int64


@SETTINGS
@given(problems(), st.sampled_from([np.float32, np.float64]))
def test_max_backward(problem, dtype):
    x, window = problem
    x = x.astype(dtype)
    g = _grad(x.shape, window.output_shape)
    fast = _drivers.window_backward("max", g, x, window)
    slow = reference.window_backward("max", g, x, window)
    _close(fast.astype(slow.dtype), slow, dtype)


@SETTINGS
@given(
    problems(dtype=np.int64, palette=[0, 1, 2, -5, 7, -(2**31)]),
    st.sampled_from(
        [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64, bool]
    ),
)
def test_max_integer_and_bool(problem, dtype):
    # Integers are compared in their own dtype (bool as uint8): the palette's negative values
    # wrap to the top of the unsigned ranges, so order is checked at both ends of each dtype.
    x, window = problem
    x = x.astype(dtype)
    before = x.copy()
    fast, fidx = _drivers.window_forward("max", x, window, return_indices=True)
    slow, sidx = reference.max_forward(x, window, return_indices=True)
    assert fast.dtype == x.dtype
    np.testing.assert_array_equal(fast, slow)
    np.testing.assert_array_equal(fidx, sidx)
    np.testing.assert_array_equal(_drivers.window_forward("max", x, window), slow)
    g = _grad(x.shape, window.output_shape, dtype=np.float64)
    fast_g = _drivers.window_backward("max", g, x, window)
    np.testing.assert_array_equal(fast_g, reference.window_backward("max", g, x, window))
    np.testing.assert_array_equal(x, before)


# --------------------------------------------------------------------------- sum, avg


@SETTINGS
@given(
    problems(),
    st.sampled_from([np.float32, np.float64]),
    st.sampled_from(["sum", "avg"]),
    st.booleans(),
    st.sampled_from([None, None, 3, -2]),
)
def test_sum_avg_forward_backward(problem, dtype, reducer, include_pad, override):
    x, window = problem
    x = x.astype(dtype)
    opts = {}
    if reducer == "avg":
        opts = {"count_include_pad": include_pad, "divisor_override": override}
    fast = _drivers.window_forward(reducer, x, window, **opts)
    slow = reference.window_forward(reducer, x, window, **opts)
    _close(fast, slow, dtype)
    g = _grad(x.shape, window.output_shape, dtype=dtype)
    fast_g = _drivers.window_backward(reducer, g, x, window, **opts)
    slow_g = reference.window_backward(reducer, g, x, window, **opts)
    _close(fast_g.astype(slow_g.dtype), slow_g, dtype)


@SETTINGS
@given(
    problems(dtype=np.int64, palette=[0, 1, 2, -5, 7, 100]),
    st.sampled_from([np.int8, np.uint8, np.int32, np.int64, np.uint64, np.bool_]),
    st.sampled_from(["sum", "avg"]),
)
def test_sum_avg_integers(problem, dtype, reducer):
    x, window = problem
    x = x.astype(dtype)
    fast = _drivers.window_forward(reducer, x, window)  # uint64 sums wrap as in NumPy
    slow = reference.window_forward(reducer, x, window)
    assert fast.dtype == slow.dtype
    if reducer == "sum":
        np.testing.assert_array_equal(fast, slow)
    else:
        np.testing.assert_allclose(fast, slow, rtol=1e-12)


@SETTINGS
@given(problems(palette=[0.0, 1.0, 2.0, -1.0, np.nan, -np.inf]), st.sampled_from(["max", "avg"]))
def test_float16_computes_in_float32(problem, reducer):
    x, window = problem
    x = x.astype(np.float16)
    fast = _drivers.window_forward(reducer, x, window)
    slow = reference.window_forward(reducer, x, window)
    _close(fast, slow, np.float16)


# --------------------------------------------------------------------------- large windows


@st.composite
def large_problems(draw, palette=FLOAT_PALETTE):
    """Long windows (block scan / doubling path): dilation 1, 1-3 dims, a trivial depth."""
    n = draw(st.integers(1, 3))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)))
    spatial = tuple(draw(st.integers(1, 22)) for _ in range(min(n, 2)))
    kernel = tuple(draw(st.integers(1, 14)) for _ in range(min(n, 2)))
    stride = tuple(draw(st.integers(1, 4)) for _ in range(min(n, 2)))
    pads = tuple((draw(st.integers(0, 6)), draw(st.integers(0, 6))) for _ in range(min(n, 2)))
    if n == 3:
        spatial, kernel, stride, pads = (2, *spatial), (1, *kernel), (1, *stride), ((0, 0), *pads)
    try:
        window = resolve(spatial, kernel, stride, pads, 1, draw(st.booleans()))
    except PoolingError:
        assume(False)
    assume(costmodel.use_blockscan_window(window))
    size = math.prod(shape + spatial)
    picks = draw(st.lists(st.integers(0, len(palette) - 1), min_size=size, max_size=size))
    base = np.array([palette[i] for i in picks]).astype(np.float64).reshape(shape + spatial)
    layout = draw(st.sampled_from(["channels_first", "channels_last", "strided"]))
    return as_layout(base, layout), window


@SETTINGS
@given(
    large_problems(),
    st.sampled_from([np.float32, np.float64, np.int32]),
    st.sampled_from(["max", "sum", "avg"]),
    st.booleans(),
)
def test_large_windows_block_scan(problem, dtype, reducer, include_pad):
    x, window = problem
    if dtype == np.int32:
        x = np.nan_to_num(x, nan=3.0, posinf=9.0, neginf=-9.0)
    x = x.astype(dtype)
    opts = {"count_include_pad": include_pad} if reducer == "avg" else {}
    fast = _drivers.window_forward(reducer, x, window, **opts)
    slow = reference.window_forward(reducer, x, window, **opts)
    if reducer == "max" or (reducer == "sum" and dtype == np.int32):
        np.testing.assert_array_equal(fast, slow)
        assert fast.dtype == slow.dtype
    else:
        _close(fast, slow, slow.dtype)


# --------------------------------------------------------------------------- lp


@SETTINGS
@given(
    problems(palette=FINITE_PALETTE),
    st.sampled_from([np.float32, np.float64]),
    st.sampled_from([1.0, 2.0, 3.5, math.inf]),
)
def test_lp_forward_backward(problem, dtype, p):
    x, window = problem
    x = x.astype(dtype)
    fast = _drivers.window_forward("lp", x, window, p=p)
    slow = reference.window_forward("lp", x, window, p=p)
    _close(fast, slow, dtype)
    g = _grad(x.shape, window.output_shape, dtype=dtype)
    fast_g = _drivers.window_backward("lp", g, x, window, p=p)
    slow_g = reference.window_backward("lp", g, x, window, p=p)
    # computed in float64 like the reference, stored in the gradient dtype (one rounding)
    assert fast_g.dtype == np.dtype(dtype)
    tol = 1e-9 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(fast_g, slow_g, rtol=tol, atol=tol)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.5])
def test_lp_nan_input_passes_no_gradient(p):
    """A NaN makes its windows' outputs NaN; like the reference, they pass no gradient."""
    x = np.arange(1.0, 17.0, dtype=np.float32).reshape(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    window = resolve(x.shape[2:], 2, 1, 0)
    fast = _drivers.window_forward("lp", x, window, p=p)
    np.testing.assert_array_equal(fast, reference.window_forward("lp", x, window, p=p))
    g = np.ones((1, 1, *window.output_shape))
    fast_g = _drivers.window_backward("lp", g, x, window, p=p)
    slow_g = reference.window_backward("lp", g, x, window, p=p)
    assert fast_g[0, 0, 1, 1] == 0 and not np.isnan(fast_g).any()
    np.testing.assert_allclose(fast_g, slow_g, rtol=1e-6)


# --------------------------------------------------------------------------- global, adaptive


@st.composite
def plain_inputs(draw, dtype=np.float32, palette=FLOAT_PALETTE):
    n = draw(st.integers(1, 3))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)))
    spatial = tuple(draw(st.integers(1, 7 if n < 3 else 4)) for _ in range(n))
    size = math.prod(shape + spatial)
    picks = draw(st.lists(st.integers(0, len(palette) - 1), min_size=size, max_size=size))
    base = np.array([palette[i] for i in picks]).astype(dtype).reshape(shape + spatial)
    layout = draw(st.sampled_from(["channels_first", "channels_last", "strided"]))
    return as_layout(base, layout)


@SETTINGS
@given(plain_inputs(), st.sampled_from(["max", "sum", "avg", "lp"]), st.data())
def test_global_forward_backward(x, reducer, data):
    if reducer == "lp":
        x = np.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0)
    p = data.draw(st.sampled_from([2.0, math.inf])) if reducer == "lp" else 2.0
    fast = _drivers.global_forward(reducer, x, p)
    slow = reference.global_forward(reducer, x, p)
    if reducer == "max":
        np.testing.assert_array_equal(fast, slow)
    else:
        _close(fast, slow, x.dtype)
    g = _grad(x.shape, (1,) * (x.ndim - 2))
    _close(
        _drivers.global_backward(reducer, g, x, p).astype(np.float64),
        reference.global_backward(reducer, g, x, p),
        np.float32,
    )


@SETTINGS
@given(plain_inputs(), st.sampled_from(["max", "avg"]), st.data())
def test_adaptive_forward_backward(x, reducer, data):
    size = tuple(data.draw(st.integers(1, L + 2)) for L in x.shape[2:])
    if reducer == "max":
        fast, fidx = _drivers.adaptive_forward("max", x, size, return_indices=True)
        slow, sidx = reference.adaptive_max_forward(x, size, return_indices=True)
        np.testing.assert_array_equal(fast, slow)
        np.testing.assert_array_equal(fidx, sidx)
    else:
        _close(_drivers.adaptive_forward("avg", x, size), reference.adaptive_avg_forward(x, size),
               x.dtype)  # fmt: skip
    g = _grad(x.shape, size)
    _close(
        _drivers.adaptive_backward(reducer, g, x, size).astype(np.float64),
        reference.adaptive_backward(reducer, g, x, size),
        np.float32,
    )


# --------------------------------------------------------------------------- unpool, upsample


@SETTINGS
@given(problems(palette=[0.0, 1.0, 2.0, -1.0, 3.0]), st.sampled_from([np.float32, np.int16]))
def test_unpool_roundtrip(problem, dtype):
    x, window = problem
    x = x.astype(dtype)
    values, idx = reference.max_forward(x, window, return_indices=True)
    if _drivers.is_channels_last(x):  # pooled outputs of channels-last input are channels-last
        values = np.moveaxis(np.ascontiguousarray(np.moveaxis(values, 1, -1)), -1, 1)
        idx = np.moveaxis(np.ascontiguousarray(np.moveaxis(idx, 1, -1)), -1, 1)
    spatial = window.input_shape
    fast = _drivers.max_unpool(values, idx, spatial)
    slow = reference.max_unpool(values, idx, spatial)
    assert fast.dtype == slow.dtype
    np.testing.assert_array_equal(fast, slow)
    g = _grad(x.shape, spatial)
    np.testing.assert_array_equal(
        _drivers.max_unpool_backward(g, idx), reference.max_unpool_backward(g, idx)
    )


@SETTINGS
@given(
    plain_inputs(),
    st.data(),
    st.sampled_from([np.float32, np.float64, np.uint8, np.bool_, np.int64]),
)
def test_upsample_forward_backward(x, data, dtype):
    x = np.abs(np.nan_to_num(x, nan=1.0, posinf=2.0, neginf=3.0)).astype(dtype)
    scale = tuple(data.draw(st.integers(1, 3)) for _ in x.shape[2:])
    fast = _drivers.upsample_nearest(x, scale)
    slow = reference.upsample_nearest(x, scale)
    assert fast.dtype == slow.dtype
    np.testing.assert_array_equal(fast, slow)
    g = _grad(x.shape, fast.shape[2:])
    _close(
        _drivers.upsample_nearest_backward(g, scale),
        reference.upsample_nearest_backward(g, scale),
        np.float32,
    )


# --------------------------------------------------------------------------- layouts, API


def test_channels_last_output_memory_and_no_input_copy():
    """A channels-last input gives a channels-last result without hidden copies."""
    import poolkit

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 9, 9, 16)).astype(np.float32)
    out = poolkit.max_pool2d(x, 3, 2, 1, data_format="channels_last")
    view = np.moveaxis(x, -1, 1)
    window = resolve((9, 9), 3, 2, 1)
    expected = np.moveaxis(reference.max_forward(view, window), 1, -1)
    np.testing.assert_array_equal(out, expected)
    assert out.flags.c_contiguous
    # the driver's result is the channels-first view of channels-last memory
    fast = _drivers.window_forward("avg", view, window)
    assert np.moveaxis(fast, 1, -1).flags.c_contiguous


def test_public_api_uses_kernels_and_matches_reference(monkeypatch):
    import poolkit

    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 12, 10)).astype(np.float32)
    fast = poolkit.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
    monkeypatch.setenv("POOLKIT_KERNELS", "reference")
    slow = poolkit.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
    # float32 accumulation over 9 taps: error <= 9 * eps32 * mean|x| (cancellation aside)
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-6)


def test_max_semantics_hand_made():
    """Ties pick the first, NaN wins and the last NaN wins, -inf everywhere keeps the first
    in-bounds tap (pads never win)."""
    x = np.array([[[[1, 3, 3, np.nan, 0, np.nan, -np.inf, -np.inf]]]], dtype=np.float32)
    window = resolve((1, 8), (1, 3), (1, 3), ((0, 0), (1, 1)))
    out, idx = _drivers.window_forward("max", x, window, return_indices=True)
    assert idx.ravel().tolist() == [1, 3, 5]
    np.testing.assert_array_equal(out.ravel(), [3, np.nan, np.nan])
    window = resolve((1, 8), (1, 2), (1, 2), ((0, 0), (0, 0)))
    out, idx = _drivers.window_forward("max", x, window, return_indices=True)
    assert idx.ravel().tolist() == [1, 3, 5, 6]


@pytest.mark.parametrize("reducer", ["max", "avg", "sum"])
def test_large_problem_uses_threads(reducer):
    """Big enough to be split across threads: still equal to the reference."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 8, 40, 40)).astype(np.float32)
    window = resolve((40, 40), 3, 2, 1)
    fast = _drivers.window_forward(reducer, x, window)
    slow = reference.window_forward(reducer, x, window)
    _close(fast, slow, np.float32)
    xl = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    _close(_drivers.window_forward(reducer, xl, window), slow, np.float32)
