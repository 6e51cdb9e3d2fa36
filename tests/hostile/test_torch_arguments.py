"""Hostile arguments to poolkit.torch: one child process per case, each ending in a one-line
``PoolingError`` naming the argument (never a dispatcher error about ``SymInt[]``, a torch
``NotImplementedError`` for complex dtypes, or a petabyte allocation)."""

from __future__ import annotations

import pytest

from ._isolated import expect_refusal

pytest.importorskip("torch")
pytestmark = pytest.mark.slow  # a torch child process per case

X = "torch.randn(1, 1, 8, 8)"

CASES = [
    ("kernel 2**63", f"PF.max_pool2d({X}, 2**63)", ["kernel_size", "int64", "9223372036854775808"]),
    ("stride 2**64", f"PF.avg_pool2d({X}, 2, 2**64)", ["stride", "18446744073709551616"]),
    ("padding 2**63", f"PF.max_pool2d({X}, 3, padding=2**63)", ["padding", "int64"]),
    ("dilation 2**63 module", f"pt.MaxPool2d(2, dilation=2**63)({X})", ["dilation", "int64"]),
    ("adaptive 2**64", f"PF.adaptive_max_pool2d({X}, 2**64)", ["output_size", "int64"]),
    ("adaptive 2**40 module", f"pt.AdaptiveAvgPool2d(2**40)({X})",
     ["output_size=(1099511627776, 1099511627776)", "memory limit"]),
    ("upsample 2**20", f"PF.upsample_nearest2d({X}, 2**20)", ["scale_factor", "memory limit"]),
    ("unpool 2**40", f"PF.max_unpool2d(*PF.max_pool2d({X}, 2, return_indices=True), 2,"
     " output_size=(2**40, 2**40))", ["output_size", "strictly between 6 and 10"]),
    ("unpool 2**40 same", f"PF.max_unpool2d(*PF.max_pool2d({X}, 2, return_indices=True), 2,"
     " padding='same', output_size=(2**40, 2**40))", ["output_size", "memory limit"]),
    ("lp p 10**400", f"PF.lp_pool2d({X}, 10**400, 2)", ["p must be", "digits"]),
    ("divisor 2**70", f"PF.avg_pool2d({X}, 2, divisor_override=2**70)", ["divisor_override"]),
    ("complex max", "pt.MaxPool2d(2)(torch.randn(1, 1, 4, 4, dtype=torch.complex64))",
     ["complex64", "input.abs()"]),
    ("complex global", "PF.global_avg_pool2d(torch.randn(1, 1, 4, 4, dtype=torch.complex128))",
     ["complex128"]),
    ("complex upsample", "PF.upsample_nearest1d(torch.ones(1, 1, 4, dtype=torch.complex64), 2)",
     ["complex64"]),
    ("empty spatial", "PF.max_pool2d(torch.zeros(1, 1, 0, 4), 1)",
     ["non-empty channel and spatial"]),
    ("empty spatial adaptive", "pt.AdaptiveMaxPool1d(2)(torch.zeros(2, 3, 0))",
     ["non-empty channel and spatial"]),
    ("bool kernel", f"PF.max_pool2d({X}, True)", ["kernel_size", "True"]),
]


@pytest.mark.parametrize(
    ("call", "words"), [pytest.param(c, w, id=name) for name, c, w in CASES]
)
def test_torch_refused_with_one_line(call, words):
    expect_refusal(
        "import torch, poolkit.torch as pt, poolkit.torch.functional as PF\n"
        f"refusal(lambda: {call})",
        *words,
        memory=16 << 30,  # torch reserves a lot of address space at import
    )
