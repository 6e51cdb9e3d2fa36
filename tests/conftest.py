"""Settings every test process shares (pytest-xdist workers and the subprocesses tests start).

JAX compiles each distinct operation with XLA the first time it runs (about a second for a 3-D
max pool and its gradient); its persistent compilation cache keeps those programs on disk, as
Numba's cache keeps poolkit's kernels, so a second run of the suite skips the compiles. The
cache lives in this checkout (``.cache/jax``, ignored by git): a fresh clone starts cold.
"""

from __future__ import annotations

import os
from pathlib import Path

_JAX_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "jax"
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(_JAX_CACHE))
# Cache every program, however quick its compile or small its size (the defaults skip those
# under a second, which are most of ours).
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "-1")


#: Tests that run a whole suite in a subprocess (a minute or more each): collected first, so
#: pytest-xdist starts them at once and spreads the short tests around them, instead of one
#: of them starting last and running alone on one core.
LONGEST_FIRST = ("tests/keras/test_keras_backends.py", "tests/typecheck/test_mypy.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order
