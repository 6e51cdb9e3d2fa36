"""Numba's on-disk cache under hostile conditions: nowhere writable, or cache files that are
truncated, empty, garbage or missing. Every case must still give the right result, with at
most one warning and never an exception.

Each case runs in a child process (a fresh Numba, its own cache directory) on one kernel
family (max pooling, float32). Running as root, "read-only" is simulated with paths that
cannot be created: directories under a regular file, and ``__pycache__`` being a file.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from ._isolated import run_case

pytestmark = pytest.mark.slow  # recompiles kernels in fresh processes

SRC = Path(__file__).resolve().parents[2] / "src"

CALL = """
import warnings
import numba
from poolkit import reference
from poolkit.geometry import resolve

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    x = (np.random.default_rng(0).standard_normal((1, 2, 9, 9)) * 9).astype(np.float32)
    window = resolve(x.shape[2:], 3, 2, 1)
    try:
        from poolkit.kernels import _drivers, _loader

        out = _drivers.window_forward("max", x, window)
        ok = bool(np.array_equal(out, reference.max_forward(x, window)))
        error = None
    except BaseException as e:
        ok, error = False, f"{type(e).__name__}: {e}"[:400]
hits = misses = 0
if error is None:
    for value in vars(_loader.window()).values():
        if isinstance(value, numba.core.dispatcher.Dispatcher):
            hits += sum(value.stats.cache_hits.values())
            misses += sum(value.stats.cache_misses.values())
report(ok=ok, error=error, hits=hits, misses=misses, file=poolkit.__file__,
       warnings=[f"{w.category.__name__}: {w.message}"[:1000] for w in caught])
"""


def _run(env: dict) -> dict:
    outcome = run_case(CALL, env=env, timeout=300)
    assert outcome.returncode == 0 and outcome.verdict is not None, outcome.explain()
    return outcome.verdict


def _check(verdict: dict, *, warnings: tuple[int, ...]) -> None:
    assert verdict["error"] is None, verdict
    assert verdict["ok"] is True, verdict
    assert len(verdict["warnings"]) in warnings, verdict["warnings"]
    for warning in verdict["warnings"]:
        assert warning.startswith("KernelCacheWarning: poolkit: "), warning


# --------------------------------------------------------------------------- nowhere writable


def _read_only_install(tmp_path: Path, kind: str) -> tuple[Path, Path]:
    """A copy of the package that cannot be written next to ("directory": its
    ``__pycache__`` directories are files; "zip": a zipped package), and a regular file to
    put HOME and the cache directories under."""
    if kind == "zip":
        site = tmp_path / "poolkit.zip"
        with zipfile.ZipFile(site, "w") as archive:
            for path in (SRC / "poolkit").rglob("*.py"):
                archive.write(path, path.relative_to(SRC).as_posix())
    else:
        site = tmp_path / "site"
        shutil.copytree(
            SRC / "poolkit", site / "poolkit", ignore=shutil.ignore_patterns("__pycache__")
        )
        for directory in [
            site / "poolkit",
            *(p for p in (site / "poolkit").rglob("*") if p.is_dir()),
        ]:
            (directory / "__pycache__").write_text("not a directory\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file: nothing can be created under it\n")
    return site, blocker


@pytest.mark.parametrize("numba_cache_dir", ["unset", "unwritable"])
@pytest.mark.parametrize("kind", ["directory", "zip"])
def test_nowhere_writable_compiles_in_memory(tmp_path, kind, numba_cache_dir):
    site, blocker = _read_only_install(tmp_path, kind)
    env = {
        "PYTHONPATH": str(site),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(blocker / "home"),
        "XDG_CACHE_HOME": str(blocker / "cache"),
        "NUMBA_CACHE_DIR": "" if numba_cache_dir == "unset" else str(blocker / "numba"),
    }
    verdict = _run(env)
    assert verdict["file"].startswith(str(site)), verdict["file"]
    _check(verdict, warnings=(1,))
    assert "compiled in memory" in verdict["warnings"][0], verdict["warnings"]
    assert verdict["hits"] == 0
    assert not list(tmp_path.rglob("*.nbi")) and blocker.is_file()


# --------------------------------------------------------------------------- damaged cache files


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> Path:
    """A NUMBA_CACHE_DIR filled by one run (so the shared ``__pycache__`` is left alone)."""
    cache = tmp_path_factory.mktemp("numba-cache") / "cache"
    verdict = _run({"NUMBA_CACHE_DIR": str(cache)})
    _check(verdict, warnings=(0,))
    assert verdict["misses"] > 0, verdict
    assert list(cache.rglob("*.nbi")) and list(cache.rglob("*.nbc"))
    again = _run({"NUMBA_CACHE_DIR": str(cache)})
    assert again["hits"] > 0 and again["misses"] == 0, again  # the cache is really used
    return cache


def _truncate_index(cache: Path) -> None:
    for path in cache.rglob("*.nbi"):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])


def _empty_data(cache: Path) -> None:
    for path in cache.rglob("*.nbc"):
        path.write_bytes(b"")


def _garbage_both(cache: Path) -> None:
    for path in [*cache.rglob("*.nbi"), *cache.rglob("*.nbc")]:
        path.write_bytes(os.urandom(max(path.stat().st_size, 64)))


def _missing_data(cache: Path) -> None:
    for path in cache.rglob("*.nbc"):
        path.unlink()


@pytest.mark.parametrize(
    "damage, warnings",
    [
        (_truncate_index, (1,)),
        (_empty_data, (1,)),
        (_garbage_both, (1,)),
        (_missing_data, (0, 1)),  # Numba itself treats a missing data file as a miss
    ],
    ids=["truncated-nbi", "empty-nbc", "garbage-both", "missing-nbc"],
)
def test_damaged_cache_files_recompile(warm_cache, tmp_path, damage, warnings):
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache)
    damage(cache)
    verdict = _run({"NUMBA_CACHE_DIR": str(cache)})
    _check(verdict, warnings=warnings)
    assert verdict["misses"] > 0, verdict
    healed = _run({"NUMBA_CACHE_DIR": str(cache)})  # the damaged entries were rewritten
    _check(healed, warnings=(0,))
    assert healed["hits"] > 0 and healed["misses"] == 0, healed
