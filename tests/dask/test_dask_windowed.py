"""poolkit.dask against the NumPy API: bit-identical for every chunking and convention."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import poolkit

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
import poolkit.dask as pkd  # noqa: E402

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCHEDULER = "threads"


@st.composite
def chunking(draw, shape):
    """Random chunks per axis, from size 1 up to the whole axis."""
    chunks = []
    for size in shape:
        parts, left = [], size
        while left:
            part = draw(st.integers(1, left))
            parts.append(part)
            left -= part
        chunks.append(tuple(parts))
    return tuple(chunks)


@st.composite
def windowed_case(draw):
    n = draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 9 if n < 3 else 6), min_size=n, max_size=n)))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 5)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    k_eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    kind = draw(st.sampled_from(["int", "pairs", "same", "same_lower", "valid"]))
    if kind == "int":
        padding = draw(st.integers(0, min(k_eff) - 1))
    elif kind == "pairs":
        padding = tuple((draw(st.integers(0, k - 1)), draw(st.integers(0, k - 1))) for k in k_eff)
    else:
        padding = kind
    ceil_mode = draw(st.booleans())
    layout = draw(st.sampled_from(["channels_first", "channels_last"]))
    batched = draw(st.booleans())
    lead = (2, 2) if batched else (2,)
    shape = (*lead, *spatial) if layout == "channels_first" else (*lead[:-1], *spatial, 2)
    return n, shape, kernel, stride, padding, dilation, ceil_mode, layout


def _numpy_geometry_ok(n, shape, args, layout):
    x = np.zeros(shape)
    try:
        getattr(poolkit, f"max_pool{n}d")(x, *args, data_format=layout)
    except poolkit.PoolingError:
        return False
    return True


def _data(draw, shape, dtype):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if dtype == "int":
        return rng.integers(-5, 6, size=shape).astype(np.int32)
    x = rng.normal(size=shape).astype(draw(st.sampled_from([np.float32, np.float64])))
    if draw(st.booleans()) and x.size:
        x.flat[rng.integers(x.size)] = np.nan
    return x


def _compare(expected, lazy):
    got = lazy.compute(scheduler=SCHEDULER)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("reducer", ["max", "avg", "sum", "lp"])
@SETTINGS
@given(data=st.data())
def test_windowed_is_bit_identical_for_every_chunking(reducer, data):
    n, shape, kernel, stride, padding, dilation, ceil_mode, layout = data.draw(windowed_case())
    args = (kernel, stride, padding, dilation, ceil_mode)
    if not _numpy_geometry_ok(n, shape, args, layout):
        with pytest.raises(poolkit.PoolingError):
            getattr(pkd, f"max_pool{n}d")(da.zeros(shape), *args, data_format=layout)
        return
    x = _data(data.draw, shape, data.draw(st.sampled_from(["int", "float"])))
    chunks = data.draw(chunking(shape))
    name = f"{reducer}_pool{n}d"
    extra: dict = {}
    lead: tuple = ()
    if reducer == "avg":
        extra = {
            "count_include_pad": data.draw(st.sampled_from([None, True, False])),
            "divisor_override": data.draw(st.sampled_from([None, None, 3])),
        }
    if reducer == "lp":
        lead = (data.draw(st.sampled_from([1.0, 2.0, 3.0, np.inf])),)
    expected = getattr(poolkit, name)(x, *lead, *args, data_format=layout, **extra)
    lazy = getattr(pkd, name)(
        da.from_array(x, chunks=chunks), *lead, *args, data_format=layout, **extra
    )
    _compare(expected, lazy)


@st.composite
def pool_case(draw):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 8), min_size=ndim, max_size=ndim)))
    count = draw(st.integers(1, min(ndim, 3)))
    axes = tuple(draw(st.permutations(range(ndim)))[:count])
    kernel = tuple(draw(st.integers(1, 3)) for _ in axes)
    stride = tuple(draw(st.integers(1, 4)) for _ in axes)
    dilation = tuple(draw(st.integers(1, 2)) for _ in axes)
    padding = draw(st.sampled_from([0, 1, "same", "same_lower", "valid"]))
    return shape, axes, kernel, stride, padding, dilation, draw(st.booleans())


@pytest.mark.parametrize("reducer", ["max", "min", "avg", "sum", "lp", "mode"])
@SETTINGS
@given(data=st.data())
def test_pool_any_axes_every_reducer_and_border(reducer, data):
    shape, axes, kernel, stride, padding, dilation, ceil_mode = data.draw(pool_case())
    mode = data.draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]))
    cval = data.draw(st.sampled_from([None, 0, 2])) if mode == "constant" else None
    x = _data(
        data.draw,
        shape,
        "int" if reducer == "mode" else data.draw(st.sampled_from(["int", "float"])),
    )
    kwargs = {"axes": axes, "mode": mode, "cval": cval}
    if reducer == "lp":
        kwargs["p"] = data.draw(st.sampled_from([1.0, 2.0, np.inf]))
    args = (reducer, kernel, stride, padding, dilation, ceil_mode)
    try:
        expected = poolkit.pool(x, *args, **kwargs)
    except poolkit.PoolingError:
        with pytest.raises(poolkit.PoolingError):
            pkd.pool(da.from_array(x), *args, **kwargs)
        return
    chunks = data.draw(chunking(shape))
    _compare(expected, pkd.pool(da.from_array(x, chunks=chunks), *args, **kwargs))


@pytest.mark.parametrize("reducer", ["max", "avg", "sum", "lp"])
@SETTINGS
@given(data=st.data())
def test_global_and_adaptive(reducer, data):
    n = data.draw(st.integers(1, 3))
    spatial = tuple(data.draw(st.lists(st.integers(1, 7), min_size=n, max_size=n)))
    layout = data.draw(st.sampled_from(["channels_first", "channels_last"]))
    shape = (2, 3, *spatial) if layout == "channels_first" else (2, *spatial, 3)
    x = _data(data.draw, shape, data.draw(st.sampled_from(["int", "float"])))
    d = da.from_array(x, chunks=data.draw(chunking(shape)))
    lead = (2.0,) if reducer == "lp" else ()
    keep = data.draw(st.booleans())
    name = f"global_{reducer}_pool{n}d"
    _compare(
        getattr(poolkit, name)(x, *lead, keepdims=keep, data_format=layout),
        getattr(pkd, name)(d, *lead, keepdims=keep, data_format=layout),
    )
    if reducer in ("max", "avg"):
        size = tuple(data.draw(st.integers(1, 8)) for _ in range(n))
        name = f"adaptive_{reducer}_pool{n}d"
        _compare(
            getattr(poolkit, name)(x, size, data_format=layout),
            getattr(pkd, name)(d, size, data_format=layout),
        )


def test_hard_cases_named():
    """TF-'same' asymmetric pads, ceil-mode overhang, dilation, stride > kernel, and a
    kernel larger than the chunks, each on chunks of 1, 2 and 3."""
    x = np.random.default_rng(1).normal(size=(1, 2, 13)).astype(np.float32)
    cases = [
        dict(kernel_size=4, stride=3, padding="same"),
        dict(kernel_size=4, stride=3, padding="same_lower"),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=3, stride=1, dilation=3, padding=((2, 5),)),
        dict(kernel_size=2, stride=5),
        dict(kernel_size=7, stride=1, padding=3),
    ]
    for chunk in (1, 2, 3):
        for case in cases:
            for name in ("max_pool1d", "avg_pool1d", "sum_pool1d"):
                expected = getattr(poolkit, name)(x, **case)
                _compare(expected, getattr(pkd, name)(da.from_array(x, chunks=chunk), **case))


def test_lazy_nothing_runs_before_compute():
    calls = []

    def counted(block):
        calls.append(block.shape)
        return block

    x = da.from_array(np.arange(40.0).reshape(1, 1, 40), chunks=7).map_blocks(
        counted, meta=np.empty((0, 0, 0))
    )
    results = [
        pkd.max_pool1d(x, 3, 2, "same"),
        pkd.avg_pool1d(x, 3, ceil_mode=True),
        pkd.global_avg_pool1d(x),
        pkd.adaptive_max_pool1d(x, 5),
        pkd.pool(x, "min", 3, axes=2, mode="reflect", padding=1),
    ]
    assert calls == []
    dask.compute(*results, scheduler=SCHEDULER)
    assert sorted(set(calls)) == [(1, 1, 5), (1, 1, 7)]  # the input's own chunks, only now


def test_output_chunks_follow_input_chunks_over_stride():
    x = da.zeros((4, 3, 100, 64), chunks=(1, 3, 20, 32))
    out = pkd.max_pool2d(x, 2)
    assert out.chunks == ((1, 1, 1, 1), (3,), (10,) * 5, (16, 16))


def test_errors_come_at_call_time():
    x = da.zeros((1, 1, 10), chunks=3)
    bad = [
        lambda: pkd.max_pool1d(x, 0),
        lambda: pkd.max_pool1d(x, 3, padding=3),
        lambda: pkd.max_pool1d(x, 20),
        lambda: pkd.avg_pool1d(x, 2, divisor_override=0),
        lambda: pkd.avg_pool1d(x, 2, count_include_pad="yes"),
        lambda: pkd.lp_pool1d(x, -1.0, 2),
        lambda: pkd.max_pool2d(x, 2),
        lambda: pkd.max_pool1d(x, 2, data_format="NCHW?"),
        lambda: pkd.max_pool1d(x, 2, return_indices=True),
        lambda: pkd.global_lp_pool1d(x, 0.0),
        lambda: pkd.adaptive_avg_pool1d(x, 0),
        lambda: pkd.pool(x, "median", 2, axes=2),
        lambda: pkd.pool(x, "mode", 2, axes=2),
        lambda: pkd.pool(x, "max", 2, axes=5),
        lambda: pkd.pool(x, "avg", 2, axes=2, mode="mirror"),
        lambda: pkd.pool(x, "avg", 2, axes=2, mode="edge", count_include_pad=False),
        lambda: pkd.pool(x.astype(np.uint8), "max", 2, axes=2, cval=300),
        lambda: pkd.max_pool1d(np.zeros((1, 1, 10)), 2),
        lambda: pkd.pool(da.arange(9.0)[da.arange(9) > 2], "max", 2, axes=0),
    ]
    for make in bad:
        with pytest.raises(poolkit.PoolingError):
            make()


def test_numpy_api_refuses_dask_arrays_naming_poolkit_dask():
    x = da.zeros((1, 1, 8, 8), chunks=4)
    for call in (
        lambda: poolkit.max_pool2d(x, 2),
        lambda: poolkit.global_avg_pool2d(x),
        lambda: poolkit.pool(x, "max", 2, axes=(2, 3)),
    ):
        with pytest.raises(poolkit.PoolingError, match=r"poolkit\.dask"):
            call()


def test_zarr_on_disk(tmp_path):
    zarr = pytest.importorskip("zarr")
    x = np.random.default_rng(2).normal(size=(2, 3, 17, 12)).astype(np.float32)
    store = zarr.open_array(
        str(tmp_path / "x.zarr"), mode="w", shape=x.shape, chunks=(1, 3, 5, 5), dtype=x.dtype
    )
    store[...] = x
    with pytest.raises(poolkit.PoolingError, match=r"poolkit\.dask"):
        poolkit.avg_pool2d(store, 3)
    with pytest.raises(poolkit.PoolingError, match="from_zarr"):
        pkd.avg_pool2d(store, 3)
    d = da.from_zarr(str(tmp_path / "x.zarr"))
    _compare(poolkit.avg_pool2d(x, 3, 2, "same"), pkd.avg_pool2d(d, 3, 2, "same"))
