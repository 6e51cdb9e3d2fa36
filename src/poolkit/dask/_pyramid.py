"""Multiscale pyramids of dask arrays, and their OME-Zarr (NGFF 0.4) writer.

:func:`pyramid` pools each level from the previous one (kernel = stride = ``factor``,
``ceil_mode=True``, no padding: odd sides keep their last row, and an ``avg`` window cut by the
border divides by the samples it holds); :func:`write_ome_zarr` stores the levels one by one,
each computed from the level just written (read back with ``dask.array.from_zarr``), so the
memory a level needs is a few chunks per worker, not the level before it.
"""

from __future__ import annotations

import operator

import dask.array as da

from poolkit import anyaxes
from poolkit.errors import PoolingError

from ._api import check_dask, pool

REDUCERS = ("avg", "max", "min", "mode")

#: OME-Zarr's axis order is (t, c, z, y, x): the default names are its trailing ones.
DEFAULT_NAMES = ("t", "c", "z", "y", "x")
AXIS_TYPES = {"t": "time", "c": "channel", "z": "space", "y": "space", "x": "space"}


class Pyramid(list):
    """The list :func:`pyramid` returns (level 0 first), remembering how each level was made
    so that :func:`write_ome_zarr` can compute level ``k + 1`` from the stored level ``k``."""

    def __init__(self, levels, factor: int, reducer: str, axes: tuple[int, ...], chunks):
        super().__init__(levels)
        self.factor = factor
        self.reducer = reducer
        self.axes = axes
        self.chunks = chunks

    def next_level(self, level: da.Array) -> da.Array:
        """``level`` pooled by ``factor`` over ``axes``, in this pyramid's chunks."""
        pooled = pool(
            level, self.reducer, self.factor, self.factor, 0, 1, True, self.axes, None, 2.0,
            "constant", None,
        )  # fmt: skip
        return pooled.rechunk(_capped(self.chunks, pooled.shape))

    def scale(self, k: int) -> list[float]:
        """Level ``k``'s sample spacing in level-0 samples: ``factor**k`` on pooled axes."""
        return [float(self.factor**k) if a in self.axes else 1.0 for a in range(len(self.chunks))]


def _capped(chunks, shape) -> tuple[int, ...]:
    return tuple(max(1, min(c, s)) for c, s in zip(chunks, shape, strict=True))


def _positive_int(value, name: str, least: int) -> int:
    try:
        number = operator.index(value)
    except TypeError:
        number = None
    if number is None or isinstance(value, bool) or number < least:
        raise PoolingError(f"{name}: expected an integer >= {least}; got {value!r}")
    return number


def _check_chunks(chunks, x: da.Array) -> tuple[int, ...]:
    """One chunk length per axis: ``chunks`` (an int for every axis, or one per axis), or the
    input's largest chunk on each axis when ``None``."""
    if chunks is None:
        return tuple(int(c) for c in x.chunksize)
    items = [chunks] * x.ndim if not isinstance(chunks, tuple | list) else list(chunks)
    if len(items) != x.ndim:
        raise PoolingError(
            f"chunks: expected one int or {x.ndim} ints (one per axis of shape {x.shape}); "
            f"got {chunks!r}"
        )
    return tuple(_positive_int(c, "chunks", 1) for c in items)


def pyramid(array, factor=2, levels=None, reducer="avg", *, axes=None, chunks=None):
    """A multiscale pyramid of ``array``: level 0 is ``array``, each next level the previous
    one pooled by ``factor`` (kernel = stride = ``factor``, ``ceil_mode=True``, no padding), as
    lazy dask arrays; bit-identical to :func:`poolkit.pool` applied level after level.

    ``reducer`` is ``"avg"`` (a window cut by the border divides by the samples it holds, the
    ceil rule of PyTorch with padding 0; integer input gives poolkit's float result),
    ``"max"``, ``"min"`` or ``"mode"`` (the most frequent label: bool and integer dtypes only).
    ``axes`` are the pooled (spatial) axes; the default is the last two (``y, x``): OME-Zarr's
    order is ``(t, c, z, y, x)``, so pass ``axes=(-3, -2, -1)`` to pool a volume's ``z`` too.
    ``chunks`` (an int or one per axis; default the input's chunk size) is the chunk shape
    of every level, capped at its shape. ``levels`` is the most levels returned, level 0
    included; fewer come back once the smallest pooled side is 1 (it cannot shrink further).
    ``levels=None`` stops at the first level whose pooled sides each fit in one chunk (the
    default of ome-zarr's writer).

    Shape:
        level ``k`` has each pooled side ``L`` replaced by ``ceil(L / factor**k)``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.from_array(np.arange(25.0).reshape(5, 5), chunks=2)
        >>> [level.shape for level in poolkit.dask.pyramid(x, levels=3)]
        [(5, 5), (3, 3), (2, 2)]
        >>> poolkit.dask.pyramid(x, levels=2, reducer="max")[1].compute().tolist()
        [[6.0, 8.0, 9.0], [16.0, 18.0, 19.0], [21.0, 23.0, 24.0]]
    """
    x = check_dask(array, "pyramid")
    factor = _positive_int(factor, "factor", 2)
    if levels is not None:
        levels = _positive_int(levels, "levels", 1)
    if not isinstance(reducer, str) or reducer not in REDUCERS:
        raise PoolingError(
            f"reducer: expected one of {', '.join(REDUCERS)} for a pyramid; got {reducer!r}"
        )
    if reducer == "mode" and x.dtype.kind not in "biu":
        raise PoolingError(
            f"reducer: 'mode' takes bool or integer labels; got dtype {x.dtype}: use 'avg' "
            f"(or 'max'/'min') for intensities, or cast the labels to an integer dtype"
        )
    if x.ndim == 0:
        raise PoolingError("array: a pyramid needs at least one axis; got a 0-d array")
    if axes is None:
        axes = tuple(range(max(0, x.ndim - 2), x.ndim))
    axes_t = tuple(sorted(anyaxes._check_axes(axes, x.shape)))
    if any(x.shape[a] == 0 for a in axes_t):
        raise PoolingError(f"array: pooled axes {axes_t} of shape {x.shape} must not be empty")
    sizes = _check_chunks(chunks, x)
    out = Pyramid([], factor, reducer, axes_t, sizes)
    level = x.rechunk(_capped(sizes, x.shape)) if chunks is not None else x
    out.append(level)
    while levels is None or len(out) < levels:
        if min(level.shape[a] for a in axes_t) == 1:
            break
        if levels is None and all(level.shape[a] <= sizes[a] for a in axes_t):
            break
        level = out.next_level(level)
        out.append(level)
    return out


def _axes_metadata(names, ndim: int, pooled: tuple[int, ...]) -> list[dict]:
    if names is None:
        if not 2 <= ndim <= 5:
            raise PoolingError(
                f"levels: OME-Zarr 0.4 images have 2 to 5 axes; got {ndim}: pass axes_names"
            )
        names = DEFAULT_NAMES[5 - ndim :]
    names = list(names)
    if len(names) != ndim or len(set(names)) != ndim or not all(isinstance(n, str) for n in names):
        raise PoolingError(
            f"axes_names: expected {ndim} distinct names (one per axis); got {names!r}"
        )
    meta = []
    for name in names:
        entry = {"name": name}
        if name.lower() in AXIS_TYPES:
            entry["type"] = AXIS_TYPES[name.lower()]
        meta.append(entry)
    for a in pooled:
        if meta[a].get("type") in ("time", "channel"):
            raise PoolingError(
                f"axes_names: pooled axis {a} is named {names[a]!r} ({meta[a]['type']}); "
                f"OME-Zarr's scaled axes are spatial: name it z, y or x"
            )
    return meta


def write_ome_zarr(levels, path, *, axes_names=None, chunks=None, progress=True):
    """Write ``levels`` (a :func:`pyramid`) to ``path`` as an OME-Zarr multiscale image:
    NGFF 0.4 ``multiscales`` metadata in a zarr v2-format group (0.4 is defined on zarr v2),
    one array per level named ``"0"``, ``"1"``, ..., each with a ``scale`` transformation
    (``factor**k`` on the pooled axes, 1 elsewhere) and ``axes`` named ``axes_names``
    (default OME-Zarr's trailing ``t, c, z, y, x``; types time/channel/space from the names).

    Level ``k + 1`` is computed from level ``k`` read back from the store, so memory stays a
    few chunks per worker. ``chunks`` (an int or one per axis) overrides the pyramid's chunk
    shape. ``progress`` shows one step per level on stderr. Returns the written arrays'
    ``(shape, chunks)``, level 0 first.

    Shape:
        the store's level ``k`` has the shape of ``levels[k]``.

    Example:
        >>> import tempfile, numpy as np, dask.array as da, poolkit.dask
        >>> x = da.from_array(np.arange(100, dtype=np.uint8).reshape(10, 10), chunks=4)
        >>> out = tempfile.mkdtemp() + "/image.zarr"
        >>> poolkit.dask.write_ome_zarr(poolkit.dask.pyramid(x), out, progress=False)
        [((10, 10), (4, 4)), ((5, 5), (4, 4)), ((3, 3), (3, 3))]
    """
    import zarr

    from poolkit.tour._common import progress as progress_steps

    if not isinstance(levels, Pyramid) or not levels:
        raise PoolingError(
            f"levels: expected the list poolkit.dask.pyramid returns; got {type(levels).__name__}"
            ": build it with poolkit.dask.pyramid(array, ...)"
        )
    first = levels[0]
    sizes = levels.chunks if chunks is None else _check_chunks(chunks, first)
    meta_axes = _axes_metadata(axes_names, first.ndim, levels.axes)
    group = zarr.open_group(str(path), mode="w", zarr_format=2)
    written = []
    datasets = []
    stored = None
    for k in progress_steps(range(len(levels)), "pyramid", enabled=progress, unit="level"):
        level = levels[0] if k == 0 else levels.next_level(stored)
        if level.shape != levels[k].shape:  # a pyramid edited after it was built
            raise PoolingError(
                f"levels: level {k} has shape {levels[k].shape}, but pooling level {k - 1} "
                f"gives {level.shape}: write the list poolkit.dask.pyramid returned"
            )
        level_chunks = _capped(sizes, level.shape)
        target = group.create_array(
            str(k),
            shape=level.shape,
            chunks=level_chunks,
            dtype=level.dtype,
            chunk_key_encoding={"name": "v2", "separator": "/"},
            fill_value=0,
        )
        da.store(level.rechunk(level_chunks), target, lock=False)
        stored = da.from_zarr(target)
        written.append((level.shape, level_chunks))
        datasets.append(
            {
                "path": str(k),
                "coordinateTransformations": [{"type": "scale", "scale": levels.scale(k)}],
            }
        )
    group.attrs["multiscales"] = [
        {
            "version": "0.4",
            "name": "image",
            "axes": meta_axes,
            "datasets": datasets,
            "type": levels.reducer,
            "metadata": {
                "method": "poolkit.dask.pyramid",
                "reducer": levels.reducer,
                "factor": levels.factor,
                "ceil_mode": True,
            },
        }
    ]
    return written


__all__ = ["Pyramid", "pyramid", "write_ome_zarr"]
