"""The public surface: names, signatures, and a light import."""

import inspect
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import poolkit

STEMS = [
    "max_pool", "avg_pool", "sum_pool", "lp_pool",
    "global_max_pool", "global_avg_pool", "global_sum_pool", "global_lp_pool",
    "adaptive_max_pool", "adaptive_avg_pool", "max_unpool", "upsample_nearest",
]  # fmt: skip


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("stem", STEMS)
def test_every_operator_and_its_backward_is_public(stem, n):
    for name in (f"{stem}{n}d", f"{stem}{n}d_backward"):
        function = getattr(poolkit, name)
        assert name in poolkit.__all__
        assert function.__name__ == name
        assert "Shape:" in function.__doc__ and "Example:" in function.__doc__


WINDOW = "kernel_size, stride, padding, dilation, ceil_mode"


@pytest.mark.parametrize(
    ("name", "parameters"),
    [
        ("max_pool2d", f"x, {WINDOW}, return_indices, data_format"),
        ("avg_pool3d", f"x, {WINDOW}, count_include_pad, divisor_override, data_format"),
        ("sum_pool1d", f"x, {WINDOW}, data_format"),
        ("lp_pool2d", f"x, p, {WINDOW}, data_format"),
        ("global_lp_pool2d", "x, p, keepdims, data_format"),
        ("global_max_pool1d", "x, keepdims, data_format"),
        ("adaptive_max_pool2d", "x, output_size, return_indices, data_format"),
        ("adaptive_avg_pool2d", "x, output_size, data_format"),
        ("max_unpool2d", "x, indices, kernel_size, stride, padding, output_size, data_format"),
        ("upsample_nearest3d", "x, scale_factor, data_format"),
        ("max_pool2d_backward", f"grad_output, x, {WINDOW}, return_indices, data_format"),
        ("convert_indices", "indices, to, input_shape, data_format, include_batch_in_index"),
    ],
)
def test_signatures_match_the_documented_api(name, parameters):
    signature = inspect.signature(getattr(poolkit, name))
    # the documented positional parameters, in order (keyword-only extras may follow)
    names = list(signature.parameters)
    assert ", ".join(names[: len(parameters.split(", "))]) == parameters
    if "stride" in signature.parameters:
        assert signature.parameters["stride"].default is None
    if "data_format" in signature.parameters:
        assert signature.parameters["data_format"].default == "channels_first"


def test_import_poolkit_stays_light():
    heavy = "{'torch', 'matplotlib', 'tensorflow', 'dask', 'zarr'}"
    code = f"import sys, poolkit; print(sorted({heavy} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_cli_demo_prints_the_worked_examples(capsys):
    from poolkit.__main__ import main

    assert main(["demo"]) == 0
    printed = capsys.readouterr().out
    assert "[[2. 3.]\n [5. 1.]]" in printed
    assert "[[2.]]" in printed


def test_cli_version_prints_the_package_version(capsys):
    from poolkit.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"poolkit {poolkit.__version__}\n"


def test_python_m_poolkit_version():
    result = subprocess.run(
        [sys.executable, "-m", "poolkit", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"poolkit {poolkit.__version__}"


def test_the_version_is_written_once():
    # pyproject reads poolkit/_version.py; nothing else spells the version out
    from poolkit import _version

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "poolkit._version.__version__"
    assert poolkit.__version__ is _version.__version__
    assert project["project"]["license"] == "MIT"
    assert (root / "LICENSE").read_text().startswith("MIT License")
    changelog = (root / "CHANGELOG.md").read_text()
    assert f"## [{poolkit.__version__}]" in changelog


# import name -> distribution, for the third-party modules the commands import
DISTRIBUTIONS = {
    "matplotlib": "matplotlib", "PIL": "pillow", "skimage": "scikit-image", "tqdm": "tqdm",
    "torch": "torch", "sklearn": "scikit-learn", "tensorboard": "tensorboard",
}  # fmt: skip


def _third_party_imports(package: str) -> set[str]:
    import ast

    found = set()
    for path in (Path(poolkit.__file__).parent / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found |= {name.split(".")[0] for name in names}
    # numpy and numba are the core dependencies, there for every command
    return found - set(sys.stdlib_module_names) - {"poolkit", "numpy", "numba", "__future__"}


@pytest.mark.parametrize(
    ("package", "extra", "elsewhere"),
    [
        # explore --tensorboard writes with torch (the tensorboard extra), else TensorFlow's
        # tf.summary where that is installed; nothing else in the tour needs either
        ("tour", "tour", {"torch": "tensorboard", "tensorflow": None}),
        ("train", "train", {}),
    ],
)
def test_extras_declare_what_the_commands_import(package, extra, elsewhere):
    root = Path(__file__).resolve().parent.parent
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    declared = {spec.split(">")[0].split("=")[0].split("<")[0] for spec in extras[extra]}
    for module in sorted(_third_party_imports(package)):
        if module in elsewhere:
            other = elsewhere[module]
            assert other is None or module in " ".join(extras[other]), (module, other)
        else:
            assert DISTRIBUTIONS[module] in declared, f"{package} imports {module}; {extra}?"
    assert "tensorboard" not in " ".join(extras["test"])  # its own extra, not a test tool


def test_the_test_command_installs_every_extra():
    root = Path(__file__).resolve().parent.parent
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    script = (root / "scripts" / "setup-and-run.sh").read_text()
    line = next(line for line in script.splitlines() if "pip install -e" in line and "test" in line)
    assert set(line.split("[")[1].split("]")[0].split(",")) == set(extras)


@pytest.mark.parametrize("module", ["dask.array.core", "zarr.core.array"])
def test_numpy_api_refuses_lazy_arrays_naming_poolkit_dask(module):
    """A dask or zarr array would be loaded whole by np.asarray: refused, told the fix (no
    dask needed to tell them apart: the type's module says it)."""
    lazy = type("Array", (), {"__module__": module, "__array__": lambda self, *a, **k: 1 / 0})()
    for call in (
        lambda: poolkit.max_pool2d(lazy, 2),
        lambda: poolkit.global_avg_pool1d(lazy),
        lambda: poolkit.adaptive_max_pool2d(lazy, 2),
        lambda: poolkit.pool(lazy, "max", 2, axes=(0, 1)),
    ):
        with pytest.raises(poolkit.PoolingError, match=r"poolkit\.dask"):
            call()
