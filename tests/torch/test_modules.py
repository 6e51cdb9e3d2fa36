"""poolkit.torch's layers against torch.nn (where torch has the layer) and the NumPy API."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import poolkit  # noqa: E402
import poolkit.torch as pt  # noqa: E402
from poolkit import PoolingError  # noqa: E402

SHAPES = {1: (2, 3, 11), 2: (2, 3, 11, 10), 3: (2, 3, 7, 8, 9)}
CHANNELS_LAST = {2: torch.channels_last, 3: torch.channels_last_3d}


def make(n, seed=0, dtype=torch.float32, nonneg=False):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(SHAPES[n], generator=g, dtype=dtype)
    return x.abs() if nonneg else x


def layouts(x, n):
    """The same values as contiguous, channels_last (2-d/3-d) and unbatched (first sample)."""
    out = {"contiguous": x}
    if n in CHANNELS_LAST:
        out["channels_last"] = x.contiguous(memory_format=CHANNELS_LAST[n])
    out["unbatched"] = x[0].clone()
    return out


def check_same(ours, theirs, x, *, atol=1e-6, grad_seed=1):
    """Same output, same memory format, same gradient with respect to x."""
    a = x.detach().clone().requires_grad_()
    b = x.detach().clone().requires_grad_()
    out_a, out_b = ours(a), theirs(b)
    if isinstance(out_a, tuple):
        torch.testing.assert_close(out_a[1], out_b[1], rtol=0, atol=0)
        out_a, out_b = out_a[0], out_b[0]
    torch.testing.assert_close(out_a, out_b, rtol=1e-5, atol=atol)
    if x.dim() >= 4 and not x.is_contiguous() and out_a.dim() == x.dim():
        assert out_a.is_contiguous(memory_format=CHANNELS_LAST[x.dim() - 2])
    g = torch.randn(out_b.shape, generator=torch.Generator().manual_seed(grad_seed))
    out_a.backward(g)
    out_b.backward(g)
    torch.testing.assert_close(a.grad, b.grad, rtol=1e-5, atol=atol)


MAX_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True),
    dict(kernel_size=2, stride=1, return_indices=True),
    dict(kernel_size=3, stride=3, ceil_mode=True, return_indices=True),
]


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("case", range(len(MAX_CASES)))
def test_max_pool_matches_torch(n, case):
    kwargs = MAX_CASES[case]
    ours, theirs = (
        getattr(pt, f"MaxPool{n}d")(**kwargs),
        getattr(torch.nn, f"MaxPool{n}d")(**kwargs),
    )
    for x in layouts(make(n, case), n).values():
        check_same(ours, theirs, x)


AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=3, stride=1, padding=1, count_include_pad=False),
]


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("case", range(len(AVG_CASES)))
def test_avg_pool_matches_torch(n, case):
    kwargs = AVG_CASES[case]
    ours, theirs = (
        getattr(pt, f"AvgPool{n}d")(**kwargs),
        getattr(torch.nn, f"AvgPool{n}d")(**kwargs),
    )
    for x in layouts(make(n, case), n).values():
        check_same(ours, theirs, x)


@pytest.mark.parametrize("n", [2, 3])
def test_avg_pool_divisor_override_matches_torch(n):
    kwargs = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, divisor_override=5)
    ours, theirs = (
        getattr(pt, f"AvgPool{n}d")(**kwargs),
        getattr(torch.nn, f"AvgPool{n}d")(**kwargs),
    )
    for x in layouts(make(n), n).values():
        check_same(ours, theirs, x)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("norm_type,kernel,stride", [(2, 2, None), (3, 3, 2), (1.5, 2, 1)])
def test_lp_pool_matches_torch_for_nonnegative_input(n, norm_type, kernel, stride):
    ours = getattr(pt, f"LPPool{n}d")(norm_type, kernel, stride)
    theirs = getattr(torch.nn, f"LPPool{n}d")(norm_type, kernel, stride)
    # offset from 0: torch's formula has an undefined gradient where a window is all zeros
    for x in layouts(make(n, nonneg=True) + 0.1, n).values():
        check_same(ours, theirs, x, atol=1e-5)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_lp_pool_uses_the_absolute_value_unlike_torch(n):
    x = -make(n, nonneg=True) - 0.1  # all negative
    ours = pt.functional.__dict__[f"lp_pool{n}d"](x, 2.0, 2)
    expected = getattr(poolkit, f"lp_pool{n}d")(x.numpy(), 2.0, 2)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-6)
    assert (ours > 0).all()  # |x| makes every norm positive; torch's x^2 then sqrt happens to
    odd = getattr(pt, f"LPPool{n}d")(3, 2)(x)  # with p=3 torch sums negative cubes
    torch_odd = getattr(torch.nn, f"LPPool{n}d")(3, 2)(x)
    assert (odd > 0).all() and not torch.allclose(odd, torch_odd, equal_nan=True)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("size", [1, 3, 4])
def test_adaptive_pools_match_torch(n, size):
    for x in layouts(make(n, size), n).values():
        check_same(
            getattr(pt, f"AdaptiveAvgPool{n}d")(size),
            getattr(torch.nn, f"AdaptiveAvgPool{n}d")(size),
            x,
        )
        check_same(
            getattr(pt, f"AdaptiveMaxPool{n}d")(size, return_indices=True),
            getattr(torch.nn, f"AdaptiveMaxPool{n}d")(size, return_indices=True),
            x,
        )


def test_adaptive_none_keeps_a_dim_like_torch():
    x = make(2)
    check_same(pt.AdaptiveAvgPool2d((None, 3)), torch.nn.AdaptiveAvgPool2d((None, 3)), x)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize(
    "kwargs,length", [(dict(kernel_size=2), 8), (dict(kernel_size=3, stride=2, padding=1), 9)]
)
def test_max_unpool_matches_torch(n, kwargs, length):
    # lengths where the default unpooled size is the input's, so the indices fit it
    x = torch.randn(2, 3, *[length] * n)
    pooled, indices = getattr(torch.nn, f"MaxPool{n}d")(**kwargs, return_indices=True)(x)
    ours = getattr(pt, f"MaxUnpool{n}d")(**kwargs)
    theirs = getattr(torch.nn, f"MaxUnpool{n}d")(**kwargs)
    check_same(lambda v: ours(v, indices), lambda v: theirs(v, indices), pooled)
    # output_size as a full shape, as torch accepts it
    check_same(
        lambda v: ours(v, indices, output_size=x.shape),
        lambda v: theirs(v, indices, output_size=x.shape),
        pooled,
    )


@pytest.mark.parametrize("n", [1, 2, 3])
def test_sum_pool_matches_numpy_api(n):
    layer = getattr(pt, f"SumPool{n}d")(3, 2, padding="same", dilation=2)
    for x in layouts(make(n), n).values():
        out = layer(x)
        expected = getattr(poolkit, f"sum_pool{n}d")(x.numpy(), 3, 2, "same", 2)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
        if x.dim() >= 4 and not x.is_contiguous():
            assert out.is_contiguous(memory_format=CHANNELS_LAST[n])


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize(
    "stem,reducer", [("MaxPool", "max"), ("AvgPool", "avg"), ("SumPool", "sum")]
)
@pytest.mark.parametrize("padding", ["same", "same_lower", "valid", "SAME"])
def test_string_padding_on_every_window_layer(n, stem, reducer, padding):
    """nn.AvgPool1d turns its padding into a 1-tuple: 'same' must not become its letters."""
    layer = getattr(pt, f"{stem}{n}d")(3, 2, padding=padding)
    assert layer.padding == padding
    x = make(n)
    expected = getattr(poolkit, f"{reducer}_pool{n}d")(x.numpy(), 3, 2, padding)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert padding in repr(layer)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("stem,reducer", [("MaxPool", "max"), ("AvgPool", "avg")])
def test_onnx_same_upper_is_same_on_layers_and_functions(n, stem, reducer):
    x = make(n)
    expected = getattr(poolkit, f"{reducer}_pool{n}d")(x.numpy(), 3, 2, "same")
    layer = getattr(pt, f"{stem}{n}d")(3, 2, padding="SAME_UPPER")
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    function = getattr(pt.functional, f"{reducer}_pool{n}d")
    np.testing.assert_allclose(function(x, 3, 2, "SAME_UPPER").numpy(), expected, rtol=1e-5)
    with pytest.raises(PoolingError, match=r"got 'NOTSET', ONNX's auto_pad NOTSET"):
        getattr(pt, f"{stem}{n}d")(3, 2, padding="NOTSET")(x)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("reducer", ["max", "avg"])
def test_global_pools_match_torch_reductions(n, reducer):
    layer = getattr(pt, f"Global{reducer.capitalize()}Pool{n}d")()
    dims = tuple(range(-n, 0))

    def theirs(v):
        return v.amax(dim=dims) if reducer == "max" else v.mean(dim=dims)

    for name, x in layouts(make(n), n).items():
        check_same(layer, theirs, x)
        assert layer(x).shape == (x.shape[:1] if name == "unbatched" else x.shape[:2])
    kept = getattr(pt, f"Global{reducer.capitalize()}Pool{n}d")(keepdim=True)(make(n))
    assert kept.shape == (*SHAPES[n][:2], *(1,) * n)


def test_extras_match_numpy_api():
    x = make(2)
    cases = [
        (pt.MaxPool2d(3, 2, padding="same"), poolkit.max_pool2d(x.numpy(), 3, 2, "same")),
        (
            pt.MaxPool2d(2, 2, padding=((0, 1), (1, 0))),
            poolkit.max_pool2d(x.numpy(), 2, 2, ((0, 1), (1, 0))),
        ),
        (pt.AvgPool2d(3, 2, padding="same"), poolkit.avg_pool2d(x.numpy(), 3, 2, "same")),
        (pt.AvgPool2d(2, 1, 1, dilation=2), poolkit.avg_pool2d(x.numpy(), 2, 1, 1, 2)),
        (pt.LPPool2d(2, 3, 2, padding=1, dilation=2), poolkit.lp_pool2d(x.numpy(), 2, 3, 2, 1, 2)),
    ]
    for layer, expected in cases:
        np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def small_cnn(pool_a, pool_b, pool_c):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.ReLU(),
        pool_a,
        torch.nn.Conv2d(8, 8, 3, padding=1),
        pool_b,
        pool_c,
        torch.nn.Flatten(),
        torch.nn.Linear(8 * 4, 5),
    )


def test_drop_in_model_same_outputs_and_parameter_gradients():
    reference = small_cnn(
        torch.nn.MaxPool2d(3, 2, 1), torch.nn.AvgPool2d(2), torch.nn.AdaptiveAvgPool2d(2)
    )
    ours = copy.deepcopy(reference)
    ours[2], ours[4], ours[5] = pt.MaxPool2d(3, 2, 1), pt.AvgPool2d(2), pt.AdaptiveAvgPool2d(2)
    x = torch.randn(4, 3, 16, 16)
    for memory_format in (torch.contiguous_format, torch.channels_last):
        inputs = x.contiguous(memory_format=memory_format)
        for model in (reference, ours):
            model.zero_grad()
            model(inputs).square().sum().backward()
        torch.testing.assert_close(ours(inputs), reference(inputs))
        for (name, p), q in zip(ours.named_parameters(), reference.parameters(), strict=True):
            torch.testing.assert_close(p.grad, q.grad, rtol=1e-5, atol=1e-5, msg=name)


def test_drop_in_unbatched_like_torch():
    x = make(2)[0]
    check_same(pt.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1), x)
    check_same(pt.AvgPool2d(2, ceil_mode=True), torch.nn.AvgPool2d(2, ceil_mode=True), x)


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (pt.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
        (pt.AvgPool2d(2, ceil_mode=True), torch.nn.AvgPool2d(2, ceil_mode=True)),
        (pt.LPPool1d(2, 3), torch.nn.LPPool1d(2, 3)),
        (pt.AdaptiveMaxPool3d(2), torch.nn.AdaptiveMaxPool3d(2)),
        (pt.AdaptiveAvgPool2d((2, 3)), torch.nn.AdaptiveAvgPool2d((2, 3))),
        (pt.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)),
    ],
)
def test_repr_state_dict_pickle_deepcopy(ours, theirs):
    assert repr(ours) == repr(theirs)
    assert isinstance(ours, type(theirs))
    assert ours.state_dict() == {} and theirs.state_dict() == {}
    for clone in (pickle.loads(pickle.dumps(ours)), copy.deepcopy(ours)):
        assert type(clone) is type(ours) and repr(clone) == repr(ours)


def test_new_layers_repr_pickle_and_extras_in_repr():
    assert repr(pt.SumPool2d(2)) == (
        "SumPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(pt.GlobalAvgPool1d(keepdim=True)) == "GlobalAvgPool1d(keepdim=True)"
    assert "dilation=2" in repr(pt.AvgPool2d(2, dilation=2))
    assert "padding=same" in repr(pt.LPPool2d(2, 2, padding="same"))  # torch's style
    x = make(2)
    for layer in (pt.SumPool3d(2), pt.GlobalMaxPool2d(), pt.AvgPool2d(3, 1, "same", dilation=2)):
        clone = pickle.loads(pickle.dumps(layer))
        assert repr(clone) == repr(layer)
        if isinstance(layer, pt.SumPool3d):
            continue
        torch.testing.assert_close(clone(x), layer(x))


def test_output_dtype_and_no_input_mutation():
    x = torch.randint(-5, 5, (1, 2, 6, 6), dtype=torch.int32)
    before = x.clone()
    out = pt.MaxPool2d(2)(x)
    assert out.dtype == torch.int32
    torch.testing.assert_close(out, torch.nn.functional.max_pool2d(x.double(), 2).int())
    assert pt.SumPool2d(2)(x).dtype == torch.int64
    assert torch.equal(x, before)
    xf = make(2)
    keep = xf.clone()
    pt.AvgPool2d(3, 1, "same")(xf)
    assert torch.equal(xf, keep)
    assert pt.AvgPool2d(2)(make(2, dtype=torch.float64)).dtype == torch.float64


@pytest.mark.parametrize(
    "build,call,match",
    [
        (lambda: pt.MaxPool2d(0), lambda m: m(make(2)), "kernel_size must be"),
        (lambda: pt.MaxPool2d(2, padding="full"), lambda m: m(make(2)), "padding must be"),
        (lambda: pt.MaxPool2d(3, padding=3), lambda m: m(make(2)), "padding must be smaller"),
        (lambda: pt.AvgPool2d(2), lambda m: m(torch.ones(2, 3)), "input must have 4 dims"),
        (lambda: pt.AvgPool2d(20), lambda m: m(make(2)), "input is too small"),
        (lambda: pt.LPPool2d(-1, 2), lambda m: m(make(2)), "p must be a real number > 0"),
        (lambda: pt.AdaptiveAvgPool2d(0), lambda m: m(make(2)), "output_size must be"),
        (lambda: pt.SumPool2d(2, ceil_mode=1), lambda m: m(make(2)), "ceil_mode must be True or"),
        (lambda: pt.MaxPool2d(2), lambda m: m([[1.0]]), "input must be a torch.Tensor"),
    ],
)
def test_invalid_arguments_raise_pooling_error(build, call, match):
    with pytest.raises(PoolingError, match=match):
        call(build())


def random_configs(count, seed=11):
    """Random valid torch configurations (torch's own limit: padding <= kernel_size / 2)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 4))
        k = int(rng.integers(1, 5))
        yield (
            n,
            dict(
                kernel_size=k,
                stride=int(rng.integers(1, 4)),
                padding=int(rng.integers(0, k // 2 + 1)),
                ceil_mode=bool(rng.integers(0, 2)),
            ),
            int(rng.integers(1, 3)),
        )


@pytest.mark.parametrize("reducer", ["max", "avg"])
def test_random_configurations_match_torch(reducer):
    for i, (n, kwargs, dilation) in enumerate(random_configs(40)):
        sizes = np.random.default_rng(i).integers(5, 10, size=n)
        x = torch.randn(2, 3, *sizes.tolist())
        if reducer == "max":
            ours = getattr(pt, f"MaxPool{n}d")(**kwargs, dilation=dilation)
            theirs = getattr(torch.nn, f"MaxPool{n}d")(**kwargs, dilation=dilation)
        else:
            ours = getattr(pt, f"AvgPool{n}d")(**kwargs)
            theirs = getattr(torch.nn, f"AvgPool{n}d")(**kwargs)
        try:
            theirs(x)
        except RuntimeError:  # torch rejects it (e.g. output size 0): poolkit must too
            with pytest.raises(PoolingError):
                ours(x)
            continue
        for variant in layouts(x, n).values():
            check_same(ours, theirs, variant)
