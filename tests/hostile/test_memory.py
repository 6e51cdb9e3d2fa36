"""Memory that must not grow with outputs x kernel, and geometry that must not overflow int64.

Each case runs in a child process (``_isolated.run_case``) under an address-space limit and a
time limit, and passes only with the right answer, checked against a small independent
computation (``sliding_window_view`` over chunks, cumulative sums, hand-computed values).
Before the closed-form geometry every case here failed: ``Axis.taps()`` materialised an
``(out, kernel)`` int64 array on every call (8 GB for a moving max of 1000 over 10**6),
the drivers sized row buffers by the (broadcast) input, and strides or pads past 2**63
raised ``OverflowError`` or counted a wrapped-around window as empty.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poolkit.geometry import resolve
from poolkit.kernels import _drivers

from ._isolated import expect_refusal, run_case

pytestmark = pytest.mark.slow  # multi-GiB-shaped inputs, bounded memory

GiB = 1 << 30

#: Independent checks shared by the children: a moving max / argmax over windows of a
#: 1-d array, chunk by chunk over ``sliding_window_view`` (bounded, and no poolkit code).
CHECKS = """
from numpy.lib.stride_tricks import sliding_window_view

def moving(x1, k, s=1, d=1, op=np.max, chunk=4096):
    view = sliding_window_view(x1, d * (k - 1) + 1)[::s, ::d]
    return np.concatenate([op(view[i:i + chunk], axis=1) for i in range(0, len(view), chunk)])
"""


def _ok(code: str, prefix: str = "", **options):
    outcome = run_case(CHECKS + prefix + textwrap.dedent(code), **options)
    assert outcome.returncode == 0, outcome.explain()
    assert outcome.verdict is not None, outcome.explain()
    assert outcome.verdict.get("ok") is True, outcome.verdict
    return outcome.verdict


# --------------------------------------------------------------------------- moving windows


def test_moving_max_k1000_over_a_million_forward():
    _ok(
        """
        rng = np.random.default_rng(0)
        x = rng.permutation(10**6).astype(np.float32)[None, None]
        y = poolkit.max_pool1d(x, 1000, 1)
        right = y.shape == (1, 1, 10**6 - 999) and np.array_equal(y[0, 0], moving(x[0, 0], 1000))
        report(ok=bool(right))
        """,
        memory=2 * GiB,
        timeout=120,
    )


def test_moving_max_k1000_over_a_million_backward():
    _ok(
        """
        rng = np.random.default_rng(1)
        x = rng.permutation(10**6).astype(np.float32)[None, None]  # distinct: one argmax
        g = poolkit.max_pool1d_backward(np.ones((1, 1, 10**6 - 999), np.float32), x, 1000, 1)
        winners = moving(x[0, 0], 1000, op=np.argmax) + np.arange(10**6 - 999)
        expected = np.bincount(winners, minlength=10**6).astype(np.float32)
        report(ok=bool(np.array_equal(g[0, 0], expected)))
        """,
        memory=2 * GiB,
        timeout=180,
    )


def test_moving_max_of_ten_million_stays_within_three_times_input_plus_output():
    # The done-criterion: peak RSS added by the call < 3 x (input + output) bytes.
    # The kernels are compiled on a small input first; the peak is reset (clear_refs 5)
    # just before the call, so compilation does not count.
    verdict = _ok(
        """
        import os

        def status(key):
            for line in open("/proc/self/status"):
                if line.startswith(key):
                    return int(line.split()[1]) * 1024

        poolkit.max_pool1d(np.zeros((1, 1, 5000), np.float32), 1000, 1)
        x = np.random.default_rng(2).standard_normal((1, 1, 10**7)).astype(np.float32)
        with open(f"/proc/{os.getpid()}/clear_refs", "w") as f:
            f.write("5")
        before = status("VmRSS")
        y = poolkit.max_pool1d(x, 1000, 1)
        added = status("VmHWM") - before
        bound = 3 * (x.nbytes + y.nbytes)
        right = np.array_equal(y[0, 0, :50000], moving(x[0, 0, :50999], 1000)) and np.array_equal(
            y[0, 0, -50000:], moving(x[0, 0, -50999:], 1000))
        report(ok=bool(right and added < bound), added=added, bound=bound)
        """,
        memory=3 * GiB,
        timeout=180,
    )
    assert verdict["added"] < verdict["bound"]


@pytest.mark.parametrize("include", [True, False])
def test_moving_avg_with_padding_and_ceil_mode(include):
    _ok(
        f"""
        L, k, s, p = 10**6, 1000, 3, 400
        x = np.random.default_rng(3).standard_normal((1, 1, L))
        y = poolkit.avg_pool1d(x, k, s, padding=p, ceil_mode=True, count_include_pad={include})
        out = -(-(L + 2 * p - k) // s) + 1
        out -= (out - 1) * s >= L + p  # PyTorch's ceil-mode rule
        starts = np.arange(out) * s - p
        lo, hi = np.clip(starts, 0, L), np.clip(starts + k, 0, L)
        prefix = np.concatenate([[0.0], np.cumsum(x[0, 0])])
        sums = prefix[hi] - prefix[lo]
        divisor = np.minimum(starts + k, L + p) - starts if {include} else hi - lo
        right = y.shape == (1, 1, out) and np.allclose(y[0, 0], sums / divisor, atol=1e-9)
        report(ok=bool(right))
        """,
        memory=2 * GiB,
        timeout=120,
    )


def test_moving_sum_dilated_with_stride_and_its_backward():
    _ok(
        """
        L, k, s, d = 10**6, 600, 2, 3
        x = np.random.default_rng(4).integers(-3, 4, (1, 1, L)).astype(np.float64)
        y = poolkit.sum_pool1d(x, k, s, dilation=d)
        right = np.array_equal(y[0, 0], moving(x[0, 0], k, s, d, op=np.sum))
        g = poolkit.sum_pool1d_backward(np.ones_like(y), x, k, s, dilation=d)
        # input i is covered by the windows o with o*s <= i, i - o*s = j*d, j < k
        i = np.arange(L)
        covered = np.zeros(L)
        for j in range(k):
            t = i - j * d
            covered += (t >= 0) & (t % s == 0) & (t // s < y.shape[-1])
        report(ok=bool(right and np.array_equal(g[0, 0], covered)))
        """,
        memory=2 * GiB,
        timeout=180,
    )


def test_two_d_moving_window_along_h_backward_needs_no_cover_lists():
    # 2-d, a 1000-tall moving window along H: the CSR cover lists of the channels-first
    # backward would hold out_h x 1000 = 2 * 10**8 pairs (the original built them as Python
    # lists); over COVER_MAX_PAIRS the backward takes the cover-free kernels.
    _ok(
        """
        H, k = 2 * 10**5, 1000
        rng = np.random.default_rng(5)
        x = rng.permutation(2 * H).astype(np.float64).reshape(1, 1, H, 2)
        ones = np.ones((1, 1, H - k + 1, 2))
        g = poolkit.max_pool2d_backward(ones, x, (k, 1), 1)
        expected = np.stack(
            [np.bincount(moving(x[0, 0, :, c], k, op=np.argmax) + np.arange(H - k + 1),
                         minlength=H) for c in range(2)], axis=1)
        ga = poolkit.avg_pool2d_backward(ones, x, (k, 1), 1)
        h = np.arange(H)
        covered = np.minimum(h + 1, k) - np.maximum(h - (H - k), 0)
        report(ok=bool(np.array_equal(g[0, 0], expected)
                       and np.allclose(ga[0, 0], covered[:, None] / k, rtol=1e-12)))
        """,
        memory=2 * GiB,
        timeout=180,
    )


# --------------------------------------------------------------------------- broadcast input


def test_broadcast_row_of_two_to_the_31_plus_5_is_bounded():
    # O(output): no buffer as long as the (zero-byte, broadcast) row, no int64 per input
    _ok(
        """
        x = np.broadcast_to(np.float32(1), (1, 1, 1, 2**31 + 5))
        y = poolkit.max_pool2d(x, (1, 2), (1, 2**20))
        g = poolkit.global_max_pool2d(x)
        right = y.shape == (1, 1, 1, 2049) and bool((y == 1).all()) and g.shape == (1, 1)
        report(ok=bool(right and g[0, 0] == 1))
        """,
        memory=3 * GiB,
        timeout=180,
    )


# --------------------------------------------------------------------------- huge arguments

HUGE_X = "x = np.array([[[3.0, -1.0, 4.0, 1.0, 5.0]]])\n"


def test_stride_of_two_to_the_64_gives_one_window():
    _ok(
        prefix=HUGE_X,
        code="""
        a = poolkit.max_pool1d(x, 2, 2**64)
        b = poolkit.avg_pool1d(x, 3, 2**64, padding=1, ceil_mode=True)
        report(ok=bool(a.tolist() == [[[3.0]]] and np.allclose(b, [[[2.0 / 3.0]]])))
        """,
        memory=2 * GiB,
    )


def test_dilation_of_two_to_the_62_takes_the_one_tap_inside():
    # k=3, d=2**62, pad 2**62: window o has taps o - 2**62, o, o + 2**62; only o is inside.
    # k=6, d=2**62, pads (2**62, 2**64): taps o + (j - 1) 2**62; only j = 1 is inside, all 6
    # in the padded input (int64 wraps j = 5 onto o: the original counted it inside)
    _ok(
        prefix=HUGE_X,
        code="""
        args = (3, 1, 2**62, 2**62)
        m = poolkit.max_pool1d(x, *args)
        a = poolkit.avg_pool1d(x, *args, count_include_pad=False)
        b = poolkit.avg_pool1d(x, *args, count_include_pad=True)  # all 3 in the padded input
        args6 = (6, 1, [(2**62, 2**64)], 2**62)
        m6 = poolkit.max_pool1d(x, *args6)
        a6 = poolkit.avg_pool1d(x, *args6, count_include_pad=False)
        b6 = poolkit.avg_pool1d(x, *args6, count_include_pad=True)
        right = (
            np.array_equal(m, x) and np.array_equal(a, x) and np.allclose(b, x / 3)
            and np.array_equal(m6, x) and np.array_equal(a6, x) and np.allclose(b6, x / 6)
        )
        report(ok=bool(right))
        """,
        memory=2 * GiB,
    )


def test_kernel_and_padding_near_two_to_the_63():
    _ok(
        prefix=HUGE_X,
        code="""
        k = 2**63
        # windows at -(2**63 - 1) (only x[0] inside) and 1 (x[1:]); each spans 2**63 padded taps
        m = poolkit.max_pool1d(x, k, k, padding=k - 1)
        a = poolkit.avg_pool1d(x, k, k, padding=k - 1, count_include_pad=False)
        b = poolkit.avg_pool1d(x, k, k, padding=k - 1, count_include_pad=True)
        c = poolkit.avg_pool1d(x, k, 1, padding=2**62)  # 6 windows, each over all 5
        right = (
            m.tolist() == [[[3.0, 5.0]]]
            and np.allclose(a, [[[3.0, 9.0 / 4]]])
            and np.allclose(b, [[[3.0 / k, 9.0 / k]]], rtol=1e-12)
            and c.shape == (1, 1, 6) and np.allclose(c, 12.0 / k, rtol=1e-12)
        )
        report(ok=bool(right))
        """,
        memory=2 * GiB,
    )


def test_huge_dilation_with_every_tap_in_the_padding_is_refused_by_name():
    expect_refusal(
        HUGE_X + "refusal(poolkit.avg_pool1d, x, 2, 1, padding=2**62 + 2, dilation=2**63)\n",
        "dilation=9223372036854775808",
        "padding=4611686018427387906",
        memory=2 * GiB,
    )


def test_an_output_longer_than_any_array_is_refused_by_name():
    expect_refusal(
        HUGE_X + "refusal(poolkit.max_pool1d, x, 2**63, 1, padding=2**63 - 1)\n",
        "output too large",
        "kernel_size=9223372036854775808",
        memory=2 * GiB,
    )


# --------------------------------------------------------------------------- the reference


def test_reference_moving_max_and_avg_with_a_big_kernel_are_chunked():
    # The oracle materialised (N, C, out, kernel) views several times over: ~1.5 GB here.
    _ok(
        """
        rng = np.random.default_rng(6)
        x = rng.permutation(10**5).astype(np.float32)[None, None]
        y = poolkit.max_pool1d(x, 1000, 1)
        y2, idx = poolkit.max_pool1d(x, 1000, 1, return_indices=True)
        winners = moving(x[0, 0], 1000, op=np.argmax) + np.arange(10**5 - 999)
        g = poolkit.max_pool1d_backward(np.ones_like(y), x, 1000, 1)
        a = poolkit.avg_pool1d(x, 1000, 1)
        ga = poolkit.avg_pool1d_backward(np.ones_like(a), x, 1000, 1)
        i = np.arange(10**5)
        covered = np.minimum(i + 1, 1000) - np.maximum(i - 10**5 + 1000, 0)
        right = (
            np.array_equal(y[0, 0], moving(x[0, 0], 1000))
            and np.array_equal(y2, y) and np.array_equal(idx[0, 0], winners)
            and np.array_equal(g[0, 0], np.bincount(winners, minlength=10**5))
            and np.allclose(a[0, 0], moving(x[0, 0].astype(float), 1000, op=np.mean), rtol=1e-5)
            and np.allclose(ga[0, 0], covered / 1000.0)
        )
        report(ok=bool(right))
        """,
        env={"POOLKIT_KERNELS": "reference"},
        memory=1 * GiB,
        timeout=240,
    )


def test_reference_takes_a_huge_stride_and_refuses_pads_it_cannot_materialise():
    _ok(
        prefix=HUGE_X,
        code="""
        a = poolkit.max_pool1d(x, 2, 2**64, return_indices=True)
        b = poolkit.avg_pool1d_backward(np.ones((1, 1, 1)), x, 3, 2**64, padding=1, ceil_mode=True)
        try:
            poolkit.avg_pool1d(x, 2**63, 1, padding=2**62)
            refused = ""
        except PoolingError as error:
            refused = str(error)
        right = (
            a[0].tolist() == [[[3.0]]] and a[1].tolist() == [[[0]]]
            and np.allclose(b, [[[1 / 3, 1 / 3, 0, 0, 0]]])
            and "kernel_size=(9223372036854775808,)" in refused and "padding=" in refused
        )
        report(ok=bool(right), refused=refused)
        """,
        env={"POOLKIT_KERNELS": "reference"},
        memory=1 * GiB,
    )


# --------------------------------------------------------------------------- tour geometry


def test_resolve_of_a_huge_kernel_is_cheap():
    _ok(
        """
        import time
        from poolkit.geometry import resolve
        t = time.perf_counter()
        w = resolve((10**6,), 10**5, 1)  # (900001, 10**5) taps would be 720 GB
        a = resolve((5,), 10**15, 1, padding=10**15 - 1).axes[0]
        took = time.perf_counter() - t
        # 5 + 2 (10**15 - 1) - 10**15 + 1 = 10**15 + 4 windows, each over the whole input
        report(ok=bool(w.output_shape == (900001,) and a.out == 10**15 + 4 and took < 5))
        """,
        memory=1 * GiB,
        timeout=60,
    )


def test_explain_and_explore_with_a_huge_pool():
    _ok(
        """
        from poolkit.tour.explain import explain
        from poolkit.tour.explore import pool_map
        r = explain(10**6, 10**5, figure=False)
        img = np.random.default_rng(7).random((28, 28))
        m = pool_map(img, "max", 10**8, 2, "same")  # every window covers the whole image
        report(ok=bool(m.shape == (14, 14) and (m == img.max()).all()))
        """,
        memory=2 * GiB,
        timeout=120,
    )


def test_trace_of_a_huge_kernel_refuses_cleanly():
    expect_refusal(
        """
        from poolkit.tour.trace import trace
        refusal(trace, np.arange(12.0).reshape(3, 4), kernel=10**8, ceil_mode=True, figure=False)
        """,
        "kernel=100000000",
        memory=1 * GiB,
        timeout=60,
    )


# --------------------------------------------------------------------------- closed forms


@st.composite
def geometries(draw):
    length = draw(st.integers(1, 30))
    kernel = draw(st.integers(1, 7))
    stride = draw(st.integers(1, 9))  # stride > kernel too
    dilation = draw(st.integers(1, 12))  # dilation > length too
    k_eff = dilation * (kernel - 1) + 1
    lo = draw(st.integers(0, k_eff - 1))
    hi = draw(st.integers(0, k_eff - 1))
    return length, kernel, stride, dilation, ((lo, hi),), draw(st.booleans())


def _cover_lists(taps, axis):
    """The original Python-list construction of the cover lists."""
    owners = [[] for _ in range(taps.in_shape[axis])]
    dil = int(taps.dil[axis])
    pairs = zip(taps.first[axis].tolist(), taps.count[axis].tolist(), strict=True)
    for o, (f, k) in enumerate(pairs):
        for t in range(k):
            owners[f + t * dil].append(o)
    ptr = np.concatenate([[0], np.cumsum([len(o) for o in owners])])
    return ptr, np.array([o for row in owners for o in row], dtype=np.int64)


@settings(max_examples=200, deadline=None)
@given(geometries())
def test_vectorised_cover_lists_equal_the_python_lists(geometry):
    length, kernel, stride, dilation, pads, ceil = geometry
    try:
        window = resolve(
            (length, 3), (kernel, 2), (stride, 1), (pads[0], (0, 0)), (dilation, 1), ceil
        )
    except Exception:
        return
    t = _drivers.window_taps(window)
    ptr, lst = _drivers._cover(t, 1)
    want_ptr, want_lst = _cover_lists(t, 1)
    assert np.array_equal(ptr, want_ptr) and np.array_equal(lst, want_lst)
    ptr, lst, tap = _drivers._cover_taps(t, 1)
    owner = np.repeat(np.arange(length), np.diff(ptr))
    assert np.array_equal(tap, owner - t.first[1][lst])
    assert math.prod(t.in_shape) == length * 3


def test_taps_of_big_windows_are_not_kept_in_the_cache():
    # a cache of 256 moving windows over 10**7 would keep gigabytes after the calls returned
    import poolkit

    x = np.zeros((1, 1, _drivers.CACHE_MAX_OUTPUTS + 10), np.float32)
    window = resolve(x.shape[2:], 2, 1)
    before = _drivers._cached_taps.cache_info().currsize
    _drivers.window_forward("max", x, window, return_indices=True)
    _drivers.window_backward("avg", np.ones((1, 1, window.axes[0].out)), x, window)
    assert _drivers._cached_taps.cache_info().currsize == before
    small = resolve((8,), 2, 1)
    poolkit.max_pool1d(np.zeros((1, 1, 8), np.float32), 2, 1, return_indices=True)
    assert _drivers._cached_taps(small, None, None) is _drivers._cached_taps(small, None, None)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(1, 7), min_size=1, max_size=3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 2),
    st.booleans(),
    st.integers(0, 2**31),
)
def test_reference_max_in_chunks_equals_one_chunk(sizes, kernel, stride, dilation, ceil, seed):
    # ties (small integers) and NaNs: the chunked oracle must pick exactly the same taps
    from poolkit import PoolingError, reference

    try:
        window = resolve(tuple(sizes), kernel, stride, 0, dilation, ceil)
    except PoolingError:
        return
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, (2, 2, *sizes)).astype(np.float64)
    x[rng.random(x.shape) < 0.1] = np.nan
    saved = reference.CHUNK_TAPS
    try:
        reference.CHUNK_TAPS = 1 << 40
        whole = reference.max_forward(x, window, return_indices=True)
        reference.CHUNK_TAPS = 1  # chunks of x.size taps: several along every axis
        parts = reference.max_forward(x, window, return_indices=True)
    finally:
        reference.CHUNK_TAPS = saved
    assert np.array_equal(whole[0], parts[0], equal_nan=True)
    assert np.array_equal(whole[1], parts[1])
