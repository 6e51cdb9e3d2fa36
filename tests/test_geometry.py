"""The one geometry: output lengths, pads and divisors under every convention."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from poolkit import PoolingError
from poolkit.geometry import (
    adaptive_bins,
    caffe_output_length,
    effective_kernel,
    output_length,
    resolve,
    same_pads,
    unpool_default_length,
)


def test_pytorch_floor_formula():
    # floor((L + 2p - d(k-1) - 1) / s + 1)
    assert output_length(112, 3, 2, 1, 1, ceil_mode=False) == 56
    assert output_length(7, effective_kernel(3, 2), 1, 0, 0, ceil_mode=False) == 3


def test_pytorch_ceil_mode_keeps_a_partial_last_window():
    # L=6, k=3, s=2, pad 1: floor gives windows at -1, 1, 3; ceil adds one at 5 (inside the input)
    assert output_length(6, 3, 2, 1, 1, ceil_mode=False) == 3
    assert output_length(6, 3, 2, 1, 1, ceil_mode=True) == 4


def test_pytorch_ceil_mode_drops_a_window_that_starts_in_the_right_pad():
    # L=5, k=2, s=2, pad 1: rounding up gives windows at -1, 1, 3, 5; the last would start at 5,
    # past the input (PyTorch: "ensure that the last pooling starts inside the image"), so 3.
    assert (5 + 1 + 1 - 2 + 1) // 2 + 1 == 4  # what the raw ceil formula gives
    assert output_length(5, 2, 2, 1, 1, ceil_mode=True) == 3


def test_ceil_mode_gives_an_input_shorter_than_the_window_one_window():
    # PyTorch's div_rtn floors (1 - 2 + 1) / 2 = 0 -> 1 window that hangs over the end
    assert output_length(1, 2, 2, 0, 0, ceil_mode=True) == 1
    assert output_length(1, 2, 2, 0, 0, ceil_mode=False) == 0
    assert resolve((1,), 2, ceil_mode=True).axes[0].overhang == 1


def test_tf_same_pads_put_the_extra_pad_at_the_end():
    assert same_pads(5, 2, 2) == (0, 1)
    assert same_pads(5, 2, 2, lower=True) == (1, 0)
    assert same_pads(6, 3, 1) == (1, 1)
    assert same_pads(4, 1, 3) == (0, 0)


@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 5), st.integers(1, 3), st.booleans())
def test_same_output_is_ceil_length_over_stride(length, kernel, stride, dilation, lower):
    k_eff = effective_kernel(kernel, dilation)
    lo, hi = same_pads(length, k_eff, stride, lower=lower)
    assert output_length(length, k_eff, stride, lo, hi, ceil_mode=False) == math.ceil(
        length / stride
    )
    assert abs(lo - hi) <= 1 and lo < k_eff and hi < k_eff
    taps = (
        np.arange(math.ceil(length / stride))[:, None] * stride - lo + np.arange(kernel) * dilation
    )
    if (((taps >= 0) & (taps < length)).sum(axis=1) == 0).any():
        # Dilated taps can straddle a tiny input (TensorFlow refuses SAME with dilation at all)
        with pytest.raises(PoolingError, match="every tap in the padding"):
            resolve((length,), kernel, stride, "same", dilation)
        return
    window = resolve((length,), kernel, stride, "same_lower" if lower else "SAME", dilation)
    assert window.pads == ((lo, hi),)


@given(
    st.integers(1, 30),
    st.integers(1, 5),
    st.integers(1, 4),
    st.integers(0, 4),
    st.integers(1, 3),
    st.booleans(),
)
def test_every_window_starts_inside_input_or_left_pad(length, kernel, stride, pad, dilation, ceil):
    k_eff = effective_kernel(kernel, dilation)
    if pad >= k_eff:
        return
    out = output_length(length, k_eff, stride, pad, pad, ceil)
    if out < 1:
        return
    assert (out - 1) * stride < length + pad
    # floor mode never reads past the right pad; ceil mode at most one stride past it
    assert (out - 1) * stride + k_eff <= length + 2 * pad + (stride - 1 if ceil else 0)


def test_caffe_rounds_up_and_drops_only_when_padded():
    assert caffe_output_length(5, 3, 3, 0) == 2
    assert caffe_output_length(4, 2, 2, 1) == 3
    # Caffe's quirk: with pad 0 and k < s it keeps a window wholly outside the input
    assert caffe_output_length(5, 1, 3, 0) == 3


def test_divisors_count_pads_but_not_ceil_overhang():
    # L=5, k=3, s=2, pad 1, ceil: windows start at -1, 1, 3; the last covers 3, 4, 5(pad)
    window = resolve((5,), 3, 2, 1, ceil_mode=True)
    assert window.output_shape == (3,)
    np.testing.assert_array_equal(window.divisors(True), [3, 3, 3])
    np.testing.assert_array_equal(window.divisors(False), [2, 3, 2])
    # L=6: windows at -1, 1, 3, 5; the last covers 5, 6(pad), 7(overhang): pad counts, overhang not
    window = resolve((6,), 3, 2, 1, ceil_mode=True)
    np.testing.assert_array_equal(window.divisors(True), [3, 3, 3, 2])
    np.testing.assert_array_equal(window.divisors(False), [2, 3, 3, 1])
    np.testing.assert_array_equal(window.divisors(True, divisor_override=7), [7, 7, 7, 7])


def test_divisors_are_products_over_axes():
    window = resolve((3, 4), (2, 3), 1, ((1, 0), (0, 2)))
    expected = np.multiply.outer(window.axes[0].in_bounds_count(), window.axes[1].in_bounds_count())
    np.testing.assert_array_equal(window.divisors(False), expected)


def test_adaptive_bins_follow_pytorch():
    start, end = adaptive_bins(10, 3)
    assert start.tolist() == [0, 3, 6] and end.tolist() == [4, 7, 10]
    start, end = adaptive_bins(3, 5)  # more bins than cells: bins overlap
    assert start.tolist() == [0, 0, 1, 1, 2] and end.tolist() == [1, 2, 2, 3, 3]


def test_unpool_default_length():
    assert unpool_default_length(2, 2, 2, 0, 0) == 4
    assert unpool_default_length(56, 3, 2, 1, 1) == 111


def test_resolve_rejects_windows_with_only_padding_taps():
    # k=2, d=3 spans 4 cells; pad 2 < 4 is allowed, but with L=1 the first window's taps
    # fall at -2 and 1: neither is inside the input.
    with pytest.raises(PoolingError, match="every tap in the padding"):
        resolve((1,), 2, 1, 2, 3)


def test_resolve_reports_too_small_input():
    with pytest.raises(PoolingError, match=r"spatial dim 1 has size 2.*output size of 0"):
        resolve((5, 2), 3)


def test_cached_resolution_never_lets_an_invalid_spelling_through():
    """Windows are cached for speed; 2.0 and True hash like 2 but must still be refused."""
    assert resolve((6, 6), 2, 2).output_shape == (3, 3)
    with pytest.raises(PoolingError, match=r"kernel_size must be .*got 2\.0"):
        resolve((6, 6), 2.0, 2)
    with pytest.raises(PoolingError, match=r"kernel_size must be .*got \(2, True\)"):
        resolve((6, 6), (2, True), 2)
    assert resolve((6, 6), 2, 2) is resolve((6, 6), 2, 2)
    assert resolve((6, 6), [2, 2], 2) == resolve((6, 6), (2, 2), 2)  # lists work, uncached
