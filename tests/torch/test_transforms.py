"""poolkit.torch under torch.func transforms and forward-mode AD.

Inside a transform (and for dual tensors) the operators run as the native-torch composition,
which every transform understands; the results must equal the eager kernel path's values and
gradients, and forward-mode tangents must match finite differences (they used to be zeros).
"""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
import torch.autograd.forward_ad as fwAD  # noqa: E402

from poolkit.torch import functional as PF  # noqa: E402
from poolkit.torch._bridge import transformed, use_kernels  # noqa: E402

SHAPES = {1: (2, 3, 9), 2: (2, 3, 7, 6), 3: (1, 2, 5, 4, 6)}

CALLS = {
    "max_pool": ((3, 2, 1), {}),
    "max_pool_ceil": ((2,), {"ceil_mode": True, "dilation": 1}),
    "avg_pool": ((3, 2, 1), {"ceil_mode": True}),
    "avg_pool_same": ((3, 2, "same"), {"dilation": 2}),
    "sum_pool": ((2, 1, "same_lower"), {}),
    "lp_pool": ((2.5, 2, 2), {"padding": 1}),
    "global_max_pool": ((), {}),
    "global_avg_pool": ((), {"keepdims": True}),
    "global_sum_pool": ((), {}),
    "global_lp_pool": ((3.0,), {}),
    "adaptive_max_pool": ((3,), {}),
    "adaptive_avg_pool": ((2,), {}),
    "upsample_nearest": ((2,), {}),
}


def op(name: str, n: int):
    stem = name.removesuffix("_ceil").removesuffix("_same")
    fn = getattr(PF, f"{stem}{n}d")
    args, kwargs = CALLS[name]
    return lambda t: fn(t, *args, **kwargs)


def rand(shape, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


CASES = [
    (name, n) for name in CALLS for n in (1, 2, 3) if n == 2 or name in ("max_pool", "avg_pool")
]
#: Operators that only pick values: their results and gradients are exact on every path. The
#: others add in another order in the composition (last-bit differences).
EXACT = ("max_pool", "max_pool_ceil", "global_max_pool", "adaptive_max_pool")


def same(actual, expected, name):
    if name in EXACT:
        assert torch.equal(actual, expected)
    else:
        torch.testing.assert_close(actual, expected, rtol=1e-12, atol=1e-14)


def eager_grad(f, x, g):
    x = x.detach().requires_grad_()
    (grad,) = torch.autograd.grad(f(x), x, g)
    return grad


@pytest.mark.parametrize(("name", "n"), CASES)
def test_grad_vjp_and_jacrev_equal_the_eager_kernels(name, n):
    f = op(name, n)
    x = rand(SHAPES[n])
    g = rand(f(x).shape, seed=1)
    expected = eager_grad(f, x, g)
    same(torch.func.grad(lambda t: (f(t) * g).sum())(x), expected, name)
    out, vjp = torch.func.vjp(f, x)
    same(out, f(x), name)
    same(vjp(g)[0], expected, name)
    small = x[:1, :1]
    jac = torch.func.jacrev(f)(small)
    jac_fwd = torch.func.jacfwd(f)(small)
    torch.testing.assert_close(jac, jac_fwd, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("name", "n"), CASES)
def test_forward_mode_tangents_match_finite_differences(name, n):
    f = op(name, n)
    x, v = rand(SHAPES[n]), rand(SHAPES[n], seed=2)
    out, tangent = torch.func.jvp(f, (x,), (v,))
    same(out, f(x), name)
    eps = 1e-6
    numeric = (f(x + eps * v) - f(x - eps * v)) / (2 * eps)
    torch.testing.assert_close(tangent, numeric, rtol=1e-5, atol=1e-6)
    assert tangent.abs().sum() > 0
    with fwAD.dual_level():
        dual = f(fwAD.make_dual(x, v))
        primal, dual_tangent = fwAD.unpack_dual(dual)
    same(primal, out, name)
    same(dual_tangent, tangent, name)


@pytest.mark.parametrize(("name", "n"), CASES)
def test_vmap_equals_a_loop_without_fallback_warnings(name, n):
    f = op(name, n)
    xs = rand((4, *SHAPES[n]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a batching-rule fallback warns
        batched = torch.func.vmap(f)(xs)
        per_grad = torch.func.vmap(torch.func.grad(lambda t: f(t).square().sum()))(xs)
    same(batched, torch.stack([f(x) for x in xs]), name)
    one = torch.tensor(1.0, dtype=torch.float64)
    loop = torch.stack([eager_grad(lambda t: f(t).square().sum(), x, one) for x in xs])
    torch.testing.assert_close(per_grad, loop, rtol=1e-12, atol=1e-12)


def test_unpool_and_indices_under_transforms():
    x = rand((2, 3, 6, 6))
    values, indices = PF.max_pool2d(x, 2, return_indices=True)

    def unpool(t):
        return PF.max_unpool2d(t, indices, 2)

    out, tangent = torch.func.jvp(unpool, (values,), (torch.ones_like(values),))
    assert torch.equal(out, unpool(values))
    assert torch.equal(tangent, unpool(torch.ones_like(values)))
    grad = torch.func.grad(lambda t: PF.max_pool2d(t, 2, return_indices=True)[0].sum())(x)
    expected = torch.zeros_like(x).flatten(2).scatter_(2, indices.flatten(2), 1.0).view_as(x)
    assert torch.equal(grad, expected)


def test_plain_tensors_still_take_the_kernels():
    x = torch.randn(1, 1, 4, 4, requires_grad=True)
    assert not transformed(x) and use_kernels(x)
    with fwAD.dual_level():
        assert not transformed(x)  # a dual level alone does not divert plain tensors
        assert transformed(fwAD.make_dual(x.detach(), torch.ones(1, 1, 4, 4)))
