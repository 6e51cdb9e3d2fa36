"""Numba's cache location, set up once before the first kernel compiles.

Kernels use ``cache=True`` (through :mod:`._jit`). When the package directory is read-only
(a system or wheel install) and ``NUMBA_CACHE_DIR`` is unset, the cache goes to
``$XDG_CACHE_HOME/poolkit/numba`` (``~/.cache/poolkit/numba``), so a second process loads
compiled kernels instead of compiling them again. (Numba alone would fall back to its own
user-wide directory; naming ours makes it predictable, and ``poolkit precompile`` fills it.)

Writability is tested by creating a file, not by permission bits (which do not stop root).
When nothing is writable, or a cache file turns out unreadable, the kernels compile in
memory instead: :func:`cache_fault` issues one :class:`KernelCacheWarning` per process and
never an error.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
import warnings

_state = {"configured": False, "caching": True, "warned": False}
_lock = threading.Lock()
_log = logging.getLogger("poolkit.kernels")


class KernelCacheWarning(RuntimeWarning):
    """Numba's on-disk cache could not be used; the kernels were compiled in memory."""


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "poolkit", "numba")


def writable(path: str) -> bool:
    """Whether files can be created in ``path`` (made if missing), tried for real."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def package_writable() -> bool:
    here = os.path.dirname(os.path.abspath(__file__))
    return writable(os.path.join(here, "__pycache__"))


def caching() -> bool:
    """Whether kernels should use Numba's on-disk cache in this process."""
    return _state["caching"]


def cache_fault(reason: str, *, disable: bool) -> None:
    """Report a cache problem: the first one per process as a :class:`KernelCacheWarning`,
    later ones in the debug log. ``disable``: no more kernels use the on-disk cache."""
    with _lock:
        if disable:
            _state["caching"] = False
        first = not _state["warned"]
        _state["warned"] = True
    if first:
        warnings.warn(
            f"poolkit: {reason}. Later cache problems in this process are not reported.",
            KernelCacheWarning,
            stacklevel=3,
        )
    else:
        _log.debug("kernel cache: %s", reason)


def configure() -> None:
    """Point Numba's cache somewhere writable; must run before numba compiles a kernel."""
    if _state["configured"]:
        return
    _state["configured"] = True
    if os.environ.get("NUMBA_CACHE_DIR") or package_writable():
        return  # the user's choice (Numba falls back itself; _jit catches the rest), or in-tree
    target = cache_dir()
    if not writable(target):
        here = os.path.dirname(os.path.abspath(__file__))
        cache_fault(
            f"no writable directory for Numba's cache (tried {here}/__pycache__ and "
            f"{target}): kernels are compiled in memory, again in every process (set "
            "NUMBA_CACHE_DIR to a writable directory to cache them)",
            disable=True,
        )
        return
    os.environ["NUMBA_CACHE_DIR"] = target
    if "numba" in sys.modules:  # numba read its config already: update it too
        import numba

        numba.config.CACHE_DIR = target
