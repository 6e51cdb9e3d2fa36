"""The cost model: which algorithm and which compute dtype each problem gets.

The caller never picks an algorithm; the drivers ask this module. The rules, cheapest first:

- **Where**: Numba kernels for every operator and every dtype the core supports; the NumPy
  reference only when ``POOLKIT_KERNELS=reference`` is set.
- **Threads**: items (``(n, c)`` planes channels-first; output rows or ``(n, channel
  block)`` channels-last) are split into 2-8 chunks per thread, handed out dynamically on a
  thread pool that the calling thread joins; problems under ``_threads.SERIAL_BELOW``
  elements run in the calling thread.
- **dtype**: float32 and float64 run natively; float16 computes in float32 (one conversion
  pass, exact for max; Numba has no float16 arithmetic); float32 sums over at most
  ``FLOAT32_ACC_MAX_TAPS`` taps accumulate in float32 (error <= taps * eps32 * sum|x|), longer
  direct ones in float64, block scans in the input's float type (see ``scan_acc_dtype``).
  Integers are read in their own dtype (no widening copy: a uint8 image moves 1 byte per
  element), bool as uint8 (a view); max compares in that dtype, sums accumulate in int64
  (uint64 in uint64, wrapping like NumPy), and the uint64 average sums in float64 as the
  reference does; integer window averages accumulate in float64. Lp computes ``|x|^p`` in
  float64 in one fused pass (``kernels/_lp.py``), then runs the sum kernel.
- **Algorithm**, per window problem:

  * *direct separable* (small windows, any stride/dilation/padding, adaptive bins): the
    vertical taps (D, H) combine whole rows elementwise (contiguous inner loop, vectorised),
    then the row is reduced along W; channels-last inputs vectorise across C instead. Small
    windows (2-3 taps, stride 1-2) reduce straight from the input rows into the output in
    one pass. Cost ~ ``(k_d*k_h + k_w/s_w)`` operations per input element.
  * *block scan + doubling* (large overlapping windows, any dilation and padding): along
    D (3-d, into an intermediate) and H the van Herk / Gil-Werman block scan (prefix and
    suffix scans inside blocks of ``k`` give any window as ``op(suffix, prefix)``: ~3
    operations per element whatever ``k``; a dilated axis is scanned per interleaved
    sub-sequence), vectorised across the contiguous axis; along W, doubling over the row
    (``log2 k`` contiguous vector passes). H and W are fused per plane: each output row is
    scanned into a cache-resident row buffer and reduced along W at once, so no full-size
    intermediate is written. Used for max and sum/avg when some axis has
    ``k >= BLOCKSCAN_MIN_KERNEL`` and ``k >= 2*stride``. Sums use block-local scans and
    short addition chains, never one running prefix sum: no cancellation between far-apart
    values, and inf/NaN behave as in a direct sum.
  * *global* (max of contiguous planes; sum and avg in every memory order): each plane is
    read once into interleaved partial results (see ``kernels/_global.py``); the sums add in
    one order for every layout, so they are bit-identical across memory orders.
  * *argmax*: max with indices and the max backward recompute the argmax in window order
    (PyTorch's rule) with small int32 tap codes beside the values (``kernels/_backward.py``;
    int64 flat indices only for planes of 2**31 elements or more); the backward writes each
    gradient row once from the outputs covering it, one plane (or one channel block) per
    thread, so it is deterministic. 2x2 windows with stride 2 that tile C-contiguous planes
    (the most common down-sampling) take a one-pass backward whose loops run whole vectors:
    spare lanes past a short row's end read and write the plane's next rows, which are
    rewritten later, so no scalar remainder runs per row.
"""

from __future__ import annotations

import os

import numpy as np

from poolkit.reducers import accumulate_dtype

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


#: Direct float32 sums over at most this many taps accumulate in float32 (8 lanes, no
#: conversions; error <= taps * eps32 * sum|x|, within rounding); longer ones in float64.
FLOAT32_ACC_MAX_TAPS = 64


def sum_acc_dtype(dtype, taps: int, reducer: str = "sum") -> np.dtype:
    """Accumulator of the direct sum kernels for ``taps`` taps per window: the reference's
    (:func:`poolkit.reducers.accumulate_dtype`: float64 for floats and integer averages,
    int64 or uint64 for integer sums), except short float32 sums."""
    dtype = np.dtype(dtype)
    if dtype == np.float32 and taps <= FLOAT32_ACC_MAX_TAPS:
        return dtype
    return accumulate_dtype(reducer, dtype)


def scan_acc_dtype(dtype) -> np.dtype:
    """Block-scan sums: float32 stays float32 (each piece sums <= k values in a dyadic
    tree, error ~ (k + log2 k) * eps32 * sum|x|, like NumPy's pairwise float32 sum; half the
    memory traffic of a float64 intermediate), integers accumulate in int64 (uint64 in
    uint64)."""
    dtype = np.dtype(dtype)
    return dtype if dtype.kind == "f" else accumulate_dtype("sum", dtype)


def grad_dtype(dtype) -> np.dtype:
    """Gradients are float32 for float32 compute, float64 otherwise."""
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def num_threads() -> int:
    from poolkit.kernels import _threads

    return _threads.num_threads()


def use_blockscan(kernel: int, stride: int, dilation: int) -> bool:
    """Block scan along an axis: long windows that overlap (a dilated window is a window
    over each of the ``dilation`` interleaved sub-sequences)."""
    return kernel >= BLOCKSCAN_MIN_KERNEL and kernel >= 2 * stride


#: Channels-last block scans cut channels into blocks so that the ``k`` scan rows of one
#: block (``k * W * block`` values) stay about this size: in a core's L2 cache.
BLOCKSCAN_CL_BYTES = 192 * 1024


def blockscan_channel_block(channels: int, kernel: int, width: int, itemsize: int) -> int:
    """Channels per item of the channels-last block scan: all of them, or a multiple of 32
    (shorter inner loops would cost more than the cache misses they save)."""
    fit = BLOCKSCAN_CL_BYTES // max(1, kernel * width * itemsize)
    if fit >= channels:
        return channels
    return min(channels, max(32, fit // 32 * 32))


def use_blockscan_window(window) -> bool:
    """The block-scan path: some axis (D, H or W) has a long overlapping window."""
    return any(use_blockscan(a.kernel, a.stride, a.dilation) for a in window.axes)
