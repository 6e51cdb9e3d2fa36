"""The reference itself, checked against a brute-force loop over every output cell and tap.

The reference (pad -> window view -> reduce) is the oracle for every fast path; this file is
its own check: an independent, element-by-element implementation of the same rules.
"""

import itertools
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from poolkit import PoolingError, reference
from poolkit.geometry import adaptive_bins, resolve


def brute_window(reducer, x, window, count_include_pad=True, divisor_override=None, p=2.0):
    """Per-element pooling: returns (values, indices, gradient of sum(values * grad_weights))."""
    n_, c_ = x.shape[:2]
    out = np.zeros((n_, c_, *window.output_shape))
    indices = np.zeros((n_, c_, *window.output_shape), dtype=np.int64)
    for b, c, cell in itertools.product(range(n_), range(c_), np.ndindex(*window.output_shape)):
        taps, padded_taps = [], 0
        for tap in np.ndindex(*window.kernel):
            pos = tuple(
                o * a.stride - a.lo + t * a.dilation
                for o, t, a in zip(cell, tap, window.axes, strict=True)
            )
            if all(0 <= q < a.length for q, a in zip(pos, window.axes, strict=True)):
                taps.append(pos)
            if all(-a.lo <= q < a.length + a.hi for q, a in zip(pos, window.axes, strict=True)):
                padded_taps += 1
        values = [float(x[(b, c, *pos)]) for pos in taps]
        flat = [int(np.ravel_multi_index(pos, window.input_shape)) for pos in taps]
        if reducer == "max":
            best = 0
            for i, v in enumerate(values):  # PyTorch's loop: `val > maxval || isnan(val)`
                if v > values[best] or math.isnan(v):
                    best = i
            out[(b, c, *cell)] = values[best]
            indices[(b, c, *cell)] = flat[best]
        elif reducer == "sum":
            out[(b, c, *cell)] = sum(values)
        elif reducer == "avg":
            divisor = divisor_override or (padded_taps if count_include_pad else len(taps))
            out[(b, c, *cell)] = sum(values) / divisor
        else:
            out[(b, c, *cell)] = sum(abs(v) ** p for v in values) ** (1 / p)
    return out, indices


windows_configs = st.fixed_dictionaries(
    {
        "ndim": st.integers(1, 3),
        "kernel": st.integers(1, 3),
        "stride": st.integers(1, 3),
        "pad": st.integers(0, 2),
        "asym": st.integers(0, 1),
        "dilation": st.integers(1, 2),
        "ceil": st.booleans(),
        "sizes": st.lists(st.integers(1, 6), min_size=3, max_size=3),
        "seed": st.integers(0, 2**16),
    }
)


def _setup(cfg, dtype=np.float64, ties=False):
    n = cfg["ndim"]
    spatial = tuple(cfg["sizes"][:n])
    pads = tuple((cfg["pad"], max(cfg["pad"] - cfg["asym"], 0)) for _ in range(n))
    try:
        window = resolve(spatial, cfg["kernel"], cfg["stride"], pads, cfg["dilation"], cfg["ceil"])
    except PoolingError:
        assume(False)
    rng = np.random.default_rng(cfg["seed"])
    x = rng.integers(-3, 4, (2, 2, *spatial)) if ties else rng.standard_normal((2, 2, *spatial))
    return x.astype(dtype), window


@settings(max_examples=150, deadline=None)
@given(windows_configs, st.booleans())
def test_max_matches_brute_force_values_and_indices(cfg, ties):
    x, window = _setup(cfg, ties=ties)
    if ties and cfg["seed"] % 3 == 0:
        x[x == 1] = np.nan  # NaN wins, and the last NaN in window order is the one picked
    out, idx = reference.max_forward(x, window, return_indices=True)
    expected, expected_idx = brute_window("max", x, window)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(idx, expected_idx)


@settings(max_examples=120, deadline=None)
@given(windows_configs, st.sampled_from(["sum", "avg", "avg_exclude", "avg_override", "lp"]))
def test_sum_avg_lp_match_brute_force(cfg, kind):
    x, window = _setup(cfg)
    options, reducer = {}, kind.split("_")[0]
    if kind == "avg_exclude":
        options = {"count_include_pad": False}
    if kind == "avg_override":
        options = {"divisor_override": 3}
    if reducer == "lp":
        options = {"p": 3.0}
    out = reference.window_forward(reducer, x, window, **options)
    expected, _ = brute_window(reducer, x, window, **options)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def numeric_gradient(f, x, grad, eps=1e-6):
    result = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        result[i] = np.sum((f(up) - f(down)) * grad) / (2 * eps)
    return result


@settings(max_examples=60, deadline=None)
@given(windows_configs, st.sampled_from(["max", "sum", "avg", "lp"]))
def test_backward_matches_finite_differences(cfg, reducer):
    cfg = {**cfg, "ndim": min(cfg["ndim"], 2)}
    x, window = _setup(cfg)
    options = {"p": 3.0} if reducer == "lp" else {}
    forward = lambda v: reference.window_forward(reducer, v, window, **options)  # noqa: E731
    grad = np.random.default_rng(cfg["seed"] + 1).standard_normal(forward(x).shape)
    analytic = reference.window_backward(reducer, grad, x, window, **options)
    np.testing.assert_allclose(analytic, numeric_gradient(forward, x, grad), atol=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 7), min_size=1, max_size=3),
    st.lists(st.integers(1, 7), min_size=3, max_size=3),
    st.integers(0, 2**16),
)
def test_adaptive_matches_brute_force(spatial, outs, seed):
    outs = tuple(outs[: len(spatial)])
    x = np.random.default_rng(seed).integers(-2, 3, (1, 2, *spatial)).astype(np.float64)
    values, indices = reference.adaptive_max_forward(x, outs, return_indices=True)
    means = reference.adaptive_avg_forward(x, outs)
    bins = [adaptive_bins(L, o) for L, o in zip(spatial, outs, strict=True)]
    for c, cell in itertools.product(range(2), np.ndindex(*outs)):
        box = tuple(slice(b[0][i], b[1][i]) for b, i in zip(bins, cell, strict=True))
        region = x[(0, c, *box)]
        first = np.unravel_index(np.argmax(region), region.shape)  # first max, row-major
        position = tuple(s.start + f for s, f in zip(box, first, strict=True))
        assert values[(0, c, *cell)] == region.max()
        assert indices[(0, c, *cell)] == np.ravel_multi_index(position, spatial)
        np.testing.assert_allclose(means[(0, c, *cell)], region.mean(), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=2),
    st.lists(st.integers(1, 6), min_size=2, max_size=2),
    st.integers(0, 2**16),
)
def test_adaptive_backward_matches_finite_differences(spatial, outs, seed):
    outs = tuple(outs[: len(spatial)])
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, 2, *spatial))
    grad = rng.standard_normal((1, 2, *outs))
    for reducer, forward in (
        ("max", lambda v: reference.adaptive_max_forward(v, outs)),
        ("avg", lambda v: reference.adaptive_avg_forward(v, outs)),
    ):
        analytic = reference.adaptive_backward(reducer, grad, x, outs)
        np.testing.assert_allclose(analytic, numeric_gradient(forward, x, grad), atol=1e-5)


def test_global_lp_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 5))
    grad = rng.standard_normal((2, 3, 1, 1))
    for p in (1.5, 2.0, 3.0):
        analytic = reference.global_backward("lp", grad, x, p)
        numeric = numeric_gradient(lambda v, p=p: reference.global_forward("lp", v, p), x, grad)
        np.testing.assert_allclose(analytic, numeric, atol=1e-5)


def test_unpool_then_backward_round_trip():
    rng = np.random.default_rng(0)
    x = np.abs(rng.standard_normal((2, 3, 6, 6))) + 0.1  # positive: re-pooling finds each max
    window = resolve((6, 6), 2)
    values, indices = reference.max_forward(x, window, return_indices=True)
    restored = reference.max_unpool(values, indices, (6, 6))
    assert np.count_nonzero(restored) == values.size
    np.testing.assert_array_equal(reference.max_forward(restored, window), values)
    grad = rng.standard_normal(restored.shape)
    np.testing.assert_array_equal(
        reference.max_unpool_backward(grad, indices),
        np.take_along_axis(grad.reshape(2, 3, -1), indices.reshape(2, 3, -1), -1).reshape(
            2, 3, 3, 3
        ),
    )
