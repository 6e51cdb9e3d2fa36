"""Numba's cache location, set up once before the first kernel compiles.

Kernels use ``cache=True``. When the package directory is read-only (a system or wheel
install) and ``NUMBA_CACHE_DIR`` is unset, the cache goes to ``$XDG_CACHE_HOME/poolkit/numba``
(``~/.cache/poolkit/numba``), so a second process loads compiled kernels instead of compiling
them again. (Numba alone would fall back to its own user-wide directory; naming ours makes
it predictable, and ``poolkit precompile`` fills it.)
"""

from __future__ import annotations

import os
import sys

_state = {"configured": False}


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "poolkit", "numba")


def package_writable() -> bool:
    here = os.path.dirname(os.path.abspath(__file__))
    pycache = os.path.join(here, "__pycache__")
    target = pycache if os.path.isdir(pycache) else here
    return os.access(target, os.W_OK)


def configure() -> None:
    """Point Numba's cache somewhere writable; must run before numba compiles a kernel."""
    if _state["configured"]:
        return
    _state["configured"] = True
    if not os.environ.get("NUMBA_CACHE_DIR") and not package_writable():
        os.environ["NUMBA_CACHE_DIR"] = cache_dir()
        if "numba" in sys.modules:  # numba read its config already: update it too
            import numba

            numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
