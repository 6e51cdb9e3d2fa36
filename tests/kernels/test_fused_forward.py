"""Property tests for the fused forward paths of the window kernels (``max_cf``/``sum_cf``:
small W windows straight into ``out``; ``max_cl``/``sum_cl``: 1-3 rows x 2-3 taps read
straight from the input), against the NumPy reference.

The geometry is drawn where those paths apply (W kernel 2 or 3, no W dilation, W stride 1 or
2 channels-first, any channels-last) next to nearby windows that take the general paths, in
every memory order, with NaN/inf/ties and integers.
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
from poolkit.kernels import _drivers

from ._layouts import as_layout

pytestmark = pytest.mark.slow  # property tests over every fused path

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PALETTE = [0.0, 1.0, 2.0, -1.0, 0.5, -np.inf, np.inf, np.nan, -0.0]


@st.composite
def problems(draw, palette=PALETTE):
    """Mostly windows the fused paths take: W kernel 2-3, W dilation 1, W stride 1-2."""
    n = draw(st.integers(1, 3))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 4)))
    spatial = tuple(draw(st.integers(1, 9 if n < 3 else 5)) for _ in range(n))
    lead = n - 1  # the W axis last: the one the fused paths look at
    kernel = (*(draw(st.integers(1, 3)) for _ in range(lead)), draw(st.sampled_from([2, 3, 1, 4])))
    stride = (*(draw(st.integers(1, 3)) for _ in range(lead)), draw(st.sampled_from([1, 2, 3])))
    dilation = (*(draw(st.integers(1, 2)) for _ in range(lead)), draw(st.sampled_from([1, 1, 2])))
    pads = tuple((draw(st.integers(0, 1)), draw(st.integers(0, 1))) for _ in range(n))
    ceil_mode = draw(st.booleans())
    try:
        window = resolve(spatial, kernel, stride, pads, dilation, ceil_mode)
    except PoolingError:
        assume(False)
    size = math.prod(shape + spatial)
    picks = draw(st.lists(st.integers(0, len(palette) - 1), min_size=size, max_size=size))
    base = np.array([palette[i] for i in picks]).reshape(shape + spatial)
    layout = draw(st.sampled_from(["channels_first", "channels_last", "strided"]))
    return base, layout, window


@SETTINGS
@given(problems(), st.sampled_from([np.float32, np.float64, np.int64, np.int8]))
def test_fused_max(problem, dtype):
    base, layout, window = problem
    if np.dtype(dtype).kind == "i":
        base = np.nan_to_num(base, nan=3.0, posinf=100.0, neginf=-100.0)
    x = as_layout(base.astype(dtype), layout)
    x.flags.writeable = False
    fast = _drivers.window_forward("max", x, window)
    slow = reference.max_forward(x, window)
    assert fast.dtype == slow.dtype
    np.testing.assert_array_equal(fast, slow)


@SETTINGS
@given(
    problems(),
    st.sampled_from([np.float32, np.float64, np.int32]),
    st.sampled_from(["sum", "avg"]),
    st.booleans(),
    st.sampled_from([None, None, 3]),
)
def test_fused_sum_avg(problem, dtype, reducer, include_pad, override):
    base, layout, window = problem
    if np.dtype(dtype).kind == "i":
        base = np.nan_to_num(base, nan=3.0, posinf=100.0, neginf=-100.0)
    x = as_layout(base.astype(dtype), layout)
    x.flags.writeable = False
    opts = {}
    if reducer == "avg":
        opts = {"count_include_pad": include_pad, "divisor_override": override}
    fast = _drivers.window_forward(reducer, x, window, **opts)
    slow = reference.window_forward(reducer, x, window, **opts)
    assert fast.shape == slow.shape and fast.dtype == slow.dtype
    if np.dtype(dtype).kind == "i" and reducer == "sum":
        np.testing.assert_array_equal(fast, slow)
    else:
        rtol = 2e-5 if np.dtype(dtype) == np.float32 else 1e-11
        np.testing.assert_allclose(fast, slow, rtol=rtol, atol=rtol, equal_nan=True)


def test_fused_int_sum_exact_beyond_float64():
    """Integer sums on the fused paths never pass through a float multiply."""
    big = 2**60 + 1
    x = np.full((1, 2, 3, 6), big, dtype=np.int64)
    x[0, 1, 1, 2] = -big
    window = resolve((3, 6), 2, 2)
    for v in (x, np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)):
        np.testing.assert_array_equal(
            _drivers.window_forward("sum", v, window), reference.window_forward("sum", v, window)
        )


def _values(shape, dtype, rng):
    base = rng.choice(np.array([0.0, 1.0, 2.0, -1.0, 0.5, -3.0, np.nan, np.inf]), size=shape)
    if np.dtype(dtype).kind == "i":
        base = np.nan_to_num(base, nan=3.0, posinf=100.0)
    return base.astype(dtype)


@pytest.mark.parametrize("layout", ["channels_first", "channels_last", "strided"])
def test_fused_paths_every_row_and_tap_count(layout):
    """Each fused case (1, 2, 3 or more rows x 2 or 3 taps, strides 1-3, with and without
    pads) on inputs wide enough to have interior and edge outputs."""
    rng = np.random.default_rng(0)
    cases = [((11,), (k,), (s,), (p,)) for k in (2, 3) for s in (1, 2, 3) for p in (0, 1)]
    cases += [
        ((7, 11), (kh, kw), (sh, sw), (p, p))
        for kh in (1, 2, 3)
        for kw in (2, 3)
        for sh, sw in ((1, 1), (2, 2), (1, 3))
        for p in (0, 1)
        if p <= kh // 2
    ]
    cases += [((5, 6, 9), (3, 1, 3), (2, 1, 2), (1, 0, 1)), ((5, 6, 9), (2, 2, 2), 2, 0)]
    for spatial, kernel, stride, pad in cases:
        window = resolve(spatial, kernel, stride, pad)
        for dtype in (np.float32, np.int64):
            x = as_layout(_values((2, 3, *spatial), dtype, rng), layout)
            np.testing.assert_array_equal(
                _drivers.window_forward("max", x, window), reference.max_forward(x, window)
            )
            for reducer, opts in (("sum", {}), ("avg", {"count_include_pad": False})):
                fast = _drivers.window_forward(reducer, x, window, **opts)
                slow = reference.window_forward(reducer, x, window, **opts)
                np.testing.assert_allclose(fast, slow, rtol=2e-5, atol=2e-5, equal_nan=True)
