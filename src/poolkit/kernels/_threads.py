"""Parallelism: serial ``nogil`` Numba kernels over item ranges, run on a thread pool.

Why not ``numba.prange``: parallel=True roughly doubles compile time (the JIT budget is a
few seconds per kernel family), and Numba's default threading layer here (GNU OpenMP, as TBB
is missing) terminates a forked child that runs a parallel region after the parent did -
which is what PyTorch DataLoader workers do. A plain thread pool has neither problem: the
kernels release the GIL, and after a fork the child simply starts a fresh pool
(``os.register_at_fork``).
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

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


#: Elements per chunk worth the hand-off; problems are cut into at most
#: ``MAX_CHUNKS_PER_THREAD`` chunks per thread, and at least 2.
CHUNK_WORK = 1 << 18
MAX_CHUNKS_PER_THREAD = 8


def run(kernel, items: int, *args, work: int | None = None, scratch=None) -> None:
    """Call ``kernel(i0, i1, *args, *scratch())`` over ``[0, items)`` split in chunks across
    threads; ``scratch`` (a callable) gives every worker its own work buffers.

    The kernels are compiled without Numba's reference counting (``_nrt=False``): a view
    of a shared array would otherwise update that array's reference count atomically, and
    threads fighting over that one cache line made the kernels slower with more threads.
    So they cannot allocate, and get their buffers here. ``work`` (elements touched) below
    :data:`SERIAL_BELOW` runs serially in this thread.

    Chunks are handed out dynamically (each worker takes the next one when it is done) and
    the calling thread is one of the workers: on a machine where another process holds a
    core, the other threads take over that core's share instead of waiting for it.
    """
    extra = scratch if scratch is not None else tuple
    threads = min(num_threads(), items)
    if threads <= 1 or (work is not None and work < SERIAL_BELOW):
        kernel(0, items, *args, *extra())
        return
    per_thread = MAX_CHUNKS_PER_THREAD if work is None else work // (threads * CHUNK_WORK)
    chunks = min(items, threads * min(MAX_CHUNKS_PER_THREAD, max(2, per_thread)))
    bounds = [items * i // chunks for i in range(chunks + 1)]
    order = itertools.count()  # next() is atomic under the GIL

    def worker() -> None:
        buffers = extra()
        for i in order:
            if i >= chunks:
                return
            if bounds[i + 1] > bounds[i]:
                kernel(bounds[i], bounds[i + 1], *args, *buffers)

    pool = _pool(threads - 1)
    futures = [pool.submit(worker) for _ in range(threads - 1)]
    try:
        worker()
    finally:
        for future in futures:
            future.result()
