"""Runs backend_cases.py under each Keras backend in its own process (Keras fixes its
backend at import). JAX compiles every case with XLA, so its cases run in three shards
(``POOLKIT_TEST_SHARD``, see conftest.py) that pytest-xdist can run side by side."""

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
SHARDS = {"tensorflow": 1, "torch": 1, "jax": 3}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "backend, shard",
    [(backend, f"{i}/{count}") for backend, count in SHARDS.items() for i in range(count)],
)
def test_backend_cases(backend, shard):
    if importlib.util.find_spec(NEEDS[backend]) is None:
        pytest.skip(f"{backend} is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", str(CASES)],
        env={**os.environ, "KERAS_BACKEND": backend, "POOLKIT_TEST_SHARD": shard},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout, result.stdout[-4000:]
