"""JIT cost: each kernel family's first call in a fresh process, cold and from Numba's cache.

Every family (see :data:`poolkit.kernels.precompile.FAMILIES`) runs in a new Python process
with its own empty ``NUMBA_CACHE_DIR``: the first call compiles everything it needs, as a
user's first call would. A second process with the same cache directory then times the call
again: that is the cost of loading the family from the on-disk cache.

Each process reports two times: Numba's one-time start-up (``import numba`` and compiling a
trivial function, which loads Numba's typing registries and LLVM: paid once per process,
whichever family comes first) and the family's first call after it. A user's very first
pooling call pays both.

A backward family is also timed in a third fresh process right after its forward family
ran (:data:`FORWARD_OF`): what a training step's first backward costs, since autograd always
runs the forward first and the two share kernels (the Lp backward recomputes the forward
with the sum kernel). That column is informative; the budget applies to the cold call.

    poolkit bench --jit --no-sweep --only none     # only the JIT table
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

#: Issue 3's JIT budget per kernel family, in seconds.
COLD_BUDGET_S = 3.0
CACHED_BUDGET_S = 0.5

#: The forward family a backward family follows in a training step.
FORWARD_OF = {"max backward": "max", "avg backward": "avg", "lp backward": "lp"}

_SCRIPT = """
import json, sys, time
from poolkit.kernels import precompile
x = precompile._inputs(sys.argv[1])[sys.argv[2]]
start = time.perf_counter()
import numba
numba.njit(lambda a: a + 1)(1)
for before in sys.argv[4:]:  # untimed: a family run first (a backward's forward)
    precompile.compile_family(before, x)
started = time.perf_counter()
precompile.compile_family(sys.argv[3], x)
print(json.dumps([started - start, time.perf_counter() - started]))
"""


def _first_call(family: str, dtype: str, layout: str, cache_dir: str, before=()) -> list[float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, dtype, layout, family, *before],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(families=None, dtype: str = "float32", layout: str = "NCHW", progress=None):
    """Rows of ``{"family", "cold_s", "cached_s", "startup_s"}`` (family times exclude Numba's
    start-up; ``startup_s`` is the cold process's), one fresh cache directory per family;
    backward families also get ``after_forward_s`` (cold, right after :data:`FORWARD_OF`)."""
    from poolkit.kernels.precompile import FAMILIES

    rows = []
    for family in families or FAMILIES:
        with tempfile.TemporaryDirectory(prefix="poolkit-jit-") as cache_dir:
            startup, cold = _first_call(family, dtype, layout, cache_dir)
            cached_startup, cached = _first_call(family, dtype, layout, cache_dir)
        row = {"family": family, "dtype": dtype, "layout": layout, "cold_s": cold,
               "cached_s": cached, "startup_s": startup,
               "cached_startup_s": cached_startup}  # fmt: skip
        note = ""
        if family in FORWARD_OF:
            with tempfile.TemporaryDirectory(prefix="poolkit-jit-") as cache_dir:
                forward = [FORWARD_OF[family]]
                row["after_forward_s"] = _first_call(family, dtype, layout, cache_dir, forward)[1]
            note = f", {row['after_forward_s']:.2f} s right after {forward[0]}"
        rows.append(row)
        if progress is not None:
            progress(f"jit {family}: Numba start-up {startup:.2f} s, then cold {cold:.2f} s"
                     f"{note}, cached {cached:.2f} s")  # fmt: skip
    return rows


def table(rows) -> str:
    """A markdown table of the JIT rows."""
    lines = [
        "| kernel family | first call, empty cache (s) | first call, from cache (s) "
        "| Numba start-up before it, cold / cached process (s) "
        "| empty cache, right after its forward (s) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        after = f"{r['after_forward_s']:.2f}" if "after_forward_s" in r else "-"
        lines.append(f"| {r['family']} ({r['dtype']}, {r['layout']}) | {r['cold_s']:.2f} | "
                     f"{r['cached_s']:.2f} | {r['startup_s']:.2f} / "
                     f"{r['cached_startup_s']:.2f} | {after} |")  # fmt: skip
    return "\n".join(lines)
