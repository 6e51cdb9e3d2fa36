"""`poolkit precompile` compiles (or loads) every kernel family and rejects bad dtypes."""

from __future__ import annotations

from poolkit.__main__ import main
from poolkit.kernels import precompile


def test_precompile_every_family_float32():
    lines = []
    times = precompile.precompile(["float32"], report=lines.append)
    assert {family for (_, _, family) in times} == set(precompile.FAMILIES)
    assert {layout for (_, layout, _) in times} == {"NCHW", "NHWC"}
    assert lines[-1].startswith("cache:")


def test_precompile_cli(capsys):
    assert main(["precompile", "--dtypes", "float32", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["precompile", "--dtypes", "uint8", "--quiet"]) == 0
    assert main(["precompile", "--dtypes", "float32,complex64"]) == 2
    err = capsys.readouterr().err
    assert "--dtypes: expected names from float16, float32" in err and "got 'complex64'" in err
