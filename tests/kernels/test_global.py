"""Global pooling of contiguous planes (kernels/_global.py) against the reference.

Planes here are long enough for the blocked loops (``LANES`` elements per block) and their
tails; values include ties, -0.0 next to 0.0, NaN, +-inf and integer extremes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from poolkit import reference
from poolkit.kernels import _drivers
from poolkit.kernels._global import LANES

PALETTE = [0.0, -0.0, 1.0, -1.0, 2.5, 2.5, -7.0, np.inf, -np.inf, np.nan, 3e38, -3e38]


@st.composite
def planes(draw, dtype):
    spatial = draw(
        st.sampled_from(
            [(LANES - 1,), (LANES,), (LANES + 1,), (3 * LANES + 5,), (9, 23), (2, 5, 13), (1,)]
        )
    )
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *spatial)
    size = int(np.prod(shape))
    if np.dtype(dtype).kind == "f":
        palette = PALETTE if draw(st.booleans()) else [v for v in PALETTE if v == v]
    else:
        info = np.iinfo(dtype)
        palette = [0, 1, 2, 7, info.min, info.max]
    picks = draw(st.lists(st.integers(0, len(palette) - 1), min_size=size, max_size=size))
    return np.array([palette[i] for i in picks]).astype(dtype).reshape(shape)


def _same_max(fast, slow):
    np.testing.assert_array_equal(fast, slow)
    if fast.dtype.kind == "f":  # which zero wins is part of the rule
        np.testing.assert_array_equal(np.signbit(fast), np.signbit(slow))


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from([np.float32, np.float64, np.int16, np.uint8, np.int64]))
def test_global_max_sum_avg_match_the_reference(data, dtype):
    x = data.draw(planes(dtype))
    before = x.copy()
    _same_max(_drivers.global_forward("max", x), reference.global_forward("max", x))
    np.testing.assert_array_equal(x, before)
    if dtype == np.float32:  # float32 partial sums of +-3e38 overflow: the documented range
        x = np.where(np.abs(x) == np.float32(3e38), np.sign(x) * np.float32(3e30), x)
        before = x.copy()
    size = np.prod(x.shape[2:])
    for reducer in ("sum", "avg"):
        fast = _drivers.global_forward(reducer, x)
        slow = reference.global_forward(reducer, x)
        assert fast.dtype == slow.dtype and fast.shape == slow.shape
        if fast.dtype.kind != "f":
            np.testing.assert_array_equal(fast, slow)
            continue
        # within rounding: taps * eps * sum|x| (costmodel: float32 adds in float32 up to 64
        # taps), and inf/NaN exactly where the reference has them
        finite = np.isfinite(slow)
        np.testing.assert_array_equal(np.isfinite(fast), finite)
        np.testing.assert_array_equal(np.isnan(fast), np.isnan(slow))
        spatial = tuple(range(2, x.ndim))
        scale = np.abs(x.astype(np.float64)).sum(axis=spatial, keepdims=True)
        if reducer == "avg":
            scale = scale / size
        bound = (size + 1) * np.finfo(fast.dtype).eps * scale + 1e-30
        with np.errstate(invalid="ignore"):  # inf - inf outside `finite`
            error = np.abs(fast.astype(np.float64) - slow)
        assert (error[finite] <= bound[finite]).all()
    np.testing.assert_array_equal(x, before)


def test_zero_maximum_keeps_the_first_zero_in_window_order():
    x = np.full((1, 2, 3 * LANES), -1.0, dtype=np.float32)
    x[0, 0, [5, LANES + 2]] = [-0.0, 0.0]  # window order: -0.0 first, so -0.0 wins
    x[0, 1, [5, LANES + 2]] = [0.0, -0.0]
    out = _drivers.global_forward("max", x)
    assert np.signbit(out[0, 0, 0]) and not np.signbit(out[0, 1, 0])


@settings(max_examples=40, deadline=None)
@given(st.data(), st.sampled_from([np.float32, np.float64, np.int16]))
def test_sums_are_bit_identical_in_every_memory_order(data, dtype):
    """Channels-first, channels-last and strided planes add in one order: same bits."""
    x = data.draw(planes(dtype))
    if x.ndim < 4:
        x = x[..., None]
    last = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    strided = np.repeat(x, 2, axis=-1)[..., ::2]
    for reducer in ("sum", "avg"):
        first = _drivers.global_forward(reducer, x)
        for other in (last, strided):
            np.testing.assert_array_equal(_drivers.global_forward(reducer, other), first)
