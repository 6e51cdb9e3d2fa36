"""Each worked example of the source articles (../shared/SEEDS.md) as a named test."""

import numpy as np
import pytest

import poolkit
from poolkit.demo import KERAS_WORD_VECTORS, PYTORCH_ARTICLE_INPUT


def test_pytorch_article_5x5_kernel3_ceil_mode_true_gives_2x2():
    x = PYTORCH_ARTICLE_INPUT.reshape(1, 1, 5, 5)
    out = poolkit.max_pool2d(x, 3, ceil_mode=True)
    np.testing.assert_array_equal(out, [[[[2, 3], [5, 1]]]])


def test_pytorch_article_5x5_kernel3_ceil_mode_false_gives_1x1():
    x = PYTORCH_ARTICLE_INPUT.reshape(1, 1, 5, 5)
    np.testing.assert_array_equal(poolkit.max_pool2d(x, 3), [[[[2]]]])


def test_pytorch_article_integer_input_works():
    """The article hit an error with integer input in PyTorch; poolkit pools ints natively."""
    x = PYTORCH_ARTICLE_INPUT.astype(np.int64).reshape(1, 1, 5, 5)
    out = poolkit.max_pool2d(x, 3, ceil_mode=True)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [[[[2, 3], [5, 1]]]])


def test_pytorch_article_summary_example_is_not_reproduced():
    """The article's machine-written summary claims a 4x5 input gives a 3x2 output; it cannot
    with kernel 3 (stride 3): floor mode gives 1x1, ceil mode 2x2."""
    x = np.arange(20, dtype=np.float32).reshape(1, 1, 4, 5)
    assert poolkit.max_pool2d(x, 3).shape[2:] == (1, 1)
    assert poolkit.max_pool2d(x, 3, ceil_mode=True).shape[2:] == (2, 2)


def test_keras_maxpooling1d_shape_10_4_10_pool2_stride1():
    x = np.random.default_rng(0).standard_normal((10, 4, 10))
    assert poolkit.max_pool1d(x, 2, 1, data_format="channels_last").shape == (10, 3, 10)


def test_keras_maxpooling1d_word_vectors():
    out = poolkit.max_pool1d(KERAS_WORD_VECTORS[None], 2, 1, data_format="channels_last")
    np.testing.assert_allclose(out[0], [[0.8, -0.2, 0.2], [0.8, -0.1, 0.4], [0.4, -0.1, 0.8]])


def test_resnet_max_pool_2x2_stride2_halves_height_width_keeps_channels():
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 6))
    assert poolkit.max_pool2d(x, 2, 2).shape == (2, 3, 4, 3)
    assert poolkit.avg_pool2d(x, 2, 2).shape == (2, 3, 4, 3)


def test_resnet50_stem_max_pool_3x3_stride2_pad1():
    x = np.zeros((1, 64, 112, 112), np.float32)
    assert poolkit.max_pool2d(x, 3, 2, 1).shape == (1, 64, 56, 56)


def test_resnet_global_average_pool_one_number_per_channel():
    x = np.random.default_rng(0).standard_normal((2, 2048, 7, 7))
    out = poolkit.global_avg_pool2d(x)
    assert out.shape == (2, 2048)
    np.testing.assert_allclose(out, x.mean(axis=(2, 3)))


def test_channels_are_pooled_independently():
    """No accumulation across channels: 3 maps in, 3 maps out, each from its own map."""
    x = np.random.default_rng(0).standard_normal((1, 3, 4, 4))
    together = poolkit.max_pool2d(x, 2)
    for c in range(3):
        np.testing.assert_array_equal(together[0, c], poolkit.max_pool2d(x[:, c : c + 1], 2)[0, 0])


@pytest.mark.parametrize("pool", [poolkit.max_pool2d, poolkit.avg_pool2d, poolkit.sum_pool2d])
def test_tensorflow_notes_three_kinds_2x2_stride2(pool):
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out = pool(x, 2, 2)
    blocks = x.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(2, 2, 4)
    expected = {
        poolkit.max_pool2d: blocks.max(-1),
        poolkit.avg_pool2d: blocks.mean(-1),
        poolkit.sum_pool2d: blocks.sum(-1),
    }[pool]
    np.testing.assert_allclose(out[0, 0], expected)


def test_kaggle_pipeline_tf_same_pool_on_odd_map():
    """tf.nn.pool(window (2,2), MAX, strides (2,2), 'SAME') on an odd-sized map: the extra pad
    goes at the end, so the output is ceil(L/2)."""
    x = np.random.default_rng(0).random((1, 7, 9, 1))
    out = poolkit.max_pool2d(x, 2, 2, "same", data_format="channels_last")
    assert out.shape == (1, 4, 5, 1)
    np.testing.assert_array_equal(out[0, -1, -1, 0], x[0, 6, 8, 0])


def test_keras_upsampling2d_repeats_rows_and_columns():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    out = poolkit.upsample_nearest2d(x, 2)
    np.testing.assert_array_equal(
        out[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )


def test_keras_upsampling2d_backward_sums_each_block_not_subsamples():
    """The article's from-scratch backward subsamples the gradient; the right one sums."""
    x = np.zeros((1, 1, 2, 2))
    grad = np.arange(16.0).reshape(1, 1, 4, 4)
    out = poolkit.upsample_nearest2d_backward(grad, x, 2)
    np.testing.assert_array_equal(
        out[0, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7], [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]]
    )
    assert not np.array_equal(out, grad[:, :, ::2, ::2])


def test_max_pooling_raises_share_of_active_pixels_after_relu():
    """Kaggle lesson: after ReLU much of a map is zero; max pooling raises the active share."""
    rng = np.random.default_rng(0)
    detected = np.maximum(rng.standard_normal((1, 1, 64, 64)), 0)
    condensed = poolkit.max_pool2d(detected, 2, 2)
    assert (condensed > 0).mean() > (detected > 0).mean()
