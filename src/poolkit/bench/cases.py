"""Benchmark cases: the issue's cases, the stride-1 window sweep and the training step."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from poolkit.geometry import resolve


@dataclass(frozen=True)
class Case:
    """One operation on one float32 input. ``backward``: forward + backward (gradient of the
    output's sum). ``layers``: the training step MaxPool2d(3,2,1) -> AvgPool2d(2) as layers."""

    reducer: str
    shape: tuple[int, ...]
    kernel: int
    stride: int
    padding: int = 0
    backward: bool = False
    layers: bool = False
    group: str = ""

    @property
    def ndim(self) -> int:
        return len(self.shape) - 2

    @property
    def window_taps(self) -> int:
        return self.kernel**self.ndim

    @property
    def name(self) -> str:
        if self.layers:
            return f"train step max3/2p1+avg2 {self.shape} fwd+bwd"
        k = "x".join([str(self.kernel)] * self.ndim)
        pad = f" pad {self.padding}" if self.padding else ""
        what = "fwd+bwd" if self.backward else "fwd"
        return f"{self.reducer} {k}/{self.stride}{pad} {self.shape} {what}"

    def output_shape(self) -> tuple[int, ...]:
        w = resolve(self.shape[2:], self.kernel, self.stride, self.padding)
        return self.shape[:2] + w.output_shape

    def traffic_bytes(self) -> int:
        """Bytes a perfect kernel moves: forward reads x and writes out; backward also reads
        x and grad_out and writes grad_in. The training step is two such layers."""
        n_in = math.prod(self.shape)
        if self.layers:
            mid = self.shape[:2] + resolve(self.shape[2:], 3, 2, 1).output_shape
            n_mid = math.prod(mid)
            n_out = n_mid // 4
            first = 2 * n_in + 2 * n_mid + n_in  # fwd (in+out) + bwd (x, g_out, g_in)
            second = 2 * n_mid + 2 * n_out + n_mid
            return 4 * (first + second)
        n_out = math.prod(self.output_shape())
        fwd = n_in + n_out
        return 4 * (fwd + (n_in + n_out + n_in if self.backward else 0))


def _both(shape, kernel, stride, padding=0, group="", backward=False):
    return [
        Case(r, shape, kernel, stride, padding, backward=backward, group=group)
        for r in ("max", "avg")
    ]


def full_cases() -> list[Case]:
    cases = []
    cases += _both((32, 64, 112, 112), 3, 2, 1, group="issue")
    cases += _both((32, 128, 56, 56), 2, 2, 0, group="issue")
    cases += _both((8, 32, 128, 128), 9, 1, 4, group="issue")
    cases += _both((64, 256, 4096), 3, 2, 1, group="1d3d")
    cases += _both((4, 32, 64, 64, 64), 3, 2, 1, group="1d3d")
    cases += _both((32, 64, 112, 112), 3, 2, 1, group="fwdbwd", backward=True)
    cases += _both((32, 128, 56, 56), 2, 2, 0, group="fwdbwd", backward=True)
    for k in (3, 31):
        cases += _both((4, 16, 256, 256), k, 1, k // 2, group="stride1")
    cases.append(Case("max", (32, 64, 112, 112), 3, 2, 1, True, layers=True, group="train"))
    return cases


def sweep_cases(shape=(4, 16, 256, 256), kernels=(3, 5, 9, 15, 21, 31)) -> list[Case]:
    """Stride-1 'same' windows of growing size: time against window size."""
    return [c for k in kernels for c in _both(shape, k, 1, k // 2, group="sweep")]


def quick(case: Case) -> Case:
    """The same case on a tiny input (the --quick smoke run)."""
    n = case.ndim
    spatial = {1: (64,), 2: (24, 24), 3: (10, 10, 10)}[n]
    if case.kernel > 9:
        spatial = tuple(max(s, 40) for s in spatial)
    return replace(case, shape=(2, 3, *spatial))
