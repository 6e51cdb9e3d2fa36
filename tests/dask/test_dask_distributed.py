"""poolkit.dask on a real dask.distributed cluster (worker processes), a fixed set of cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import poolkit

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
import poolkit.dask as pkd  # noqa: E402

RNG = np.random.default_rng(7)
X2 = RNG.normal(size=(2, 3, 13, 11)).astype(np.float32)
L2 = RNG.integers(0, 4, size=(9, 10, 2)).astype(np.int16)

WINDOWED = [
    (name, args, kwargs, layout, chunks)
    for (name, args, kwargs), (layout, chunks) in itertools.product(
        [
            ("max_pool2d", (3, 2, "same"), {}),
            ("avg_pool2d", (3, 2, 1), {"ceil_mode": True}),
            ("avg_pool2d", (2, 3, "same_lower"), {"count_include_pad": True}),
            ("sum_pool2d", (2, 1, 0, 3), {}),
            ("lp_pool2d", (2.0, 4, 5), {"ceil_mode": True}),
            ("max_pool2d", ((5, 2), 1, ((2, 1), (0, 1))), {}),
        ],
        [
            ("channels_first", (1, 2, 4, 3)),
            ("channels_first", (2, 3, 1, 11)),
            ("channels_last", (1, 5, 4, 3)),
            ("channels_last", (2, 13, 2, 1)),
        ],
    )
]
POOLS = [
    ("mode", 3, {"axes": (0, 1), "padding": "same"}),
    ("max", 2, {"axes": (1, 0), "mode": "reflect", "padding": 1}),
    ("min", (3, 2), {"axes": (0, 2), "mode": "wrap", "padding": "same"}),
    ("avg", 3, {"axes": 1, "mode": "edge", "padding": 2, "ceil_mode": True}),
    ("sum", 2, {"axes": (0, 1), "mode": "symmetric", "padding": 1}),
    ("lp", 3, {"axes": (0, 1), "cval": 1, "padding": 1}),
]


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_distributed_equals_numpy(client):
    expected, lazy = [], []
    for name, args, kwargs, layout, chunks in WINDOWED:
        x = X2 if layout == "channels_first" else np.ascontiguousarray(np.moveaxis(X2, 1, -1))
        expected.append(getattr(poolkit, name)(x, *args, data_format=layout, **kwargs))
        d = da.from_array(x, chunks=chunks)
        lazy.append(getattr(pkd, name)(d, *args, data_format=layout, **kwargs))
    for chunks in [(2, 3, 2), (9, 1, 1), (4, 10, 2)]:
        for reducer, kernel, kwargs in POOLS:
            expected.append(poolkit.pool(L2, reducer, kernel, **kwargs))
            lazy.append(pkd.pool(da.from_array(L2, chunks=chunks), reducer, kernel, **kwargs))
    d = da.from_array(X2, chunks=(1, 2, 5, 4))
    for name, args in [
        ("global_avg_pool2d", ()),
        ("global_lp_pool2d", (3.0,)),
        ("adaptive_avg_pool2d", ((4, 5),)),
        ("adaptive_max_pool2d", (3,)),
    ]:
        expected.append(getattr(poolkit, name)(X2, *args))
        lazy.append(getattr(pkd, name)(d, *args))
    results = client.gather(client.compute(lazy))
    for want, got in zip(expected, results, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    assert len(results) == 24 + 18 + 4  # the count the report quotes
