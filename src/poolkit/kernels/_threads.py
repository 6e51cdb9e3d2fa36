"""Parallelism: serial ``nogil`` Numba kernels over item ranges, run on a thread pool.

Why not ``numba.prange``: parallel=True roughly doubles compile time (the JIT budget is a
few seconds per kernel family), and Numba's default threading layer here (GNU OpenMP, as TBB
is missing) terminates a forked child that runs a parallel region after the parent did -
which is what PyTorch DataLoader workers do. A plain thread pool has neither problem: the
kernels release the GIL, and after a fork the child simply starts a fresh pool
(``os.register_at_fork``).

One pool serves every call from every thread. It only grows (to the most helpers any call
asked for) and is never shut down under a caller, so calls from several threads, with
:func:`set_num_threads` changing in between, cannot break each other. A call hands out
*tickets* to the pool's queue; a helper that picks one up joins that call's chunk loop if
chunks are left, and the calling thread works through the chunks too. The caller waits only
for helpers that actually joined, never for queued tickets: a call made while every helper
is busy (or from inside a helper, as a nested call) finishes on the calling thread alone
instead of deadlocking. A kernel's exception stops its call's remaining chunks and is raised
in the caller; the helper threads survive it.
"""

from __future__ import annotations

import itertools
import numbers
import os
import queue
import threading

#: Problems touching fewer elements than this run in the calling thread only.
SERIAL_BELOW = 1 << 15

#: The most threads :func:`set_num_threads` accepts.
MAX_THREADS = 1024

_state: dict = {"threads": None}


class _Pool:
    """Daemon helper threads that run tickets from one queue; grows, never shrinks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tickets: queue.SimpleQueue = queue.SimpleQueue()
        self.helpers: list[threading.Thread] = []

    def ensure(self, helpers: int) -> None:
        if len(self.helpers) >= helpers:  # the common case: no lock
            return
        with self.lock:
            while len(self.helpers) < helpers:
                thread = threading.Thread(
                    target=self._serve, name=f"poolkit-{len(self.helpers)}", daemon=True
                )
                thread.start()
                self.helpers.append(thread)

    def _serve(self) -> None:
        tickets = self.tickets
        while True:
            ticket = tickets.get()
            ticket()  # a _Call's ticket never raises

    def submit(self, ticket, count: int) -> None:
        self.ensure(count)
        for _ in range(count):
            self.tickets.put(ticket)


_pool_holder: dict = {"pool": None, "lock": threading.Lock()}


def _pool() -> _Pool:
    pool = _pool_holder["pool"]
    if pool is None:
        with _pool_holder["lock"]:
            pool = _pool_holder["pool"]
            if pool is None:
                pool = _pool_holder["pool"] = _Pool()
    return pool


def _default_threads() -> int:
    env = os.environ.get("POOLKIT_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return min(int(env), MAX_THREADS)
    try:
        return max(1, min(len(os.sched_getaffinity(0)), MAX_THREADS))
    except AttributeError:  # not on Linux
        return max(1, min(os.cpu_count() or 1, MAX_THREADS))


def num_threads() -> int:
    threads = _state["threads"]
    if threads is None:
        threads = _state["threads"] = _default_threads()
    return threads


def set_num_threads(n: int) -> int:
    """Use ``n`` threads (an integer from 1 to :data:`MAX_THREADS`); returns ``n``."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_THREADS:
        from poolkit.errors import PoolingError

        raise PoolingError(
            f"n: expected an integer from 1 to {MAX_THREADS} (threads for the kernels); "
            f"got {n!r} ({type(n).__name__})"
        )
    n = int(n)
    _state["threads"] = n
    return n


def _after_fork_in_child() -> None:
    # The parent's helper threads do not exist in the child: forget the pool (and its locks,
    # which a parent thread may have held at the fork).
    _pool_holder["lock"] = threading.Lock()
    _pool_holder["pool"] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


#: Elements per chunk worth the hand-off; problems are cut into at most
#: ``MAX_CHUNKS_PER_THREAD`` chunks per thread, and at least 2.
CHUNK_WORK = 1 << 18
MAX_CHUNKS_PER_THREAD = 8


class _Call:
    """One parallel call's chunks, the helpers working on it and its first error."""

    def __init__(self, kernel, args, extra, bounds) -> None:
        self.kernel = kernel
        self.args = args
        self.extra = extra
        self.bounds = bounds
        self.chunks = len(bounds) - 1
        self.order = itertools.count()  # next() is atomic under the GIL
        self.cond = threading.Condition(threading.Lock())
        self.active = 0  # helpers inside work()
        self.closed = False  # the caller is done: late tickets do nothing
        self.error: BaseException | None = None

    def work(self) -> None:
        buffers = self.extra()
        kernel, args, bounds, chunks = self.kernel, self.args, self.bounds, self.chunks
        for i in self.order:
            if i >= chunks or self.error is not None:
                return
            if bounds[i + 1] > bounds[i]:
                kernel(bounds[i], bounds[i + 1], *args, *buffers)

    def fail(self, error: BaseException) -> None:
        with self.cond:
            if self.error is None:
                self.error = error

    def ticket(self) -> None:
        """Run by a helper thread: join the call if it is still going. Never raises."""
        with self.cond:
            if self.closed:
                return
            self.active += 1
        try:
            self.work()
        except BaseException as error:  # handed to the caller
            self.fail(error)
        finally:
            with self.cond:
                self.active -= 1
                if self.active == 0:
                    self.cond.notify_all()

    def finish(self) -> None:
        """Run by the caller after its own share: wait for the helpers that joined."""
        with self.cond:
            self.closed = True
            try:
                while self.active:
                    self.cond.wait()
            except BaseException as error:  # interrupted: the helpers stop at their next chunk
                if self.error is None:
                    self.error = error
                raise
        if self.error is not None:
            error, self.error = self.error, None
            raise error


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
    call = _Call(kernel, args, extra, bounds)
    _pool().submit(call.ticket, threads - 1)
    try:
        call.work()
    except BaseException as error:
        call.fail(error)
    call.finish()
