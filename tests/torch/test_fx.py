"""torch.fx.symbolic_trace sees each poolkit call as one leaf node, and the traced module
computes what the model does."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import poolkit.torch as pt  # noqa: E402
from poolkit.torch import functional as PF  # noqa: E402


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.max = pt.MaxPool2d(3, 2, 1, ceil_mode=True)
        self.avg = pt.AvgPool2d(2, padding="same")
        self.unpool = pt.MaxUnpool2d(2)
        self.pool = pt.GlobalAvgPool2d()

    def forward(self, x):
        y = self.avg(self.max(self.conv(x)))
        values, indices = PF.max_pool2d(y, 2, return_indices=True)
        z = self.unpool(values, indices, output_size=y.shape) + PF.lp_pool2d(y, 2, 3, 1, 1)
        return self.pool(z)


def test_symbolic_trace_has_one_node_per_pooling_call():
    model, x = Model(), torch.randn(2, 3, 17, 17)
    traced = torch.fx.symbolic_trace(model)
    targets = [
        getattr(node.target, "__name__", str(node.target))
        for node in traced.graph.nodes
        if node.op == "call_function"
    ]
    pooling = [t for t in targets if "pool" in t or t in ("window_pool", "max_unpool")]
    assert pooling == [
        "window_pool", "window_pool", "max_pool2d", "max_unpool", "lp_pool2d", "global_pool"
    ]  # fmt: skip
    assert torch.equal(traced(x), model(x))
    # the traced module keeps working as code: recompiled from its own source
    traced.recompile()
    assert torch.equal(traced(x), model(x))


def test_a_graph_pass_can_retarget_a_pooling_node():
    model, x = Model(), torch.randn(1, 3, 9, 9)
    traced = torch.fx.symbolic_trace(model)
    (lp,) = [n for n in traced.graph.nodes if n.target is PF.lp_pool2d]
    y, _p, kernel, stride, padding = lp.args
    lp.target, lp.args = PF.avg_pool2d, (y, kernel, stride, padding)  # a typical FX rewrite
    traced.recompile()
    model_avg = Model()
    model_avg.load_state_dict(model.state_dict())
    model_avg.forward = lambda t: _forward_with_avg(model_avg, t)
    assert torch.equal(traced(x), model_avg(x))


def _forward_with_avg(model, x):
    y = model.avg(model.max(model.conv(x)))
    values, indices = PF.max_pool2d(y, 2, return_indices=True)
    z = model.unpool(values, indices, output_size=y.shape) + PF.avg_pool2d(y, 3, 1, 1)
    return model.pool(z)
