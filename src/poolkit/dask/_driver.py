"""The one driver behind :mod:`poolkit.dask`: NumPy-API calls on stride-aligned slices.

The geometry is resolved once, for the whole array (:func:`poolkit.geometry.resolve`), into
explicit per-axis pads. Along each pooled axis the outputs are cut into blocks, output block
``j`` holding the windows that start in input chunk ``j`` (so output chunks are about the
input chunks over the stride, and the only input read twice is each window's
``(k-1)*d + 1 - s`` overlap). Output block ``[o0, o1)`` reads the input
``[max(0, o0*s - lo), min(L, (o1-1)*s - lo + k_eff))`` and pools it with the NumPy API, with
the pads that block's windows reach (the left pad only where ``o0*s < lo``, the right pad
only as far as its last window reaches) and ``ceil_mode`` only where its last window hangs
past the right pad: the very same windows, divisors and ceil-mode rule as the whole array.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import partial

import dask.array as da
import numpy as np

from poolkit.geometry import Axis, Window


def _cuts(ax: Axis, chunks: tuple[int, ...]) -> list[tuple]:
    """``(o0, o1, start, stop, lo, hi, ceil)`` per output block along one pooled axis."""
    s, lo, hi, length, k_eff = ax.stride, ax.lo, ax.hi, ax.length, ax.k_eff
    bounds = {0, ax.out}
    edge = 0
    for size in chunks[:-1]:
        edge += size
        bounds.add(min(ax.out, -(-(edge + lo) // s)))  # the first window starting at edge
    bounds_s = sorted(bounds)
    plan = []
    for o0, o1 in itertools.pairwise(bounds_s):
        first, end = o0 * s - lo, (o1 - 1) * s - lo + k_eff
        plan.append(
            (
                o0,
                o1,
                max(0, first),
                min(length, end),
                max(0, -first),
                min(hi, max(0, end - length)),
                end > length + hi,
            )
        )
    return plan


def blocked(x: da.Array, axes: tuple[int, ...], window: Window, call: Callable, dtype) -> da.Array:
    """Pool ``axes`` of ``x`` (in ``window``'s order) block by block.

    ``call(block, pads=((lo, hi), ...), ceil_mode=bool)`` pools one NumPy block with the
    geometry of ``window`` restricted to it; non-pooled axes keep their chunks.
    """
    plans = [_cuts(ax, x.chunks[a]) for a, ax in zip(axes, window.axes, strict=True)]
    meta = np.empty((0,) * x.ndim, dtype=dtype)
    grid = np.empty(tuple(len(p) for p in plans), dtype=object)
    for index in itertools.product(*(range(len(p)) for p in plans)):
        cuts = [plans[i][j] for i, j in enumerate(index)]
        where = [slice(None)] * x.ndim
        for a, cut in zip(axes, cuts, strict=True):
            where[a] = slice(cut[2], cut[3])
        piece = x[tuple(where)].rechunk({a: -1 for a in axes})
        chunks = list(piece.chunks)
        for a, cut in zip(axes, cuts, strict=True):
            chunks[a] = (cut[1] - cut[0],)
        pads = tuple((cut[4], cut[5]) for cut in cuts)
        ceil = any(cut[6] for cut in cuts)
        grid[index] = piece.map_blocks(
            partial(_run, call, pads, ceil), chunks=tuple(chunks), dtype=dtype, meta=meta
        )
    return _assemble(grid, axes)


def _run(call, pads, ceil, block):
    return call(block, pads=pads, ceil_mode=ceil)


def _assemble(grid: np.ndarray, axes: tuple[int, ...]) -> da.Array:
    if not axes:
        return grid[()]
    parts = [_assemble(grid[i], axes[1:]) for i in range(grid.shape[0])]
    return parts[0] if len(parts) == 1 else da.concatenate(parts, axis=axes[0])


def first_block_shape(x: da.Array, axes: tuple[int, ...], window: Window) -> tuple:
    """A dummy input shaped like the first block (other axes 1) and its pads and ceil_mode:
    pooled with the NumPy API up front, it checks every argument at call time."""
    shape = [1] * x.ndim
    pads, ceil = [], False
    for a, ax in zip(axes, window.axes, strict=True):
        cut = _cuts(ax, x.chunks[a])[0]
        shape[a] = cut[3] - cut[2]
        pads.append((cut[4], cut[5]))
        ceil = ceil or cut[6]
    return tuple(shape), tuple(pads), ceil
