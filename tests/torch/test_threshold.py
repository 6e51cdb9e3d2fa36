"""Small tensors run torch's own kernels (the composition), large ones poolkit's: the same
results either way, so the switch is only about speed."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import poolkit.torch as pt  # noqa: E402
from poolkit.torch import functional as PF  # noqa: E402
from poolkit.torch._bridge import (  # noqa: E402
    KERNEL_MIN_CHANNELS_LAST,
    KERNEL_MIN_ELEMENTS,
    KERNEL_MIN_TRAINING,
    use_kernels,
)

pytestmark = pytest.mark.default_kernel_threshold


def test_training_and_channels_last_have_their_own_thresholds():
    n = KERNEL_MIN_ELEMENTS
    assert use_kernels(torch.zeros(1, 1, 1, n))
    assert not use_kernels(torch.zeros(1, 1, 1, n, requires_grad=True))
    with torch.no_grad():
        assert use_kernels(torch.zeros(1, 1, 1, n, requires_grad=True))
    assert use_kernels(torch.zeros(1, 1, 1, KERNEL_MIN_TRAINING, requires_grad=True))
    cl = torch.zeros(1, 64, 64, n // 4096).contiguous(memory_format=torch.channels_last)
    assert cl.numel() >= n and not use_kernels(cl)
    side = int((KERNEL_MIN_CHANNELS_LAST // 64) ** 0.5) + 1
    big = torch.empty(1, 64, side, side).contiguous(memory_format=torch.channels_last)
    assert use_kernels(big)


def test_the_threshold_splits_small_from_large_tensors():
    assert not use_kernels(torch.zeros(KERNEL_MIN_ELEMENTS - 1))
    assert use_kernels(torch.zeros(KERNEL_MIN_ELEMENTS))
    with pt.kernel_threshold(0):
        assert use_kernels(torch.zeros(1))
    assert not use_kernels(torch.zeros(1))


CALLS = [
    ("max", lambda t: PF.max_pool2d(t, 3, 2, 1, ceil_mode=True), True),
    ("max_same", lambda t: PF.max_pool2d(t, 3, 2, "same"), True),
    ("max_indices", lambda t: PF.max_pool2d(t, 2, return_indices=True)[0], True),
    ("avg", lambda t: PF.avg_pool2d(t, 3, 2, 1, count_include_pad=False), False),
    ("avg_same_dilated", lambda t: PF.avg_pool2d(t, 3, 1, "same", dilation=2), False),
    ("sum", lambda t: PF.sum_pool2d(t, 2, 1), False),
    ("lp", lambda t: PF.lp_pool2d(t, 2.0, 2), False),
    ("adaptive_max", lambda t: PF.adaptive_max_pool2d(t, (3, 2)), True),
    ("adaptive_avg", lambda t: PF.adaptive_avg_pool2d(t, 3), False),
    ("global_max", lambda t: PF.global_max_pool2d(t), True),
    ("global_avg", lambda t: PF.global_avg_pool2d(t), False),
    ("upsample", lambda t: PF.upsample_nearest2d(t, 2), True),
]


@pytest.mark.parametrize(("name", "call", "exact"), CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("layout", ["nchw", "channels_last"])
def test_small_tensors_give_the_kernels_results_and_gradients(name, call, exact, layout):
    x = torch.randn(2, 3, 9, 8, generator=torch.Generator().manual_seed(0))
    if layout == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    assert not use_kernels(x)

    def run(t):
        t = t.detach().requires_grad_()
        out = call(t)
        (grad,) = torch.autograd.grad(out, t, torch.ones_like(out))
        return out, grad

    small, small_grad = run(x)
    with pt.kernel_threshold(0):
        kernels, kernels_grad = run(x)
    if exact:
        assert torch.equal(small, kernels) and torch.equal(small_grad, kernels_grad)
    else:
        torch.testing.assert_close(small, kernels, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(small_grad, kernels_grad, rtol=1e-6, atol=1e-6)
    assert small.is_contiguous(memory_format=torch.channels_last) == (
        kernels.is_contiguous(memory_format=torch.channels_last)
    ) or small.dim() < 4 or min(small.shape[-2:]) == 1


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64, torch.uint8, torch.bool, torch.int8])
def test_small_integer_and_bool_tensors_keep_poolkits_rules(dtype):
    # torch has no integer average or adaptive pooling: these always take the kernels
    x = (torch.arange(64).reshape(1, 1, 8, 8) % 5).to(dtype)
    assert use_kernels(x)
    assert PF.avg_pool2d(x, 2).dtype == torch.float64
    assert PF.adaptive_max_pool2d(x, 2).dtype == dtype
    assert PF.adaptive_avg_pool2d(x, 1).dtype == torch.float64
    assert PF.lp_pool2d(x, 2, 2).dtype == torch.float64
    assert PF.max_pool2d(x, 2).dtype == dtype


@pytest.mark.parametrize(
    "layer",
    [
        pt.MaxPool2d(3, 2, 1, ceil_mode=True),
        pt.MaxPool2d(2, return_indices=True),
        pt.MaxPool2d(3, 1, 2),  # pad > kernel // 2: torch refuses it, poolkit's composition runs
        pt.AvgPool2d(3, 2, 1, count_include_pad=False),
        pt.AvgPool2d(3, 2, "same"),  # a string: no torch twin
        pt.AvgPool1d(3, 2, 1),
        pt.AdaptiveAvgPool2d((2, 3)),
        pt.AdaptiveMaxPool2d(3, return_indices=True),
    ],
    ids=repr,
)
def test_layers_on_small_tensors_equal_the_kernels(layer):
    x = torch.randn(2, 3, 9, 8, generator=torch.Generator().manual_seed(1))
    if isinstance(layer, pt.AvgPool1d):
        x = x.flatten(2)
    small = layer(x)
    with pt.kernel_threshold(0):
        kernels = layer(x)
    for a, b in zip(
        small if isinstance(small, tuple) else (small,),
        kernels if isinstance(kernels, tuple) else (kernels,),
        strict=True,
    ):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)
    assert not list(layer.children()) and "_twin" not in layer.state_dict()


def test_a_changed_attribute_rebuilds_the_torch_twin():
    layer = pt.MaxPool2d(2)
    x = torch.randn(1, 1, 8, 8)
    assert layer(x).shape[-1] == 4
    layer.kernel_size = layer.stride = 4
    assert layer(x).shape[-1] == 2


def test_bad_input_on_the_small_path_is_still_a_pooling_error():
    import poolkit

    with pytest.raises(poolkit.PoolingError, match="complex"):
        pt.MaxPool2d(2)(torch.randn(1, 1, 4, 4, dtype=torch.complex64))
    with pytest.raises(poolkit.PoolingError, match="non-empty"):
        pt.AdaptiveAvgPool2d(1)(torch.zeros(1, 0, 4, 4))


def test_compiled_small_models_keep_the_custom_operators():
    # inside torch.compile the thresholds step aside: the graph holds poolkit's operators,
    # whose fake kernels trace (fullgraph: a graph break would raise)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), pt.MaxPool2d(2), pt.AvgPool2d(2, padding="same"),
        pt.LPPool2d(2, 1), pt.SumPool2d(1), pt.AdaptiveAvgPool2d(1),
    )  # fmt: skip
    compiled = torch.compile(model, fullgraph=True, backend="aot_eager")
    x = torch.randn(2, 1, 8, 8, requires_grad=True)
    torch.testing.assert_close(compiled(x), model(x), rtol=1e-5, atol=1e-6)
    compiled(x).sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape
