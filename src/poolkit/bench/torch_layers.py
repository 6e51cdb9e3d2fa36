"""torch.nn against poolkit.torch, layer for layer, in one process (``poolkit bench --torch``).

Each case builds the same computation twice, once with torch.nn's pooling and once with
poolkit.torch's (the same model with ``replace_pooling`` applied), and times both round-robin,
best of N. The ratio is torch.nn time / poolkit.torch time: at least 1 means poolkit.torch is
as fast (0.97 counts as a tie on a noisy machine). The dispatch overhead of one poolkit call,
on the kernels and on the small-tensor path, is measured beside torch's own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

#: A ratio at least this high counts as "as fast as torch.nn" on a noisy shared machine.
TIE = 0.97


@dataclass
class TorchCase:
    name: str
    build: object  # () -> the torch.nn model
    shape: tuple[int, ...]
    train: bool = False
    channels_last: bool = False
    goal: float = 1.0


def _digits_net():
    from poolkit.train.models import ArticlesNet

    return ArticlesNet("max", (1, 8, 8), 10, backend="torch")


def _stem():
    import torch

    # in a Sequential: replace_pooling swaps layers inside a model, not the model itself
    return torch.nn.Sequential(torch.nn.MaxPool2d(3, 2, 1))


def _gap():
    import torch

    return torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1))


def _training_pool():
    import torch

    return torch.nn.Sequential(torch.nn.MaxPool2d(3, 2, 1), torch.nn.AvgPool2d(2))


def cases(quick: bool = False) -> list[TorchCase]:
    """The issue's cases: the digits network, a ResNet stem and global pool at batch 1, the
    (32, 64, 112, 112) training step in NCHW and channels_last, unbatched input."""
    big = (4, 16, 56, 56) if quick else (32, 64, 112, 112)
    digits = (64, 1, 8, 8)
    return [
        TorchCase(f"digits net inference {digits}", _digits_net, digits),
        TorchCase(f"digits net train step {digits}", _digits_net, digits, train=True),
        TorchCase("ResNet stem MaxPool2d(3, 2, 1) (1, 64, 112, 112)", _stem, (1, 64, 112, 112)),
        TorchCase("ResNet global avg pool (1, 512, 7, 7)", _gap, (1, 512, 7, 7)),
        TorchCase(f"train step max+avg {big} NCHW", _training_pool, big, True, False, 2.0),
        TorchCase(f"train step max+avg {big} channels_last", _training_pool, big, True, True),
        TorchCase("unbatched MaxPool2d(3, 2, 1) (64, 56, 56)", _stem, (64, 56, 56)),
    ]


def _step(model, x, train: bool):
    import torch

    if not train:

        def infer():
            with torch.no_grad():
                model(x)

        return infer
    leaf = x.detach().requires_grad_()

    def step():
        model.zero_grad(set_to_none=True)
        leaf.grad = None
        model(leaf).float().sum().backward()

    return step


def measure(repeat: int = 5, quick: bool = False, progress=None) -> list[dict]:
    """Time every case; rows with both times, the ratio and whether the goal is met."""
    import torch

    from poolkit.bench.cli import best_of_round_robin
    from poolkit.torch import replace_pooling

    rows = []
    for case in cases(quick):
        if progress is not None:
            progress.show(case.name)
        reference = case.build()
        ours = copy.deepcopy(reference)
        if not replace_pooling(ours):
            raise RuntimeError(f"{case.name}: no pooling layer was replaced")
        x = torch.randn(case.shape, generator=torch.Generator().manual_seed(0))
        if case.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        steps = {
            "torch.nn": _step(reference, x, case.train),
            "poolkit.torch": _step(ours, x, case.train),
        }
        times = best_of_round_robin(steps, repeat)
        ratio = times["torch.nn"] / times["poolkit.torch"]
        rows.append(
            {
                "case": case.name,
                "torch_nn_s": times["torch.nn"],
                "poolkit_torch_s": times["poolkit.torch"],
                "ratio": ratio,
                "goal": case.goal,
                "met": ratio >= (TIE if case.goal == 1.0 else case.goal),
            }
        )
        if progress is not None:
            progress.step()
    return rows


def dispatch_overhead(repeat: int = 5, calls: int = 200) -> dict:
    """Seconds per call of a 2x2 max pool on a (1, 1, 2, 2) tensor: torch's own function,
    poolkit.torch on the small-tensor path and on its kernels (the custom operator)."""
    import torch
    import torch.nn.functional as F

    from poolkit.bench.cli import best_of_round_robin
    from poolkit.torch import functional as PF
    from poolkit.torch import kernel_threshold

    x = torch.randn(1, 1, 2, 2)

    def many(fn):
        def run():
            for _ in range(calls):
                fn(x, 2)

        return run

    def kernels():
        with kernel_threshold(0):
            for _ in range(calls):
                PF.max_pool2d(x, 2)

    times = best_of_round_robin(
        {"torch": many(F.max_pool2d), "poolkit small path": many(PF.max_pool2d),
         "poolkit kernels": kernels},
        repeat,
    )  # fmt: skip
    return {name: seconds / calls for name, seconds in times.items()}


def table(rows, overhead) -> str:
    lines = [
        f"{'case':58s} {'torch.nn':>10s} {'poolkit':>10s} {'ratio':>7s}  goal",
        "-" * 96,
    ]
    for row in rows:
        verdict = "met" if row["met"] else "MISSED"
        torch_ms, ours_ms = row["torch_nn_s"] * 1e3, row["poolkit_torch_s"] * 1e3
        lines.append(
            f"{row['case']:58s} {torch_ms:8.3f}ms {ours_ms:8.3f}ms {row['ratio']:6.2f}x  "
            f">= {row['goal']:.1f}x {verdict}"
        )
    lines.append("")
    lines.append("dispatch overhead per call, (1, 1, 2, 2) max pool 2x2:")
    for name, seconds in overhead.items():
        lines.append(f"  {name:20s} {seconds * 1e6:8.1f} us")
    return "\n".join(lines)
