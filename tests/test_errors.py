"""Every invalid argument raises PoolingError naming the argument, the value and what is allowed."""

import ast
import re

import numpy as np
import pytest

import poolkit
from poolkit import PoolingError

X2 = np.zeros((1, 2, 6, 6), np.float32)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        # rank
        (
            lambda: poolkit.max_pool2d(np.zeros((6, 6)), 2),
            r"x must have 4 dims .*got shape \(6, 6\)",
        ),
        (
            lambda: poolkit.max_pool1d(np.zeros((1, 1, 1, 4)), 2),
            r"x must have 3 dims.*\(1, 1, 1, 4\)",
        ),
        (
            lambda: poolkit.max_pool2d(np.zeros(4), 2, data_format="channels_last"),
            r"\(N, \*spatial, C\).*got shape \(4,\)",
        ),
        # kernel, stride, dilation
        (lambda: poolkit.max_pool2d(X2, 0), r"kernel_size must be an int >= 1.*got 0"),
        (lambda: poolkit.max_pool2d(X2, -2), r"kernel_size must be .*got -2"),
        (
            lambda: poolkit.max_pool2d(X2, (2, 2, 2)),
            r"kernel_size must be .*tuple of 2.*\(2, 2, 2\)",
        ),
        (lambda: poolkit.max_pool2d(X2, 2.5), r"kernel_size must be .*got 2\.5"),
        (lambda: poolkit.max_pool2d(X2, None), r"kernel_size must be .*got None"),
        (lambda: poolkit.max_pool2d(X2, True), r"kernel_size must be .*got True"),
        (lambda: poolkit.max_pool2d(X2, "2"), r"kernel_size must be .*got '2'"),
        (lambda: poolkit.max_pool2d(X2, 2, stride=0), r"stride must be an int >= 1.*got 0"),
        (lambda: poolkit.max_pool2d(X2, 2, stride=(1,)), r"stride must be .*got \(1,\)"),
        (lambda: poolkit.max_pool2d(X2, 2, dilation=0), r"dilation must be an int >= 1.*got 0"),
        # padding
        (lambda: poolkit.max_pool2d(X2, 2, padding=-1), r"padding must be .*>= 0.*got -1"),
        (
            lambda: poolkit.max_pool2d(X2, 2, padding="full"),
            r"padding must be .*'same'.*got 'full'",
        ),
        (lambda: poolkit.max_pool2d(X2, 2, padding=(1, 1, 1)), r"padding must be .*\(1, 1, 1\)"),
        (lambda: poolkit.max_pool2d(X2, 2, padding=((1, 2, 3), (0, 0))), r"padding must be"),
        (lambda: poolkit.max_pool2d(X2, 3, padding=3), r"padding must be smaller than .*spans.*3"),
        (lambda: poolkit.avg_pool2d(X2, 2, padding=((0, 2), (0, 0))), r"padding must be smaller"),
        # output too small
        (lambda: poolkit.max_pool2d(X2, 7), r"input is too small.*size 6.*output size of 0"),
        (lambda: poolkit.max_pool2d(X2, 3, dilation=3), r"input is too small"),
        # flags
        (lambda: poolkit.max_pool2d(X2, 2, ceil_mode="yes"), r"ceil_mode must be True or False"),
        (lambda: poolkit.max_pool2d(X2, 2, return_indices=1), r"return_indices must be True"),
        (lambda: poolkit.avg_pool2d(X2, 2, count_include_pad="no"), r"count_include_pad must be"),
        (lambda: poolkit.max_pool2d(X2, 2, data_format="NHWC"), r"data_format must be .*'NHWC'"),
        # dtypes
        (
            lambda: poolkit.max_pool2d(X2.astype(complex), 2),
            r"x must have a bool, integer .*complex",
        ),
        (lambda: poolkit.avg_pool2d(np.array([["a"]]), 1), r"x must have .*dtype <U1"),
        (lambda: poolkit.sum_pool1d(np.zeros((1, 1, 2), object), 1), r"dtype object"),
        (lambda: poolkit.max_pool1d([[1, 2], [3]], 1), r"x must be an array of numbers"),
        # avg / lp specifics
        (
            lambda: poolkit.avg_pool2d(X2, 2, divisor_override=0),
            r"divisor_override .*nonzero.*got 0",
        ),
        (lambda: poolkit.avg_pool2d(X2, 2, divisor_override=1.5), r"divisor_override .*got 1\.5"),
        (lambda: poolkit.lp_pool2d(X2, 0, 2), r"p must be a real number > 0.*got 0"),
        (lambda: poolkit.lp_pool2d(X2, -1.0, 2), r"p must be .*got -1\.0"),
        (lambda: poolkit.lp_pool2d(X2, float("nan"), 2), r"p must be .*got nan"),
        (lambda: poolkit.global_lp_pool2d(X2, "2"), r"p must be .*got '2'"),
        (lambda: poolkit.global_avg_pool2d(X2, keepdims=None), r"keepdims must be True or False"),
        # adaptive
        (lambda: poolkit.adaptive_avg_pool2d(X2, 0), r"output_size must be .*>= 1.*got 0"),
        (lambda: poolkit.adaptive_avg_pool2d(X2, None), r"output_size must be .*got None"),
        (lambda: poolkit.adaptive_max_pool2d(X2, (2, 2, 2)), r"output_size must be .*\(2, 2, 2\)"),
        (lambda: poolkit.adaptive_max_pool2d(X2, (2.0, 2)), r"output_size must be .*\(2\.0, 2\)"),
        # upsample
        (lambda: poolkit.upsample_nearest2d(X2, 0), r"scale_factor must be an int >= 1.*got 0"),
        (lambda: poolkit.upsample_nearest2d(X2, 1.5), r"scale_factor must be .*got 1\.5"),
        # indices conversion
        (
            lambda: poolkit.convert_indices(np.zeros((1, 1, 2, 2), int), "caffe", (1, 1, 4, 4)),
            r"to must be one of \('torch', 'onnx', 'tf'\); got 'caffe'",
        ),
        (
            lambda: poolkit.convert_indices(np.zeros((1, 1, 2, 2)), "tf", (1, 1, 4, 4)),
            r"indices must have an integer dtype; got dtype float64",
        ),
    ],
)
def test_invalid_argument_raises_pooling_error(call, pattern):
    with pytest.raises(PoolingError, match=pattern):
        call()


def _pooled():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    return poolkit.max_pool2d(x, 2, return_indices=True)


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda v, i: (v, i + 100), r"indices must lie in \[0, 16\) .*got values from 105 to 115"),
        (lambda v, i: (v, i - 10), r"indices must lie in \[0, 16\).*from -5"),
        (
            lambda v, i: (v, i.astype(np.float64)),
            r"indices must have an integer dtype; got dtype float64",
        ),
        (lambda v, i: (v, i[..., :1]), r"indices must have the same shape as x \(1, 1, 2, 2\)"),
    ],
)
def test_unpool_rejects_bad_indices(mutate, pattern):
    values, indices = mutate(*_pooled())
    with pytest.raises(PoolingError, match=pattern):
        poolkit.max_unpool2d(values, indices, 2)


def test_unpool_rejects_output_size_too_small_for_indices():
    values, indices = _pooled()
    with pytest.raises(PoolingError, match=r"indices must lie in \[0, 9\)"):
        poolkit.max_unpool2d(values, indices, 2, output_size=(3, 3))


def test_unpool_rejects_bad_output_size_and_same_padding():
    values, indices = _pooled()
    with pytest.raises(PoolingError, match=r"output_size must be .*got \(0, 4\)"):
        poolkit.max_unpool2d(values, indices, 2, output_size=(0, 4))
    with pytest.raises(PoolingError, match=r"padding='same' does not say .*pass output_size"):
        poolkit.max_unpool2d(values, indices, 2, padding="same")


def test_backward_rejects_gradient_of_wrong_shape():
    with pytest.raises(
        PoolingError,
        match=r"grad_output must have the forward output's shape "
        r"\(1, 2, 3, 3\); got shape \(1, 2, 6, 6\)",
    ):
        poolkit.max_pool2d_backward(X2, X2, 2)


def test_pooling_error_is_a_value_error():
    assert issubclass(PoolingError, ValueError)


# ------------------------------------------------------------------ other frameworks' padding words

X1 = np.arange(10.0).reshape(1, 2, 5)
X3 = np.arange(2.0 * 5 * 4 * 6).reshape(1, 2, 5, 4, 6)


@pytest.mark.parametrize(
    ("given", "poolkit_name"),
    [
        ("SAME_UPPER", "same"), ("same_upper", "same"), ("Same_Upper", "same"),
        ("SAME_LOWER", "same_lower"), ("VALID", "valid"), ("SAME", "same"),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    ("pool", "x"), [(poolkit.max_pool1d, X1), (poolkit.avg_pool2d, X2), (poolkit.sum_pool3d, X3)]
)
def test_onnx_auto_pad_names_are_poolkit_padding_strings(given, poolkit_name, pool, x):
    # ONNX porters write auto_pad's words: SAME_UPPER is poolkit's (and TensorFlow's) 'same'
    np.testing.assert_array_equal(pool(x, 2, 1, given), pool(x, 2, 1, poolkit_name))


def test_same_upper_pads_at_the_end_and_same_lower_at_the_start():
    x = np.arange(5.0).reshape(1, 1, 5)
    assert poolkit.max_pool1d(x, 2, 1, "SAME_UPPER")[0, 0].tolist() == [1, 2, 3, 4, 4]
    assert poolkit.max_pool1d(x, 2, 1, "SAME_LOWER")[0, 0].tolist() == [0, 1, 2, 3, 4]
    assert poolkit.resolve((5,), 2, 1, "SAME_UPPER").pads == ((0, 1),)
    assert poolkit.max_pool1d_backward(np.ones((1, 1, 5)), x, 2, 1, "SAME_UPPER").shape == x.shape


@pytest.mark.parametrize(
    ("given", "source", "pool", "x", "fix"),
    [
        ("NOTSET", "ONNX's auto_pad NOTSET", poolkit.max_pool2d, X2,
         "padding=((lo_1, hi_1), (lo_2, hi_2))"),
        ("notset", "ONNX's auto_pad NOTSET", poolkit.max_pool1d, X1, "padding=((lo_1, hi_1),)"),
        ("EXPLICIT", "TensorFlow's 'EXPLICIT'", poolkit.avg_pool3d, X3,
         "padding=((lo_1, hi_1), (lo_2, hi_2), (lo_3, hi_3))"),
    ],
)  # fmt: skip
def test_pads_given_elsewhere_say_how_to_pass_them(given, source, pool, x, fix):
    with pytest.raises(PoolingError) as error:
        pool(x, 2, padding=given)
    message = str(error.value)
    assert message.startswith("padding must be ")  # the argument, what is allowed ...
    assert f"got {given!r}, {source}" in message  # ... the value, what it means ...
    assert fix in message  # ... and the fix, which works when filled in
    pads = ast.literal_eval(re.sub(r"(lo|hi)_\d", "0", fix.removeprefix("padding=")))
    assert pool(x, 2, padding=pads).shape == pool(x, 2).shape


def test_an_unknown_padding_string_lists_the_strings_and_the_onnx_alias():
    with pytest.raises(PoolingError, match=r"'valid', 'same', 'same_lower' \(any case; ONNX's "
                       r"'SAME_UPPER' is 'same'\); got 'full'$"):  # fmt: skip
        poolkit.max_pool2d(X2, 2, padding="full")


# --------------------------------------------------------------------------- torch tensors

# (function, arguments after the tensor): every NumPy operator family, forward and backward
TENSOR_CALLS = [
    ("max_pool2d", (2,)), ("avg_pool1d", (2,)), ("sum_pool3d", (1,)), ("lp_pool2d", (2.0, 2)),
    ("adaptive_max_pool2d", (1,)), ("adaptive_avg_pool1d", (2,)), ("global_lp_pool2d", (2.0,)),
    ("global_max_pool3d", ()), ("upsample_nearest2d", (2,)),
]  # fmt: skip


def _torch():
    torch = pytest.importorskip("torch")
    if not hasattr(torch, "Tensor"):  # without torch, tests/torch imports as a namespace package
        pytest.skip("torch is not installed")
    return torch


def _shape(function):
    n = int(function[-2])
    return (1, 2, *([4] * n))


@pytest.mark.parametrize(("function", "args"), TENSOR_CALLS)
@pytest.mark.parametrize("requires_grad", [True, False])
def test_a_torch_tensor_in_the_numpy_api_points_at_poolkit_torch(function, args, requires_grad):
    torch = _torch()
    x = torch.rand(_shape(function), dtype=torch.float64, requires_grad=requires_grad)
    with pytest.raises(PoolingError) as error:
        getattr(poolkit, function)(x, *args)
    message = str(error.value)
    assert message.startswith(f"x must be a NumPy array (or array-like) for poolkit.{function}")
    assert f"got a torch.Tensor of shape {tuple(x.shape)} and dtype torch.float64" in message
    assert f"call poolkit.torch.functional.{function} with the same arguments" in message
    if requires_grad:
        assert "cut off from autograd" in message and "x.detach().numpy()" in message
    else:
        assert "not a tensor" in message and "pass x.numpy() for a NumPy result" in message
    # the fix works: the same arguments give poolkit.torch's tensor, equal to the NumPy result
    import poolkit.torch.functional as PF

    out = getattr(PF, function)(x, *args)
    assert isinstance(out, torch.Tensor)
    expected = getattr(poolkit, function)(x.detach().numpy(), *args)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12)
    if requires_grad:
        out.sum().backward()
        assert x.grad is not None and x.grad.shape == x.shape


@pytest.mark.parametrize(("function", "args"), TENSOR_CALLS)
def test_a_torch_gradient_in_the_numpy_backward_points_at_autograd(function, args):
    torch = _torch()
    x = np.random.default_rng(0).random(_shape(function))
    grad = torch.ones(getattr(poolkit, function)(x, *args).shape, dtype=torch.float64)
    backward = getattr(poolkit, f"{function}_backward")
    with pytest.raises(PoolingError) as error:
        backward(grad, x, *args)
    message = str(error.value)
    assert message.startswith("grad_output must be a NumPy array (or array-like) for ")
    assert f"for poolkit.{function}_backward, the NumPy API" in message
    assert f"call poolkit.torch.functional.{function} and let autograd" in message
    with pytest.raises(PoolingError, match=r"^x must be .*got a torch\.Tensor"):
        backward(grad.numpy(), torch.from_numpy(x), *args)
    backward(grad.numpy(), x, *args)  # NumPy arrays: no complaint


def test_torch_unpooling_indices_are_refused_by_name():
    torch = _torch()
    import poolkit.torch.functional as PF

    x = torch.rand(1, 2, 4, 4)
    pooled, indices = PF.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(PoolingError, match=r"^indices must be a NumPy array .*max_unpool2d.*"
                       r"torch\.int64: call poolkit\.torch\.functional\.max_unpool2d"):  # fmt: skip
        poolkit.max_unpool2d(pooled.numpy(), indices, 2)
    with pytest.raises(PoolingError, match=r"^x must be .*poolkit\.max_unpool2d_backward"):
        poolkit.max_unpool2d_backward(np.ones((1, 2, 4, 4)), pooled, indices.numpy(), 2)
    np.testing.assert_array_equal(
        PF.max_unpool2d(pooled, indices, 2).numpy(),
        poolkit.max_unpool2d(pooled.numpy(), indices.numpy(), 2),
    )


def test_poolkit_torch_functional_takes_the_numpy_api_arguments():
    # the refusal says "the same arguments": the two signatures agree after the input
    _torch()
    import inspect

    import poolkit.torch.functional as PF

    forwards = [name for name in poolkit.__all__ if name[-2:] in ("1d", "2d", "3d")]
    assert len(forwards) == 36
    for name in forwards:
        ours = list(inspect.signature(getattr(poolkit, name)).parameters)[1:]
        assert list(inspect.signature(getattr(PF, name)).parameters)[1:] == ours, name


class _FakeTensor:
    """Stands in for torch.Tensor where torch is not installed (the check only reads these)."""

    def __init__(self, shape, requires_grad, device="cpu"):
        self.shape, self.requires_grad, self.device = shape, requires_grad, device
        self.dtype = "torch.float32"

    def __array__(self, dtype=None, copy=None):  # what np.asarray would silently take
        return np.zeros(self.shape, dtype)


def test_the_tensor_check_without_torch_installed(monkeypatch):
    import sys
    import types

    fake = types.ModuleType("torch")
    fake.Tensor = _FakeTensor
    monkeypatch.setitem(sys.modules, "torch", fake)
    with pytest.raises(PoolingError, match=r"on cuda:0, requiring grad: .*"
                       r"pass x\.detach\(\)\.cpu\(\)\.numpy\(\) for a NumPy result$"):  # fmt: skip
        poolkit.max_pool2d(_FakeTensor((1, 1, 4, 4), True, "cuda:0"), 2)
    with pytest.raises(PoolingError, match=r"^x must be .*pass x\.numpy\(\) for a NumPy result$"):
        poolkit.avg_pool2d(_FakeTensor((1, 1, 4, 4), False), 2)
    monkeypatch.setitem(sys.modules, "torch", None)  # a blocked import: nothing is a tensor
    assert poolkit.max_pool2d(np.zeros((1, 1, 4, 4)), 2).shape == (1, 1, 2, 2)
