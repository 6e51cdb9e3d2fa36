"""Write a multiscale OME-Zarr pyramid (NGFF 0.4) of a zarr array, .npy file or TIFF.

``poolkit pyramid INPUT OUTPUT``: level 0 is INPUT, each next level the previous one pooled by
``--factor`` over ``--axes`` (default the last two) with ``--reducer``; every level is
computed from the one just written, so memory stays a few chunks. Needs the ``dask`` extra.
"""

from __future__ import annotations

from pathlib import Path

from poolkit.errors import PoolingError


def add_arguments(parser) -> None:
    parser.add_argument("input", help="a zarr array or group (array '0'), a .npy file or a TIFF")
    parser.add_argument("output", help="the OME-Zarr folder to write (e.g. image.ome.zarr)")
    parser.add_argument("--factor", type=int, default=2, help="downsampling factor (default 2)")
    parser.add_argument(
        "--levels",
        type=int,
        default=None,
        help="most levels, level 0 included (default: until the pooled sides fit one chunk)",
    )
    parser.add_argument(
        "--reducer",
        default="avg",
        choices=("avg", "max", "min", "mode"),
        help="avg for intensities, mode for integer label images (default avg)",
    )
    parser.add_argument(
        "--axes",
        type=int,
        nargs="+",
        default=None,
        help="pooled (spatial) axes, e.g. --axes -3 -2 -1 for a volume (default the last two)",
    )
    parser.add_argument("--chunks", type=int, default=None, help="chunk side of every level")
    parser.add_argument(
        "--axes-names", nargs="+", default=None, help="OME-Zarr axis names (default t c z y x)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    parser.add_argument("--no-progress", action="store_true", help="no progress on stderr")


def load(path: str):
    """INPUT as a dask array: a zarr array (or a group's array ``"0"``, as in OME-Zarr), a
    ``.npy`` file (memory-mapped) or a TIFF (tifffile's zarr store); PoolingError otherwise."""
    import dask.array as da
    import numpy as np

    source = Path(path)
    if not source.exists():
        raise PoolingError(f"INPUT: {path!r} does not exist")
    suffix = source.suffix.lower()
    if source.is_dir():
        import zarr

        try:
            node = zarr.open(str(source), mode="r")
        except Exception as error:  # zarr raises several kinds for a folder that is not one
            raise PoolingError(
                f"INPUT: {path!r} is a folder but not a zarr array or group ({error}): pass a "
                f"zarr store, a .npy file or a TIFF"
            ) from None
        if isinstance(node, zarr.Group):
            if "0" not in node or not isinstance(node["0"], zarr.Array):
                raise PoolingError(
                    f"INPUT: zarr group {path!r} has no array '0': pass the array's own path"
                )
            node = node["0"]
        return da.from_zarr(node)
    if suffix == ".npy":
        try:
            data = np.load(str(source), mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            raise PoolingError(f"INPUT: {path!r} is not a readable .npy file: {error}") from None
        if not isinstance(data, np.ndarray):
            raise PoolingError(f"INPUT: {path!r} holds no single array (an .npz?): pass a .npy")
        return da.from_array(data, chunks="auto")
    if suffix in (".tif", ".tiff"):
        import tifffile
        import zarr

        try:
            store = tifffile.imread(str(source), aszarr=True)
            return da.from_zarr(zarr.open(store, mode="r"))
        except (ValueError, OSError, KeyError) as error:
            raise PoolingError(f"INPUT: {path!r} is not a readable TIFF: {error}") from None
    raise PoolingError(
        f"INPUT: {path!r} is not a zarr folder, .npy or .tif/.tiff file: convert it to one"
    )


def run(args) -> int:
    import shutil

    import poolkit.dask as pkd
    from poolkit.tour._common import check_writable_dir

    output = Path(args.output)
    if output.exists() and not args.overwrite:
        raise PoolingError(
            f"OUTPUT: {args.output!r} exists: pass --overwrite to replace it, or another path"
        )
    check_writable_dir(output, "OUTPUT")
    x = load(args.input)
    levels = pkd.pyramid(
        x,
        args.factor,
        args.levels,
        args.reducer,
        axes=None if args.axes is None else tuple(args.axes),
        chunks=args.chunks,
    )
    if output.exists():
        if output.resolve() == Path(args.input).resolve():
            raise PoolingError(f"OUTPUT: {args.output!r} is INPUT: write to another path")
        if output.is_dir():
            shutil.rmtree(output)
        else:
            output.unlink()
    written = pkd.write_ome_zarr(
        levels, output, axes_names=args.axes_names, progress=not args.no_progress
    )
    print(f"wrote {args.output}: {len(written)} levels, {x.dtype} -> {levels[-1].dtype}")
    for k, (shape, chunks) in enumerate(written):
        print(f"  level {k}: shape {shape}, chunks {chunks}")
    return 0
