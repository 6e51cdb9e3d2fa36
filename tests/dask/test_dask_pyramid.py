"""poolkit.dask.pyramid, write_ome_zarr and ``poolkit pyramid``: every level bit-identical to
poolkit.pool applied level after level (kernel = stride = factor, ceil_mode), read back with
ome-zarr's own reader; the CLI's bad inputs end in one line and exit status 2."""

from __future__ import annotations

import numpy as np
import pytest

import poolkit
from poolkit.__main__ import main
from poolkit.errors import PoolingError

da = pytest.importorskip("dask.array")
zarr = pytest.importorskip("zarr")
import poolkit.dask as pkd  # noqa: E402

RNG = np.random.default_rng(16)
LABELS = RNG.integers(0, 6, (3, 37, 50)).astype(np.uint16)
IMAGE = RNG.standard_normal((3, 37, 50)).astype(np.float32)


def expected(array, reducer, count, axes=(-2, -1), factor=2):
    out = [array]
    for _ in range(count - 1):
        out.append(poolkit.pool(out[-1], reducer, factor, factor, ceil_mode=True, axes=axes))
    return out


@pytest.mark.parametrize(
    ("data", "reducer"), [(IMAGE, "avg"), (LABELS, "max"), (LABELS, "mode"), (IMAGE, "min")]
)
def test_levels_are_poolkit_pool_level_after_level(data, reducer):
    levels = pkd.pyramid(da.from_array(data, chunks=(1, 8, 16)), reducer=reducer)
    # levels=None: until every pooled side fits in one chunk (8, 16)
    assert [lv.shape for lv in levels] == [(3, 37, 50), (3, 19, 25), (3, 10, 13), (3, 5, 7)]
    for got, want in zip(levels, expected(data, reducer, len(levels)), strict=True):
        np.testing.assert_array_equal(got.compute(), want)
        assert got.dtype == want.dtype


def test_avg_partial_window_divides_by_its_count():
    x = da.from_array(np.arange(5, dtype=np.float32)[None], chunks=2)
    assert pkd.pyramid(x, levels=2, axes=-1)[1].compute().tolist() == [[0.5, 2.5, 4.0]]


def test_levels_volume_axes_and_chunks():
    x = da.from_array(IMAGE, chunks=5)
    levels = pkd.pyramid(x, 2, 10, "avg", axes=(-3, -2, -1), chunks=8)
    # stops when the smallest pooled side (z) is 1
    assert [lv.shape for lv in levels] == [(3, 37, 50), (2, 19, 25), (1, 10, 13)]
    assert [lv.chunksize for lv in levels] == [(3, 8, 8), (2, 8, 8), (1, 8, 8)]
    want = expected(IMAGE, "avg", 3, axes=(0, 1, 2))
    for got, ref in zip(levels, want, strict=True):
        np.testing.assert_array_equal(got.compute(), ref)
    assert len(pkd.pyramid(x, 3, 1)) == 1


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"levels": 0}, "levels"),
        ({"factor": 1}, "factor"),
        ({"reducer": "sum"}, "reducer"),
        ({"reducer": "mode"}, "reducer"),  # float input
        ({"chunks": (1, 2)}, "chunks"),
    ],
)
def test_bad_arguments_are_named(kwargs, word):
    with pytest.raises(PoolingError, match=word):
        pkd.pyramid(da.from_array(IMAGE, chunks=8), **kwargs)
    with pytest.raises(PoolingError, match="dask"):
        pkd.pyramid(IMAGE)


@pytest.mark.parametrize(("data", "reducer"), [(IMAGE, "avg"), (LABELS, "max"), (LABELS, "mode")])
def test_ome_zarr_round_trip(tmp_path, data, reducer):
    ome_io = pytest.importorskip("ome_zarr.io")
    ome_reader = pytest.importorskip("ome_zarr.reader")
    levels = pkd.pyramid(da.from_array(data, chunks=(1, 8, 16)), reducer=reducer)
    out = tmp_path / "image.ome.zarr"
    written = pkd.write_ome_zarr(levels, out, progress=False)
    assert written == [(lv.shape, lv.chunksize) for lv in levels]
    node = next(iter(ome_reader.Reader(ome_io.parse_url(str(out)))()))
    want = expected(data, reducer, len(levels))
    assert len(node.data) == len(want)
    for got, ref in zip(node.data, want, strict=True):
        np.testing.assert_array_equal(np.asarray(got), ref)
    meta = zarr.open_group(str(out), mode="r").attrs["multiscales"][0]
    assert meta["version"] == "0.4"
    assert meta["axes"] == [{"name": n, "type": "space"} for n in "zyx"]
    scales = [d["coordinateTransformations"][0]["scale"] for d in meta["datasets"]]
    assert scales == [[1.0, 2.0**k, 2.0**k] for k in range(len(levels))]
    assert [d["path"] for d in meta["datasets"]] == ["0", "1", "2", "3"]
    assert zarr.open_group(str(out), mode="r").metadata.zarr_format == 2


def test_writer_reads_each_level_from_the_store(tmp_path):
    # level k+1's graph starts at the stored level k: a source that may be read once only
    reads = []

    def once(block):
        if block.size:  # not dask's meta probe
            reads.append(block.shape)
        return block

    x = da.from_array(IMAGE, chunks=(1, 8, 16)).map_blocks(once, dtype=IMAGE.dtype)
    levels = pkd.pyramid(x, levels=3)
    pkd.write_ome_zarr(levels, tmp_path / "o.zarr", progress=False)
    assert len(reads) == x.npartitions  # level 0 only; levels 1 and 2 came from the store


def test_writer_refuses_a_plain_list_and_bad_names(tmp_path):
    x = da.from_array(IMAGE, chunks=8)
    with pytest.raises(PoolingError, match="levels"):
        pkd.write_ome_zarr([x], tmp_path / "a.zarr")
    with pytest.raises(PoolingError, match="axes_names"):
        pkd.write_ome_zarr(pkd.pyramid(x, levels=2), tmp_path / "b.zarr", axes_names=["y", "x"])
    with pytest.raises(PoolingError, match="axes_names"):
        pkd.write_ome_zarr(
            pkd.pyramid(x, levels=2, axes=(0, 1)), tmp_path / "c.zarr", axes_names=["c", "y", "x"]
        )


def inputs(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    np.save(tmp_path / "in.npy", LABELS)
    tifffile.imwrite(tmp_path / "in.tif", LABELS, photometric="minisblack")
    zarr.save_array(str(tmp_path / "in.zarr"), LABELS, zarr_format=2)
    return {k: tmp_path / f"in.{k}" for k in ("npy", "tif", "zarr")}


@pytest.mark.parametrize("kind", ["npy", "tif", "zarr"])
def test_cli_happy_path(tmp_path, capsys, kind):
    source = inputs(tmp_path)[kind]
    out = tmp_path / "out.ome.zarr"
    args = ["pyramid", str(source), str(out), "--reducer", "mode", "--chunks", "16"]
    assert main([*args, "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "3 levels" in text and "level 2: shape (3, 10, 13), chunks (3, 10, 13)" in text
    group = zarr.open_group(str(out), mode="r")
    for k, ref in enumerate(expected(LABELS, "mode", 3)):
        np.testing.assert_array_equal(group[str(k)][...], ref)
    assert main(args) == 2  # exists
    assert "--overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite", "--levels", "2", "--no-progress"]) == 0
    assert len(zarr.open_group(str(out), mode="r").attrs["multiscales"][0]["datasets"]) == 2


def test_cli_errors_are_one_line_exit_2(tmp_path, capsys):
    paths = inputs(tmp_path)
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "x.txt").write_text("not zarr")
    (tmp_path / "junk.npy").write_bytes(b"\x93NUMPY garbage" * 4)
    (tmp_path / "junk.tif").write_bytes(b"garbage" * 4)
    np.save(tmp_path / "float.npy", IMAGE)
    out = str(tmp_path / "o.zarr")
    cases = [
        ([str(tmp_path / "missing.npy"), out], "does not exist"),
        ([str(tmp_path / "plain"), out], "not a zarr"),
        ([str(tmp_path / "junk.npy"), out], "not a readable .npy"),
        ([str(tmp_path / "junk.tif"), out], "not a readable TIFF"),
        ([str(tmp_path / "float.npy"), out, "--reducer", "mode"], "reducer"),
        ([str(paths["npy"]), out, "--levels", "0"], "levels"),
        ([str(paths["npy"]), str(paths["tif"])], "exists"),
    ]
    for argv, word in cases:
        assert main(["pyramid", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and word in err, (argv, err)
        assert err.startswith("poolkit pyramid: error:")
