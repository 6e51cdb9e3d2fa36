"""Compile and cache the common Numba kernels, so later processes only load them.

Runs every kernel family once on a tiny input for float32 and float64 (or the dtypes you
name: integers and bool get kernels of their own dtype), channels-first and channels-last
(contiguous memory), which fills Numba's on-disk cache (next to the package, or
``~/.cache/poolkit/numba`` when the package directory is read-only). Later processes then
load each family from the cache instead of compiling it.

    poolkit precompile            # float32 and float64
    poolkit precompile --dtypes float32
    poolkit precompile --dtypes float32,uint8   # also uint8 images
"""

from __future__ import annotations

import time

#: Every dtype the kernels take (float16 computes in float32).
DTYPES = ("float16", "float32", "float64", "bool", "int8", "uint8", "int16", "uint16",
          "int32", "uint32", "int64", "uint64")  # fmt: skip

FAMILIES = ("max", "max+indices", "max backward", "avg", "avg backward", "sum",
            "lp", "lp backward", "global", "adaptive avg", "adaptive max", "unpool",
            "upsample", "large window max", "large window avg", "mode")  # fmt: skip


def add_arguments(parser) -> None:
    parser.add_argument(
        "--dtypes",
        default="float32,float64",
        help="comma-separated dtypes to compile (default float32,float64)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing")


def _inputs(dtype):
    import numpy as np

    x = (np.random.default_rng(0).standard_normal((1, 2, 5, 5)) * 9).astype(dtype)
    return {"NCHW": x, "NHWC": np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)}


def compile_family(family: str, x) -> None:
    """Run one family on channels-first ``x`` (a view of any memory order)."""
    import numpy as np

    from poolkit.geometry import resolve
    from poolkit.kernels import _drivers as d

    window = resolve(x.shape[2:], 3, 2, 1)
    g = np.ones(x.shape[:2] + window.output_shape, dtype=x.dtype)
    if family == "max":
        d.window_forward("max", x, window)
    elif family == "max+indices":
        d.window_forward("max", x, window, return_indices=True)
    elif family == "max backward":
        d.window_backward("max", g, x, window)
    elif family == "avg":
        d.window_forward("avg", x, window, count_include_pad=True)
    elif family == "avg backward":
        d.window_backward("avg", g, x, window, count_include_pad=True)
    elif family == "sum":
        d.window_forward("sum", x, window)
    elif family == "lp":
        d.window_forward("lp", x, window, p=3.0)
    elif family == "lp backward":
        d.window_backward("lp", g, x, window, p=3.0)
    elif family == "global":
        d.global_forward("avg", x)
        d.global_forward("max", x)
    elif family == "adaptive avg":
        d.adaptive_forward("avg", x, (2, 2))
    elif family == "adaptive max":
        d.adaptive_forward("max", x, (2, 2))
    elif family == "unpool":  # indices from the reference: this family is the unpool kernels
        from poolkit import reference

        out, idx = reference.max_forward(x, window, return_indices=True)
        d.max_unpool(out, idx, x.shape[2:])
        d.max_unpool_backward(np.ones(x.shape, x.dtype), idx)
    elif family.startswith("large window"):  # the block-scan kernel
        d.window_forward(family.split()[-1], x, resolve(x.shape[2:], 8, 1, 4))
    elif family == "upsample":
        d.upsample_nearest_backward(d.upsample_nearest(x, (2, 2)), (2, 2))
    elif family == "mode":  # poolkit.pool's mode kernel: integer and bool labels only
        if x.dtype.kind in "biu":
            d.mode_forward(x, window)
    else:
        raise ValueError(family)


def precompile(dtypes=("float32", "float64"), report=print) -> dict:
    """Compile every family for ``dtypes`` and both layouts; returns seconds per family."""
    from poolkit.kernels import _env, _loader

    _loader.window()
    times = {}
    for dtype in dtypes:
        for layout, x in _inputs(dtype).items():
            for family in FAMILIES:
                start = time.perf_counter()
                compile_family(family, x)
                seconds = time.perf_counter() - start
                times[(dtype, layout, family)] = seconds
                report(f"{dtype:8} {layout} {family:14} {seconds:6.2f} s")
    import os

    where = os.environ.get("NUMBA_CACHE_DIR") or "next to the package (__pycache__)"
    if not _env.caching():
        where = "none, nothing writable (kernels were compiled in memory only)"
    report(f"cache: {where}; user fallback {_env.cache_dir()}")
    return times


def run(args) -> int:
    from poolkit.errors import PoolingError

    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    for name in dtypes:
        if name not in DTYPES:
            raise PoolingError(f"--dtypes: expected names from {', '.join(DTYPES)}; got {name!r}")
    precompile(dtypes, report=(lambda _line: None) if args.quiet else print)
    return 0
