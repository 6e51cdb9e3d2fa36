"""Differential tests against PyTorch (CPU): every configuration of a deterministic grid.

The grid is the Cartesian product shape x kernel x stride x padding x dilation x ceil_mode per
number of spatial dims (in the style of JAX's ``testReduceWindow``), small tensors so the whole
file runs in seconds. For each configuration PyTorch accepts, poolkit must give the same values,
indices and gradients (autograd vs ``*_backward``), batched channels-first, channels-last
(``torch.channels_last`` memory vs ``data_format="channels_last"`` on an NHWC array) and
unbatched. For each configuration PyTorch rejects, poolkit must raise :class:`PoolingError`
too, unless PyTorch's only complaint is its ``pad <= kernel/2`` limit, which poolkit relaxes
to ``pad < kernel`` (TensorFlow's and ONNX's pads need it).

Each test loops over its grid and collects every mismatch, so one failure report lists them
all; the number of configurations compared goes to the ``counts`` fixture and the terminal
summary.
"""

from __future__ import annotations

import itertools
import math
import zlib

import numpy as np
import pytest

import poolkit

pytestmark = pytest.mark.slow  # the full grid against torch

torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors: PyTorch's intra-op thread pool only adds overhead (10x on a busy 2-core
    machine), and one thread keeps its reduction order fixed."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


BATCH, CHANNELS = 2, 3
SHAPES = {1: [(1,), (4,), (7,)], 2: [(5, 5), (4, 7), (1, 3)], 3: [(4, 5, 3), (3, 3, 3)]}
KERNELS = {1: [1, 2, 3, 4], 2: [1, 2, 3, (2, 3), (3, 1)], 3: [1, 2, 3, (1, 2, 3)]}
STRIDES = {1: [None, 1, 2, 3], 2: [None, 1, 2, (1, 3)], 3: [None, 1, 2, (2, 1, 3)]}
PADDINGS = {1: [0, 1, 2], 2: [0, 1, (0, 1), (1, 2)], 3: [0, 1, (1, 0, 1)]}
DILATIONS = {1: [1, 2, 3], 2: [1, 2, (2, 1)], 3: [1, 2, (1, 2, 1)]}
CEIL_MODES = [False, True]
VARIANTS = ("batched", "channels_last", "unbatched")
# The index-bearing operators also run unbatched channels-last, ``(*spatial, C)``, and on a
# view with negative strides (same values, not contiguous).
ALL_VARIANTS = (*VARIANTS, "unbatched_channels_last", "strided")

# PyTorch's one limit that poolkit deliberately relaxes (pads up to kernel-1 are legal in
# TensorFlow's 'SAME' and in ONNX); everything else PyTorch rejects, poolkit rejects too.
# (PyTorch words it two ways: "pad should be at most half of effective kernel size" and, in
# max_pool1d, "pad should be smaller than or equal to half of kernel size".)
RELAXED_LIMITS = ("pad should be at most half", "pad should be smaller than or equal to half")


def window_grid(n: int, dilation: bool = True):
    dilations = DILATIONS[n] if dilation else [1]
    return list(
        itertools.product(SHAPES[n], KERNELS[n], STRIDES[n], PADDINGS[n], dilations, CEIL_MODES)
    )


def op(name: str, n: int):
    return getattr(poolkit, f"{name}{n}d")


def backward(name: str, n: int):
    return getattr(poolkit, f"{name}{n}d_backward")


def tfn(name: str, n: int):
    return getattr(F, f"{name}{n}d")


# --------------------------------------------------------------------------- layouts


def to_layout(a: np.ndarray, variant: str) -> np.ndarray:
    """The poolkit input for a variant, from the batched channels-first array."""
    if variant == "strided":
        view = np.flip(np.ascontiguousarray(np.flip(a, 1)), 1)  # channels reversed in memory
        assert not view.flags.c_contiguous and np.array_equal(view, a, equal_nan=True)
        return view
    if variant.startswith("unbatched"):
        a = a[:1]
    if variant.endswith("channels_last"):
        a = np.ascontiguousarray(np.moveaxis(a, 1, -1))
    return a[0] if variant.startswith("unbatched") else a


def fmt(variant: str) -> dict:
    """poolkit's data_format keyword for a variant."""
    layout = "channels_last" if variant.endswith("channels_last") else "channels_first"
    return {"data_format": layout}


def from_layout(a: np.ndarray, variant: str) -> np.ndarray:
    """Back to batched channels-first, to compare with PyTorch's logical NCHW result."""
    if variant.startswith("unbatched"):
        a = a[None]
    return np.moveaxis(a, -1, 1) if variant.endswith("channels_last") else a


def torch_input(a: np.ndarray, variant: str, requires_grad: bool = False):
    """The PyTorch input for a variant: channels_last memory format, or the unbatched slice
    (PyTorch has no unbatched channels-last: poolkit's ``(*spatial, C)`` is compared with
    PyTorch's unbatched ``(C, *spatial)`` result)."""
    t = torch.from_numpy(np.ascontiguousarray(a))
    if variant.startswith("unbatched"):
        t = t[0].clone()
    elif variant == "channels_last" and a.ndim in (4, 5):
        fmt = torch.channels_last if a.ndim == 4 else torch.channels_last_3d
        t = t.contiguous(memory_format=fmt)
        assert t.is_contiguous(memory_format=fmt)
    # 1-d has no channels-last memory format in PyTorch: poolkit's NLC input is compared with
    # PyTorch's NCL result.
    return t.requires_grad_(requires_grad)


def torch_result(t, variant: str) -> np.ndarray:
    out = t.detach().numpy()
    return out[None] if variant.startswith("unbatched") else out


def torch_grad(g: np.ndarray, variant: str):
    """A batched channels-first output gradient as PyTorch's ``backward`` wants it."""
    return torch.from_numpy(np.ascontiguousarray(g[0] if variant.startswith("unbatched") else g))


def grad_in_layout(g: np.ndarray, variant: str) -> np.ndarray:
    return to_layout(g, variant)


# --------------------------------------------------------------------------- comparisons


class Mismatches:
    """Collects every disagreement of one test, reported together at the end."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, label: str, actual, expected, *, exact: bool = True, rtol=1e-12) -> None:
        actual, expected = np.asarray(actual), np.asarray(expected)
        if actual.shape != expected.shape:
            self.items.append(f"{label}: shape {actual.shape} != torch {expected.shape}")
            return
        if actual.dtype != expected.dtype:
            self.items.append(f"{label}: dtype {actual.dtype} != torch {expected.dtype}")
            return
        if exact:
            same = np.array_equal(actual, expected, equal_nan=actual.dtype.kind == "f")
        else:
            same = np.allclose(actual, expected, rtol=rtol, atol=rtol, equal_nan=True)
        if not same:
            bad = np.argwhere(~np.isclose(actual, expected, rtol=rtol, atol=rtol, equal_nan=True))
            where = tuple(bad[0]) if len(bad) else "?"
            self.items.append(
                f"{label}: differs at {len(bad)} places, first {where}: "
                f"{actual[where] if len(bad) else ''} vs "
                f"torch {expected[where] if len(bad) else ''}"
            )

    def fail(self, label: str, message: str) -> None:
        self.items.append(f"{label}: {message}")

    def assert_none(self, compared: int) -> None:
        assert compared > 0, "the grid compared nothing"
        if self.items:
            shown = "\n".join(self.items[:25])
            pytest.fail(f"{len(self.items)} mismatches in {compared} cases:\n{shown}")


def torch_call(function, *args, **kwargs):
    """PyTorch's result, or the RuntimeError it raised (PyTorch's way of refusing)."""
    try:
        return function(*args, **kwargs), None
    except RuntimeError as error:
        return None, error


def check_rejection(bad: Mismatches, label: str, torch_error, function, *args, **kwargs) -> str:
    """PyTorch refused: poolkit's ``function(*args, **kwargs)`` must raise PoolingError too,
    unless PyTorch only objected to a pad poolkit allows."""
    try:
        function(*args, **kwargs)
    except poolkit.PoolingError:
        return "both_reject"
    if any(limit in str(torch_error) for limit in RELAXED_LIMITS):
        return "relaxed"
    bad.fail(label, f"torch rejects ({torch_error}) but poolkit accepts")
    return "mismatch"


def has_empty_window(shape, kernel, stride, padding, dilation, out_shape) -> bool:
    """Whether some window of PyTorch's output has every tap in the padding.

    PyTorch accepts such configurations (e.g. L=1, k=2, padding=1, dilation=2): its forward
    returns -inf with an index outside the plane and its backward writes out of bounds (a
    "double free or corruption" abort). poolkit rejects them with PoolingError instead.
    """
    n = len(shape)

    def per_dim(v):
        return (v,) * n if isinstance(v, int) else tuple(v)

    kernel, padding, dilation = per_dim(kernel), per_dim(padding), per_dim(dilation)
    stride = kernel if stride is None else per_dim(stride)
    for length, k, s, p, d, out in zip(
        shape, kernel, stride, padding, dilation, out_shape, strict=True
    ):
        taps = np.arange(out)[:, None] * s - p + np.arange(k)[None, :] * d
        if (((taps >= 0) & (taps < length)).sum(axis=1) == 0).any():
            return True
    return False


def rng_for(*key) -> np.random.Generator:
    """A generator seeded by ``key`` (crc32: stable across processes, unlike ``hash``)."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def tie_heavy(rng, shape) -> np.ndarray:
    """Small integers as float64: many ties, so the first-maximum rule is exercised."""
    return rng.integers(-3, 4, size=shape).astype(np.float64)


# --------------------------------------------------------------------------- max pooling


@pytest.mark.parametrize("n", [1, 2, 3])
def test_max_pool(n, counts):
    """Values, indices and gradients of max_pool{n}d for every grid configuration."""
    bad, compared = Mismatches(), 0
    for shape, k, s, p, d, ceil in window_grid(n):
        x = tie_heavy(rng_for("max", n, shape), (BATCH, CHANNELS, *shape))
        args = (k, s, p, d, ceil)
        for variant in ALL_VARIANTS:
            label = f"max{n}d {variant} shape={shape} k={k} s={s} p={p} d={d} ceil={ceil}"
            xt = torch_input(x, variant, requires_grad=True)
            result, error = torch_call(tfn("max_pool", n), xt, *args, return_indices=True)
            xp = to_layout(x, variant)
            if error is not None:
                kind = check_rejection(
                    bad,
                    label,
                    error,
                    op("max_pool", n),
                    xp,
                    *args,
                    **fmt(variant),
                )
                counts["torch (rejections)"][kind] += 1
                continue
            yt, it = result
            if has_empty_window(shape, k, s, p, d, yt.shape[-n:]):
                try:
                    op("max_pool", n)(xp, *args, **fmt(variant))
                    bad.fail(label, "a window lies wholly in the padding, poolkit accepts it")
                except poolkit.PoolingError:
                    counts["torch (rejections)"]["empty_window"] += 1
                continue  # never call PyTorch's backward here: it corrupts memory
            g = rng_for("g", label).standard_normal(tuple(torch_result(yt, variant).shape))
            yt.backward(torch_grad(g, variant))
            before = xp.copy()
            try:
                y, i = op("max_pool", n)(xp, *args, return_indices=True, **fmt(variant))
                grad = backward("max_pool", n)(
                    grad_in_layout(g, variant), xp, *args, **fmt(variant)
                )
            except poolkit.PoolingError as error:
                bad.fail(label, f"torch accepts, poolkit raises {error}")
                continue
            bad.check(f"{label} input unchanged", xp, before)
            bad.check(f"{label} values", from_layout(y, variant), torch_result(yt, variant))
            bad.check(f"{label} indices", from_layout(i, variant), torch_result(it, variant))
            bad.check(
                f"{label} grad",
                from_layout(grad, variant),
                torch_result(xt.grad, variant),
                exact=False,
            )
            compared += 1
    counts["torch"][f"max_pool{n}d"] += compared
    bad.assert_none(compared)


# --------------------------------------------------------------------------- average pooling


def avg_options(n: int):
    """(count_include_pad, divisor_override) pairs; PyTorch's avg_pool1d has no override."""
    if n == 1:
        return [(True, None), (False, None)]
    # With an override the divisor ignores count_include_pad: one of each suffices.
    return [(True, None), (False, None), (True, 3), (False, -2)]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_avg_pool(n, counts):
    """avg_pool{n}d values and gradients: count_include_pad both ways (True via poolkit's
    default for numeric padding), divisor_override, ceil_mode. PyTorch has no dilation here."""
    bad, compared = Mismatches(), 0
    for (shape, k, s, p, _, ceil), (include, override) in itertools.product(
        window_grid(n, dilation=False), avg_options(n)
    ):
        x = rng_for("avg", n, shape).standard_normal((BATCH, CHANNELS, *shape))
        torch_kwargs = {"count_include_pad": include}
        if override is not None:
            torch_kwargs["divisor_override"] = override
        # count_include_pad=True is poolkit's default for numeric padding: leave it out then.
        kwargs = {"divisor_override": override}
        if not include:
            kwargs["count_include_pad"] = False
        args = (k, s, p, 1, ceil)
        for variant in VARIANTS:
            label = (
                f"avg{n}d {variant} shape={shape} k={k} s={s} p={p} ceil={ceil} "
                f"include={include} override={override}"
            )
            xt = torch_input(x, variant, requires_grad=True)
            yt, error = torch_call(tfn("avg_pool", n), xt, k, s, p, ceil, **torch_kwargs)
            xp = to_layout(x, variant)
            both = {**kwargs, **fmt(variant)}
            if error is not None:
                kind = check_rejection(bad, label, error, op("avg_pool", n), xp, *args, **both)
                counts["torch (rejections)"][kind] += 1
                continue
            g = rng_for("g", label).standard_normal(tuple(torch_result(yt, variant).shape))
            yt.backward(torch_grad(g, variant))
            try:
                y = op("avg_pool", n)(xp, *args, **both)
                grad = backward("avg_pool", n)(grad_in_layout(g, variant), xp, *args, **both)
            except poolkit.PoolingError as error:
                bad.fail(label, f"torch accepts, poolkit raises {error}")
                continue
            bad.check(
                f"{label} values", from_layout(y, variant), torch_result(yt, variant), exact=False
            )
            bad.check(
                f"{label} grad",
                from_layout(grad, variant),
                torch_result(xt.grad, variant),
                exact=False,
            )
            compared += 1
    counts["torch"][f"avg_pool{n}d"] += compared
    bad.assert_none(compared)


# --------------------------------------------------------------------------- Lp pooling


def lp_overhangs(shape, kernel, stride, out_shape) -> bool:
    """Whether a ceil-mode window hangs over the end of the input (no padding in LPPool)."""
    n = len(shape)
    kernel = (kernel,) * n if isinstance(kernel, int) else tuple(kernel)
    stride = kernel if stride is None else ((stride,) * n if isinstance(stride, int) else stride)
    return any(
        (o - 1) * s + k > length
        for length, k, s, o in zip(shape, kernel, stride, out_shape, strict=True)
    )


@pytest.mark.parametrize("n", [1, 2, 3])
def test_lp_pool(n, counts):
    """lp_pool{n}d against PyTorch's LPPool for x >= 0 (PyTorch drops the absolute value).

    PyTorch computes LPPool as ``(avg_pool(x**p) * prod(kernel)) ** (1/p)``. Where a ceil-mode
    window hangs over the end of the input, that avg_pool divides by the in-bounds count
    only, so PyTorch returns ``(sum * K / count) ** (1/p)`` instead of ONNX's (and poolkit's)
    ``sum ** (1/p)``. Exactly those windows are excluded from the equality check; the test
    checks PyTorch's formula on them instead, so the exclusion cannot hide anything else.
    """
    bad, compared, edge = Mismatches(), 0, 0
    grid = itertools.product(SHAPES[n], KERNELS[n], STRIDES[n], CEIL_MODES)
    for (shape, k, s, ceil), norm in itertools.product(grid, [1, 2, 3, 1.5, math.inf]):
        rng = rng_for("lp", n, shape, norm)
        # x > 0 keeps PyTorch's gradient finite (pow's derivative at 0); inf norm allows signs.
        x = rng.uniform(0.1, 2.0, (BATCH, CHANNELS, *shape))
        if math.isinf(norm):
            x = x * rng.choice([-1.0, 1.0], x.shape)
        for variant in VARIANTS:
            label = f"lp{n}d p={norm} {variant} shape={shape} k={k} s={s} ceil={ceil}"
            xt = torch_input(x, variant, requires_grad=True)
            yt, error = torch_call(tfn("lp_pool", n), xt, norm, k, s, ceil)
            xp = to_layout(x, variant)
            args = (norm, k, s, 0, 1, ceil)
            if error is not None:
                kind = check_rejection(
                    bad,
                    label,
                    error,
                    op("lp_pool", n),
                    xp,
                    *args,
                    **fmt(variant),
                )
                counts["torch (rejections)"][kind] += 1
                continue
            try:
                y = op("lp_pool", n)(xp, *args, **fmt(variant))
            except poolkit.PoolingError as error:
                bad.fail(label, f"torch accepts, poolkit raises {error}")
                continue
            expected = torch_result(yt, variant)
            if ceil and not math.isinf(norm) and lp_overhangs(shape, k, s, expected.shape[2:]):
                window = poolkit.resolve(shape, k, s, 0, 1, ceil_mode=True)
                scale = window.window_size / window.divisors(count_include_pad=True)
                pytorch_rule = (from_layout(y, variant) ** norm * scale) ** (1 / norm)
                bad.check(
                    f"{label} PyTorch's edge rule", pytorch_rule, expected, exact=False, rtol=1e-10
                )
                edge += 1
                continue
            g = rng_for("g", label).standard_normal(expected.shape)
            yt.backward(torch_grad(g, variant))
            grad = backward("lp_pool", n)(grad_in_layout(g, variant), xp, *args, **fmt(variant))
            bad.check(f"{label} values", from_layout(y, variant), expected, exact=False, rtol=1e-10)
            bad.check(
                f"{label} grad",
                from_layout(grad, variant),
                torch_result(xt.grad, variant),
                exact=False,
                rtol=1e-10,
            )
            compared += 1
    counts["torch"][f"lp_pool{n}d"] += compared
    counts["torch (excluded: LPPool ceil edge, PyTorch's rule checked)"][f"lp_pool{n}d"] += edge
    bad.assert_none(compared)


# --------------------------------------------------------------------------- adaptive pooling

ADAPTIVE_SHAPES = {1: [(1,), (5,), (8,), (13,)], 2: [(5, 7), (6, 6), (1, 4)], 3: [(4, 5, 3)]}
ADAPTIVE_SIZES = {
    1: [1, 2, 3, 5, 7, 8],
    2: [1, 2, 3, 4, (2, 5), (None, 3), (8, None), (7, 9)],
    3: [1, 2, 3, (2, None, 4), (5, 6, 2)],
}


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("reducer", ["max", "avg"])
def test_adaptive_pool(reducer, n, counts):
    """Adaptive max (values, indices, gradients; tie-heavy input) and avg pooling, including
    output sizes larger than the input (bins overlap) and ``None`` entries."""
    bad, compared = Mismatches(), 0
    name = f"adaptive_{reducer}_pool"
    for shape, size in itertools.product(ADAPTIVE_SHAPES[n], ADAPTIVE_SIZES[n]):
        rng = rng_for(name, n, shape)
        x = (
            tie_heavy(rng, (BATCH, CHANNELS, *shape))
            if reducer == "max"
            else (rng.standard_normal((BATCH, CHANNELS, *shape)))
        )
        for variant in ALL_VARIANTS:
            label = f"{name}{n}d {variant} shape={shape} output_size={size}"
            xt = torch_input(x, variant, requires_grad=True)
            extra = {"return_indices": True} if reducer == "max" else {}
            result, error = torch_call(tfn(name, n), xt, size, **extra)
            xp = to_layout(x, variant)
            if error is not None:
                kind = check_rejection(bad, label, error, op(name, n), xp, size, **fmt(variant))
                counts["torch (rejections)"][kind] += 1
                continue
            yt = result[0] if reducer == "max" else result
            g = rng_for("g", label).standard_normal(tuple(torch_result(yt, variant).shape))
            yt.backward(torch_grad(g, variant))
            out = op(name, n)(xp, size, **extra, **fmt(variant))
            grad = backward(name, n)(grad_in_layout(g, variant), xp, size, **fmt(variant))
            if reducer == "max":
                bad.check(
                    f"{label} values", from_layout(out[0], variant), torch_result(yt, variant)
                )
                bad.check(
                    f"{label} indices",
                    from_layout(out[1], variant),
                    torch_result(result[1], variant),
                )
            else:
                bad.check(
                    f"{label} values",
                    from_layout(out, variant),
                    torch_result(yt, variant),
                    exact=False,
                )
            bad.check(
                f"{label} grad",
                from_layout(grad, variant),
                torch_result(xt.grad, variant),
                exact=False,
            )
            compared += 1
    counts["torch"][f"{name}{n}d"] += compared
    bad.assert_none(compared)


# --------------------------------------------------------------------------- unpooling


UNPOOL_GRID = {
    1: list(itertools.product([(5,), (8,)], [2, 3], [None, 1, 2], [0, 1])),
    2: list(itertools.product([(5, 6), (4, 4)], [2, (3, 2)], [None, 1, (2, 3)], [0, (1, 0)])),
    3: list(itertools.product([(4, 5, 3)], [2, (1, 2, 3)], [None, (2, 1, 1)], [0, 1])),
}


@pytest.mark.parametrize("n", [1, 2, 3])
def test_max_unpool(n, counts):
    """max_unpool{n}d of PyTorch's own max-pool output and indices: the default size and every
    output_size PyTorch accepts (default - stride < size < default + stride), values and the
    gradient with respect to the pooled values. Where PyTorch rejects an output_size (an index
    falls outside it), poolkit must raise PoolingError."""
    bad, compared = Mismatches(), 0
    for shape, k, s, p in UNPOOL_GRID[n]:
        x = rng_for("unpool", n, shape).standard_normal((BATCH, CHANNELS, *shape))
        pooled, error = torch_call(
            tfn("max_pool", n), torch.from_numpy(x), k, s, p, return_indices=True
        )
        if error is not None:
            continue  # not a pooling configuration: nothing to unpool
        values, indices = (t.numpy() for t in pooled)
        kernels = (k,) * n if isinstance(k, int) else k
        strides = kernels if s is None else ((s,) * n if isinstance(s, int) else s)
        pads = (p,) * n if isinstance(p, int) else p
        default = [  # PyTorch's and ONNX's default unpooled size
            (length - 1) * st - 2 * pad + ke
            for length, st, pad, ke in zip(values.shape[2:], strides, pads, kernels, strict=True)
        ]
        # PyTorch takes output sizes strictly between default - stride and default + stride.
        # Sizes with a 0 are left out: PyTorch returns an empty tensor for them without
        # checking the indices (its backward then fails); poolkit requires sizes >= 1.
        sizes = [None]
        for delta in range(-max(strides) + 1, max(strides)):
            size = tuple(
                d + max(-st + 1, min(delta, st - 1)) for d, st in zip(default, strides, strict=True)
            )
            if min(size) >= 1 and size not in sizes:
                sizes.append(size)
        for size, variant in itertools.product(sizes, ALL_VARIANTS):
            label = f"unpool{n}d {variant} shape={shape} k={k} s={s} p={p} output_size={size}"
            vt = torch_input(values, variant, requires_grad=True)
            it = torch_input(indices, variant)
            yt, error = torch_call(tfn("max_unpool", n), vt, it, k, s, p, output_size=size)
            vp, ip = to_layout(values, variant), to_layout(indices, variant)
            kwargs = {"output_size": size, **fmt(variant)}
            if error is not None:
                kind = check_rejection(
                    bad,
                    label,
                    error,
                    op("max_unpool", n),
                    vp,
                    ip,
                    k,
                    s,
                    p,
                    **kwargs,
                )
                counts["torch (rejections)"][kind] += 1
                continue
            g = rng_for("g", label).standard_normal(tuple(torch_result(yt, variant).shape))
            yt.backward(torch_grad(g, variant))
            try:
                y = op("max_unpool", n)(vp, ip, k, s, p, **kwargs)
                grad = backward("max_unpool", n)(
                    grad_in_layout(g, variant), vp, ip, k, s, p, **kwargs
                )
            except poolkit.PoolingError as error:
                bad.fail(label, f"torch accepts, poolkit raises {error}")
                continue
            bad.check(f"{label} values", from_layout(y, variant), torch_result(yt, variant))
            bad.check(f"{label} grad", from_layout(grad, variant), torch_result(vt.grad, variant))
            compared += 1
    counts["torch"][f"max_unpool{n}d"] += compared
    bad.assert_none(compared)


# --------------------------------------------------------------------------- NaN and inf


def special_grid(n: int):
    return list(itertools.product(SHAPES[n][:2], [2, 3], [1, 2], [0, 1], [1, 2], CEIL_MODES))


def with_specials(rng, shape) -> np.ndarray:
    """Normal values with NaN, +inf and -inf sprinkled in, and one plane all -inf."""
    x = rng.standard_normal(shape)
    pick = rng.random(shape)
    x[pick < 0.15] = np.nan
    x[(pick >= 0.15) & (pick < 0.25)] = np.inf
    x[(pick >= 0.25) & (pick < 0.4)] = -np.inf
    x[0, 0] = -np.inf
    return x


def lowest(dtype) -> float | int:
    dtype = np.dtype(dtype)
    return -np.inf if dtype.kind == "f" else (0 if dtype.kind == "b" else np.iinfo(dtype).min)


def torch_max_pool(bad, label, x, variant, n, args, g=None):
    """PyTorch's max pooling of ``x`` in a variant: batched channels-first ``(values, indices,
    grad)`` NumPy arrays, or None where PyTorch refuses or a window is wholly padding.

    PyTorch bug worked around: its channels_last_3d kernel, for a channel count that is not
    a multiple of its vector width (here 3), starts a window's index at ``h*W + w`` without
    the depth offset, so a window where nothing beats the initial value (every element the
    dtype's lowest: -inf, or the integer minimum) gets an index in the wrong depth slice;
    PyTorch's own channels-first kernel gets it right. There the test checks that the two
    PyTorch kernels differ at exactly those cells and nowhere else, and compares poolkit with
    the channels-first kernel.
    """
    xt = torch_input(x, variant, requires_grad=g is not None)
    result, error = torch_call(tfn("max_pool", n), xt, *args, return_indices=True)
    if error is not None or has_empty_window(x.shape[2:], *args[:4], result[0].shape[-n:]):
        return None  # the rejections are checked by test_max_pool on the same geometry
    grad = None
    if g is not None:
        result[0].backward(torch_grad(g, variant))
        grad = torch_result(xt.grad, variant)
    values, indices = (torch_result(t, variant) for t in result)
    if n == 3 and variant == "channels_last":
        _, first_indices, first_grad = torch_max_pool(bad, label, x, "batched", n, args, g)
        stuck = values == lowest(x.dtype)
        bad.check(f"{label} (PyTorch bug's extent)", indices[~stuck], first_indices[~stuck])
        indices, grad = first_indices, first_grad
    return values, indices, grad


@pytest.mark.filterwarnings("error::RuntimeWarning")  # inf and NaN are valid input: no warnings
@pytest.mark.parametrize("n", [1, 2, 3])
def test_nan_and_inf(n, counts):
    """NaN propagates and wins as in PyTorch (values and indices, in its channels-first and
    channels-last kernels), inf and all -inf windows; avg and adaptive max too."""
    bad, compared = Mismatches(), 0
    for shape, k, s, p, d, ceil in special_grid(n):
        x = with_specials(rng_for("nan", n, shape, k, s), (BATCH, CHANNELS, *shape))
        args = (k, s, p, d, ceil)
        for variant in VARIANTS:
            label = f"nan max{n}d {variant} shape={shape} k={k} s={s} p={p} d={d} ceil={ceil}"
            xp = to_layout(x, variant)
            before = xp.copy()
            try:
                y, i = op("max_pool", n)(xp, *args, return_indices=True, **fmt(variant))
            except poolkit.PoolingError:
                continue  # test_max_pool checks that PyTorch rejects these geometries too
            g = rng_for("g", label).standard_normal(from_layout(y, variant).shape)
            expected = torch_max_pool(bad, label, x, variant, n, args, g)
            if expected is None:
                bad.fail(label, "poolkit accepts, PyTorch refuses")
                continue
            grad = backward("max_pool", n)(grad_in_layout(g, variant), xp, *args, **fmt(variant))
            bad.check(f"{label} input unchanged", xp, before)
            bad.check(f"{label} values", from_layout(y, variant), expected[0])
            bad.check(f"{label} indices", from_layout(i, variant), expected[1])
            bad.check(f"{label} grad", from_layout(grad, variant), expected[2], exact=False)
            compared += 1
            if d == 1:
                label = label.replace("max", "avg")
                yt, error = torch_call(tfn("avg_pool", n), torch_input(x, variant), k, s, p, ceil)
                if error is None:
                    y = op("avg_pool", n)(xp, k, s, p, 1, ceil, **fmt(variant))
                    bad.check(
                        f"{label} values",
                        from_layout(y, variant),
                        torch_result(yt, variant),
                        exact=False,
                    )
                    compared += 1
        for size, variant in itertools.product([1, 2, 3], VARIANTS):
            label = f"nan adaptive_max{n}d {variant} shape={shape} output_size={size}"
            yt, it = tfn("adaptive_max_pool", n)(torch_input(x, variant), size, return_indices=True)
            y, i = op("adaptive_max_pool", n)(
                to_layout(x, variant), size, return_indices=True, **fmt(variant)
            )
            bad.check(f"{label} values", from_layout(y, variant), torch_result(yt, variant))
            bad.check(f"{label} indices", from_layout(i, variant), torch_result(it, variant))
            yt = tfn("adaptive_avg_pool", n)(torch_input(x, variant), size)
            y = op("adaptive_avg_pool", n)(to_layout(x, variant), size, **fmt(variant))
            bad.check(
                f"{label} avg values",
                from_layout(y, variant),
                torch_result(yt, variant),
                exact=False,
            )
            compared += 1
        for variant in VARIANTS:  # global pooling is adaptive pooling to size 1
            label = f"nan global{n}d {variant} shape={shape}"
            xt, xp = torch_input(x, variant), to_layout(x, variant)
            for reducer in ("max", "avg"):
                yt = tfn(f"adaptive_{reducer}_pool", n)(xt, 1)
                y = op(f"global_{reducer}_pool", n)(xp, keepdims=True, **fmt(variant))
                bad.check(
                    f"{label} {reducer}",
                    from_layout(y, variant),
                    torch_result(yt, variant),
                    exact=reducer == "max",
                )
            compared += 1
    counts["torch"][f"nan_inf{n}d"] += compared
    bad.assert_none(compared)


# --------------------------------------------------------------------------- dtypes

INT_DTYPES = [np.int8, np.uint8, np.int16, np.int32, np.int64]


def dtype_input(rng, dtype, shape) -> np.ndarray:
    """Values covering the dtype's extremes (its minimum is also max pooling's pad value)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.3
    if dtype.kind == "f":
        return rng.integers(-4, 5, shape).astype(dtype)  # ties in a narrow float
    info = np.iinfo(dtype)
    choices = np.array([info.min, info.min + 1, 0, 1, 2, info.max], dtype=dtype)
    return rng.choice(choices, shape)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("dtype", [*INT_DTYPES, np.bool_, np.float16, np.float32])
def test_max_pool_dtypes(dtype, n, counts):
    """Max pooling keeps integer, bool and narrow float dtypes: values and indices equal to
    PyTorch's on the same dtype where PyTorch supports it, else (bool) to PyTorch's float64
    result cast back. Adaptive max pooling of integers, which PyTorch refuses, is compared
    with its float64 result cast back."""
    bad, compared = Mismatches(), 0
    torch_has_kernel = np.dtype(dtype).kind != "b"
    for shape, k, s, p, d, ceil in special_grid(n):
        x = dtype_input(rng_for("dtype", n, shape, k), dtype, (BATCH, CHANNELS, *shape))
        args = (k, s, p, d, ceil)
        for variant in VARIANTS:
            label = f"{np.dtype(dtype)} max{n}d {variant} shape={shape} k={k} s={s} p={p} d={d}"
            label += f" ceil={ceil}"
            try:
                y, i = op("max_pool", n)(
                    to_layout(x, variant), *args, return_indices=True, **fmt(variant)
                )
            except poolkit.PoolingError:
                continue
            source = x if torch_has_kernel else x.astype(np.float64)
            expected = torch_max_pool(bad, label, source, variant, n, args)
            if expected is None:
                bad.fail(label, "poolkit accepts, PyTorch refuses")
                continue
            bad.check(f"{label} values", from_layout(y, variant), expected[0].astype(dtype))
            bad.check(f"{label} indices", from_layout(i, variant), expected[1])
            compared += 1
    if np.dtype(dtype).kind in "iu":
        for shape, size in itertools.product(ADAPTIVE_SHAPES[n], ADAPTIVE_SIZES[n][:4]):
            x = dtype_input(rng_for("adaptive dtype", n, shape), dtype, (BATCH, CHANNELS, *shape))
            if dtype == np.int64:  # keep to integers float64 holds exactly (|x| <= 2**53)
                x = np.clip(x, -(2**53), 2**53)
            label = f"{np.dtype(dtype)} adaptive_max{n}d shape={shape} output_size={size}"
            yt, it = tfn("adaptive_max_pool", n)(
                torch.from_numpy(x.astype(np.float64)), size, return_indices=True
            )
            y, i = op("adaptive_max_pool", n)(x, size, return_indices=True)
            bad.check(f"{label} values", y, yt.numpy().astype(dtype))
            bad.check(f"{label} indices", i, it.numpy())
            compared += 1
    counts["torch"][f"dtype_max{n}d"] += compared
    bad.assert_none(compared)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_narrow_float_avg_and_lp(dtype, n, counts):
    """float32 and float16 in, the same dtype out, within that dtype's rounding of PyTorch
    (values and gradients; poolkit accumulates in float64 and rounds once)."""
    bad, compared = Mismatches(), 0
    rtol = 1e-6 if dtype == np.float32 else 2e-3
    name = np.dtype(dtype).name
    for shape, k, s, p, _, ceil in special_grid(n):
        x = rng_for(name, n, shape).uniform(0.1, 2.0, (BATCH, CHANNELS, *shape)).astype(dtype)
        label = f"{name} avg{n}d shape={shape} k={k} s={s} p={p} ceil={ceil}"
        xt = torch_input(x, "batched", requires_grad=True)
        yt, error = torch_call(tfn("avg_pool", n), xt, k, s, p, ceil)
        if error is not None and "not implemented" in str(error):
            # PyTorch has no float16 avg_pool3d on CPU: its float32 result, rounded to float16.
            xt = torch_input(x.astype(np.float32), "batched", requires_grad=True)
            yt, error = torch_call(tfn("avg_pool", n), xt, k, s, p, ceil)
        if error is None:
            g = rng_for("g", label).standard_normal(tuple(yt.shape)).astype(dtype)
            yt.backward(torch.from_numpy(g.astype(xt.detach().numpy().dtype)))
            y = op("avg_pool", n)(x, k, s, p, 1, ceil)
            grad = backward("avg_pool", n)(g, x, k, s, p, 1, ceil)
            expected = yt.detach().numpy().astype(dtype)
            bad.check(f"{label} values", y, expected, exact=False, rtol=rtol)
            bad.check(f"{label} grad", grad, xt.grad.numpy().astype(dtype), exact=False, rtol=rtol)
            compared += 1
        if p == 0 and not ceil:
            label = label.replace("avg", "lp")
            yt, error = torch_call(tfn("lp_pool", n), torch.from_numpy(x), 2, k, s)
            if error is None:
                y = op("lp_pool", n)(x, 2, k, s)
                bad.check(f"{label} values", y, yt.numpy(), exact=False, rtol=rtol)
                compared += 1
    counts["torch"][f"{name}_{n}d"] += compared
    bad.assert_none(compared)


# --------------------------------------------------------------------------- sum, upsample


@pytest.mark.parametrize("n", [2, 3])
def test_sum_pool(n, counts):
    """sum_pool{n}d equals PyTorch's avg_pool{n}d with divisor_override=1 (values and
    gradients); integer input sums in int64 (PyTorch: its float64 result)."""
    bad, compared = Mismatches(), 0
    for shape, k, s, p, _, ceil in window_grid(n, dilation=False):
        x = rng_for("sum", n, shape).standard_normal((BATCH, CHANNELS, *shape))
        label = f"sum{n}d shape={shape} k={k} s={s} p={p} ceil={ceil}"
        xt = torch_input(x, "batched", requires_grad=True)
        yt, error = torch_call(tfn("avg_pool", n), xt, k, s, p, ceil, divisor_override=1)
        if error is not None:
            kind = check_rejection(bad, label, error, op("sum_pool", n), x, k, s, p, 1, ceil)
            counts["torch (rejections)"][kind] += 1
            continue
        g = rng_for("g", label).standard_normal(tuple(yt.shape))
        yt.backward(torch.from_numpy(g))
        y = op("sum_pool", n)(x, k, s, p, 1, ceil)
        grad = backward("sum_pool", n)(g, x, k, s, p, 1, ceil)
        bad.check(f"{label} values", y, yt.detach().numpy(), exact=False)
        bad.check(f"{label} grad", grad, xt.grad.numpy(), exact=False)
        ints = np.round(x * 100).astype(np.int32)
        expected = tfn("avg_pool", n)(
            torch.from_numpy(ints.astype(np.float64)), k, s, p, ceil, divisor_override=1
        )
        bad.check(
            f"{label} int32",
            op("sum_pool", n)(ints, k, s, p, 1, ceil),
            expected.numpy().astype(np.int64),
        )
        compared += 1
    counts["torch"][f"sum_pool{n}d"] += compared
    bad.assert_none(compared)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_upsample_nearest(n, counts):
    """upsample_nearest{n}d equals F.interpolate(mode="nearest") with integer scale factors,
    values and gradients (the gradient sums each block), in every layout variant."""
    bad, compared = Mismatches(), 0
    scales = {1: [1, 2, 3], 2: [2, (1, 3), (2, 2)], 3: [2, (1, 2, 3)]}[n]
    for shape, scale in itertools.product(SHAPES[n], scales):
        x = rng_for("upsample", n, shape).standard_normal((BATCH, CHANNELS, *shape))
        factors = (scale,) * n if isinstance(scale, int) else scale
        for variant in ALL_VARIANTS:
            label = f"upsample{n}d {variant} shape={shape} scale={scale}"
            # F.interpolate takes batched input only: PyTorch runs on the one-image batch.
            source = x[:1] if variant.startswith("unbatched") else x
            torch_variant = "channels_last" if variant == "channels_last" else "batched"
            xt = torch_input(source, torch_variant, requires_grad=True)
            yt = F.interpolate(xt, scale_factor=tuple(float(f) for f in factors), mode="nearest")
            g = rng_for("g", label).standard_normal(tuple(yt.shape))
            yt.backward(torch.from_numpy(g))
            xp = to_layout(source, variant)
            y = op("upsample_nearest", n)(xp, scale, **fmt(variant))
            grad = backward("upsample_nearest", n)(
                grad_in_layout(g, variant), xp, scale, **fmt(variant)
            )
            bad.check(f"{label} values", from_layout(y, variant), yt.detach().numpy())
            bad.check(f"{label} grad", from_layout(grad, variant), xt.grad.numpy(), exact=False)
            compared += 1
    counts["torch"][f"upsample_nearest{n}d"] += compared
    bad.assert_none(compared)


@pytest.mark.parametrize("channels", [8, 17])
def test_wide_channels(channels, counts):
    """More channels than the tiny grid uses (a full vector block, and one past it), where
    channels-last kernels take their blocked paths: 2-d and 3-d max (values, indices,
    gradients) and avg pooling, channels-first and channels-last."""
    bad, compared = Mismatches(), 0
    for n, shape in ((2, (7, 6)), (3, (4, 5, 3))):
        grid = itertools.product([2, 3], [1, 2], [0, 1], [1, 2], CEIL_MODES)
        x = tie_heavy(rng_for("wide", n, channels), (2, channels, *shape))
        for (k, s, p, d, ceil), variant in itertools.product(grid, ["batched", "channels_last"]):
            label = f"C={channels} max{n}d {variant} k={k} s={s} p={p} d={d} ceil={ceil}"
            args = (k, s, p, d, ceil)
            xp = to_layout(x, variant)
            try:
                y, i = op("max_pool", n)(xp, *args, return_indices=True, **fmt(variant))
            except poolkit.PoolingError:
                continue
            g = rng_for("g", label).standard_normal(from_layout(y, variant).shape)
            expected = torch_max_pool(bad, label, x, variant, n, args, g)
            if expected is None:
                bad.fail(label, "poolkit accepts, PyTorch refuses")
                continue
            grad = backward("max_pool", n)(grad_in_layout(g, variant), xp, *args, **fmt(variant))
            bad.check(f"{label} values", from_layout(y, variant), expected[0])
            bad.check(f"{label} indices", from_layout(i, variant), expected[1])
            bad.check(f"{label} grad", from_layout(grad, variant), expected[2], exact=False)
            compared += 1
            if d == 1:
                yt = tfn("avg_pool", n)(torch_input(x, variant), k, s, p, ceil)
                y = op("avg_pool", n)(xp, k, s, p, 1, ceil, **fmt(variant))
                bad.check(
                    f"{label} avg", from_layout(y, variant), torch_result(yt, variant), exact=False
                )
                compared += 1
    counts["torch"][f"wide_channels{channels}"] += compared
    bad.assert_none(compared)


LARGER = [
    (1, (2, 4, 301), [(3, 2, 1, 1), (5, 1, 2, 2), (2, 2, 0, 1), (7, 3, 3, 1)]),
    (2, (2, 4, 33, 29), [(3, 2, 1, 1), (2, 2, 0, 1), (5, 1, 2, 1), (3, 1, 1, 2), (7, 3, 3, 1)]),
    (3, (1, 3, 12, 11, 10), [(3, 2, 1, 1), (2, 2, 0, 1), (3, 1, 1, 2)]),
]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_larger_inputs(n, counts):
    """A few realistic sizes (where fast kernels choose their non-trivial paths): max values,
    indices and gradients, avg and adaptive pooling, channels-first and channels-last."""
    bad, compared = Mismatches(), 0
    _, shape, configs = LARGER[n - 1]
    x = rng_for("larger", n).standard_normal(shape)
    for (k, s, p, d), ceil, variant in itertools.product(
        configs, CEIL_MODES, ["batched", "channels_last"]
    ):
        label = f"larger max{n}d {variant} k={k} s={s} p={p} d={d} ceil={ceil}"
        args = (k, s, p, d, ceil)
        xp = to_layout(x, variant)
        y, i = op("max_pool", n)(xp, *args, return_indices=True, **fmt(variant))
        g = rng_for("g", label).standard_normal(from_layout(y, variant).shape)
        expected = torch_max_pool(bad, label, x, variant, n, args, g)
        grad = backward("max_pool", n)(grad_in_layout(g, variant), xp, *args, **fmt(variant))
        bad.check(f"{label} values", from_layout(y, variant), expected[0])
        bad.check(f"{label} indices", from_layout(i, variant), expected[1])
        bad.check(f"{label} grad", from_layout(grad, variant), expected[2], exact=False)
        compared += 1
        if d == 1:
            xt = torch_input(x, variant, requires_grad=True)
            yt = tfn("avg_pool", n)(xt, k, s, p, ceil, count_include_pad=False)
            yt.backward(torch_grad(g, variant))
            y = op("avg_pool", n)(xp, k, s, p, 1, ceil, count_include_pad=False, **fmt(variant))
            grad = backward("avg_pool", n)(
                grad_in_layout(g, variant),
                xp,
                k,
                s,
                p,
                1,
                ceil,
                count_include_pad=False,
                **fmt(variant),
            )
            bad.check(
                f"{label} avg", from_layout(y, variant), torch_result(yt, variant), exact=False
            )
            bad.check(
                f"{label} avg grad",
                from_layout(grad, variant),
                torch_result(xt.grad, variant),
                exact=False,
            )
            compared += 1
    for size, variant in itertools.product([5, 7], ["batched", "channels_last"]):
        label = f"larger adaptive{n}d {variant} output_size={size}"
        xp = to_layout(x, variant)
        yt, it = tfn("adaptive_max_pool", n)(torch_input(x, variant), size, return_indices=True)
        y, i = op("adaptive_max_pool", n)(xp, size, return_indices=True, **fmt(variant))
        bad.check(f"{label} max", from_layout(y, variant), torch_result(yt, variant))
        bad.check(f"{label} indices", from_layout(i, variant), torch_result(it, variant))
        yt = tfn("adaptive_avg_pool", n)(torch_input(x, variant), size)
        y = op("adaptive_avg_pool", n)(xp, size, **fmt(variant))
        bad.check(f"{label} avg", from_layout(y, variant), torch_result(yt, variant), exact=False)
        compared += 1
    counts["torch"][f"larger{n}d"] += compared
    bad.assert_none(compared)
