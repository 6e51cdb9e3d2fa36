"""Type checkers read poolkit's real signatures: a user script passes ``mypy --strict``."""

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import poolkit

pytestmark = pytest.mark.slow  # runs mypy --strict

HERE = Path(__file__).resolve().parent
USER_SCRIPT = HERE / "user_script.py"
TORCH_SCRIPT = HERE / "user_script_torch.py"
HAVE_TORCH = importlib.util.find_spec("torch") is not None
SCRIPTS = [USER_SCRIPT, *([TORCH_SCRIPT] if HAVE_TORCH else [])]

# What mypy must say about poolkit's names: the real signature, not Any, and real errors.
PROBE = textwrap.dedent(
    """
    import numpy as np
    import poolkit

    reveal_type(poolkit.max_pool2d)
    reveal_type(poolkit.avg_pool2d_backward)
    reveal_type(poolkit.max_pool2d(np.ones((1, 1, 4, 4)), 2, return_indices=True))
    poolkit.avg_pool2d(np.ones((1, 1, 4, 4)), kernel=2)
    poolkit.max_poool2d
    """
)


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory):
    pytest.importorskip("mypy")
    tmp = tmp_path_factory.mktemp("mypy")
    probe = tmp / "probe.py"
    probe.write_text(PROBE)
    env = dict(os.environ)
    # the poolkit under test (this checkout's src/), whatever is installed in site-packages
    env["MYPYPATH"] = str(Path(poolkit.__file__).resolve().parent.parent)
    command = [
        sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
        "--no-error-summary", "--hide-error-context", "--no-pretty", "--show-column-numbers",
        f"--cache-dir={tmp / 'cache'}", *map(str, SCRIPTS), str(probe),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert not result.stderr.strip(), result.stderr
    lines = result.stdout.splitlines()
    # mypy names a file as given or relative to the working directory: match the file name
    user = [line for line in lines if line.split(":")[0].endswith(tuple(s.name for s in SCRIPTS))]
    probed = [line for line in lines if line.split(":")[0].endswith(probe.name)]
    assert len(user) + len(probed) == len(lines), result.stdout
    return user, probed


def test_the_user_scripts_pass_mypy_strict(mypy_output):
    user, _ = mypy_output
    assert user == [], "\n".join(user)
    if not HAVE_TORCH:
        pytest.skip("torch is not installed: only the NumPy user script was checked")


def test_mypy_sees_the_real_signatures(mypy_output):
    _, probed = mypy_output
    by_line: dict[int, list[str]] = {}
    for line in probed:
        by_line.setdefault(int(line.split(":")[1]), []).append(line)
    max_pool2d = " ".join(by_line[5])
    assert "Overload(" in max_pool2d and "kernel_size: " in max_pool2d
    assert "return_indices: Literal[True]" in max_pool2d
    backward = " ".join(by_line[6])
    # (mypy shortens long revealed types in the middle: test both ends)
    assert "def (grad_output: numpy._typing" in backward
    assert "data_format: str =) -> numpy.ndarray[" in backward
    assert "tuple[numpy.ndarray[" in " ".join(by_line[7])
    assert "numpy.dtype[numpy.signedinteger[" in " ".join(by_line[7])  # the int64 indices
    assert 'Unexpected keyword argument "kernel" for "avg_pool2d"' in " ".join(by_line[8])
    assert 'Module has no attribute "max_poool2d"' in " ".join(by_line[9])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_the_user_scripts_run(script):
    command = [sys.executable, str(script)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


def test_the_generated_api_type_checks(tmp_path):
    """Overloads consistent with their implementation, annotations complete: ``--strict``, but
    for the calls into :mod:`poolkit.ops`, which is not annotated (its results are ``Any``)."""
    pytest.importorskip("mypy")
    src = Path(poolkit.__file__).resolve().parent.parent
    command = [
        sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
        "--disable-error-code=no-untyped-call", "--disable-error-code=no-any-return",
        f"--cache-dir={tmp_path / 'cache'}",
        str(src / "poolkit" / "api.py"), str(src / "poolkit" / "__init__.py"),
    ]  # fmt: skip
    env = {**os.environ, "MYPYPATH": str(src)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
