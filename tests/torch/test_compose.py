"""The native-torch composition (CUDA, float16, bfloat16, ONNX export) against the kernels."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import poolkit  # noqa: E402
import poolkit.torch as pt  # noqa: E402
from poolkit.torch import _bridge  # noqa: E402
from poolkit.torch import functional as PF  # noqa: E402

SHAPES = {1: (2, 3, 11), 2: (2, 3, 9, 8), 3: (1, 2, 6, 5, 7)}

CASES = {
    "max_native": lambda n, x: PF.__dict__[f"max_pool{n}d"](x, 3, 2, 1, ceil_mode=True),
    "max_same": lambda n, x: PF.__dict__[f"max_pool{n}d"](x, 2, 2, "same"),
    "max_pairs_dilated": lambda n, x: PF.__dict__[f"max_pool{n}d"](x, 2, 2, ((0, 1),) * n, 2, True),
    "max_same_indices": lambda n, x: PF.__dict__[f"max_pool{n}d"](
        x, 3, 2, "same_lower", return_indices=True
    ),
    "max_native_indices": lambda n, x: PF.__dict__[f"max_pool{n}d"](
        x, 2, 1, 1, return_indices=True
    ),
    "avg_native": lambda n, x: PF.__dict__[f"avg_pool{n}d"](x, 3, 2, 1, ceil_mode=True),
    "avg_same": lambda n, x: PF.__dict__[f"avg_pool{n}d"](x, 3, 2, "same"),
    "avg_dilated_ceil": lambda n, x: PF.__dict__[f"avg_pool{n}d"](
        x, 2, 2, 1, 2, True, count_include_pad=False
    ),
    "avg_override": lambda n, x: PF.__dict__[f"avg_pool{n}d"](x, 2, 1, 1, divisor_override=3),
    "sum": lambda n, x: PF.__dict__[f"sum_pool{n}d"](x, 3, 2, "same", 2, True),
    "lp": lambda n, x: PF.__dict__[f"lp_pool{n}d"](x, 3.0, 2, 2, 1, ceil_mode=True),
    "lp_inf": lambda n, x: PF.__dict__[f"lp_pool{n}d"](x, float("inf"), 2),
    "global_max": lambda n, x: PF.__dict__[f"global_max_pool{n}d"](x),
    "global_avg": lambda n, x: PF.__dict__[f"global_avg_pool{n}d"](x, True),
    "global_sum": lambda n, x: PF.__dict__[f"global_sum_pool{n}d"](x),
    "global_lp": lambda n, x: PF.__dict__[f"global_lp_pool{n}d"](x, 2.0),
    "adaptive_max": lambda n, x: PF.__dict__[f"adaptive_max_pool{n}d"](x, 3, True),
    "adaptive_avg": lambda n, x: PF.__dict__[f"adaptive_avg_pool{n}d"](x, 4),
    "upsample": lambda n, x: PF.__dict__[f"upsample_nearest{n}d"](x, 2),
    "unpool": lambda n, x: PF.__dict__[f"max_unpool{n}d"](
        PF.__dict__[f"max_pool{n}d"](x, 2),
        PF.__dict__[f"max_pool{n}d"](x.detach(), 2, return_indices=True)[1],
        2,
        output_size=x.shape,
    ),
}


def run(case, n, x, compose):
    x = x.detach().clone().requires_grad_()
    with pt.force_composition(compose):
        out = CASES[case](n, x)
    values = out[0] if isinstance(out, tuple) else out
    values.backward(torch.linspace(-1, 1, values.numel()).reshape(values.shape).to(values.dtype))
    return out, x.grad


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("case", CASES)
def test_composition_matches_kernels(n, case):
    x = torch.randn(SHAPES[n], generator=torch.Generator().manual_seed(n), dtype=torch.float64)
    variants = [x, x[0].clone()]  # batched and unbatched
    if n > 1:
        variants.append(x.contiguous(memory_format=torch.channels_last if n == 2 else
                                     torch.channels_last_3d))  # fmt: skip
    for v in variants:
        expected, expected_grad = run(case, n, v, compose=False)
        got, grad = run(case, n, v, compose=True)
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(grad, expected_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_runs_the_composition(dtype):
    x = torch.randn(2, 3, 9, 8, generator=torch.Generator().manual_seed(0))
    layers = [pt.MaxPool2d(3, 2, "same"), pt.AvgPool2d(3, 2, 1, dilation=2), pt.SumPool2d(2),
              pt.LPPool2d(2, 2), pt.GlobalAvgPool2d(), pt.AdaptiveMaxPool2d(3)]  # fmt: skip
    for layer in layers:
        expected = layer(x)
        x_half = x.to(dtype).requires_grad_()
        assert not _bridge.use_kernels(x_half)
        out = layer(x_half)
        assert out.dtype == dtype
        torch.testing.assert_close(out.float(), expected, rtol=2e-2, atol=5e-2)
        out.float().sum().backward()
        assert x_half.grad.dtype == dtype and torch.isfinite(x_half.grad.float()).all()


def test_force_composition_switch_restores_and_routes():
    x = torch.randn(1, 1, 4, 4, requires_grad=True)
    assert _bridge.use_kernels(x)
    with pt.force_composition():
        assert not _bridge.use_kernels(x)
        y = PF.avg_pool2d(x, 2)
        with pt.force_composition(False):
            assert _bridge.use_kernels(x)
    assert _bridge.use_kernels(x)
    assert "poolkit" not in str(y.grad_fn).lower()  # a native torch graph, no custom op
    assert "poolkit" in str(PF.avg_pool2d(x, 2).grad_fn).lower()


@pytest.mark.parametrize("compose", [True, False])
def test_unpool_indices_out_of_range_are_refused_on_both_paths(compose):
    values = torch.ones(1, 1, 2, 2)
    with pt.force_composition(compose):
        for bad in (16, -1):
            indices = torch.tensor([[[[0, 3], [8, bad]]]])
            with pytest.raises(poolkit.PoolingError, match="indices must lie in"):
                pt.functional.max_unpool2d(values, indices, 2)
