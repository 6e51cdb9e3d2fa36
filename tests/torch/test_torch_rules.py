"""poolkit.torch follows torch.nn's argument rules where torch has one (one-element sequences,
MaxUnpool's output_size range, empty dims), and differs only where the README says so."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

import poolkit  # noqa: E402
import poolkit.torch as pt  # noqa: E402
from poolkit.torch import functional as PF  # noqa: E402


@pytest.mark.parametrize("n", [2, 3])
def test_one_element_sequences_apply_to_every_dim_as_in_torch(n):
    x = torch.randn((1, 2) + (9,) * n)
    ours = getattr(PF, f"max_pool{n}d")(x, (3,), (2,), (1,), (2,))
    theirs = getattr(F, f"max_pool{n}d")(x, (3,), (2,), (1,), (2,))
    assert torch.equal(ours, theirs)
    ours = getattr(PF, f"avg_pool{n}d")(x, [3], [2], [1])
    theirs = getattr(F, f"avg_pool{n}d")(x, [3], [2], [1])
    torch.testing.assert_close(ours, theirs)
    layer = getattr(pt, f"MaxPool{n}d")((3,), stride=(2,))
    assert torch.equal(layer(x), getattr(F, f"max_pool{n}d")(x, 3, 2))


@pytest.mark.parametrize("size", [6, 7, 8, 9, 10])
def test_unpool_output_size_follows_torchs_range(size):
    x = torch.randn(1, 1, 8, 8)
    values, indices = F.max_pool2d(x, 2, return_indices=True)
    try:
        expected = F.max_unpool2d(values, indices, 2, output_size=(size, size))
    except (RuntimeError, ValueError) as error:
        with pytest.raises(poolkit.PoolingError) as ours:
            PF.max_unpool2d(values, indices, 2, output_size=(size, size))
        assert "output_size" in str(ours.value) or "indices" in str(ours.value), error
    else:
        assert torch.equal(PF.max_unpool2d(values, indices, 2, output_size=(size, size)), expected)
        assert torch.equal(pt.MaxUnpool2d(2)(values, indices, output_size=(size, size)), expected)


def test_unpool_range_message_names_the_bounds():
    values, indices = PF.max_pool1d(torch.randn(1, 1, 8), 2, return_indices=True)
    with pytest.raises(poolkit.PoolingError, match=r"strictly between 6 and 10 .* got 10"):
        PF.max_unpool1d(values, indices, 2, output_size=(10,))


def test_unpool_with_string_padding_takes_any_size_the_indices_fit():
    values, indices = PF.max_pool1d(torch.randn(1, 1, 8), 2, return_indices=True)
    assert PF.max_unpool1d(values, indices, 2, padding="same", output_size=(12,)).shape[-1] == 12


@pytest.mark.parametrize(
    "call",
    [
        lambda: PF.max_pool2d(torch.zeros(1, 0, 8, 8), 2),
        lambda: PF.max_pool1d(torch.zeros(0, 10), 2),
        lambda: PF.adaptive_max_pool2d(torch.zeros(1, 0, 4, 4), 2),
        lambda: PF.adaptive_avg_pool2d(torch.zeros(1, 0, 4, 4), 2),  # torch accepts: documented
        lambda: pt.MaxPool2d(3, 2)(torch.zeros(1, 0, 50, 32)),
        lambda: PF.upsample_nearest2d(torch.zeros(2, 3, 0, 4), 2),
    ],
)
def test_empty_channel_or_spatial_dims_are_refused(call):
    with pytest.raises(poolkit.PoolingError, match="non-empty channel and spatial dims"):
        call()


def test_empty_batches_give_empty_results():
    x = torch.zeros(0, 3, 8, 8)
    assert PF.max_pool2d(x, 2).shape == (0, 3, 4, 4)
    assert PF.adaptive_avg_pool2d(x, 2).shape == (0, 3, 2, 2)
    assert pt.GlobalAvgPool2d()(x).shape == (0, 3)


def test_integer_input_is_pooled_with_documented_dtypes():
    x = torch.arange(16, dtype=torch.int32).reshape(1, 1, 4, 4)
    assert PF.max_pool2d(x, 2).dtype == torch.int32
    assert PF.sum_pool2d(x, 2).dtype == torch.int64
    assert PF.avg_pool2d(x, 2).dtype == torch.float64
    assert PF.adaptive_avg_pool2d(x, 1).dtype == torch.float64
    assert PF.avg_pool2d(x, 2).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]


@pytest.mark.parametrize("size", [(1, 1), (1, 2), (2, 2)])
def test_channels_last_results_have_torchs_strides_even_for_size_one_dims(size):
    x = torch.randn(2, 3, 4, 4).contiguous(memory_format=torch.channels_last)
    with pt.kernel_threshold(0):  # the kernels' result, crossed back from NumPy
        ours = PF.adaptive_max_pool2d(x, size)
    theirs = F.adaptive_max_pool2d(x, size)
    assert ours.stride() == theirs.stride() and torch.equal(ours, theirs)
