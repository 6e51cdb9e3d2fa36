"""The resource guard: every operator sizes its result before allocating it.

A typo such as ``upsample_nearest2d(x, 2**20)`` or ``adaptive_avg_pool2d(x, 2**40)`` would
otherwise ask NumPy for petabytes and end in a ``MemoryError`` (or an ``OverflowError`` from a
shape past int64) far from the argument that caused it. Each operator calls
:func:`check_allocation` with the shape it is about to create, computed in Python ints (exact
at any size, never cast to int64 first), and gets a :class:`~poolkit.PoolingError` naming the
argument instead.

The limit defaults to what this machine could hold: the smallest of its physical memory, the
cgroup memory limit (containers) and the address-space limit (``ulimit -v``). Change it with
:func:`set_memory_limit` or the ``POOLKIT_MEMORY_LIMIT`` environment variable (bytes, or with
a ``K``/``M``/``G``/``T`` suffix).

>>> import poolkit.limits as limits
>>> old = limits.set_memory_limit(1 << 20)
>>> limits.check_allocation((1024, 1024), "float64", because="x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
poolkit.errors.PoolingError: x asks for a result of shape (1024, 1024) (float64), 8 MiB, ...
>>> _ = limits.set_memory_limit(old)
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
from collections.abc import Callable

import numpy as np

from poolkit.errors import PoolingError

_SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_state: dict = {"limit": None}


def _parse_bytes(text: str) -> int | None:
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    number, suffix = (text[:-1], text[-1]) if text[-1:] in "KMGT" else (text, "")
    if not number.isdigit() or int(number) < 1:
        return None
    return int(number) * _SUFFIXES[suffix]


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as file:
                text = file.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:  # cgroup v1 says "no limit" with ~2**63
            return int(text)
    return None


def machine_memory() -> int:
    """Bytes this process could hold at most: physical memory, cgroup and ``ulimit -v``."""
    candidates = []
    with contextlib.suppress(ValueError, OSError, AttributeError):  # not on every platform
        candidates.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    cgroup = _cgroup_limit()
    if cgroup is not None:
        candidates.append(cgroup)
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        candidates.append(soft)
    return min(candidates) if candidates else 1 << 62


def memory_limit() -> int:
    """The largest result, in bytes, an operator may allocate."""
    if _state["limit"] is None:
        env = os.environ.get("POOLKIT_MEMORY_LIMIT", "")
        parsed = _parse_bytes(env) if env else None
        _state["limit"] = parsed if parsed is not None else machine_memory()
    return _state["limit"]


def set_memory_limit(nbytes: int | None) -> int | None:
    """Set the largest result, in bytes, that an operator may allocate; ``None`` restores the
    default (the machine's memory). Returns the previous setting, for restoring it.

    >>> import poolkit.limits as limits
    >>> previous = limits.set_memory_limit(2**30)
    >>> limits.memory_limit()
    1073741824
    >>> _ = limits.set_memory_limit(previous)
    """
    from poolkit._args import as_int

    value = as_int(nbytes)
    if nbytes is not None and (value is None or value < 1):
        raise PoolingError(f"nbytes must be None or an int >= 1 (bytes); got {nbytes!r}")
    previous = _state["limit"]
    _state["limit"] = value
    return previous


def _human(nbytes: int) -> str:
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= size:
            amount = nbytes / size if nbytes < 1 << 300 else float("inf")
            return f"{amount:.3g} {unit}" if amount < 1e6 else f"about 2**{nbytes.bit_length()} B"
    return f"{nbytes} B"


def _short(shape: tuple[int, ...]) -> str:
    text = repr(tuple(int(v) for v in shape))
    return text if len(text) <= 120 else text[:100] + "...)"


def check_allocation(
    shape, dtype, *, because: str | Callable[[], str], extra_itemsize: int = 0
) -> None:
    """Refuse a result of ``shape`` and ``dtype`` (plus ``extra_itemsize`` bytes per element,
    e.g. int64 indices beside the values) that would not fit in :func:`memory_limit`.

    ``because`` names the argument(s) and values that made the result this large (a string,
    or a callable giving one, built only for the refusal: hot paths skip the formatting).
    """
    elements = math.prod(int(v) for v in shape)
    itemsize = getattr(dtype, "itemsize", None)  # a NumPy or torch dtype
    if not isinstance(itemsize, int):
        dtype = np.dtype(dtype)  # a name or a scalar type
        itemsize = dtype.itemsize
    nbytes = elements * (itemsize + extra_itemsize)
    limit = memory_limit()
    if nbytes > limit:
        because = because() if callable(because) else because
        raise PoolingError(
            f"{because} asks for a result of shape {_short(shape)} ({dtype}), "
            f"{_human(nbytes)}, more than poolkit's memory limit of {_human(limit)}; use "
            f"smaller sizes, or raise the limit with poolkit.limits.set_memory_limit(nbytes) "
            f"or POOLKIT_MEMORY_LIMIT if the machine really has the memory"
        )
