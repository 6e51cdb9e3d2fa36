"""The kernels as torch custom operators: opcheck, and torch.compile(fullgraph=True)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import poolkit.torch as pt  # noqa: E402
from poolkit.torch import _ops  # noqa: E402
from poolkit.torch import functional as PF  # noqa: E402

FAST_CHECKS = ("test_schema", "test_autograd_registration", "test_faketensor")


def x64(*shape, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_opcheck_every_operator():
    x = x64(2, 3, 7, 6).requires_grad_()
    cl = x.detach().contiguous(memory_format=torch.channels_last).requires_grad_()
    pooled, indices = PF.max_pool2d(x.detach(), 2, return_indices=True)
    cases = [
        (_ops.pool, (x, "max", [3, 3], [2, 2], [1, 1, 1, 1], "explicit", [1, 1], True, True,
                     None, 2.0)),
        (_ops.pool, (cl, "avg", [3, 2], [2, 1], [], "same", [1, 2], False, False, None, 2.0)),
        (_ops.pool, (x, "lp", [2, 2], [2, 2], [], "valid", [1, 1], False, True, None, 3.0)),
        (_ops.pool, (x[0], "sum", [2], [1], [0, 1], "explicit", [2], True, True, None, 2.0)),
        (_ops.pool_backward, (x64(2, 3, 4, 3), x, "avg", [2, 2], [2, 2], [], "same", [1, 1],
                              False, False, 3, 2.0)),
        (_ops.max_pool_with_indices, (cl, [2, 2], [1, 1], [], "same_lower", [1, 1], False)),
        (_ops.adaptive_pool, (x, "avg", [3, 2])),
        (_ops.adaptive_max_pool_with_indices, (cl, [2, 4])),
        (_ops.global_pool, (cl, "lp", 2, 2.5, True)),
        (_ops.global_pool, (x, "max", 2, 2.0, False)),
        (_ops.max_unpool, (pooled.requires_grad_(), indices, [7, 6])),
        (_ops.upsample_nearest, (cl, [2, 1])),
    ]  # fmt: skip
    for op, args in cases:
        torch.library.opcheck(op, args, test_utils=FAST_CHECKS)


def test_constant_marker_is_what_torch_compiler_sets():
    def probe():
        return 0

    torch.compiler.assume_constant_result(probe)
    assert probe._dynamo_marked_constant is True
    assert PF._window_args._dynamo_marked_constant is True


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.features = torch.nn.Sequential(
            pt.MaxPool2d(3, 2, 1),
            pt.AvgPool2d(3, 1, "same", dilation=2),
            pt.LPPool2d(2, 2, padding=((0, 1), (0, 1))),
            pt.SumPool2d(2, 1, "same"),
        )
        self.head = torch.nn.Linear(4, 2)

    def forward(self, x):
        y = self.features(torch.relu(self.conv(x)))
        pooled, _ = PF.adaptive_max_pool2d(y, 2, return_indices=True)
        windows, where = PF.max_pool2d(y, 2, return_indices=True)
        y = y + PF.max_unpool2d(windows, where, 2, output_size=y.shape[-2:])
        y = y + PF.upsample_nearest2d(pooled, 2).mean(dim=(-2, -1), keepdim=True)
        return self.head(pt.GlobalAvgPool2d()(y))


def test_compile_fullgraph_matches_eager():
    # aot_eager runs dynamo (fullgraph: any graph break raises), the fake implementations and
    # the autograd formulas exactly as inductor would see them, without compiling C++.
    torch.manual_seed(0)
    model = Net()
    compiled = torch.compile(model, fullgraph=True, backend="aot_eager")
    for memory_format in (torch.contiguous_format, torch.channels_last):
        x = torch.randn(2, 3, 16, 16).contiguous(memory_format=memory_format)
        model.zero_grad()
        expected = model(x)
        expected.square().sum().backward()
        grads = [p.grad.clone() for p in model.parameters()]
        model.zero_grad()
        got = compiled(x)
        got.square().sum().backward()
        torch.testing.assert_close(got, expected)
        for p, g in zip(model.parameters(), grads, strict=True):
            torch.testing.assert_close(p.grad, g)
    # a new batch and map size: dynamo recompiles with symbolic sizes, still one graph
    x = torch.randn(3, 3, 20, 18)
    torch.testing.assert_close(compiled(x), model(x))


def test_compile_dynamic_true_traces_symbolic_sizes_and_float_p():
    # dynamic=True makes sizes and Python floats (p) symbolic: p must stay out of the traced
    # constants, and the fake implementations must take symbolic sizes
    model = torch.nn.Sequential(
        pt.MaxPool2d(3, 2, "same"), pt.LPPool2d(2.5, 2), pt.AvgPool2d(2, ceil_mode=True)
    )
    compiled = torch.compile(model, fullgraph=True, backend="aot_eager", dynamic=True)
    for shape in [(2, 3, 16, 16), (3, 2, 21, 18)]:
        x = torch.rand(shape, requires_grad=True)
        got = compiled(x)
        (grad,) = torch.autograd.grad(got.sum(), x)
        expected = model(x)
        (expected_grad,) = torch.autograd.grad(expected.sum(), x)
        torch.testing.assert_close(got, expected)
        torch.testing.assert_close(grad, expected_grad)
