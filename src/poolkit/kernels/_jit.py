"""The kernels' Numba decorator: one place for their options and their on-disk cache.

``@njit(**OPTS)`` is Numba's ``njit``, except that ``cache=True`` never makes a kernel fail:

* no writable cache directory (Numba raises ``cannot cache function ...: no locator
  available`` when the function is decorated): the kernel compiles in memory;
* a cache file that cannot be read back (truncated, empty, garbage: ``UnpicklingError``,
  ``EOFError``, ...): the kernel is compiled again and the bad entry rewritten (an unreadable
  index is replaced by an empty one first), so the next process loads it again;
* a cache file that cannot be written: the kernel keeps its in-memory compile.

Each of these is reported once per process (:func:`poolkit.kernels._env.cache_fault`).
Importing this module runs :func:`poolkit.kernels._env.configure`, so the cache location is
settled before any kernel module decorates its first function.
"""

from __future__ import annotations

from numba import njit as _numba_njit
from numba.core.caching import FunctionCache
from numba.core.dispatcher import Dispatcher

from poolkit.kernels import _env

_env.configure()

#: Every kernel's options: released GIL, no reference counting (see ``_threads.run``), NumPy's
#: error model, no bounds checks, and the on-disk cache.
OPTS = {"cache": True, "nogil": True, "_nrt": False, "error_model": "numpy", "boundscheck": False}


class _SafeCache(FunctionCache):
    """Numba's function cache, with read and write failures turned into recompiles."""

    def load_overload(self, sig, target_context):
        try:
            return super().load_overload(sig, target_context)
        except Exception as error:  # anything unpickling garbage can raise
            _env.cache_fault(
                f"a cached kernel could not be loaded from {self.cache_path} "
                f"({type(error).__name__}: {error}); it was compiled again and the cache "
                "entry rewritten",
                disable=False,
            )
            self._repair_index()
            return None

    def _repair_index(self) -> None:
        try:
            self._cache_file._load_index()
        except Exception:  # the index itself is bad: start it afresh (else saving fails too)
            try:
                self._cache_file.flush()
            except Exception:
                self.disable()

    def save_overload(self, sig, data):
        try:
            super().save_overload(sig, data)
        except Exception as error:
            self.disable()
            _env.cache_fault(
                f"a compiled kernel could not be saved to {self.cache_path} "
                f"({type(error).__name__}: {error}); it stays compiled in memory",
                disable=False,
            )


#: Cache directories found writable (Numba checks most, not the one for zipped packages).
_writable_dirs: dict[str, bool] = {}


def _enable_cache(dispatcher: Dispatcher) -> None:
    if not _env.caching():
        return
    try:
        cache = _SafeCache(dispatcher.py_func)  # what enable_caching() does
        path = cache.cache_path
        if path not in _writable_dirs:
            _writable_dirs[path] = _env.writable(path)
        if not _writable_dirs[path]:
            raise OSError(f"cannot write to {path}")
    except Exception as error:  # RuntimeError: no locator available; OSError
        _env.cache_fault(
            f"Numba's cache is unusable ({type(error).__name__}: {error}): kernels are "
            "compiled in memory (set NUMBA_CACHE_DIR to a writable directory to cache them)",
            disable=True,
        )
    else:
        dispatcher._cache = cache


def njit(**options):
    """``numba.njit(**options)`` with a ``cache=True`` that falls back to compiling in
    memory instead of failing."""
    cache = options.pop("cache", False)
    decorate = _numba_njit(**options)

    def wrap(func):
        dispatcher = decorate(func)
        if cache and isinstance(dispatcher, Dispatcher):  # not under NUMBA_DISABLE_JIT
            _enable_cache(dispatcher)
        return dispatcher

    return wrap
