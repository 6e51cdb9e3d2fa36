"""The kernels' environment: on-disk cache when the package is read-only, fork safety,
threads, and `import poolkit` staying free of numba."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap

import numpy as np

from poolkit import reference
from poolkit.geometry import resolve
from poolkit.kernels import _drivers, _threads


def _python(code: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_poolkit_does_not_import_numba():
    out = _python("import sys, poolkit; print('numba' in sys.modules)", dict(os.environ))
    assert out.strip() == "False"


def test_cache_goes_to_user_dir_when_package_is_read_only(tmp_path):
    """A read-only package directory (simulated: we may run as root) sends the cache to
    $XDG_CACHE_HOME/poolkit/numba, and a second process loads from it."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = """
        import numpy as np
        from poolkit.kernels import _env, _loader
        _env.package_writable = lambda: False
        import poolkit
        poolkit.upsample_nearest1d(np.ones((1, 1, 3), np.float32), 2)
        k = _loader.misc()
        stats = k.upsample_cf.stats
        print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
    """
    first = _python(code, env).split()
    cache = tmp_path / "poolkit" / "numba"
    assert cache.is_dir() and any(cache.rglob("*.nbi")), "no cache index written"
    second = _python(code, env).split()
    assert first == ["0", "1"] and second == ["1", "0"], (first, second)


def _child(queue):
    x = np.random.default_rng(5).standard_normal((4, 16, 40, 40)).astype(np.float32)
    window = resolve((40, 40), 3, 2, 1)
    out = _drivers.window_forward("max", x, window)
    queue.put(bool(np.array_equal(out, reference.max_forward(x, window))))


def test_fork_after_use():
    """Parent runs a threaded kernel, then a forked child runs one too (DataLoader workers)."""
    _threads.set_num_threads(2)
    x = np.random.default_rng(5).standard_normal((4, 16, 40, 40)).astype(np.float32)
    window = resolve((40, 40), 3, 2, 1)
    assert x.size >= _threads.SERIAL_BELOW  # big enough to go through the thread pool
    _drivers.window_forward("max", x, window)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue,))
    child.start()
    child.join(120)
    assert child.exitcode == 0
    assert queue.get(timeout=5) is True


def test_set_num_threads_and_serial_equivalence():
    import poolkit.kernels as k

    x = np.random.default_rng(6).standard_normal((3, 8, 30, 30)).astype(np.float64)
    window = resolve((30, 30), 3, 1, 1)
    before = k.get_num_threads()
    try:
        assert k.set_num_threads(1) == 1 and k.get_num_threads() == 1
        serial = _drivers.window_forward("avg", x, window, count_include_pad=True)
        assert k.set_num_threads(3) == 3
        threaded = _drivers.window_forward("avg", x, window, count_include_pad=True)
    finally:
        k.set_num_threads(before)
    np.testing.assert_array_equal(serial, threaded)
