"""The kernels' thread pool under hostile use: many threads at once, ``set_num_threads``
changing under them, kernels that raise, nested calls, bad thread counts.

The hammer runs ``POOLKIT_HAMMER_SECONDS`` seconds (default 5; the issue's criterion is 30).
"""

from __future__ import annotations

import os
import random
import threading
import time

import numpy as np
import pytest

import poolkit
import poolkit.kernels as k
from poolkit import PoolingError
from poolkit.kernels import _threads

HAMMER_SECONDS = float(os.environ.get("POOLKIT_HAMMER_SECONDS", "5"))
CALLERS = 16


@pytest.fixture
def restore_threads():
    before = k.get_num_threads()
    yield
    k.set_num_threads(before)


def _cases():
    """(name, call) pairs: max/avg/sum forward and an avg and a max backward, float32, on
    sizes from below ``SERIAL_BELOW`` to several times it, channels-first and -last."""
    rng = np.random.default_rng(2024)
    shapes = [(2, 4, 20, 20), (4, 16, 32, 32), (3, 8, 61, 47), (8, 16, 48, 48), (1, 3, 130, 90)]
    cases = []
    for shape in shapes:
        x = rng.standard_normal(shape).astype(np.float32)
        xl = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)  # NHWC memory
        g = rng.standard_normal(poolkit.avg_pool2d(x, 3, 2, 1).shape).astype(np.float32)
        tag = "x".join(map(str, shape))
        cases += [
            (f"max {tag}", lambda x=x: poolkit.max_pool2d(x, 3, 2, 1)),
            (f"max cl {tag}", lambda x=xl: poolkit.max_pool2d(x, 3, 2, 1)),
            (f"avg {tag}", lambda x=x: poolkit.avg_pool2d(x, 3, 2, 1)),
            (f"sum {tag}", lambda x=x: poolkit.sum_pool2d(x, 2, 2)),
            (f"avg bwd {tag}", lambda x=x, g=g: poolkit.avg_pool2d_backward(g, x, 3, 2, 1)),
            (f"max bwd {tag}", lambda x=x, g=g: poolkit.max_pool2d_backward(g, x, 3, 2, 1)),
        ]
    assert min(map(np.prod, shapes)) < _threads.SERIAL_BELOW < max(map(np.prod, shapes))
    return cases


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_hammer_threads_and_changing_thread_count(restore_threads):
    cases = _cases()
    k.set_num_threads(1)
    expected = [call() for _, call in cases]  # the serial run (also compiles every kernel)

    deadline = time.monotonic() + HAMMER_SECONDS
    calls = [0] * CALLERS
    mismatches: list[str] = []
    errors: list[str] = []
    changes = [0]

    def caller(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline and not errors:
            i = rng.randrange(len(cases))
            try:
                got = cases[i][1]()
            except Exception as error:
                errors.append(f"{cases[i][0]}: {type(error).__name__}: {error}")
                return
            calls[seed] += 1
            if not _same_bits(got, expected[i]):
                mismatches.append(cases[i][0])

    def changer() -> None:
        rng = random.Random(-1)
        while time.monotonic() < deadline and not errors:
            k.set_num_threads(rng.choice([1, 2, 3, 5, 8]))
            changes[0] += 1
            time.sleep(rng.random() * 0.002)

    k.set_num_threads(8)
    threads = [threading.Thread(target=caller, args=(i,)) for i in range(CALLERS)]
    threads.append(threading.Thread(target=changer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HAMMER_SECONDS + 120)
    assert not any(thread.is_alive() for thread in threads), "a hammer thread hangs"
    total = sum(calls)
    print(f"hammer: {HAMMER_SECONDS:g} s, {CALLERS} callers, {total} calls, "
          f"{changes[0]} thread-count changes, {len(mismatches)} mismatches, "
          f"{len(errors)} errors")  # fmt: skip
    assert not errors, errors[:3]
    assert not mismatches, (len(mismatches), sorted(set(mismatches))[:5])
    assert total >= CALLERS and changes[0] > 1


def test_kernel_error_propagates_and_pool_survives(restore_threads):
    k.set_num_threads(4)

    def kernel(i0, i1, out):
        if i0 <= 37 < i1:
            raise ZeroDivisionError("chunk with item 37")
        out[i0:i1] = 1

    out = np.zeros(64)
    for _ in range(3):  # raised every time, wherever chunk 37 runs (caller or helper)
        with pytest.raises(ZeroDivisionError, match="item 37"):
            _threads.run(kernel, 64, out)
    ok = np.zeros(64)
    _threads.run(lambda i0, i1, out: out.__setitem__(slice(i0, i1), 2), 64, ok)
    assert (ok == 2).all()
    x = np.random.default_rng(1).standard_normal((4, 16, 40, 40)).astype(np.float32)
    k.set_num_threads(1)
    serial = poolkit.max_pool2d(x, 3, 2, 1)
    k.set_num_threads(4)
    assert _same_bits(poolkit.max_pool2d(x, 3, 2, 1), serial)


def test_nested_calls_do_not_deadlock(restore_threads):
    """A kernel that runs a parallel call itself (a poolkit call from a pool thread), with
    more nesting than there are helpers: every level still finishes."""
    k.set_num_threads(3)
    x = np.random.default_rng(2).standard_normal((4, 16, 40, 40)).astype(np.float32)
    expected = poolkit.max_pool2d(x, 3, 2, 1)
    results = []

    def outer(i0, i1):
        for _ in range(i0, i1):
            inner = np.zeros(32)
            _threads.run(lambda j0, j1, o: o.__setitem__(slice(j0, j1), 1), 32, inner)
            results.append(bool(inner.all()) and _same_bits(poolkit.max_pool2d(x, 3, 2, 1),
                                                            expected))  # fmt: skip

    done = threading.Event()

    def main():
        _threads.run(outer, 12)
        done.set()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert done.wait(60), "nested parallel calls deadlocked"
    assert results == [True] * 12


@pytest.mark.parametrize("bad", [0, -1, -(10**20), True, False, 2.5, 4.0, "4", None, [2],
                                 _threads.MAX_THREADS + 1, 10**12])  # fmt: skip
def test_set_num_threads_refuses(bad, restore_threads):
    before = k.get_num_threads()
    with pytest.raises(PoolingError) as info:
        k.set_num_threads(bad)
    message = str(info.value)
    assert message.startswith("n: ") and repr(bad) in message and "integer from 1" in message
    assert k.get_num_threads() == before


def test_set_num_threads_takes_numpy_integers(restore_threads):
    assert k.set_num_threads(np.int64(3)) == 3 and type(k.get_num_threads()) is int
    assert k.set_num_threads(_threads.MAX_THREADS) == _threads.MAX_THREADS
