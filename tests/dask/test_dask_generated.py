"""poolkit.dask's public defs are real source, written by scripts/generate_dask_api.py."""

import importlib.util
import inspect
from pathlib import Path

import pytest

import poolkit

pytest.importorskip("dask.array")
import poolkit.dask as pkd

ROOT = Path(__file__).resolve().parent.parent.parent


def test_init_is_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location(
        "_generate_dask_api", ROOT / "scripts" / "generate_dask_api.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "src" / "poolkit" / "dask" / "__init__.py").read_text() == module.render(), (
        "src/poolkit/dask/__init__.py is out of date: run python scripts/generate_dask_api.py"
    )


def test_signatures_are_the_numpy_apis():
    extras = {"pyramid", "write_ome_zarr"}  # poolkit.dask's own: no NumPy-API twin
    assert extras <= set(pkd.__all__)
    for name in sorted(set(pkd.__all__) - extras):
        ours = inspect.signature(getattr(pkd, name))
        theirs = inspect.signature(getattr(poolkit, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        for key, param in ours.parameters.items():
            assert param.default == theirs.parameters[key].default, (name, key)
            assert param.kind == theirs.parameters[key].kind, (name, key)
    assert len(pkd.__all__) == 12 + 12 + 6 + 1 + len(extras)
