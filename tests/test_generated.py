"""The public NumPy API is real source, written by scripts/generate_api.py and kept current."""

import importlib.util
import inspect
import sys
import tomllib
from pathlib import Path

import pytest

import poolkit
import poolkit.api

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generator():
    path = ROOT / "scripts" / "generate_api.py"
    spec = importlib.util.spec_from_file_location("_generate_api", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_api_py_is_what_the_generator_writes(generator):
    assert (ROOT / "src" / "poolkit" / "api.py").read_text() == generator.render_api(), (
        "src/poolkit/api.py is out of date or edited by hand: run python scripts/generate_api.py"
    )


def test_init_reexports_are_what_the_generator_writes(generator):
    current = (ROOT / "src" / "poolkit" / "__init__.py").read_text()
    assert current == generator.render_init(current), (
        "the generated blocks of src/poolkit/__init__.py are out of date: "
        "run python scripts/generate_api.py"
    )


def test_every_operator_is_a_def_in_the_source(generator):
    api_source = (ROOT / "src" / "poolkit" / "api.py").read_text()
    init_source = (ROOT / "src" / "poolkit" / "__init__.py").read_text()
    names = generator.public_names()
    assert len(names) == 72 and set(names) == set(poolkit.api.OPERATORS)
    for name in names:
        assert f"\ndef {name}(" in api_source
        assert f"\nfrom poolkit.api import {name} as {name}\n" in init_source
        assert f'\n    "{name}",\n' in init_source  # the literal __all__
        function = getattr(poolkit, name)
        assert function is poolkit.api.OPERATORS[name]
        assert inspect.getsourcefile(function) == str(ROOT / "src" / "poolkit" / "api.py")
        # its true home, so doctest reports a failing example at its line in api.py
        assert function.__module__ == "poolkit.api"
    assert "globals()" not in api_source + init_source


@pytest.mark.parametrize("name", sorted(poolkit.api.OPERATORS))
def test_every_operator_documents_its_shape_and_a_runnable_example(name):
    doc = getattr(poolkit, name).__doc__
    assert "\n    Shape:\n" in doc
    assert "\n    Example:\n        >>> " in doc
    assert f"poolkit.{name}(" in doc  # the example calls the function it documents


def test_every_public_function_is_annotated():
    for name in poolkit.api.OPERATORS:
        signature = inspect.signature(getattr(poolkit, name))
        assert signature.return_annotation is not inspect.Signature.empty, name
        for parameter in signature.parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, (name, parameter.name)


def test_the_package_is_marked_typed_and_ships_the_marker():
    assert (ROOT / "src" / "poolkit" / "py.typed").is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["poolkit"]


def test_torch_functional_is_what_the_generator_writes(generator):
    path = ROOT / "src" / "poolkit" / "torch" / "functional.py"
    current = path.read_text()
    assert current == generator.render_torch_functional(current), (
        "the generated block of src/poolkit/torch/functional.py is out of date: "
        "run python scripts/generate_api.py"
    )
    names = generator.torch_functional_names()
    assert len(names) == 36
    for name in names:
        assert f"\ndef {name}(" in current
    assert "globals()" not in current


def test_torch_layers_are_what_the_generator_writes(generator):
    modules = (ROOT / "src" / "poolkit" / "torch" / "modules.py").read_text()
    init = (ROOT / "src" / "poolkit" / "torch" / "__init__.py").read_text()
    assert modules == generator.render_torch_modules(modules), (
        "the generated block of src/poolkit/torch/modules.py is out of date: "
        "run python scripts/generate_api.py"
    )
    assert init == generator.render_torch_init(init), (
        "the generated blocks of src/poolkit/torch/__init__.py are out of date: "
        "run python scripts/generate_api.py"
    )
    names = generator.layer_names()
    assert len(names) == 27
    for name in names:
        assert f"\nclass {name}(" in modules
        assert f"\nfrom poolkit.torch.modules import {name} as {name}\n" in init
    assert "globals()" not in modules + init and "type(name" not in modules
