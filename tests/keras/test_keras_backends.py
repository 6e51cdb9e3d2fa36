"""Runs backend_cases.py under each Keras backend in its own process (Keras fixes its
backend at import)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras is not installed", allow_module_level=True)

CASES = Path(__file__).with_name("backend_cases.py")
NEEDS = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}


@pytest.mark.parametrize("backend", ["tensorflow", "torch", "jax"])
def test_backend_cases(backend):
    if importlib.util.find_spec(NEEDS[backend]) is None:
        pytest.skip(f"{backend} is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", str(CASES)],
        env={**os.environ, "KERAS_BACKEND": backend},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout, result.stdout[-4000:]
