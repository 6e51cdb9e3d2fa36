"""The one geometry: output lengths, pads and divisors under every convention."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poolkit import PoolingError
from poolkit.geometry import (
    Axis,
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


# --------------------------------------------------------------------------- closed forms
# Per-window counts, first taps and the empty-window check are closed-form (O(outputs)
# memory, O(1) for the check), never an (out, kernel) array: checked here against it.


@st.composite
def geometries(draw):
    length = draw(st.integers(1, 30))
    kernel = draw(st.integers(1, 7))
    stride = draw(st.integers(1, 9))  # stride > kernel too
    dilation = draw(st.integers(1, 12))  # dilation > length too
    k_eff = dilation * (kernel - 1) + 1
    lo = draw(st.integers(0, k_eff - 1))
    hi = draw(st.integers(0, k_eff - 1))
    return length, kernel, stride, dilation, ((lo, hi),), draw(st.booleans())


def _brute(axis):
    taps = axis.starts()[:, None] + np.arange(axis.kernel) * axis.dilation
    inside = (taps >= 0) & (taps < axis.length)
    padded = (taps >= -axis.lo) & (taps < axis.length + axis.hi)
    return taps, inside, padded


@settings(max_examples=400, deadline=None)
@given(geometries())
def test_closed_form_counts_equal_the_brute_force_taps(geometry):
    length, kernel, stride, dilation, pads, ceil = geometry
    try:
        window = resolve((length,), kernel, stride, pads, dilation, ceil)
    except Exception:
        return  # no window fits, or one is wholly padding: the test below covers the latter
    axis = window.axes[0]
    taps, inside, padded = _brute(axis)
    first, count, padded_count = axis.window_counts(chunk=3)  # several chunks
    assert np.array_equal(count, inside.sum(axis=1))
    assert np.array_equal(padded_count, padded.sum(axis=1))
    assert np.array_equal(first, np.where(inside, taps, 1 << 40).min(axis=1))
    for o in range(axis.out):
        assert np.array_equal(axis.window_taps(o), taps[o])
    assert np.array_equal(axis.first_in_bounds(), first)
    assert np.array_equal(axis.in_bounds_count(), count)
    assert np.array_equal(axis.padded_count(), padded_count)


@settings(max_examples=400, deadline=None)
@given(geometries())
def test_the_closed_form_empty_window_check_equals_the_brute_force(geometry):
    length, kernel, stride, dilation, ((lo, hi),), ceil = geometry
    out = output_length(length, effective_kernel(kernel, dilation), stride, lo, hi, ceil)
    if out < 1:
        return
    axis = Axis(length, kernel, stride, dilation, lo, hi, ceil, out)
    _taps, inside, _padded = _brute(axis)
    empty = np.flatnonzero(inside.sum(axis=1) == 0)
    assert axis.empty_window() == (int(empty[0]) if empty.size else None)


def test_counts_do_not_materialise_outputs_x_kernel():
    # (900001, 10**5) taps would be 720 GB: closed forms need only the (out,) results
    axis = resolve((10**6,), 10**5).axes[0]
    assert axis.in_bounds_count().min() == 10**5 and axis.empty_window() is None
    axis = resolve((10**6,), 1000, 1, 999, ceil_mode=True).axes[0]
    count = axis.in_bounds_count()
    assert count[0] == 1 and count[999] == 1000 and count[-1] == 1 and len(count) == 10**6 + 999


def test_huge_arguments_are_exact_python_ints():
    # stride 2**64 over 5: one window (PyTorch's formula), no int64 conversion on the way
    axis = resolve((5,), 2, 2**64).axes[0]
    assert axis.out == 1 and axis.first_in_bounds().tolist() == [0]
    assert axis.in_bounds_count().tolist() == [2]
    # k=3, d=2**62, pad 2**62: taps o - 2**62, o, o + 2**62 (the last past int64's wrap)
    axis = resolve((5,), 3, 1, 2**62, 2**62).axes[0]
    assert not axis.int64_safe and axis.out == 5
    assert axis.first_in_bounds().tolist() == [0, 1, 2, 3, 4]
    assert axis.in_bounds_count().tolist() == [1] * 5 and axis.padded_count().tolist() == [3] * 5
    # kernel 2**63 with padding 2**62: 6 windows over all 5 cells, 2**63 padded taps each
    window = resolve((5,), 2**63, 1, 2**62)
    assert window.window_size == 2**63
    np.testing.assert_array_equal(window.divisors(True), [2.0**63] * 6)
    np.testing.assert_array_equal(window.divisors(False), [5.0] * 6)


def test_resolve_refuses_an_output_longer_than_any_array():
    with pytest.raises(PoolingError, match=r"output too large.*kernel_size=9223372036854775808"):
        resolve((5,), 2**63, 1, 2**63 - 1)


def test_huge_dilation_leaving_a_window_in_the_padding_is_found_in_closed_form():
    # 2**62 + 2 windows start in the left pad; the first has no tap inside
    with pytest.raises(PoolingError, match=r"dilation=9223372036854775808.*leaves window 0"):
        resolve((5,), 2, 1, 2**62 + 2, 2**63)
    # pad 3, d=10 over L=2: windows start at -3, -2, -1, 0...; the first inside tap of
    # window o is (o - 3) mod 10 = 7, 8, 9: window 0 already misses
    axis = Axis(2, 2, 1, 10, 3, 3, False, 0)
    assert axis.empty_window() is None  # no windows at all
    axis = Axis(12, 2, 5, 10, 9, 0, False, 2)  # starts -9 (tap 1 inside), -4 (tap 6 inside)
    assert axis.empty_window() is None
    axis = Axis(5, 2, 5, 10, 9, 0, False, 2)  # starts -9 (tap 1), -4 (tap 6 >= 5: misses)
    assert axis.empty_window() == 1
