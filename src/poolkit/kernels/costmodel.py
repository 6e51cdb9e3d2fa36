"""The cost model: which algorithm and which compute dtype each problem gets.

The caller never picks an algorithm; the drivers ask this module. The rules, cheapest first:

- **Where**: Numba kernels for every operator and every dtype the core supports; the NumPy
  reference only when ``POOLKIT_KERNELS=reference`` is set.
- **Threads**: items (``(n, c)`` planes channels-first; output rows or ``(n, channel
  block)`` channels-last) are split into ``2 * threads`` chunks on a thread pool; problems
  under ``_threads.SERIAL_BELOW`` elements run in the calling thread.
- **dtype**: float32 and float64 run natively; float16 computes in float32 (one conversion
  pass, exact for max; Numba has no float16 arithmetic); float32 sums over at most
  ``FLOAT32_ACC_MAX_TAPS`` taps accumulate in float32 (error <= taps * eps32 * sum|x|), longer
  direct ones in float64, block scans in the input's float type (see ``scan_acc_dtype``).
  Integers are read in their own dtype (no widening copy: a uint8 image moves 1 byte per
  element), bool as uint8 (a view); max compares in that dtype, sums accumulate in int64
  (uint64 in uint64, wrapping like NumPy), and the uint64 average sums in float64 as the
  reference does. Lp computes ``|x|^p`` in float64 with one NumPy pass, then runs the sum
  kernel.
- **Algorithm**, per window problem:

  * *direct separable* (small windows, any stride/dilation/padding, adaptive bins): the
    vertical taps (D, H) combine whole rows elementwise (contiguous inner loop, vectorised),
    then the row is reduced along W; channels-last inputs vectorise across C instead.
    Cost ~ ``(k_d*k_h + k_w/s_w)`` operations per input element.
  * *block scan + doubling* (large overlapping windows, dilation 1, no depth window): along
    H the van Herk / Gil-Werman block scan (prefix and suffix scans inside blocks of ``k``
    give any window as ``op(suffix, prefix)``: ~3 operations per element whatever ``k``),
    vectorised across the contiguous axis; along W, doubling over whole rows (``log2 k``
    contiguous vector passes). Used for max and sum/avg when some axis has
    ``k >= BLOCKSCAN_MIN_KERNEL`` and ``k >= 2*stride``. Sums use block-local scans and
    disjoint dyadic pieces, never one running prefix sum: no cancellation between far-apart
    values, and inf/NaN behave as in a direct sum.
  * *global* (max, sum, avg of contiguous planes): each plane is one vector, read once in
    blocks that combine elementwise into a block-long buffer (see ``kernels/_global.py``);
    other memory orders take the direct kernels with one window per plane.
  * *argmax*: max with indices and the max backward recompute the argmax in window order
    (PyTorch's rule); the backward adds each gradient at the argmax, one plane (or one
    channel block) per thread, so it is deterministic.
"""

from __future__ import annotations

import os

import numpy as np

#: Windows at least this long along an axis use the block scan (when they overlap).
BLOCKSCAN_MIN_KERNEL = 8


def enabled() -> bool:
    """False when ``POOLKIT_KERNELS=reference`` (or ``0``/``off``) asks for the reference."""
    return os.environ.get("POOLKIT_KERNELS", "").lower() not in ("reference", "0", "off", "numpy")


def compute_dtype(dtype, reducer: str):
    """The dtype a kernel reads ``reducer``'s input in (see the module docstring).

    >>> compute_dtype(np.float16, "max"), compute_dtype(np.uint8, "max")
    (dtype('float32'), dtype('uint8'))
    >>> compute_dtype(bool, "sum"), compute_dtype(np.uint64, "avg")
    (dtype('uint8'), dtype('float64'))
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return np.dtype(np.float32) if dtype.itemsize <= 4 else np.dtype(np.float64)
    if dtype.kind == "b":
        return np.dtype(np.uint8)
    if dtype == np.uint64 and reducer == "avg":
        return np.dtype(np.float64)
    return dtype


def acc_dtype(dtype) -> np.dtype:
    """Sums accumulate in float64 for floats, int64 for integers (uint64 in uint64)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return np.dtype(np.float64)
    return np.dtype(np.uint64) if dtype == np.uint64 else np.dtype(np.int64)


#: Direct float32 sums over at most this many taps accumulate in float32 (8 lanes, no
#: conversions; error <= taps * eps32 * sum|x|, within rounding); longer ones in float64.
FLOAT32_ACC_MAX_TAPS = 64


def sum_acc_dtype(dtype, taps: int, reducer: str = "sum") -> np.dtype:
    """Accumulator of the direct sum kernels for ``taps`` taps per window; integer averages
    sum in float64, as the reference does (an int64 sum could wrap)."""
    dtype = np.dtype(dtype)
    if dtype == np.float32 and taps <= FLOAT32_ACC_MAX_TAPS:
        return dtype
    if reducer == "avg" and dtype.kind != "f":
        return np.dtype(np.float64)
    return acc_dtype(dtype)


def scan_acc_dtype(dtype) -> np.dtype:
    """Block-scan sums: float32 stays float32 (each piece sums <= k values in a dyadic
    tree, error ~ (k + log2 k) * eps32 * sum|x|, like NumPy's pairwise float32 sum; half the
    memory traffic of a float64 intermediate), integers accumulate in int64."""
    dtype = np.dtype(dtype)
    return dtype if dtype.kind == "f" else acc_dtype(dtype)


def grad_dtype(dtype) -> np.dtype:
    """Gradients are float32 for float32 compute, float64 otherwise."""
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def num_threads() -> int:
    from poolkit.kernels import _threads

    return _threads.num_threads()


def use_blockscan(kernel: int, stride: int, dilation: int) -> bool:
    """Block scan along an axis: long windows that overlap, no dilation."""
    return dilation == 1 and kernel >= BLOCKSCAN_MIN_KERNEL and kernel >= 2 * stride


def use_blockscan_window(window) -> bool:
    """The block-scan path: 1-d/2-d windows (or 3-d with a trivial depth axis), no dilation,
    and a long overlapping window along H or W."""
    axes = window.axes
    if any(a.dilation != 1 for a in axes):
        return False
    if len(axes) == 3:
        d = axes[0]
        if d.kernel != 1 or d.stride != 1 or d.lo or d.hi or d.overhang:
            return False
    return any(use_blockscan(a.kernel, a.stride, a.dilation) for a in axes[-2:])
