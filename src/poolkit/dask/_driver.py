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
import operator
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import dask.array as da
import numpy as np
from dask.array.core import concatenate3
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph

from poolkit.geometry import Axis, Window


class _Cut(NamedTuple):
    """One output block along one pooled axis: outputs ``[o0, o1)`` read the input
    ``[start, stop)`` with pads ``(lo, hi)`` and ``ceil`` mode."""

    o0: int
    o1: int
    start: int
    stop: int
    lo: int
    hi: int
    ceil: bool


def _cuts(ax: Axis, chunks: tuple[int, ...]) -> list[_Cut]:
    """The output blocks along one pooled axis, in order."""
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
            _Cut(
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
    """Pool ``axes`` of ``x`` (in ``window``'s order) block by block: one task per output
    block, which cuts the input chunks it reads, joins them and calls ``call``.

    ``call(block, pads=((lo, hi), ...), ceil_mode=bool)`` pools one NumPy block with the
    geometry of ``window`` restricted to it; non-pooled axes keep their chunks.
    """
    plans = {a: _cuts(ax, x.chunks[a]) for a, ax in zip(axes, window.axes, strict=True)}
    offsets = [np.cumsum((0, *c)) for c in x.chunks]
    name = "poolkit-" + tokenize(x, axes, window, call, dtype)
    ranges = [
        range(len(plans[a])) if a in plans else range(len(x.chunks[a])) for a in range(x.ndim)
    ]
    graph = {}
    for index in itertools.product(*ranges):
        pieces = []  # per axis: (input chunk, local slice) pairs
        for a, j in enumerate(index):
            if a not in plans:
                pieces.append([(j, slice(None))])
                continue
            start, stop = plans[a][j].start, plans[a][j].stop
            first = int(np.searchsorted(offsets[a], start, side="right")) - 1
            parts = []
            for c in range(first, len(x.chunks[a])):
                lo, hi = offsets[a][c], offsets[a][c + 1]
                if lo >= stop:
                    break
                parts.append((c, slice(max(start, lo) - lo, min(stop, hi) - lo)))
            pieces.append(parts)
        cuts = [plans[a][index[a]] for a in axes]
        pads = tuple((cut.lo, cut.hi) for cut in cuts)
        ceil = any(cut.ceil for cut in cuts)
        graph[(name, *index)] = (
            partial(_run, call, pads, ceil),
            _nested(x.name, pieces, ()),
        )
    chunks = tuple(
        tuple(cut.o1 - cut.o0 for cut in plans[a]) if a in plans else x.chunks[a]
        for a in range(x.ndim)
    )
    hlg = HighLevelGraph.from_collections(name, graph, dependencies=[x])
    return da.Array(hlg, name, chunks, meta=np.empty((0,) * x.ndim, dtype=dtype))


def _nested(source: str, pieces: list, chosen: tuple):
    """Nested lists (one level per axis) of ``getitem`` tasks on the input chunks."""
    if len(chosen) == len(pieces):
        key = (source, *(c for c, _ in chosen))
        return (operator.getitem, key, tuple(s for _, s in chosen))
    return [_nested(source, pieces, (*chosen, part)) for part in pieces[len(chosen)]]


def _run(call, pads, ceil, parts):
    return call(concatenate3(parts), pads=pads, ceil_mode=ceil)


def first_block_shape(x: da.Array, axes: tuple[int, ...], window: Window) -> tuple:
    """A dummy input shaped like the first block (other axes 1) and its pads and ceil_mode:
    pooled with the NumPy API up front, it checks every argument at call time."""
    shape = [1] * x.ndim
    pads, ceil = [], False
    for a, ax in zip(axes, window.axes, strict=True):
        cut = _cuts(ax, x.chunks[a])[0]
        shape[a] = cut.stop - cut.start
        pads.append((cut.lo, cut.hi))
        ceil = ceil or cut.ceil
    return tuple(shape), tuple(pads), ceil
