"""Programs saved with torch.export or torch.jit.trace hold only standard aten ops: they load
and run in a process where poolkit is not importable, with poolkit's results."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

torch = pytest.importorskip("torch")

import poolkit.torch as pt  # noqa: E402


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.max = pt.MaxPool2d(3, 2, 1, ceil_mode=True)
        self.avg = pt.AvgPool2d(2, padding="same")
        self.sum = pt.SumPool2d(2, 1)
        self.lp = pt.LPPool2d(2, 2)
        self.adaptive = pt.AdaptiveMaxPool2d((2, 3))
        self.pool = pt.GlobalAvgPool2d()

    def forward(self, x):
        y = self.sum(self.avg(self.max(x)))
        return torch.cat([self.adaptive(self.lp(y.abs())).flatten(1), self.pool(y)], 1)


def _run_without_poolkit(code: str) -> str:
    source = "import sys\nsys.modules['poolkit'] = None  # importing poolkit now fails\n"
    proc = subprocess.run(
        [sys.executable, "-c", source + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_torch_export_program_has_no_poolkit_ops_and_runs_without_poolkit(tmp_path):
    model, x = Model(), torch.randn(2, 3, 11, 10)
    program = torch.export.export(model, (x,))
    targets = {str(node.target) for node in program.graph.nodes if node.op == "call_function"}
    assert not [t for t in targets if "poolkit" in t], targets
    assert {"aten.max_pool2d.default", "aten.avg_pool2d.default"} <= targets
    torch.testing.assert_close(program.module()(x), model(x), rtol=1e-6, atol=1e-6)
    torch.export.save(program, tmp_path / "model.pt2")
    torch.save({"x": x, "y": model(x)}, tmp_path / "io.pt")
    _run_without_poolkit(
        f"""
        import torch
        program = torch.export.load({str(tmp_path / "model.pt2")!r})
        io = torch.load({str(tmp_path / "io.pt")!r})
        torch.testing.assert_close(program.module()(io["x"]), io["y"], rtol=1e-6, atol=1e-6)
        """
    )


def test_jit_trace_program_runs_without_poolkit(tmp_path):
    model, x = Model(), torch.randn(2, 3, 11, 10)
    traced = torch.jit.trace(model, (x,))
    kinds = {node.kind() for node in traced.inlined_graph.nodes()}
    assert not [k for k in kinds if k.startswith("poolkit")], kinds
    torch.jit.save(traced, tmp_path / "model.ts")
    torch.save({"x": x, "y": model(x)}, tmp_path / "io.pt")
    _run_without_poolkit(
        f"""
        import torch
        traced = torch.jit.load({str(tmp_path / "model.ts")!r})
        io = torch.load({str(tmp_path / "io.pt")!r})
        torch.testing.assert_close(traced(io["x"]), io["y"], rtol=1e-6, atol=1e-6)
        """
    )


def test_eager_and_compiled_calls_still_use_the_kernels():
    from poolkit.torch._bridge import use_kernels

    x = torch.randn(1, 1, 4, 4)
    assert use_kernels(x)
