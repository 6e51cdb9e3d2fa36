"""poolkit.torch.functional: every operator against the NumPy API, gradcheck and gradgradcheck."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import poolkit  # noqa: E402
from poolkit.torch import functional as PF  # noqa: E402

SHAPES = {1: (2, 3, 9), 2: (2, 3, 7, 6), 3: (1, 2, 5, 4, 6)}

# name -> (positional args after x, keyword args); the same call goes to poolkit.<name>
CALLS = {
    "max_pool": ((3, 2, "same"), {"dilation": 1}),
    "avg_pool": ((3, 2, 1), {"dilation": 2, "ceil_mode": True}),
    "sum_pool": ((2, 1, "same_lower"), {"dilation": 2}),
    "lp_pool": ((2.5, 2, 2), {"padding": 1, "ceil_mode": True}),
    "global_max_pool": ((), {}),
    "global_avg_pool": ((), {"keepdims": True}),
    "global_sum_pool": ((), {}),
    "global_lp_pool": ((3.0,), {}),
    "adaptive_max_pool": ((3,), {}),
    "adaptive_avg_pool": ((2,), {}),
    "upsample_nearest": ((2,), {}),
}


def rand(shape, seed=0, dtype=torch.float64):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def test_every_numpy_operator_has_a_torch_twin():
    numpy_names = {name for name in poolkit.__all__ if name.endswith("d") and "pool" in name}
    numpy_names |= {name for name in poolkit.__all__ if name.startswith("upsample")}
    numpy_names = {name for name in numpy_names if not name.endswith("backward")}
    assert numpy_names == set(PF.__all__)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("stem", CALLS)
def test_forward_and_backward_match_numpy_api(n, stem):
    args, kwargs = CALLS[stem]
    x = rand(SHAPES[n]).requires_grad_()
    out = getattr(PF, f"{stem}{n}d")(x, *args, **kwargs)
    expected = getattr(poolkit, f"{stem}{n}d")(x.detach().numpy(), *args, **kwargs)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    grad = rand(out.shape, seed=1)
    out.backward(grad)
    expected_grad = getattr(poolkit, f"{stem}{n}d_backward")(
        grad.numpy(), x.detach().numpy(), *args, **kwargs
    )
    np.testing.assert_allclose(x.grad.numpy(), expected_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_max_unpool_matches_numpy_api(n):
    x = rand(SHAPES[n])
    pooled, indices = PF.__dict__[f"max_pool{n}d"](x, 2, return_indices=True)
    pooled = pooled.detach().requires_grad_()
    out = PF.__dict__[f"max_unpool{n}d"](pooled, indices, 2, output_size=x.shape[-n:])
    expected = getattr(poolkit, f"max_unpool{n}d")(
        pooled.detach().numpy(), indices.numpy(), 2, output_size=x.shape[-n:]
    )
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    out.backward(torch.ones_like(out))
    assert pooled.grad.sum() == pooled.numel()


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("stem", CALLS)
def test_data_format_channels_last_matches_numpy_api(n, stem):
    args, kwargs = CALLS[stem]
    x = rand(SHAPES[n]).movedim(1, -1).contiguous()  # (N, *spatial, C)
    for value in (x, x[0]):  # batched and unbatched
        value = value.detach().requires_grad_()
        out = getattr(PF, f"{stem}{n}d")(value, *args, **kwargs, data_format="channels_last")
        expected = getattr(poolkit, f"{stem}{n}d")(
            value.detach().numpy(), *args, **kwargs, data_format="channels_last"
        )
        np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
        out.backward(torch.ones_like(out))
        expected_grad = getattr(poolkit, f"{stem}{n}d_backward")(
            np.ones(expected.shape), value.detach().numpy(), *args, **kwargs,
            data_format="channels_last",
        )  # fmt: skip
        np.testing.assert_allclose(value.grad.numpy(), expected_grad, rtol=1e-12, atol=1e-12)


def test_data_format_channels_last_unpool_and_errors():
    x = rand((2, 6, 6, 3))
    pooled, indices = PF.max_pool2d(x, 2, return_indices=True, data_format="channels_last")
    out = PF.max_unpool2d(pooled, indices, 2, output_size=(2, 7, 7, 3), data_format="Channels_Last")
    expected = poolkit.max_unpool2d(
        pooled.numpy(), indices.numpy(), 2, output_size=(7, 7), data_format="channels_last"
    )
    np.testing.assert_array_equal(out.numpy(), expected)
    with pytest.raises(poolkit.PoolingError, match="data_format must be"):
        PF.avg_pool2d(x, 2, data_format="NHWC")


# --------------------------------------------------------------------------- gradcheck

GRAD_CASES = {
    "max_pool": lambda n: lambda x: PF.__dict__[f"max_pool{n}d"](x, 3, 2, 1, 1, True),
    "max_pool_indices": lambda n: (
        lambda x: PF.__dict__[f"max_pool{n}d"](x, 2, 1, "same", return_indices=True)[0]
    ),
    "avg_pool": lambda n: lambda x: PF.__dict__[f"avg_pool{n}d"](x, 3, 2, "same", dilation=1),
    "avg_pool_ceil": lambda n: (
        lambda x: PF.__dict__[f"avg_pool{n}d"](x, 2, 2, 1, 2, True, count_include_pad=False)
    ),
    "sum_pool": lambda n: lambda x: PF.__dict__[f"sum_pool{n}d"](x, 2, 1, ((1, 0),) * n),
    "lp_pool": lambda n: lambda x: PF.__dict__[f"lp_pool{n}d"](x, 3.0, 2, 1, "same"),
    "global_max_pool": lambda n: PF.__dict__[f"global_max_pool{n}d"],
    "global_avg_pool": lambda n: PF.__dict__[f"global_avg_pool{n}d"],
    "global_sum_pool": lambda n: lambda x: PF.__dict__[f"global_sum_pool{n}d"](x, True),
    "global_lp_pool": lambda n: lambda x: PF.__dict__[f"global_lp_pool{n}d"](x, 2.0),
    "adaptive_max_pool": lambda n: lambda x: PF.__dict__[f"adaptive_max_pool{n}d"](x, 2),
    "adaptive_avg_pool": lambda n: lambda x: PF.__dict__[f"adaptive_avg_pool{n}d"](x, 3),
    "upsample_nearest": lambda n: lambda x: PF.__dict__[f"upsample_nearest{n}d"](x, 2),
}
LINEAR = ("avg_pool", "avg_pool_ceil", "sum_pool", "global_avg_pool", "global_sum_pool",
          "adaptive_avg_pool", "upsample_nearest")  # fmt: skip
SMALL = {1: (2, 2, 6), 2: (1, 2, 5, 4), 3: (1, 1, 4, 3, 4)}


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("case", GRAD_CASES)
def test_gradcheck(n, case):
    # distinct values: max pooling's gradient is undefined at ties
    x = (torch.randperm(int(np.prod(SMALL[n])), generator=torch.Generator().manual_seed(n))
         .reshape(SMALL[n]).double() / 7 - 1).requires_grad_()  # fmt: skip
    assert torch.autograd.gradcheck(GRAD_CASES[case](n), (x,), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("case", LINEAR)
def test_gradgradcheck_linear_pools(n, case):
    x = rand(SMALL[n]).requires_grad_()
    assert torch.autograd.gradgradcheck(GRAD_CASES[case](n), (x,))


def test_gradgradcheck_max_pool_and_unpool():
    x = (torch.randperm(40, generator=torch.Generator().manual_seed(3)).reshape(1, 2, 4, 5)
         .double()).requires_grad_()  # fmt: skip
    assert torch.autograd.gradgradcheck(lambda v: PF.max_pool2d(v, 2, 1, "same"), (x,))
    pooled, indices = PF.max_pool2d(x.detach(), 2, return_indices=True)
    pooled = pooled.requires_grad_()
    assert torch.autograd.gradgradcheck(
        lambda v: PF.max_unpool2d(v, indices, 2, output_size=(4, 5)), (pooled,)
    )


@pytest.mark.parametrize("n", [1, 2, 3])
def test_gradcheck_max_unpool(n):
    x = rand(SMALL[n])
    pooled, indices = PF.__dict__[f"max_pool{n}d"](x, 2, return_indices=True)
    unpool = PF.__dict__[f"max_unpool{n}d"]
    size = x.shape[-n:]
    assert torch.autograd.gradcheck(
        lambda v: unpool(v, indices, 2, output_size=size), (pooled.requires_grad_(),)
    )


def test_lp_double_backward_says_it_is_missing():
    x = rand((1, 1, 4, 4)).requires_grad_()
    (g,) = torch.autograd.grad(PF.lp_pool2d(x, 2.0, 2).sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="double backward of lp pooling"):
        g.sum().backward()


def test_no_grad_inference_mode_and_integer_input():
    x = rand((2, 3, 8, 8), dtype=torch.float32)
    with torch.no_grad():
        a = PF.avg_pool2d(x, 2)
    with torch.inference_mode():
        b = PF.avg_pool2d(x, 2)
        c = PF.max_pool2d(torch.arange(16, dtype=torch.int16).reshape(1, 1, 4, 4), 2)
    torch.testing.assert_close(a, b)
    assert c.dtype == torch.int16 and c.flatten().tolist() == [5, 7, 13, 15]
    assert PF.sum_pool1d(torch.ones(1, 1, 4, dtype=torch.bool), 2).tolist() == [[[2, 2]]]
