"""The public NumPy API's behaviour: layouts, batching, dtypes and unusual but valid input."""

import numpy as np
import pytest

import poolkit

RNG = np.random.default_rng(7)

# (name, forward call taking x in the given layout, needs float input)
FORWARDS = {
    "max": lambda x, **k: poolkit.max_pool2d(x, 3, 2, 1, **k),
    "max_dilated_ceil": lambda x, **k: poolkit.max_pool2d(x, 2, 2, 1, 2, True, **k),
    "avg": lambda x, **k: poolkit.avg_pool2d(x, 3, 2, 1, ceil_mode=True, **k),
    "avg_same": lambda x, **k: poolkit.avg_pool2d(x, 2, 2, "same", **k),
    "sum": lambda x, **k: poolkit.sum_pool2d(x, (2, 3), (1, 2), ((1, 0), (0, 2)), **k),
    "lp": lambda x, **k: poolkit.lp_pool2d(x, 3, 2, **k),
    "global_max": lambda x, **k: poolkit.global_max_pool2d(x, **k),
    "global_avg_keep": lambda x, **k: poolkit.global_avg_pool2d(x, keepdims=True, **k),
    "global_sum": lambda x, **k: poolkit.global_sum_pool2d(x, **k),
    "global_lp": lambda x, **k: poolkit.global_lp_pool2d(x, 2, **k),
    "adaptive_max": lambda x, **k: poolkit.adaptive_max_pool2d(x, (3, None), **k),
    "adaptive_avg": lambda x, **k: poolkit.adaptive_avg_pool2d(x, 4, **k),
    "upsample": lambda x, **k: poolkit.upsample_nearest2d(x, (2, 3), **k),
}


def nchw_to_nhwc(a):
    return np.moveaxis(a, 1, -1) if a.ndim == 4 else a


@pytest.mark.parametrize("name", FORWARDS)
def test_channels_last_matches_channels_first(name):
    x = RNG.standard_normal((2, 3, 7, 6)).astype(np.float32)
    first = FORWARDS[name](x)
    last = FORWARDS[name](np.ascontiguousarray(nchw_to_nhwc(x)), data_format="channels_last")
    np.testing.assert_array_equal(last, nchw_to_nhwc(first))
    assert last.flags.c_contiguous


@pytest.mark.parametrize("name", FORWARDS)
def test_unbatched_matches_batch_of_one(name):
    x = RNG.standard_normal((1, 3, 7, 6))
    np.testing.assert_array_equal(FORWARDS[name](x[0]), FORWARDS[name](x)[0])


@pytest.mark.parametrize("name", FORWARDS)
def test_input_is_never_modified_and_odd_arrays_work(name):
    base = RNG.standard_normal((2, 3, 14, 12))
    x = base[:, :, ::2, ::2]  # non-contiguous
    expected = FORWARDS[name](np.ascontiguousarray(x))
    snapshot = x.copy()
    np.testing.assert_array_equal(FORWARDS[name](x), expected)
    readonly = np.ascontiguousarray(x)
    readonly.flags.writeable = False
    np.testing.assert_array_equal(FORWARDS[name](readonly), expected)
    big_endian = np.ascontiguousarray(x).astype(">f8")
    np.testing.assert_array_equal(FORWARDS[name](big_endian), expected)
    np.testing.assert_array_equal(x, snapshot)


@pytest.mark.parametrize("name", FORWARDS)
def test_empty_batch_and_channels(name):
    for shape in ((0, 3, 7, 6), (2, 0, 7, 6)):
        out = FORWARDS[name](np.zeros(shape))
        assert out.size == 0 and out.shape[:2] == shape[:2]


def test_backward_never_modifies_its_inputs():
    x = RNG.standard_normal((2, 3, 7, 6))
    grad = RNG.standard_normal((2, 3, 4, 3))
    x0, g0 = x.copy(), grad.copy()
    poolkit.max_pool2d_backward(grad, x, 3, 2, 1)
    poolkit.avg_pool2d_backward(grad, x, 3, 2, 1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(grad, g0)


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64, np.float16]
)
def test_max_pool_keeps_integer_and_bool_dtypes_with_pads_never_winning(dtype):
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    values = (
        RNG.integers(0, 2, (1, 2, 5, 5))
        if dtype is np.bool_
        else RNG.integers(0, 100, (1, 2, 5, 5))
    )
    if info is not None and info.min < 0:
        values = values - 100  # all negative: a zero pad would win, the dtype's minimum never does
    x = values.astype(dtype)
    out = poolkit.max_pool2d(x, 3, 2, 1)
    assert out.dtype == x.dtype
    expected = poolkit.max_pool2d(x.astype(np.float64), 3, 2, 1)
    np.testing.assert_array_equal(out.astype(np.float64), expected)


def test_result_dtypes():
    ints = np.arange(16, dtype=np.int32).reshape(1, 1, 4, 4)
    assert poolkit.sum_pool2d(ints, 2).dtype == np.int64
    assert poolkit.sum_pool2d(ints.astype(bool), 2).dtype == np.int64
    assert poolkit.avg_pool2d(ints, 2).dtype == np.float64
    assert poolkit.lp_pool2d(ints, 2, 2).dtype == np.float64
    assert poolkit.avg_pool2d(ints.astype(np.float32), 2).dtype == np.float32
    assert poolkit.global_sum_pool2d(ints.astype(np.uint8)).dtype == np.int64
    _, indices = poolkit.max_pool2d(ints, 2, return_indices=True)
    assert indices.dtype == np.int64
    assert poolkit.max_pool2d_backward(np.ones((1, 1, 2, 2)), ints, 2).dtype == np.float64


def test_sum_pool_of_int8_does_not_overflow():
    x = np.full((1, 1, 4, 4), 127, np.int8)
    np.testing.assert_array_equal(poolkit.sum_pool2d(x, 4), [[[[127 * 16]]]])


def test_nan_and_inf():
    x = np.array([[[1.0, np.nan, 3.0, -np.inf, -np.inf, np.inf]]])
    values, indices = poolkit.max_pool1d(x, 2, return_indices=True)
    np.testing.assert_array_equal(values, [[[np.nan, 3.0, np.inf]]])
    np.testing.assert_array_equal(indices, [[[1, 2, 5]]])
    # all -inf with padding: an input element wins, never the pad
    values, indices = poolkit.max_pool1d(np.full((1, 1, 3), -np.inf), 2, 2, 1, return_indices=True)
    np.testing.assert_array_equal(indices, [[[0, 1]]])
    assert np.isnan(poolkit.avg_pool1d(x, 2)[0, 0, 0])


def test_count_include_pad_defaults_follow_the_padding_spelling():
    x = np.ones((1, 1, 3))
    # numeric padding counts pads (PyTorch): window [pad, 1, 1] -> 2/3
    np.testing.assert_allclose(poolkit.avg_pool1d(x, 3, 1, 1)[0, 0], [2 / 3, 1, 2 / 3])
    # 'same' leaves them out (TensorFlow/Keras): all ones
    np.testing.assert_allclose(poolkit.avg_pool1d(x, 3, 1, "same")[0, 0], [1, 1, 1])
    # an explicit choice always wins
    np.testing.assert_allclose(
        poolkit.avg_pool1d(x, 3, 1, "same", count_include_pad=True)[0, 0], [2 / 3, 1, 2 / 3]
    )
    np.testing.assert_allclose(
        poolkit.avg_pool1d(x, 3, 1, 1, count_include_pad=False)[0, 0], [1, 1, 1]
    )
    np.testing.assert_allclose(
        poolkit.avg_pool1d(x, 3, 1, 1, divisor_override=2)[0, 0], [1, 1.5, 1]
    )


def test_padding_strings_are_case_insensitive_and_same_lower_pads_first():
    x = np.arange(5.0).reshape(1, 1, 5)
    np.testing.assert_array_equal(poolkit.sum_pool1d(x, 2, 2, "SAME")[0, 0], [1, 5, 4])
    np.testing.assert_array_equal(poolkit.sum_pool1d(x, 2, 2, "same_lower")[0, 0], [0, 3, 7])
    np.testing.assert_array_equal(poolkit.sum_pool1d(x, 2, 2, "Valid")[0, 0], [1, 5])


def test_indices_in_channels_last_are_per_plane_like_channels_first():
    x = RNG.standard_normal((2, 3, 6, 5))
    _, first = poolkit.max_pool2d(x, 2, return_indices=True)
    _, last = poolkit.max_pool2d(
        np.ascontiguousarray(nchw_to_nhwc(x)), 2, return_indices=True, data_format="channels_last"
    )
    np.testing.assert_array_equal(last, nchw_to_nhwc(first))


def test_unpool_default_and_explicit_sizes():
    even = RNG.standard_normal((2, 3, 4, 4))
    values, indices = poolkit.max_pool2d(even, 2, return_indices=True)
    assert poolkit.max_unpool2d(values, indices, 2).shape == (2, 3, 4, 4)
    # a 5x5 input's maxima can sit in row/column 4, outside the default 4x4: output_size says 5x5
    x = RNG.standard_normal((2, 3, 5, 5))
    values, indices = poolkit.max_pool2d(x, 2, return_indices=True)
    full = poolkit.max_unpool2d(values, indices, 2, output_size=x.shape)
    assert full.shape == x.shape
    np.testing.assert_array_equal(poolkit.max_pool2d(np.where(full != 0, full, -np.inf), 2), values)
    spatial = poolkit.max_unpool2d(values, indices, 2, output_size=(5, 5))
    np.testing.assert_array_equal(spatial, full)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_backward_functions_exist_and_are_shaped_like_x(n):
    x = RNG.standard_normal((2, 2) + (6,) * n)
    for stem, args in [
        ("max_pool", (2,)),
        ("avg_pool", (2,)),
        ("sum_pool", (2,)),
        ("lp_pool", (2, 2)),
        ("global_max_pool", ()),
        ("global_avg_pool", ()),
        ("global_sum_pool", ()),
        ("global_lp_pool", (2,)),
        ("adaptive_max_pool", (3,)),
        ("adaptive_avg_pool", (3,)),
        ("upsample_nearest", (2,)),
    ]:
        forward = getattr(poolkit, f"{stem}{n}d")
        backward = getattr(poolkit, f"{stem}{n}d_backward")
        out = forward(x, *args)
        grad = backward(np.ones_like(out), x, *args)
        assert grad.shape == x.shape, stem
        assert grad.dtype == np.float64


def test_sum_backward_of_ones_counts_window_membership():
    x = np.zeros((1, 1, 5))
    grad = poolkit.sum_pool1d_backward(np.ones((1, 1, 2)), x, 3, 2)
    np.testing.assert_array_equal(grad[0, 0], [1, 1, 2, 1, 1])


def test_convert_indices_round_trips_between_formats():
    x = RNG.standard_normal((2, 5, 4, 3))  # NHWC
    _, indices = poolkit.max_pool2d(x, 2, return_indices=True, data_format="channels_last")
    for to in ("onnx", "tf"):
        for with_batch in (False, True):
            converted = poolkit.convert_indices(indices, to, x.shape, "channels_last", with_batch)
            back = poolkit.convert_indices(
                converted, "torch", x.shape, "channels_last", with_batch, source=to
            )
            np.testing.assert_array_equal(back, indices)
    tf_style = poolkit.convert_indices(indices, "tf", x.shape, "channels_last", True)
    # the TF index is the flat offset into the NHWC tensor: reading it back gives the maxima
    values = poolkit.max_pool2d(x, 2, data_format="channels_last")
    np.testing.assert_array_equal(x.ravel()[tf_style], values)
    onnx_style = poolkit.convert_indices(indices, "onnx", x.shape, "channels_last")
    np.testing.assert_array_equal(np.moveaxis(x, -1, 1).ravel()[onnx_style], values)


def test_convert_indices_unbatched_needs_spatial_dims():
    x = RNG.standard_normal((3, 4, 4))
    _, indices = poolkit.max_pool2d(x, 2, return_indices=True)
    onnx_style = poolkit.convert_indices(indices, "onnx", x.shape, spatial_dims=2)
    np.testing.assert_array_equal(x.ravel()[onnx_style], poolkit.max_pool2d(x, 2))
