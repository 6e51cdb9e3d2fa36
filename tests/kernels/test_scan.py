"""Property tests of the large-window path (block scan + doubling) against the reference.

Covers what the cost model sends there: long windows along D, H or W, any dilation, pads,
ceil_mode, 1-3 spatial dims, every memory order, channel blocks of the channels-last kernel,
NaN/+-inf, integers. Max must be identical; sums within float rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from poolkit import reference
from poolkit.errors import PoolingError
from poolkit.geometry import resolve
from poolkit.kernels import _drivers, costmodel

from ._layouts import as_layout

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    # the fixtures only monkeypatch module attributes, the same for every example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PALETTE = [0.0, 1.0, 2.0, -1.0, 0.5, -3.0, -np.inf, np.inf, np.nan]


@st.composite
def scan_problems(draw, channels=(1, 3), layouts=("channels_first", "channels_last", "strided")):
    """Windows the block-scan path takes (one axis long, ``k >= 8``): any dilation, pads up
    to the effective window, ceil_mode, 1-3 dims, every memory order."""
    n = draw(st.integers(1, 3))
    long_axis = draw(st.integers(0, n - 1))
    spatial, kernel, stride, dilation, pads = [], [], [], [], []
    for i in range(n):
        if i == long_axis:
            k = draw(st.integers(8, 9 if n == 3 else 13))
            s = draw(st.integers(1, k // 2))
        else:
            k = draw(st.integers(1, 3 if n == 3 else 10))
            s = draw(st.integers(1, 4))
        d = draw(st.sampled_from([1, 1, 2] if n == 3 else [1, 1, 2, 3]))
        k_eff = d * (k - 1) + 1
        lo, hi = (draw(st.integers(0, min(5, k_eff - 1))) for _ in range(2))
        least = max(1, k_eff - lo - hi)
        spatial.append(draw(st.integers(least, least + (4 if n == 3 else 12))))
        kernel.append(k)
        stride.append(s)
        dilation.append(d)
        pads.append((lo, hi))
    try:
        window = resolve(tuple(spatial), kernel, stride, pads, dilation, draw(st.booleans()))
    except PoolingError:  # a window entirely in the padding
        assume(False)
    assert costmodel.use_blockscan_window(window)
    shape = (draw(st.integers(1, 2)), draw(st.integers(*channels)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    palette = np.array(PALETTE[: draw(st.sampled_from([3, 6, len(PALETTE)]))])  # ties, inf, NaN
    base = rng.choice(palette, size=shape + tuple(spatial))
    return as_layout(base, draw(st.sampled_from(layouts))), window


def _check(x, window, dtype, reducer, opts):
    if np.dtype(dtype).kind in "iu":
        x = np.nan_to_num(x, nan=3.0, posinf=9.0, neginf=-9.0)
    x = x.astype(dtype)
    x.flags.writeable = False  # kernels must never write to their input
    fast = _drivers.window_forward(reducer, x, window, **opts)
    slow = reference.window_forward(reducer, x, window, **opts)
    assert fast.shape == slow.shape and fast.dtype == slow.dtype
    if reducer == "max" or (np.dtype(dtype).kind in "iu" and reducer == "sum"):
        np.testing.assert_array_equal(fast, slow)
    else:
        rtol = 2e-5 if np.dtype(dtype) == np.float32 else 1e-11
        np.testing.assert_allclose(fast, slow, rtol=rtol, atol=rtol, equal_nan=True)


@pytest.fixture
def scan_only(monkeypatch):
    """The direct kernels raise: the block-scan path must answer alone."""

    def refuse(*args, **kwargs):
        raise AssertionError("direct kernel called for a block-scan window")

    monkeypatch.setattr(_drivers, "_max_values", refuse)
    monkeypatch.setattr(_drivers, "_sum", refuse)


@SETTINGS
@given(
    scan_problems(),
    st.sampled_from([np.float32, np.float64, np.int32]),
    st.sampled_from(["max", "sum", "avg"]),
    st.sampled_from([{}, {"count_include_pad": False}, {"divisor_override": 7}]),
)
def test_block_scan_matches_reference(scan_only, problem, dtype, reducer, opts):
    x, window = problem
    _check(x, window, dtype, reducer, opts if reducer == "avg" else {})


@SETTINGS
@given(scan_problems((33, 70), ["channels_last"]), st.sampled_from(["max", "avg"]))
def test_channel_blocks(monkeypatch, problem, reducer):
    """Channels-last items are channel blocks (of 32 here): every block is pooled."""
    monkeypatch.setattr(costmodel, "BLOCKSCAN_CL_BYTES", 1)
    x, window = problem
    assert costmodel.blockscan_channel_block(70, 9, 9, 4) == 32
    _check(x, window, np.float32, reducer, {})


def test_max_nan_inf_and_int_extremes_hand_made():
    """NaN wins wherever it sits in the window; -inf pads never win; int64 extremes."""
    x = np.full((1, 1, 12, 40), -np.inf, dtype=np.float32)
    x[0, 0, 5, 17] = np.nan
    x[0, 0, 0, 0] = np.inf
    window = resolve((12, 40), (9, 11), 1, (4, 5), (1, 2))
    assert costmodel.use_blockscan_window(window)
    fast = _drivers.window_forward("max", x, window)
    np.testing.assert_array_equal(fast, reference.window_forward("max", x, window))
    assert np.isnan(fast).sum() == 9 * 11  # rows 1..9 x the 11 even columns 2..22
    i = np.array([[np.iinfo(np.int64).min, np.iinfo(np.int64).max] * 10], dtype=np.int64)[None]
    w1 = resolve((20,), 8, 3, 4, 1, True)
    np.testing.assert_array_equal(
        _drivers.window_forward("max", i, w1), reference.window_forward("max", i, w1)
    )


@pytest.mark.parametrize("reducer", ["max", "avg"])
def test_large_3d_window_with_depth(reducer):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 12, 10, 11)).astype(np.float32)
    window = resolve((12, 10, 11), (9, 3, 8), (1, 2, 1), (4, 1, 3), (1, 1, 2), True)
    fast = _drivers.window_forward(reducer, x, window)
    slow = reference.window_forward(reducer, x, window)
    np.testing.assert_allclose(fast, slow, rtol=2e-5, atol=2e-5)
