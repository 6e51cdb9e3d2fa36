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
