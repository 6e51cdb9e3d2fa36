"""Channels-first argmax and backward kernels (:mod:`poolkit.kernels._backward`) against the
reference, on rows long enough to reach their vector paths: interior lanes padded to 8, taps in
groups of 3 (kernels up to 5), stride phases (strides 1 to 3), edges, dilation, ceil_mode, the
2x2/2 tiling path and strided input views."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from poolkit import reference
from poolkit.errors import PoolingError
from poolkit.geometry import resolve
from poolkit.kernels import _drivers

pytestmark = pytest.mark.slow  # property tests over every backward path

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PALETTE = np.array([0.0, 1.0, 2.0, -1.0, 0.5, -np.inf, np.inf, np.nan])


@st.composite
def long_rows(draw):
    """A (channels-first input, window) pair with W up to 40; values from a small palette
    (ties, NaN, +-inf) or random integers."""
    n = draw(st.integers(1, 3))
    spatial = [draw(st.integers(1, 5)) for _ in range(n - 1)] + [draw(st.integers(1, 40))]
    tile = draw(st.integers(0, 4)) == 0  # the 2x2/2 tiling path
    if tile:
        spatial = [2 * draw(st.integers(1, 6)) for _ in range(n)]
        kernel, stride, dilation, pads, ceil = 2, 2, 1, 0, False
    else:
        kernel = tuple(draw(st.integers(1, 5)) for _ in range(n))
        stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
        dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
        pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(n))
        ceil = draw(st.booleans())
    try:
        window = resolve(tuple(spatial), kernel, stride, pads, dilation, ceil)
    except PoolingError:
        assume(False)
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *spatial)
    kind = draw(st.sampled_from(["float32", "float64", "int64"]))
    if kind == "int64":
        x = rng.integers(-3, 3, size=shape)
    else:
        x = PALETTE[rng.integers(0, len(PALETTE), size=shape)].astype(kind)
    if draw(st.booleans()):  # a strided view: every other element, reversed along W
        big = np.zeros((*shape[:-1], 2 * shape[-1]), dtype=x.dtype)
        big[..., ::2] = x[..., ::-1]
        x = big[..., ::2][..., ::-1]
    x.flags.writeable = False
    return x, window


def _grad(x, window, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(x.shape[:2] + window.output_shape).astype(np.float32)


@SETTINGS
@given(long_rows())
def test_argmax_values_and_indices(problem):
    x, window = problem
    out, idx = _drivers.window_forward("max", x, window, return_indices=True)
    ref_out, ref_idx = reference.max_forward(x, window, return_indices=True)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(idx, ref_idx)


@SETTINGS
@given(long_rows())
def test_max_backward(problem):
    x, window = problem
    g = _grad(x, window)
    fast = _drivers.window_backward("max", g, x, window)
    slow = reference.window_backward("max", g, x, window)
    assert fast.shape == slow.shape and fast.flags.c_contiguous
    np.testing.assert_allclose(fast, slow, rtol=2e-5, atol=2e-5)


@SETTINGS
@given(long_rows(), st.sampled_from(["sum", "avg"]), st.booleans())
def test_sum_avg_backward(problem, reducer, include_pad):
    x, window = problem
    g = _grad(x, window, seed=1)[..., ::-1]  # a strided gradient too
    opts = {"count_include_pad": include_pad} if reducer == "avg" else {}
    fast = _drivers.window_backward(reducer, g, x, window, **opts)
    slow = reference.window_backward(reducer, g, x, window, **opts)
    np.testing.assert_allclose(fast, slow, rtol=2e-5, atol=2e-5)


def test_max_backward_ties_nan_and_overlap_by_hand():
    """Ties send the gradient to the first tap, NaN wins (the last NaN), overlapping windows
    add up on a shared winner; every element not picked gets exactly 0."""
    x = np.array([[[[5, 5, 1, np.nan, 0, np.nan, 2, 2, 2, 7, 7, 7]]]], dtype=np.float32)
    window = resolve((1, 12), (1, 3), (1, 2), ((0, 0), (1, 1)))
    g = np.arange(1, 1 + window.output_shape[1], dtype=np.float32)[None, None, None]
    fast = _drivers.window_backward("max", g, x, window)
    # windows [-1..1] [1..3] [3..5] [5..7] [7..9] [9..11]
    assert fast.ravel().tolist() == [1, 0, 0, 2, 0, 3 + 4, 0, 0, 0, 5 + 6, 0, 0]
    np.testing.assert_array_equal(fast, reference.window_backward("max", g, x, window))


def test_huge_plane_fallback_matches():
    """Planes of 2**31 elements or more take the int64 kernel: same results (run small)."""
    rng = np.random.default_rng(5)
    x = rng.integers(-2, 3, size=(2, 3, 9, 13)).astype(np.float32)
    window = resolve((9, 13), 3, 2, 1)
    taps = _drivers.window_taps(window)
    x5 = _drivers._to5(x)
    out, idx = _drivers._argmax_huge(x5, taps, None, np.dtype(np.float32))
    ref_out, ref_idx = reference.max_forward(x, window, return_indices=True)
    np.testing.assert_array_equal(out.reshape(ref_out.shape), ref_out)
    np.testing.assert_array_equal(idx.reshape(ref_idx.shape), ref_idx)
    g = _grad(x, window)
    gin = _drivers._argmax_huge(x5, taps, _drivers._to5(g), np.dtype(np.float32))
    slow = reference.window_backward("max", g, x, window)
    np.testing.assert_allclose(gin.reshape(slow.shape), slow, rtol=2e-5, atol=2e-5)


@st.composite
def tiling_2x2(draw):
    """Inputs whose 2x2/2 windows tile the (H, W) planes: W from 2 to 80 (so the tap buffers'
    spare lanes, ``OW`` rounded up to 8, cover every remainder), 1-3 spatial dims (a depth
    axis with kernel 1), palette values (ties, NaN, +-inf, -0.0) or integers, any dtype."""
    n = draw(st.integers(1, 3))
    oh, ow = draw(st.integers(1, 6)), draw(st.integers(1, 40))
    spatial = ((draw(st.integers(1, 3)),) if n == 3 else ()) + ((2 * oh,) if n >= 2 else ())
    spatial += (2 * ow,)
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *spatial)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dtype = draw(st.sampled_from(["float32", "float64", "int8", "uint8", "int64", "bool"]))
    if dtype.startswith("float"):
        palette = np.append(PALETTE, -0.0)
        x = palette[rng.integers(0, len(palette), size=shape)].astype(dtype)
    else:
        x = rng.integers(0 if dtype in ("uint8", "bool") else -3, 3, size=shape).astype(dtype)
    kernel = ((1,) if n == 3 else ()) + (2,) * min(n, 2)
    return x, resolve(tuple(spatial), kernel)


@SETTINGS
@given(tiling_2x2(), st.booleans())
def test_max_backward_2x2_tiles_exact(problem, sliced):
    """The 2x2/2 tiling kernel (contiguous planes) and the general kernel (a channel slice,
    a strided gradient) give the reference's gradient bit for bit: the winner (first
    maximum, last NaN) gets its gradient, every other element +0.0 (as 0 + g)."""
    x, window = problem
    g = np.random.default_rng(3).standard_normal(x.shape[:2] + window.output_shape)
    g = g.astype(np.float32)
    g.reshape(-1)[::5] = -0.0
    slow = reference.window_backward("max", g, x, window)
    if sliced:  # the same values, not C-contiguous: the general kernel
        x = np.repeat(x, 2, axis=1)[:, ::2]
        g = np.repeat(g, 2, axis=-1)[..., ::2]
    fast = _drivers.window_backward("max", g, x, window)
    assert fast.flags.c_contiguous
    bits = np.dtype(f"i{fast.itemsize}")
    np.testing.assert_array_equal(fast.view(bits), slow.astype(fast.dtype).view(bits))


def test_max_backward_2x2_tiles_by_hand():
    """One plane of the tiling kernel: ties to the first tap in window order (row 0 left,
    row 0 right, row 1 left, row 1 right), the last NaN wins, -inf loses to everything."""
    x = np.array(
        [[[[1, 1, np.nan, 0, -np.inf, -np.inf],
           [1, 1, 0, np.nan, -np.inf, 3]]]], dtype=np.float32,
    )  # fmt: skip
    g = np.array([[[[10, 20, 30]]]], dtype=np.float32)
    taps = _drivers.window_taps(resolve((2, 6), 2))
    gin = _drivers._max_backward_tiles(
        _drivers._b(), _drivers._to5(x), _drivers._to5(g), taps, np.dtype(np.float32)
    )
    assert gin.reshape(2, 6).tolist() == [[10, 0, 0, 0, 0, 0], [0, 0, 0, 20, 0, 30]]


@SETTINGS
@given(tiling_2x2(), st.booleans())
def test_max_indices_2x2_tiles_exact(problem, sliced):
    """Max with indices on 2x2/2 tiling windows: the one-pass kernel (contiguous planes) and
    the general one (a channel slice) return the reference's values and flat (D, H, W) plane
    indices: the first maximum, the last NaN."""
    x, window = problem
    ref_out, ref_idx = reference.max_forward(x, window, return_indices=True)
    if sliced:
        x = np.repeat(x, 2, axis=1)[:, ::2]
    out, idx = _drivers.window_forward("max", x, window, return_indices=True)
    assert out.dtype == x.dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(idx, ref_idx)
