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
    assert main(["precompile", "--dtypes", "int8"]) == 2
    assert "--dtypes: expected float32 and/or float64; got 'int8'" in capsys.readouterr().err
