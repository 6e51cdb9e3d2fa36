"""Run one dangerous case in a child Python process, under a memory and a time limit.

A case that crashes the interpreter, exhausts memory or hangs is then a failed test, not a
dead test run. The child runs ``code`` (which must print one JSON line with its verdict via
:func:`report`), under ``RLIMIT_AS`` (virtual memory, so an impossible allocation fails at
once instead of swapping) and a wall-clock timeout.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from dataclasses import dataclass

#: Enough address space for NumPy + Numba's LLVM; far less than a runaway allocation.
DEFAULT_MEMORY = 6 << 30

PRELUDE = """
import json, sys
import numpy as np
import poolkit
from poolkit import PoolingError

def report(**verdict):
    print("VERDICT " + json.dumps(verdict, default=str), flush=True)

def refusal(call, *args, **kwargs):
    '''Run call; report the PoolingError's message, or what happened instead.'''
    try:
        result = call(*args, **kwargs)
    except PoolingError as error:
        report(kind="PoolingError", message=str(error))
    except BaseException as error:
        report(kind=type(error).__name__, message=str(error)[:500])
    else:
        report(kind="result", message=repr(result)[:500])
"""


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    verdict: dict | None

    def explain(self) -> str:
        out, err = self.stdout[-3000:], self.stderr[-3000:]
        return f"rc={self.returncode}\nstdout:\n{out}\nstderr:\n{err}"


def _limit(memory: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def run_case(
    code: str,
    *,
    timeout: float = 120,
    memory: int = DEFAULT_MEMORY,
    env: dict | None = None,
    prelude: bool = True,
    cwd: str | None = None,
) -> Outcome:
    """Run ``code`` (dedented, after :data:`PRELUDE`) in a fresh interpreter."""
    source = (PRELUDE if prelude else "") + textwrap.dedent(code)
    child_env = dict(os.environ)
    child_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", source],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env,
        preexec_fn=_limit(memory),
        cwd=cwd,
    )
    verdict = None
    for line in proc.stdout.splitlines():
        if line.startswith("VERDICT "):
            verdict = json.loads(line[len("VERDICT ") :])
    return Outcome(proc.returncode, proc.stdout, proc.stderr, verdict)


def expect_refusal(code: str, *words: str, **options) -> str:
    """Run a case that must end in a one-line ``PoolingError`` whose message holds ``words``
    (the argument's name, the value received); returns the message."""
    outcome = run_case(code, **options)
    assert outcome.returncode == 0, outcome.explain()
    assert outcome.verdict is not None, outcome.explain()
    assert outcome.verdict["kind"] == "PoolingError", outcome.verdict
    message = outcome.verdict["message"]
    assert "\n" not in message, message
    for word in words:
        assert word in message, (word, message)
    return message
