"""Parallelism: serial ``nogil`` Numba kernels over item ranges, run on a thread pool.

Why not ``numba.prange``: parallel=True roughly doubles compile time (the JIT budget is a
few seconds per kernel family), and Numba's default threading layer here (GNU OpenMP, as TBB
is missing) terminates a forked child that runs a parallel region after the parent did -
which is what PyTorch DataLoader workers do. A plain thread pool has neither problem: the
kernels release the GIL, and after a fork the child simply starts a fresh pool
(``os.register_at_fork``).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

_lock = threading.Lock()
_state: dict = {"pool": None, "size": 0, "threads": None}

#: Problems touching fewer elements than this run in the calling thread only.
SERIAL_BELOW = 1 << 15


def _default_threads() -> int:
    env = os.environ.get("POOLKIT_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def num_threads() -> int:
    if _state["threads"] is None:
        _state["threads"] = _default_threads()
    return _state["threads"]


def set_num_threads(n: int) -> int:
    n = max(1, int(n))
    _state["threads"] = n
    return n


def _after_fork_in_child() -> None:
    # The parent's worker threads do not exist in the child: forget the pool (and its lock).
    global _lock
    _lock = threading.Lock()
    _state["pool"] = None
    _state["size"] = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _pool(size: int) -> ThreadPoolExecutor:
    with _lock:
        if _state["pool"] is None or _state["size"] != size:
            if _state["pool"] is not None:
                _state["pool"].shutdown(wait=False)
            _state["pool"] = ThreadPoolExecutor(size, thread_name_prefix="poolkit")
            _state["size"] = size
        return _state["pool"]


def run(kernel, items: int, *args, work: int | None = None, scratch=None) -> None:
    """Call ``kernel(i0, i1, *args, *scratch())`` over ``[0, items)`` split in chunks across
    threads; ``scratch`` (a callable) gives every chunk its own work buffers.

    The kernels are compiled without Numba's reference counting (``_nrt=False``): a view
    of a shared array would otherwise update that array's reference count atomically, and
    threads fighting over that one cache line made the kernels slower with more threads.
    So they cannot allocate, and get their buffers here. ``work`` (elements touched) below
    :data:`SERIAL_BELOW` runs serially in this thread.
    """
    extra = scratch if scratch is not None else tuple
    threads = min(num_threads(), items)
    if threads <= 1 or (work is not None and work < SERIAL_BELOW):
        kernel(0, items, *args, *extra())
        return
    chunks = min(items, 2 * threads)  # a little slack balances threads on a busy machine
    bounds = [items * i // chunks for i in range(chunks + 1)]
    pool = _pool(threads)
    futures = [pool.submit(kernel, a, b, *args, *extra()) for a, b in pairwise(bounds) if b > a]
    for future in futures:
        future.result()
