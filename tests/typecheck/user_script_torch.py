"""Torch code a user of poolkit writes; ``test_mypy.py`` checks it passes ``mypy --strict``
(when torch is installed) and runs it."""

from __future__ import annotations

from typing import assert_type

import torch

import poolkit.torch as pt
from poolkit.torch import functional as PF


def pool(x: torch.Tensor) -> torch.Tensor:
    values, indices = PF.max_pool2d(x, 2, return_indices=True)
    assert_type(indices, torch.Tensor)
    restored = PF.max_unpool2d(values, indices, 2, output_size=x.shape[-2:])
    assert_type(PF.avg_pool2d(x, 3, 1, "same", count_include_pad=False), torch.Tensor)
    layers = torch.nn.Sequential(
        pt.MaxPool2d(3, 2, padding="same"),
        pt.AvgPool2d(2, padding="same", dilation=1),
        pt.LPPool2d(2, 2, dilation=1),
        pt.GlobalAvgPool2d(keepdim=True),
    )
    pooled: torch.Tensor = layers(restored)
    return pooled


def main() -> None:
    assert pool(torch.rand(1, 3, 16, 16)).shape == (1, 3, 1, 1)


if __name__ == "__main__":
    main()
