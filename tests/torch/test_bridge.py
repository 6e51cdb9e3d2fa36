"""Zero-copy tensor <-> NumPy crossing, memory formats, threads and forked DataLoader workers."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import poolkit.torch as pt  # noqa: E402
from poolkit.torch import _bridge  # noqa: E402


def address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


@pytest.mark.parametrize(
    "shape,memory_format,n",
    [
        ((2, 3, 6, 5), torch.channels_last, 2),
        ((2, 3, 4, 6, 5), torch.channels_last_3d, 3),
        ((2, 3, 6, 5), torch.contiguous_format, 2),
    ],
)
def test_to_numpy_shares_memory_and_keeps_the_memory_order(shape, memory_format, n):
    x = torch.randn(shape).contiguous(memory_format=memory_format)
    array, data_format, inv = _bridge.to_numpy(x, n)
    assert address(array) == x.data_ptr()  # no copy
    assert array.flags.c_contiguous  # read in its own memory order
    channels_last = memory_format != torch.contiguous_format
    assert data_format == ("channels_last" if channels_last else "channels_first")
    back = _bridge.from_numpy(array, inv)
    assert back.data_ptr() == x.data_ptr() and torch.equal(back, x)
    assert back.is_contiguous(memory_format=memory_format)


def test_transposed_1d_input_is_read_channels_last():
    x = torch.randn(2, 9, 4).transpose(1, 2)  # (N, C, L) with C fastest
    array, data_format, _ = _bridge.to_numpy(x, 1)
    assert data_format == "channels_last" and address(array) == x.data_ptr()
    out = pt.MaxPool1d(2)(x)
    torch.testing.assert_close(out, torch.nn.functional.max_pool1d(x, 2))


def test_outputs_and_gradients_keep_channels_last():
    x = torch.randn(2, 4, 8, 8).contiguous(memory_format=torch.channels_last).requires_grad_()
    for layer in (pt.MaxPool2d(3, 2, 1), pt.AvgPool2d(2), pt.SumPool2d(2, padding="same"),
                  pt.LPPool2d(2, 2), pt.AdaptiveAvgPool2d(3), pt.AdaptiveMaxPool2d(3)):  # fmt: skip
        x.grad = None
        out = layer(x)
        assert out.is_contiguous(memory_format=torch.channels_last), layer
        out.backward(torch.ones_like(out))
        assert x.grad.is_contiguous(memory_format=torch.channels_last), layer


def test_strided_and_expanded_inputs():
    base = torch.randn(2, 3, 10, 12)
    x = base[:, :, ::2, 1::2]  # a strided view
    torch.testing.assert_close(pt.AvgPool2d(2)(x), torch.nn.functional.avg_pool2d(x, 2))
    y = torch.randn(1, 3, 1, 1).expand(2, 3, 4, 4)  # zero strides
    torch.testing.assert_close(pt.MaxPool2d(2)(y), torch.nn.functional.max_pool2d(y, 2))
    # an expanded incoming gradient (what .sum().backward() sends) works too
    z = torch.randn(2, 3, 4, 4, requires_grad=True)
    pt.AvgPool2d(2)(z).sum().backward()
    torch.testing.assert_close(z.grad, torch.full_like(z, 0.25))


def test_kernels_follow_torch_num_threads():
    kernels = pytest.importorskip("poolkit.kernels")
    before = torch.get_num_threads()
    x = torch.randn(1, 2, 8, 8)
    try:
        for wanted in (1, 2):
            torch.set_num_threads(wanted)
            pt.MaxPool2d(2)(x)
            assert kernels.get_num_threads() == wanted
    finally:
        torch.set_num_threads(before)


class _Pooled(torch.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        x = torch.arange(64.0).reshape(1, 8, 8) + i
        # large enough that the kernels run on their thread pool inside the worker too
        big = torch.randn(16, 64, 64, generator=torch.Generator().manual_seed(i))
        big_ok = torch.allclose(
            pt.AvgPool2d(2)(big), torch.nn.functional.avg_pool2d(big, 2), atol=1e-6
        )
        return pt.MaxPool2d(2)(x), pt.GlobalAvgPool2d()(x.unsqueeze(0))[0], big_ok


def test_forked_dataloader_workers_after_parent_used_the_kernels():
    # the parent runs the kernels (starting their thread pool) before forking
    pt.MaxPool2d(2)(torch.randn(8, 16, 64, 64))
    pt.AvgPool2d(2)(torch.randn(8, 16, 64, 64))
    loader = torch.utils.data.DataLoader(
        _Pooled(), batch_size=2, num_workers=2, multiprocessing_context="fork"
    )
    batches = list(loader)
    assert len(batches) == 2
    pooled, means, _ = batches[1]
    assert all(bool(b) for batch in batches for b in batch[2])
    expected = torch.nn.functional.max_pool2d(torch.arange(64.0).reshape(1, 8, 8) + 2, 2)
    torch.testing.assert_close(pooled[0], expected)
    torch.testing.assert_close(means[:, 0], torch.tensor([31.5 + 2, 31.5 + 3]))
