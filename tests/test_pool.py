"""poolkit.pool: any axes of any rank, against a slow reference written here, skimage's
block_reduce, scipy.ndimage's filters and scipy.stats.mode; its errors and its promises."""

from __future__ import annotations

import itertools
import math
import os

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.stats
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from skimage.measure import block_reduce

import poolkit
from poolkit import PoolingError
from poolkit.geometry import resolve

BORDERS = ("constant", "edge", "reflect", "symmetric", "wrap")
#: numpy.pad's name -> scipy.ndimage's name for the same border
SCIPY_NAME = {
    "constant": "constant",
    "edge": "nearest",
    "reflect": "mirror",
    "symmetric": "reflect",
    "wrap": "wrap",
}
SETTINGS = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --------------------------------------------------------------------------- the reference


def reference(x, reducer, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, *,
              axes, count_include_pad=None, p=2.0, mode="constant", cval=None):  # fmt: skip
    """Pad, then visit every window with plain NumPy indexing (one output cell at a time)."""
    x = np.asarray(x)
    axes = (axes,) if isinstance(axes, int) else tuple(a % x.ndim for a in axes)
    n = len(axes)
    window = resolve(tuple(x.shape[a] for a in axes), kernel_size, stride, padding, dilation,
                     ceil_mode)  # fmt: skip
    moved = np.moveaxis(x, axes, tuple(range(x.ndim - n, x.ndim)))
    lead = moved.shape[: x.ndim - n]
    width = [(0, 0)] * len(lead) + [(a.lo, a.hi) for a in window.axes]
    data = mode != "constant" or cval is not None
    if mode == "constant":
        xp = np.pad(moved, width, constant_values=0 if cval is None else cval)
    else:
        xp = np.pad(moved, width, mode=mode)
    inside = np.pad(np.ones(moved.shape[len(lead) :], bool), width[len(lead) :])
    if data:
        inside[...] = True
    if count_include_pad is None:
        count_include_pad = not isinstance(padding, str)
    dtype_out = {
        "max": x.dtype,
        "min": x.dtype,
        "mode": x.dtype,
        "sum": np.dtype(np.uint64 if x.dtype == np.uint64 else np.int64)
        if x.dtype.kind in "biu"
        else x.dtype,
    }.get(reducer, x.dtype if x.dtype.kind == "f" else np.dtype(np.float64))
    out = np.empty((*lead, *window.output_shape), dtype=dtype_out)
    for cell in itertools.product(*(range(a.out) for a in window.axes)):
        # taps past the padded input (the ceil-mode overhang) never count
        taps = [
            [o * a.stride + j * a.dilation for j in range(a.kernel)]
            for o, a in zip(cell, window.axes, strict=True)
        ]
        ends = [a.lo + a.length + a.hi for a in window.axes]
        taps = [[t for t in ts if t < end] for ts, end in zip(taps, ends, strict=True)]
        grid = np.ix_(*taps)
        values = xp[(Ellipsis, *grid)].reshape(*lead, -1)
        valid = inside[grid].reshape(-1)
        padded_taps = valid.size
        picked = values[..., valid]
        if reducer == "max":
            result = picked.max(axis=-1)
        elif reducer == "min":
            result = picked.min(axis=-1)
        elif reducer == "sum":
            result = picked.astype(dtype_out).sum(axis=-1)
        elif reducer == "avg":
            divisor = padded_taps if (data or count_include_pad) else valid.sum()
            result = picked.astype(np.float64).sum(axis=-1) / divisor
        elif reducer == "lp":
            mag = np.abs(picked.astype(np.float64))
            result = mag.max(axis=-1) if math.isinf(p) else (mag**p).sum(axis=-1) ** (1 / p)
        else:  # mode: the most frequent, ties to the smallest
            flat = picked.reshape(-1, picked.shape[-1])
            result = np.empty(flat.shape[0], dtype=x.dtype)
            for i, row in enumerate(flat):
                labels, counts = np.unique(row, return_counts=True)
                result[i] = labels[np.argmax(counts)]
            result = result.reshape(lead)
        out[(Ellipsis, *cell)] = result
    return np.moveaxis(out, tuple(range(x.ndim - n, x.ndim)), axes)


def check(actual, expected, reducer, dtype):
    assert actual.shape == expected.shape
    if reducer in ("max", "min", "mode") or (reducer == "sum" and dtype.kind != "f"):
        assert actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)
    else:
        assert actual.dtype == expected.dtype
        rtol = 1e-4 if actual.dtype == np.float32 else 1e-9
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol)


# --------------------------------------------------------------------------- property tests


@st.composite
def problems(draw, max_pooled=4):
    rank = draw(st.integers(1, 5))
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank)))
    n = draw(st.integers(1, min(rank, max_pooled)))
    axes = tuple(draw(st.permutations(range(rank)))[:n])
    if draw(st.booleans()):
        axes = tuple(a - rank if draw(st.booleans()) else a for a in axes)
    reducer = draw(st.sampled_from(("max", "min", "avg", "sum", "lp", "mode")))
    if reducer == "mode":
        dtype = draw(st.sampled_from((np.int64, np.uint8, np.int8, np.bool_)))
    elif reducer in ("max", "min", "sum"):
        dtype = draw(st.sampled_from((np.float64, np.float32, np.int32, np.uint8, np.int8)))
    else:
        dtype = draw(st.sampled_from((np.float64, np.float32, np.int16)))
    if reducer == "mode" or (reducer in ("sum", "max", "min") and draw(st.booleans())):
        # few distinct values: ties and repeats, which mode pooling is about
        values = draw(st.lists(st.integers(0, 3), min_size=1, max_size=1))[0]
        x = np.random.default_rng(values + sum(shape)).integers(0, 4, shape)
    else:
        x = np.random.default_rng(sum(shape) * 7 + n).normal(size=shape) * 10
    x = x.astype(dtype)
    kernel = tuple(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)))
    stride = draw(st.one_of(st.none(), st.lists(st.integers(1, 3), min_size=n, max_size=n)))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=n, max_size=n)))
    padding = draw(
        st.one_of(
            st.sampled_from(("valid", "same", "same_lower", 0)),
            st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=n, max_size=n),
        )
    )
    ceil_mode = draw(st.booleans())
    mode = draw(st.sampled_from(BORDERS))
    cval = None
    if mode == "constant" and draw(st.booleans()):
        cval = draw(st.integers(0, 3)) if dtype != np.bool_ else draw(st.integers(0, 1))
    count_include_pad = draw(st.sampled_from((None, True, False))) if cval is None else None
    if mode != "constant":
        count_include_pad = None
    kwargs = {
        "stride": None if stride is None else tuple(stride),
        "padding": padding if isinstance(padding, str | int) else tuple(padding),
        "dilation": dilation,
        "ceil_mode": ceil_mode,
        "axes": axes,
        "count_include_pad": count_include_pad,
        "p": draw(st.sampled_from((1.0, 2.0, 3.0, math.inf))),
        "mode": mode,
        "cval": cval,
    }
    return x, reducer, kernel, kwargs


def _resolvable(x, kernel, kwargs) -> bool:
    axes = kwargs["axes"]
    try:
        resolve(tuple(x.shape[a] for a in axes), kernel, kwargs["stride"], kwargs["padding"],
                kwargs["dilation"], kwargs["ceil_mode"])  # fmt: skip
    except PoolingError:
        return False
    return True


@SETTINGS
@given(problems())
def test_pool_matches_reference(problem):
    x, reducer, kernel, kwargs = problem
    assume(_resolvable(x, kernel, kwargs))
    if reducer == "mode" and len(kwargs["axes"]) > 3:
        with pytest.raises(PoolingError, match="mode pooling takes at most 3 axes"):
            poolkit.pool(x, reducer, kernel, **kwargs)
        return
    before = x.copy()
    actual = poolkit.pool(x, reducer, kernel, **kwargs)
    np.testing.assert_array_equal(x, before)  # the input is never modified
    check(actual, reference(x, reducer, kernel, **kwargs), reducer, x.dtype)
    assert actual.flags.c_contiguous


@settings(max_examples=80, deadline=None, derandomize=True)
@given(problems(max_pooled=3), st.integers(0, 3))
def test_strided_and_readonly_views(problem, how):
    """Transposed, sliced and read-only inputs pool exactly like their contiguous copies."""
    x, reducer, kernel, kwargs = problem
    assume(_resolvable(x, kernel, kwargs))
    view = np.moveaxis(np.stack([x, x]), 0, -1)[..., 0] if how == 0 else x.copy()
    if how == 1:
        view = np.asfortranarray(x)
    if how == 2:
        view = np.repeat(x, 2, axis=0)[::2]
    view.setflags(write=False)
    expected = poolkit.pool(np.ascontiguousarray(x), reducer, kernel, **kwargs)
    np.testing.assert_array_equal(poolkit.pool(view, reducer, kernel, **kwargs), expected)


# --------------------------------------------------------------------------- peers


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=3),
    st.lists(st.integers(1, 4), min_size=3, max_size=3),
    st.sampled_from(("max", "min", "sum", "avg")),
    st.sampled_from((np.float64, np.uint8, np.int16)),
    st.integers(0, 5),
    st.booleans(),
)
def test_block_reduce(shape, blocks, reducer, dtype, cval, rgb):
    """skimage's block_reduce pads the end of each axis with cval to whole blocks."""
    shape = tuple(shape)
    blocks = tuple(blocks[: len(shape)])
    x = np.random.default_rng(len(shape)).integers(0, 50, (*shape, 3) if rgb else shape)
    x = x.astype(dtype)
    func = {"max": np.max, "min": np.min, "sum": np.sum, "avg": np.mean}[reducer]
    expected = block_reduce(x, blocks + ((1,) if rgb else ()), func=func, cval=cval)
    pads = tuple((0, -length % b) for length, b in zip(shape, blocks, strict=True))
    axes = tuple(range(len(shape)))
    actual = poolkit.pool(x, reducer, blocks, padding=pads, axes=axes, cval=cval)
    np.testing.assert_allclose(actual, expected, rtol=1e-12)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(1, 8), min_size=1, max_size=4),
    st.data(),
    st.sampled_from(("max", "min", "avg")),
    st.sampled_from(BORDERS),
    st.sampled_from((np.float64, np.float32, np.int32)),
)
def test_scipy_filters(shape, data, reducer, border, dtype):
    """Stride 1, odd kernels, padding='same': scipy.ndimage's filters, under scipy's names."""
    shape = tuple(shape)
    n = data.draw(st.integers(1, len(shape)))
    axes = tuple(sorted(data.draw(st.permutations(range(len(shape))))[:n]))
    size = tuple(data.draw(st.lists(st.sampled_from((1, 3, 5)), min_size=n, max_size=n)))
    cval = data.draw(st.sampled_from((0, 2, -3))) if border == "constant" else None
    if reducer == "avg":
        dtype = np.float64  # uniform_filter averages in the input's dtype
    x = (np.random.default_rng(sum(shape)).normal(size=shape) * 5).astype(dtype)
    scipy_filter = {"max": ndi.maximum_filter, "min": ndi.minimum_filter}.get(
        reducer, ndi.uniform_filter
    )
    kw = {"cval": cval} if cval is not None else {}
    expected = scipy_filter(x, size=size, mode=SCIPY_NAME[border], axes=axes, **kw)
    actual = poolkit.pool(x, reducer, size, 1, "same", axes=axes, mode=border, cval=cval)
    if reducer == "avg":
        np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-9)
    else:
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("blocks", [(2, 2), (2, 2, 2), (3, 1, 2)])
@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
def test_mode_matches_scipy_stats_mode(blocks, dtype):
    rng = np.random.default_rng(len(blocks))
    shape = tuple(b * 5 for b in blocks)
    labels = rng.integers(0, 4, shape).astype(dtype)
    # scipy.stats.mode over each block (it too breaks ties to the smallest value)
    split = labels.reshape([s for length, b in zip(shape, blocks, strict=True)
                            for s in (length // b, b)])  # fmt: skip
    n = len(blocks)
    perm = [2 * i for i in range(n)] + [2 * i + 1 for i in range(n)]
    flat = split.transpose(perm).reshape(*(s // b for s, b in zip(shape, blocks, strict=True)), -1)
    expected = scipy.stats.mode(flat, axis=-1, keepdims=False).mode
    actual = poolkit.pool(labels, "mode", blocks, axes=tuple(range(n)))
    assert actual.dtype == labels.dtype
    np.testing.assert_array_equal(actual, expected)


# --------------------------------------------------------------------------- hand-made cases


def test_images_and_volumes():
    img = np.arange(16).reshape(4, 4)
    assert poolkit.pool(img, "max", 2, axes=(0, 1)).tolist() == [[5, 7], [13, 15]]
    rgb = np.arange(4 * 4 * 3, dtype=np.uint8).reshape(4, 4, 3)
    out = poolkit.pool(rgb, "max", 2, axes=(0, 1))
    np.testing.assert_array_equal(out, poolkit.max_pool2d(rgb, 2, data_format="channels_last"))
    vol = np.random.default_rng(0).normal(size=(2, 6, 6, 6, 3))
    np.testing.assert_array_equal(
        poolkit.pool(vol, "max", 2, axes=(1, 2, 3)),
        poolkit.max_pool3d(vol, 2, data_format="channels_last"),
    )
    # per-axis values follow the order of axes
    x = np.random.default_rng(1).normal(size=(6, 9))
    np.testing.assert_array_equal(
        poolkit.pool(x, "avg", (3, 2), axes=(1, 0)), poolkit.pool(x, "avg", (2, 3), axes=(0, 1))
    )


def test_min_is_exact_for_unsigned_and_extreme_ints_and_nan():
    for dtype in (np.uint8, np.int8, np.int64, np.uint64):
        info = np.iinfo(dtype)
        x = np.array([[info.min, info.max, 1, info.min], [info.max, info.max, 7, 5]], dtype)
        out = poolkit.pool(x, "min", 2, axes=(0, 1), padding=((0, 0), (1, 1)))
        assert out.dtype == dtype
        assert out.tolist() == [[info.min, 1, info.min]]
    x = np.array([1.0, np.nan, 3.0, -2.0, -np.inf])
    nan = np.nan
    np.testing.assert_array_equal(poolkit.pool(x, "min", 2, 1, axes=0), [nan, nan, -2.0, -np.inf])
    np.testing.assert_array_equal(poolkit.pool(x, "max", 2, 1, axes=0), [nan, nan, 3.0, -2.0])
    assert poolkit.pool(np.array([True, False, True]), "min", 2, 1, axes=0).tolist() == [
        False,
        False,
    ]


def test_cval_none_versus_cval():
    x = np.array([[-5.0, -4.0], [-3.0, -2.0]])
    # cval=None: pads never win a max, as in the windowed API; a cval is a value
    assert poolkit.pool(x, "max", 3, 1, 1, axes=(0, 1)).min() == -5.0 + 3
    np.testing.assert_array_equal(
        poolkit.pool(x, "max", 3, 1, 1, axes=(0, 1), cval=-np.inf),
        poolkit.pool(x, "max", 3, 1, 1, axes=(0, 1)),
    )
    assert poolkit.pool(x, "max", 3, 1, 1, axes=(0, 1), cval=0).tolist() == [[0, 0], [0, 0]]
    # avg: count_include_pad decides when cval is None; a cval is counted
    ones = np.ones((3,))
    assert poolkit.pool(ones, "avg", 3, 1, 1, axes=0).tolist() == [2 / 3, 1, 2 / 3]
    assert poolkit.pool(ones, "avg", 3, 1, 1, axes=0, count_include_pad=False).tolist() == [1] * 3
    assert poolkit.pool(ones, "avg", 3, 1, "same", axes=0).tolist() == [1] * 3  # TF's rule
    assert poolkit.pool(ones, "avg", 3, 1, 1, axes=0, cval=4).tolist() == [2, 1, 2]
    assert poolkit.pool(ones, "sum", 3, 1, 1, axes=0, mode="edge").tolist() == [3, 3, 3]
    labels = np.array([1, 1, 2, 2, 2], np.int32)
    assert poolkit.pool(labels, "mode", 3, 1, 1, axes=0).tolist() == [1, 1, 2, 2, 2]
    assert poolkit.pool(labels, "mode", 3, 1, 1, axes=0, cval=1).tolist() == [1, 1, 2, 2, 2]
    assert poolkit.pool(labels, "mode", 4, 1, 2, axes=0, cval=0).tolist()[:2] == [0, 1]


def test_reflect_and_symmetric_are_numpy_pads():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    # numpy.pad with 2 on each side: reflect 3 2 [1 2 3 4] 3 2 (the edge not repeated),
    # symmetric 2 1 [1 2 3 4] 4 3 (repeated), wrap 3 4 [1 2 3 4] 1 2
    def first_two(mode):
        return poolkit.pool(x, "sum", 3, 1, 2, axes=0, mode=mode)[:2].tolist()

    assert first_two("reflect") == [3 + 2 + 1, 2 + 1 + 2]
    assert first_two("symmetric") == [2 + 1 + 1, 1 + 1 + 2]
    assert first_two("wrap") == [3 + 4 + 1, 4 + 1 + 2]


def test_more_than_three_axes():
    x = np.random.default_rng(2).integers(0, 9, (4, 3, 5, 4, 2)).astype(np.int16)
    for reducer in ("max", "min", "sum", "avg"):
        kw = {"axes": (0, 1, 2, 3, 4), "padding": 1, "stride": 2}
        check(poolkit.pool(x, reducer, 2, **kw), reference(x, reducer, 2, **kw), reducer, x.dtype)
    for kw in (
        {"axes": (4, 0, 2, 3), "padding": "same", "count_include_pad": False},
        {"axes": (0, 1, 2, 3, 4), "padding": 1, "stride": 1, "p": 3.0},
        {"axes": (0, 1, 2, 3), "p": math.inf, "ceil_mode": True, "stride": 3},
    ):
        for reducer in ("avg", "lp", "min"):
            expected = reference(x, reducer, 2, **kw)
            check(poolkit.pool(x, reducer, 2, **kw), expected, reducer, x.dtype)
    with pytest.raises(PoolingError, match="mode pooling takes at most 3 axes"):
        poolkit.pool(x, "mode", 2, axes=(0, 1, 2, 3))


def test_fortran_order_in_fortran_order_out():
    x = np.asfortranarray(np.random.default_rng(4).integers(0, 4, (6, 8, 10)).astype(np.int32))
    for reducer in ("max", "mode", "avg"):
        out = poolkit.pool(x, reducer, (2, 3), axes=(2, 0), padding=1)
        assert out.flags.f_contiguous
        expected = poolkit.pool(np.ascontiguousarray(x), reducer, (2, 3), axes=(2, 0), padding=1)
        np.testing.assert_array_equal(out, expected)


KERNELS_ONLY = pytest.mark.skipif(
    os.environ.get("POOLKIT_KERNELS", "").lower() in ("reference", "0", "off", "numpy"),
    reason="the NumPy reference pads its input and refuses huge windows by design",
)


@KERNELS_ONLY
def test_huge_kernels_and_pads():
    x = np.arange(5)
    # a padded copy this large is refused before it is made; the windows themselves are cheap
    with pytest.raises(PoolingError, match=r"mode='edge' \(a padded copy\).*memory limit"):
        poolkit.pool(x, "max", 10**12, 10**12, 10**12 - 1, axes=0, mode="edge")
    assert poolkit.pool(x, "mode", 10**9, 10**9, 10**9 - 1, axes=0).tolist() == [0, 1]
    assert poolkit.pool(x, "min", 10**9, 10**9, 10**9 - 1, axes=0).tolist() == [0, 1]


# --------------------------------------------------------------------------- errors

X = np.ones((4, 5, 3))
U8, I8 = X.astype(np.uint8), X.astype(np.int8)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((X, "max", 2), {"axes": 3}, r"axes must be .*axis 3 is out of range"),
        ((X, "max", 2), {"axes": (0, -4)}, r"axes .*axis -4 is out of range"),
        ((X, "max", 2), {"axes": (0, -3)}, r"axes .*names an axis twice"),
        ((X, "max", 2), {"axes": ()}, r"axes must be .*got \(\)"),
        ((X, "max", 2), {"axes": 1.0}, r"axes must be .*got 1.0"),
        ((X, "max", 2), {"axes": None}, r"axes must be"),
        ((X, "max", (2, 2, 2)), {"axes": (0, 1)}, r"kernel_size must be .*tuple of 2"),
        ((X, "max", 2, (1, 1, 1)), {"axes": (0, 1)}, r"stride must be .*tuple of 2"),
        ((X, "max", 2), {"dilation": (1,), "axes": (0, 1)}, r"dilation must be"),
        ((X, "max", 2), {"padding": (1, 1, 1), "axes": (0, 1)}, r"padding must be"),
        ((X, "max", 2), {"padding": "full", "axes": 0}, r"padding must be .*'full'"),
        ((X, "median", 2), {"axes": 0}, r"reducer must be one of .*'median'"),
        ((X, "mode", 2), {"axes": 0}, r"mode pooling takes bool or integer .*float64"),
        ((X, "max", 2), {"axes": 0, "mode": "mirror"}, r"mode must be .*pass mode='reflect'"),
        ((X, "max", 2), {"axes": 0, "mode": "nearest"}, r"mode='edge'"),
        ((X, "max", 2), {"axes": 0, "mode": "grid-wrap"}, r"mode='wrap'"),
        ((X, "max", 2), {"axes": 0, "mode": "grid-mirror"}, r"mode='symmetric'"),
        ((X, "max", 2), {"axes": 0, "mode": "grid-constant"}, r"mode='constant'"),
        ((X, "max", 2), {"axes": 0, "mode": "linear_ramp"}, r"mode must be one of .*ramp"),
        ((X, "max", 2), {"axes": 0, "mode": "edge", "cval": 0}, r"cval .*mode='edge'"),
        ((X, "max", 2), {"axes": 0, "cval": "0"}, r"cval must be None or a real"),
        ((U8, "max", 2), {"axes": 0, "cval": -1}, r"cval must be .*\[0, 255\].*-1"),
        ((I8, "max", 2), {"axes": 0, "cval": 0.5}, r"cval must be .*0.5"),
        ((X, "avg", 2), {"axes": 0, "cval": 0, "count_include_pad": False}, r"count_include_pad"),
        ((X, "avg", 2), {"axes": 0, "count_include_pad": 1}, r"count_include_pad must be True"),
        ((X, "max", 2), {"axes": 0, "ceil_mode": "yes"}, r"ceil_mode must be True or False"),
        ((X, "lp", 2), {"axes": 0, "p": -1}, r"p must be a real number > 0"),
        ((X, "max", 9), {"axes": 0}, r"input is too small.*axes\[i\]"),
        ((np.ones((0, 3)), "max", 1), {"axes": 0}, r"non-empty pooled axes"),
        ((X.astype(complex), "max", 1), {"axes": 0}, r"x must have a bool, integer"),
    ],
)
def test_errors(args, kwargs, match):
    with pytest.raises(PoolingError, match=match):
        poolkit.pool(*args, **kwargs)


def test_channels_first_rank_error_says_how_to_pool_an_image():
    with pytest.raises(PoolingError) as info:
        poolkit.max_pool2d(np.ones((5, 6)), 2)
    message = str(info.value)
    for part in ("x must have 4 dims", "poolkit.pool(x, 'max', 2, axes=(0, 1))", "x[None, None]",
                 "data_format='channels_last'"):  # fmt: skip
        assert part in message
    with pytest.raises(PoolingError, match=r"axes=\(0, 1, 2\)"):
        poolkit.avg_pool3d(np.ones((4, 4, 4)), 2)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.uint64, np.bool_])
@pytest.mark.parametrize("tap_by_tap", [False, True])
def test_mode_large_windows_and_every_path(dtype, tap_by_tap, monkeypatch):
    """Windows over 27 taps sort; 64-bit labels select; MODE_OFFSETS_MAX=0 taps one by one."""
    from poolkit.kernels import _drivers

    if tap_by_tap:
        monkeypatch.setattr(_drivers, "MODE_OFFSETS_MAX", 0)
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 5, (2, 9, 11)).astype(dtype)
    if dtype in (np.int64, np.uint64):
        labels = labels * (2**40 + 1) + (0 if dtype == np.uint64 else -(2**50))
    for kernel, stride, padding, dilation in [
        ((5, 6), (2, 3), ((2, 1), (0, 5)), 1),
        ((3, 3), 1, "same", (2, 1)),
        ((2, 2), 2, 0, 1),
        (9, 1, 0, 1),
    ]:
        kw = {"stride": stride, "padding": padding, "dilation": dilation, "axes": (1, 2)}
        expected = reference(labels, "mode", kernel, **kw)
        np.testing.assert_array_equal(poolkit.pool(labels, "mode", kernel, **kw), expected)
        kw["axes"] = (-1, -2)
        expected = reference(labels, "mode", kernel, **kw)
        np.testing.assert_array_equal(poolkit.pool(labels, "mode", kernel, **kw), expected)


def test_the_readme_example_runs():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Pooling any array: images and volumes", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    lines = [line for line in code.splitlines() if ".shape" in line and "# (" in line]
    names: dict = {}
    exec(compile(code, "README.md", "exec"), names)
    assert len(lines) == 4
    for line in lines:  # every "# (shape)" comment is the line's true result
        expression, comment = line.split("#", 1)
        shape = comment.strip().split(")")[0] + ")"
        assert str(eval(expression, names)) == shape, line


@KERNELS_ONLY
def test_no_copy_of_the_input_where_the_layout_folds():
    """(H, W, 3) images and (T, Z, Y, X, C) stacks fold into kernel views: only the result
    is allocated (the project's memory rule: nothing in proportion to the input or more)."""
    import tracemalloc

    for shape, axes in (((512, 512, 3), (0, 1)), ((8, 32, 32, 32, 2), (1, 2, 3))):
        x = np.ones(shape, np.uint8)
        for reducer in ("max", "mode", "sum"):
            poolkit.pool(x, reducer, 2, axes=axes)  # compiled and warm
            tracemalloc.start()
            try:
                out = poolkit.pool(x, reducer, 2, axes=axes)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert peak < out.nbytes + x.nbytes // 4, (shape, reducer, peak)
