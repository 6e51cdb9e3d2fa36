"""Hostile arguments to the NumPy API: each case runs in a child process under a memory limit
and must end in a one-line ``PoolingError`` naming the argument and the value received.

Categories: numeric extremes, odd spellings (0-d arrays, NumPy scalars, bools, Fractions),
odd arrays and dtypes, impossible result sizes (the resource guard), index validation.
"""

from __future__ import annotations

import pytest

from ._isolated import expect_refusal, run_case

X1 = "np.ones((1, 1, 8), np.float32)"
X2 = "np.ones((1, 1, 4, 4), np.float32)"

# (id, call, words the message must contain)
NUMERIC_EXTREMES = [
    ("kernel 2**63", f"poolkit.max_pool1d({X1}, 2**63)", ["kernel_size", "9223372036854775808"]),
    ("kernel 10**30", f"poolkit.avg_pool2d({X2}, 10**30)", ["kernel_size"]),
    ("p 10**400", f"poolkit.lp_pool1d({X1}, 10**400, 2)", ["p must be", "401 digits", "inf"]),
    ("p nan", f"poolkit.lp_pool1d({X1}, float('nan'), 2)", ["p must be", "nan"]),
    ("p -inf", f"poolkit.lp_pool1d({X1}, float('-inf'), 2)", ["p must be", "-inf"]),
    ("p zero", f"poolkit.lp_pool1d({X1}, 0, 2)", ["p must be", "got 0"]),
    ("p complex", f"poolkit.lp_pool1d({X1}, 2j, 2)", ["p must be", "2j"]),
    ("p string", f"poolkit.lp_pool1d({X1}, '2', 2)", ["p must be", "'2'"]),
    ("global p 10**400", f"poolkit.global_lp_pool1d({X1}, 10**400)", ["p must be", "digits"]),
    ("divisor 2**70", f"poolkit.avg_pool1d({X1}, 2, divisor_override=2**70)",
     ["divisor_override", "1180591620717411303424"]),
    ("divisor 0", f"poolkit.avg_pool1d({X1}, 2, divisor_override=0)", ["divisor_override"]),
    ("divisor float", f"poolkit.avg_pool1d({X1}, 2, divisor_override=2.0)",
     ["divisor_override", "2.0"]),
    ("stride -2**64", f"poolkit.max_pool1d({X1}, 2, -2**64)", ["stride", "-18446744073709551616"]),
    ("padding -1", f"poolkit.max_pool1d({X1}, 2, padding=-1)", ["padding", "-1"]),
    ("padding 2**63", f"poolkit.max_pool1d({X1}, 2, padding=2**63)", ["padding"]),
    ("scale 2**64", f"poolkit.upsample_nearest1d({X1}, 2**64)", ["scale_factor", "memory limit"]),
    ("memory limit 0", "poolkit.limits.set_memory_limit(0)", ["nbytes", "got 0"]),
    ("memory limit float", "poolkit.limits.set_memory_limit(1.5e9)", ["nbytes", "1500000000.0"]),
]

ODD_SPELLINGS = [
    ("kernel True", f"poolkit.max_pool2d({X2}, True)", ["kernel_size", "True"]),
    ("kernel np.True_", f"poolkit.max_pool2d({X2}, np.True_)", ["kernel_size", "True"]),
    ("kernel 0-d bool", f"poolkit.max_pool2d({X2}, np.array(True))", ["kernel_size"]),
    ("kernel 0-d float", f"poolkit.max_pool2d({X2}, np.array(2.0))", ["kernel_size", "2."]),
    ("kernel 2.0", f"poolkit.max_pool2d({X2}, 2.0)", ["kernel_size", "2.0"]),
    ("kernel (2, 2.5)", f"poolkit.max_pool2d({X2}, (2, 2.5))", ["kernel_size", "2.5"]),
    ("kernel string", f"poolkit.max_pool2d({X2}, '2')", ["kernel_size", "'2'"]),
    ("kernel dict", f"poolkit.max_pool2d({X2}, {{2: 2}})", ["kernel_size"]),
    ("kernel 2-d array", f"poolkit.max_pool2d({X2}, np.ones((2, 2), int))", ["kernel_size"]),
    ("stride 0-d float", f"poolkit.max_pool2d({X2}, 2, np.array(1.5))", ["stride"]),
    ("padding bool", f"poolkit.max_pool2d({X2}, 2, padding=True)", ["padding", "True"]),
    ("padding pairs of floats", f"poolkit.max_pool2d({X2}, 3, padding=[(0, 1.0), (1, 0)])",
     ["padding"]),
    ("ceil_mode 1", f"poolkit.max_pool2d({X2}, 2, ceil_mode=1)", ["ceil_mode", "1"]),
    ("ceil_mode 'yes'", f"poolkit.max_pool2d({X2}, 2, ceil_mode='yes')", ["ceil_mode", "'yes'"]),
    ("output_size True", f"poolkit.adaptive_avg_pool2d({X2}, True)", ["output_size", "True"]),
    ("output_size 0-d float", f"poolkit.adaptive_avg_pool2d({X2}, np.array(2.0))",
     ["output_size"]),
    ("output_size (None, 2.0)", f"poolkit.adaptive_max_pool2d({X2}, (None, 2.0))",
     ["output_size", "2.0"]),
    ("output_size None", f"poolkit.adaptive_max_pool2d({X2}, None)", ["output_size", "None"]),
    ("unpool output_size 0-d float",
     "poolkit.max_unpool1d(np.ones((1, 1, 2)), np.zeros((1, 1, 2), int), 2,"
     " output_size=np.array(4.0))", ["output_size"]),
    ("data_format 0", f"poolkit.max_pool2d({X2}, 2, data_format=0)", ["data_format", "0"]),
]

ODD_ARRAYS = [
    ("masked array",
     "poolkit.max_pool1d(np.ma.masked_array(np.ones((1, 1, 4)), mask=[[[1, 0, 0, 0]]]), 2)",
     ["masked array", "filled"]),
    ("masked grad",
     f"poolkit.avg_pool1d_backward(np.ma.masked_array(np.ones((1, 1, 4))), {X1}, 2)",
     ["grad_output", "masked"]),
    ("longdouble avg", "poolkit.avg_pool1d(np.ones((1, 1, 4), np.longdouble), 2)",
     ["float128", "astype(np.float64)"]),
    ("longdouble lp", "poolkit.lp_pool1d(np.ones((1, 1, 4), np.longdouble), 2, 2)",
     ["float128"]),
    ("longdouble sum global", "poolkit.global_sum_pool1d(np.ones((1, 1, 4), np.longdouble))",
     ["float128"]),
    ("complex", "poolkit.max_pool1d(np.ones((1, 1, 4), complex), 2)", ["dtype complex128"]),
    ("object", "poolkit.max_pool1d(np.ones((1, 1, 4), object), 2)", ["dtype object"]),
    ("datetime", "poolkit.max_pool1d(np.zeros((1, 1, 4), 'datetime64[s]'), 2)",
     ["datetime64"]),
    ("strings", "poolkit.max_pool1d(np.array([[['a', 'b']]]), 2)", ["dtype <U1"]),
    ("ragged", "poolkit.max_pool1d([[[1, 2], [3]]], 2)", ["array of numbers", "list"]),
    ("empty spatial adaptive", "poolkit.adaptive_avg_pool2d(np.zeros((1, 1, 0, 4)), 2)",
     ["non-empty spatial", "(0, 4)"]),
    ("empty spatial adaptive max", "poolkit.adaptive_max_pool2d(np.zeros((1, 1, 0, 4)), 2, True)",
     ["non-empty spatial"]),
    ("empty spatial global", "poolkit.global_max_pool2d(np.ones((1, 1, 0, 4)))",
     ["non-empty spatial"]),
    ("empty spatial window", "poolkit.max_pool2d(np.ones((1, 1, 4, 0)), 1)",
     ["non-empty spatial"]),
    ("empty spatial padded", "poolkit.avg_pool1d(np.ones((2, 3, 0)), 3, padding=1)",
     ["non-empty spatial"]),
    ("empty spatial channels_last",
     "poolkit.max_pool2d(np.ones((1, 0, 4, 3)), 1, data_format='channels_last')",
     ["non-empty spatial", "(0, 4)"]),
    ("empty spatial upsample", "poolkit.upsample_nearest1d(np.ones((1, 1, 0)), 2)",
     ["non-empty spatial"]),
    ("wrong rank", "poolkit.max_pool2d(np.ones((4, 4)), 2)",
     ["x must have 4 dims", "poolkit.pool(x, 'max', 2, axes=(0, 1))", "x[None, None]",
      "data_format='channels_last'"]),
    ("grad wrong shape", f"poolkit.max_pool1d_backward(np.ones((1, 1, 3)), {X1}, 2)",
     ["grad_output", "(1, 1, 4)"]),
]

SIZES = [
    ("upsample 2**20", f"poolkit.upsample_nearest2d({X2}, 2**20)",
     ["scale_factor=1048576", "memory limit"]),
    ("unpool 2**40", "poolkit.max_unpool2d(*poolkit.max_pool2d(np.ones((1, 1, 4, 4)), 2,"
     " return_indices=True), 2, output_size=(2**40, 2**40))", ["output_size", "memory limit"]),
    ("unpool stride 2**40", "poolkit.max_unpool1d(np.ones((1, 1, 2)), np.zeros((1, 1, 2), int),"
     " 2, 2**40)", ["stride=1099511627776", "memory limit"]),
    ("adaptive 2**40", f"poolkit.adaptive_avg_pool2d({X2}, 2**40)",
     ["output_size=1099511627776", "memory limit"]),
    ("adaptive max 0x3FFFFFFFFFFFFFFF", f"poolkit.adaptive_max_pool1d({X1}, 0x3FFFFFFFFFFFFFFF)",
     ["output_size", "memory limit"]),
    ("adaptive 2**64 with indices",
     f"poolkit.adaptive_max_pool1d({X1}, 2**64, return_indices=True)",
     ["output_size", "memory limit"]),
    ("window huge padding", "poolkit.max_pool1d(np.ones((1, 1, 1)), 10**12, 1, 10**12 - 1)",
     ["padding=999999999999", "memory limit"]),
    ("under a set limit", "poolkit.limits.set_memory_limit(10) or "
     f"poolkit.max_pool2d({X2}, 1)", ["memory limit of 10 B", "(1, 1, 4, 4) (float32), 64 B"]),
]

INDEX_VALIDATION = [
    ("convert negative", "poolkit.convert_indices(np.array([[[[-5]]]]), 'tf', (1, 1, 2, 2))",
     ["indices", "-5"]),
    ("convert 10**12", "poolkit.convert_indices(np.array([[[[10**12]]]]), 'onnx', (1, 1, 2, 2))",
     ["indices", "1000000000000"]),
    ("convert float shape", "poolkit.convert_indices(np.array([[[[0]]]]), 'onnx', (1, 1, 2.5, 2))",
     ["input_shape", "2.5"]),
    ("convert shape string", "poolkit.convert_indices(np.array([[[[0]]]]), 'onnx', '1122')",
     ["input_shape", "'1122'"]),
    ("convert huge shape",
     "poolkit.convert_indices(np.array([[[[0]]]]), 'onnx', (1, 1, 2**40, 2**40))",
     ["input_shape", "int64"]),
    ("convert negative shape", "poolkit.convert_indices(np.array([[[[0]]]]), 'tf', (1, 1, -2, 2))",
     ["input_shape", "-2"]),
    ("convert wrong channels", "poolkit.convert_indices(np.zeros((1, 3, 1, 1), int), 'tf',"
     " (1, 2, 2, 2))", ["batch and channel", "(1, 2)"]),
    ("convert onnx out of plane", "poolkit.convert_indices(np.array([[[[4]], [[0]]]]), 'torch',"
     " (1, 2, 2, 2), source='onnx')", ["indices must lie in [0, 4)", "onnx"]),
    ("convert tf other channel", "poolkit.convert_indices(np.array([[[[0]], [[2]]]]), 'torch',"
     " (1, 2, 2, 2), source='tf')", ["channel"]),
    ("convert uint64 2**64-1", "poolkit.convert_indices(np.full((1, 1, 1, 1), 2**64 - 1,"
     " np.uint64), 'tf', (1, 1, 2, 2))", ["indices", "18446744073709551615"]),
    ("convert float indices", "poolkit.convert_indices(np.zeros((1, 1, 1, 1)), 'tf', (1, 1, 2, 2))",
     ["integer dtype"]),
    ("convert storage_order 2",
     "poolkit.convert_indices(np.zeros((1, 1, 1, 1), int), 'onnx', (1, 1, 2, 2), storage_order=2)",
     ["storage_order", "2"]),
    ("unpool index past plane", "poolkit.max_unpool1d(np.ones((1, 1, 2)), np.array([[[0, 9]]]), 2)",
     ["indices must lie in [0, 4)", "9"]),
    ("unpool negative index", "poolkit.max_unpool1d(np.ones((1, 1, 2)), np.array([[[-1, 0]]]), 2)",
     ["indices", "-1"]),
    ("unpool float indices", "poolkit.max_unpool1d(np.ones((1, 1, 2)), np.zeros((1, 1, 2)), 2)",
     ["integer dtype"]),
]

ANY_AXES = [
    ("pool axes 2**70", "poolkit.pool(np.ones(3), 'max', 1, axes=2**70)",
     ["axes must be", "out of range"]),
    ("pool axes True", "poolkit.pool(np.ones(3), 'max', 1, axes=True)", ["axes must be", "True"]),
    ("pool reducer None", "poolkit.pool(np.ones(3), None, 1, axes=0)",
     ["reducer must be one of", "None"]),
    ("pool scipy mirror", "poolkit.pool(np.ones(3), 'max', 1, axes=0, mode='mirror')",
     ["mode must be", "'mirror'", "mode='reflect'"]),
    ("pool cval inf into int8", "poolkit.pool(np.ones(3, np.int8), 'max', 1, axes=0, cval=np.inf)",
     ["cval must be", "inf"]),
    ("pool cval 2**70 into uint64",
     "poolkit.pool(np.ones(3, np.uint64), 'sum', 1, axes=0, cval=2**70)", ["cval", "[0, "]),
    ("pool mode of floats", "poolkit.pool(np.ones(3), 'mode', 1, axes=0)",
     ["mode pooling takes bool or integer", "float64"]),
    ("pool output 2**40", "poolkit.pool(np.ones(4), 'max', 2**40, 1, 2**40 - 1, axes=0)",
     ["kernel_size=1099511627776", "memory limit"]),
    ("pool padded copy 2**40",
     "poolkit.pool(np.ones(4), 'max', 2**40, 2**40, 2**40 - 1, axes=0, mode='wrap')",
     ["a padded copy", "memory limit"]),
]

CASES = [
    pytest.param(call, words, id=f"{group}: {name}")
    for group, table in [
        ("numeric", NUMERIC_EXTREMES),
        ("spelling", ODD_SPELLINGS),
        ("array", ODD_ARRAYS),
        ("size", SIZES),
        ("index", INDEX_VALIDATION),
        ("anyaxes", ANY_AXES),
    ]
    for name, call, words in table
]


@pytest.mark.parametrize(("call", "words"), CASES)
def test_refused_with_one_line(call, words):
    expect_refusal(f"import poolkit.limits\nrefusal(lambda: {call})", *words)


@pytest.mark.parametrize(("setting", "shown"), [("1M", "1 MiB"), ("3000", "2.93 KiB")])
def test_memory_limit_from_the_environment(setting, shown):
    expect_refusal(
        f"refusal(lambda: poolkit.upsample_nearest2d({X2}, 1024))",
        "scale_factor=1024",
        f"memory limit of {shown}",
        env={"POOLKIT_MEMORY_LIMIT": setting},
    )


# ------------------------------------------------------------------ right answers at the edges


def _answer(code: str, **options) -> dict:
    outcome = run_case(code, **options)
    assert outcome.returncode == 0, outcome.explain()
    assert outcome.verdict is not None, outcome.explain()
    return outcome.verdict


def test_zero_d_and_numpy_integer_arguments_equal_python_ints():
    verdict = _answer(
        """
        x = np.arange(64, dtype=np.float32).reshape(1, 1, 8, 8)
        plain = poolkit.max_pool2d(x, 3, 2, 1)
        spelled = poolkit.max_pool2d(x, np.array(3), np.int8(2), (np.uint64(1), np.array(1)))
        adaptive = poolkit.adaptive_avg_pool2d(x, (np.array(3), None))
        report(same=bool(np.array_equal(plain, spelled)), adaptive=list(adaptive.shape),
               ceil=poolkit.max_pool2d(x, 3, ceil_mode=np.array(True)).shape[-1])
        """
    )
    assert verdict == {"same": True, "adaptive": [1, 1, 3, 8], "ceil": 3}


def test_longdouble_max_is_exact():
    # 1 + eps(longdouble) rounds to 1 in float64: a float64 computation would lose it.
    verdict = _answer(
        """
        eps = np.finfo(np.longdouble).eps
        x = np.array([1, 1 + eps, 0, 1 + 2 * eps], np.longdouble).reshape(1, 1, 4)
        out = poolkit.max_pool1d(x, 2)
        g = poolkit.global_max_pool1d(x)
        up = poolkit.upsample_nearest1d(x, 2)
        report(dtype=str(out.dtype), window=[str(v - 1) for v in out.ravel()],
               exact=bool(out[0, 0, 0] == x[0, 0, 1] and out[0, 0, 1] == x[0, 0, 3]),
               globl=bool(g[0, 0] == x[0, 0, 3]), up=bool((up[0, 0, ::2] == x[0, 0]).all()),
               distinct=bool(np.finfo(np.longdouble).eps < np.finfo(np.float64).eps))
        """
    )
    if not verdict["distinct"]:
        pytest.skip("longdouble is float64 on this platform")
    assert verdict["exact"] and verdict["globl"] and verdict["up"], verdict
    assert verdict["dtype"] == "float128"


def test_empty_batch_and_zero_channels_give_empty_results():
    verdict = _answer(
        """
        a = poolkit.max_pool2d(np.ones((0, 3, 4, 4)), 2)
        b = poolkit.avg_pool2d(np.ones((2, 0, 4, 4)), 2)
        c = poolkit.adaptive_max_pool1d(np.ones((0, 2, 5)), 3)
        report(shapes=[list(a.shape), list(b.shape), list(c.shape)])
        """
    )
    assert verdict["shapes"] == [[0, 3, 2, 2], [2, 0, 2, 2], [0, 2, 3]]


def test_fraction_p_is_a_real_number():
    verdict = _answer(
        """
        from fractions import Fraction
        x = np.arange(1., 9.).reshape(1, 1, 8)
        a = poolkit.lp_pool1d(x, Fraction(3, 2), 2)
        b = poolkit.lp_pool1d(x, 1.5, 2)
        report(same=bool(np.array_equal(a, b)))
        """
    )
    assert verdict["same"]


def test_inputs_are_never_modified_on_refusal_or_success():
    verdict = _answer(
        """
        x = np.arange(32, dtype=np.float32).reshape(1, 2, 16)
        before = x.copy()
        poolkit.max_pool1d(x, 3, 2, 1)
        poolkit.avg_pool1d_backward(np.ones((1, 2, 8), np.float32), x, 2)
        try:
            poolkit.upsample_nearest1d(x, 2**60)
        except PoolingError:
            pass
        report(same=bool(np.array_equal(x, before)))
        """
    )
    assert verdict["same"]


@pytest.mark.parametrize("kernels", ["numba", "reference"])
@pytest.mark.parametrize("order", ["neg_first", "pos_first"])
def test_sign_of_zero_in_max_ties_is_the_same_on_every_path(order, kernels):
    # PyTorch's rule: the first maximum in window order wins, so [-0., 0.] gives -0. and
    # [0., -0.] gives 0.; every kernel path (small windows, block scan, indices, channels
    # last, global, adaptive) and the reference must agree.
    verdict = _answer(
        f"""
        import os
        pair = [-0.0, 0.0] if {order!r} == "neg_first" else [0.0, -0.0]
        x = np.tile(np.array(pair, np.float32), (2, 8, 8, 16))
        cl = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        results = {{
            "2x2": poolkit.max_pool2d(x, 2),
            "1x2 s1": poolkit.max_pool2d(x, (1, 2), 1)[..., ::2],
            "1x16 scan": poolkit.max_pool2d(x, (1, 16)),
            "indices": poolkit.max_pool2d(x, 2, return_indices=True)[0],
            "channels_last": poolkit.max_pool2d(cl, (1, 2), data_format="channels_last"),
            "global": poolkit.global_max_pool2d(x),
            "adaptive": poolkit.adaptive_max_pool2d(x, (4, 4)),
        }}
        signs = {{k: float(np.signbit(v).mean()) for k, v in results.items()}}
        report(signs=signs)
        """,
        env={"POOLKIT_KERNELS": "reference" if kernels == "reference" else ""},
    )
    expected = 1.0 if order == "neg_first" else 0.0
    assert verdict["signs"] == dict.fromkeys(verdict["signs"], expected)
