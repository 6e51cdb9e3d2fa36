"""The ONNX conformance cases for the pooling operators, run through poolkit.

The cases are the ones that ship inside the ``onnx`` package
(``onnx.backend.test.case.node.collect_testcases``): a node, its inputs and its expected
outputs. A small adapter (:func:`run_node`) turns the node's attributes into poolkit arguments;
nothing about a case is special-cased except the two whose expected output ONNX itself gets
wrong, which are compared with onnxruntime instead (see :data:`COMPARE_WITH_ONNXRUNTIME`).

The census (:data:`EXPECTED`) pins the exact set of case names per operator, so a set that
silently shrinks or grows with an onnx upgrade fails :func:`test_census` instead of passing on
fewer cases.

Beyond the shipped cases, :func:`test_onnxruntime_grid` runs a grid of node attributes through
onnxruntime and through the same adapter (differential, like the PyTorch and TensorFlow suites).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import poolkit

onnx = pytest.importorskip("onnx")
from onnx import helper  # noqa: E402

pytestmark = pytest.mark.onnx

POOL_OPS = ("MaxPool", "AveragePool", "LpPool", "GlobalMaxPool", "GlobalAveragePool", "MaxUnpool")

EXPECTED = {
    "AveragePool": [
        "test_averagepool_1d_default",
        "test_averagepool_2d_ceil",
        "test_averagepool_2d_ceil_last_window_starts_on_pad",
        "test_averagepool_2d_default",
        "test_averagepool_2d_dilations",
        "test_averagepool_2d_pads",
        "test_averagepool_2d_pads_count_include_pad",
        "test_averagepool_2d_precomputed_pads",
        "test_averagepool_2d_precomputed_pads_count_include_pad",
        "test_averagepool_2d_precomputed_same_upper",
        "test_averagepool_2d_precomputed_strides",
        "test_averagepool_2d_same_lower",
        "test_averagepool_2d_same_upper",
        "test_averagepool_2d_strides",
        "test_averagepool_3d_default",
        "test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_False",
        "test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_True",
        "test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_False",
        "test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_True",
        "test_averagepool_3d_dilations_small",
    ],
    "GlobalAveragePool": ["test_globalaveragepool", "test_globalaveragepool_precomputed"],
    "GlobalMaxPool": ["test_globalmaxpool", "test_globalmaxpool_precomputed"],
    "LpPool": [
        "test_lppool_1d_default",
        "test_lppool_2d_default",
        "test_lppool_2d_dilations",
        "test_lppool_2d_pads",
        "test_lppool_2d_same_lower",
        "test_lppool_2d_same_upper",
        "test_lppool_2d_strides",
        "test_lppool_3d_default",
    ],
    "MaxPool": [
        "test_maxpool_1d_default",
        "test_maxpool_2d_ceil",
        "test_maxpool_2d_ceil_output_size_reduce_by_one",
        "test_maxpool_2d_default",
        "test_maxpool_2d_dilations",
        "test_maxpool_2d_pads",
        "test_maxpool_2d_precomputed_pads",
        "test_maxpool_2d_precomputed_same_upper",
        "test_maxpool_2d_precomputed_strides",
        "test_maxpool_2d_same_lower",
        "test_maxpool_2d_same_upper",
        "test_maxpool_2d_strides",
        "test_maxpool_2d_uint8",
        "test_maxpool_3d_default",
        "test_maxpool_3d_dilations",
        "test_maxpool_3d_dilations_use_ref_impl",
        "test_maxpool_3d_dilations_use_ref_impl_large",
        "test_maxpool_with_argmax_2d_precomputed_pads",
        "test_maxpool_with_argmax_2d_precomputed_strides",
    ],
    "MaxUnpool": [
        "test_maxunpool_export_with_output_shape",
        "test_maxunpool_export_without_output_shape",
    ],
}
# float32 outputs: poolkit accumulates in float64 and rounds once, ONNX's generators and
# onnxruntime round as they go; measured differences are at most 4 ulp (4.8e-7 on values < 4).
RTOL, ATOL = 1e-6, 1e-7

ALL_CASES = sorted(name for names in EXPECTED.values() for name in names)

# Cases whose expected output in the onnx package is wrong; poolkit is compared with
# onnxruntime running the same model instead.
COMPARE_WITH_ONNXRUNTIME = {
    # ONNX's expected output puts the values at rows/columns 1 and 3 of the 5x5 map, as if the
    # indices were into the padded-to-output_shape plane; but indices 5, 7, 13, 15 are flat
    # indices into the 5x5 output plane (ONNX's own definition), i.e. (1,0), (1,2), (2,3),
    # (3,0). onnxruntime and PyTorch (max_unpool2d with output_size=(5, 5)) both do that.
    "test_maxunpool_export_with_output_shape",
    # The expected output was written by hand rounded to 4 decimals (e.g. 7.2500 for 7.25, but
    # also values like 2.3333), so it differs from the true average by up to 5e-5; onnxruntime
    # gives the exact float32 average.
    "test_averagepool_2d_ceil_last_window_starts_on_pad",
}


@pytest.fixture(scope="module")
def cases() -> dict:
    """Every shipped ONNX node case of the pooling operators, by name (collected once)."""
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the other operators' case generators warn on casts
        collected = collect_testcases()
    return {
        case.name: case
        for case in collected
        if case.model.graph.node[0].op_type in POOL_OPS and len(case.model.graph.node) == 1
    }


# --------------------------------------------------------------------------- the adapter


def _attributes(node) -> dict:
    values = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if isinstance(values.get("auto_pad"), bytes):
        values["auto_pad"] = values["auto_pad"].decode()
    return values


def onnx_padding(attrs: dict, n: int):
    """ONNX ``auto_pad`` / ``pads`` (all begins, then all ends) as a poolkit ``padding``:
    poolkit takes auto_pad's VALID, SAME_UPPER and SAME_LOWER as they are written."""
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if auto_pad in ("VALID", "SAME_UPPER", "SAME_LOWER"):
        return auto_pad
    assert auto_pad == "NOTSET", auto_pad
    pads = list(attrs.get("pads", [0] * (2 * n)))
    return [(pads[i], pads[i + n]) for i in range(n)]


def window_arguments(attrs: dict, n: int) -> dict:
    """The window arguments every ONNX pooling node shares, with ONNX's defaults (stride 1)."""
    return {
        "kernel_size": tuple(attrs["kernel_shape"]),
        "stride": tuple(attrs.get("strides", [1] * n)),
        "padding": onnx_padding(attrs, n),
        "dilation": tuple(attrs.get("dilations", [1] * n)),
        "ceil_mode": bool(attrs.get("ceil_mode", 0)),
    }


def run_node(node, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Evaluate one ONNX pooling node with poolkit: the node's outputs, in order."""
    attrs = _attributes(node)
    x = inputs[0]
    n = x.ndim - 2
    op = node.op_type
    if op == "GlobalMaxPool":
        return [getattr(poolkit, f"global_max_pool{n}d")(x, keepdims=True)]
    if op == "GlobalAveragePool":
        return [getattr(poolkit, f"global_avg_pool{n}d")(x, keepdims=True)]
    if op == "GlobalLpPool":
        return [getattr(poolkit, f"global_lp_pool{n}d")(x, attrs.get("p", 2), keepdims=True)]
    if op == "MaxUnpool":
        kernel = tuple(attrs["kernel_shape"])
        stride = tuple(attrs.get("strides", [1] * n))
        padding = onnx_padding(attrs, n)
        output_shape = tuple(int(v) for v in inputs[2]) if len(inputs) > 2 else None
        # ONNX indices are flat over the whole tensor; poolkit's are per (n, c) plane of the
        # unpooled map, whose shape is output_shape or the default size.
        if output_shape is None:
            probe = getattr(poolkit, f"max_unpool{n}d")(
                x, np.zeros(x.shape, np.int64), kernel, stride, padding
            )
            unpooled_shape = probe.shape
        else:
            unpooled_shape = output_shape
        indices = poolkit.convert_indices(inputs[1], "torch", unpooled_shape, source="onnx")
        return [
            getattr(poolkit, f"max_unpool{n}d")(
                x, indices, kernel, stride, padding, output_size=output_shape
            )
        ]
    window = window_arguments(attrs, n)
    if op == "MaxPool":
        wants_indices = len([name for name in node.output if name]) == 2
        if not wants_indices:
            return [getattr(poolkit, f"max_pool{n}d")(x, **window)]
        values, indices = getattr(poolkit, f"max_pool{n}d")(x, **window, return_indices=True)
        onnx_indices = poolkit.convert_indices(
            indices, "onnx", x.shape, storage_order=int(attrs.get("storage_order", 0))
        )
        return [values, onnx_indices]
    if op == "AveragePool":
        count_include_pad = bool(attrs.get("count_include_pad", 0))  # ONNX's default is 0
        return [getattr(poolkit, f"avg_pool{n}d")(x, **window, count_include_pad=count_include_pad)]
    if op == "LpPool":
        return [getattr(poolkit, f"lp_pool{n}d")(x, attrs.get("p", 2), **window)]
    raise AssertionError(f"no adapter for {op}")


def onnxruntime_outputs(case) -> list[np.ndarray]:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(
        case.model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    inputs, _ = case.data_sets[0]
    feeds = {info.name: value for info, value in zip(session.get_inputs(), inputs, strict=True)}
    return session.run(None, feeds)


def assert_same(actual: np.ndarray, expected: np.ndarray, name: str) -> None:
    assert actual.shape == expected.shape, (name, actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (name, actual.dtype, expected.dtype)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=name)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=name)


# --------------------------------------------------------------------------- the tests


def test_census(cases):
    """Exactly the expected cases ship, per operator: 53 in all."""
    by_op: dict[str, list[str]] = {op: [] for op in POOL_OPS}
    for name, case in cases.items():
        by_op[case.model.graph.node[0].op_type].append(name)
    assert {op: sorted(names) for op, names in by_op.items()} == EXPECTED
    assert {op: len(names) for op, names in by_op.items()} == {
        "MaxPool": 19,
        "AveragePool": 20,
        "LpPool": 8,
        "GlobalMaxPool": 2,
        "GlobalAveragePool": 2,
        "MaxUnpool": 2,
    }
    assert len(cases) == len(ALL_CASES) == 53


@pytest.mark.parametrize("name", ALL_CASES)
def test_onnx_case(cases, name, counts):
    assert name in cases, f"{name} no longer ships with onnx {onnx.__version__}"
    case = cases[name]
    inputs, expected = case.data_sets[0]
    actual = run_node(case.model.graph.node[0], list(inputs))
    if name in COMPARE_WITH_ONNXRUNTIME:
        reference = onnxruntime_outputs(case)
        # The ONNX expectation must really be the wrong one: otherwise this exception is stale.
        assert not all(
            a.shape == e.shape and np.allclose(a, e, rtol=RTOL, atol=ATOL)
            for a, e in zip(actual, expected, strict=True)
        ), f"{name}: ONNX's expected output now matches; compare with it again"
        expected = reference
    assert len(actual) == len(expected)
    for position, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert_same(np.asarray(a), np.asarray(e), f"{name} output {position}")
    counts["onnx (shipped conformance cases passed)"][case.model.graph.node[0].op_type] += 1


def test_storage_order_round_trip():
    """Column-major ONNX indices (storage_order=1) go back to poolkit's row-major ones."""
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 4, 3))
    _, indices = poolkit.max_pool3d(x, 2, return_indices=True)
    colmajor = poolkit.convert_indices(indices, "onnx", x.shape, storage_order=1)
    planes = np.arange(6).reshape(2, 3, 1, 1, 1)
    spatial = np.unravel_index(indices, x.shape[2:])
    expected = planes * 60 + np.ravel_multi_index(spatial, x.shape[2:], order="F")
    np.testing.assert_array_equal(colmajor, expected)
    back = poolkit.convert_indices(colmajor, "torch", x.shape, source="onnx", storage_order=1)
    np.testing.assert_array_equal(back, indices)
    with pytest.raises(poolkit.PoolingError, match=r"storage_order must be 0 .* got 2"):
        poolkit.convert_indices(indices, "onnx", x.shape, storage_order=2)
    with pytest.raises(poolkit.PoolingError, match=r"indices must lie in \[0, 60\)"):
        poolkit.convert_indices(indices + 60, "onnx", x.shape, storage_order=1)


# --------------------------------------------------------------------------- onnxruntime grid


def _ort_grid(op_type: str, n: int):
    """Node attributes for a grid of ONNX pooling configurations in ``n`` spatial dims."""
    kernels = {1: [[2], [3]], 2: [[2, 2], [3, 2]], 3: [[2, 2, 2]]}[n]
    strides = {1: [[1], [2]], 2: [[1, 1], [2, 1], [2, 3]], 3: [[1, 2, 1]]}[n]
    pads = {
        1: [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1]],
        2: [[0, 0, 0, 0], [1, 0, 0, 1], [1, 1, 1, 1], [0, 2, 1, 0]],
        3: [[0, 0, 0, 0, 0, 0], [1, 0, 1, 0, 1, 1]],
    }[n]
    dilations = {1: [[1], [2]], 2: [[1, 1], [2, 1]], 3: [[1, 1, 1], [1, 2, 1]]}[n]
    auto_pads = [None, "VALID", "SAME_UPPER", "SAME_LOWER"]
    for k, s, auto_pad, p, d, ceil in itertools.product(
        kernels, strides, auto_pads, pads, dilations, [0, 1]
    ):
        if auto_pad is not None and any(p):
            continue  # pads only with NOTSET
        attrs = {"kernel_shape": k, "strides": s, "ceil_mode": ceil}
        if auto_pad is None:
            attrs["pads"] = p
        else:
            attrs["auto_pad"] = auto_pad
        if op_type != "AveragePool" or d != [1] * n:
            attrs["dilations"] = d
        if op_type == "AveragePool":
            for include in (0, 1):
                yield {**attrs, "count_include_pad": include}
        elif op_type == "LpPool":
            for p_norm in (1, 2, 3):
                yield {**attrs, "p": p_norm}
        else:
            for storage_order in (0, 1):
                yield {**attrs, "storage_order": storage_order}


def spec_same_pads(attrs: dict, spatial: tuple[int, ...]) -> dict:
    """The node with ``auto_pad`` SAME_* replaced by the explicit pads the ONNX spec defines:
    ``out = ceil(L/s)``, ``total = (out-1)*s + (k-1)*d + 1 - L`` (clamped at 0), the odd pad
    at the end (SAME_UPPER) or the start (SAME_LOWER); SAME ignores ceil_mode."""
    begins, ends = [], []
    for length, k, s, d in zip(
        spatial, attrs["kernel_shape"], attrs["strides"], attrs["dilations"], strict=True
    ):
        out = -(-length // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - length, 0)
        small, large = total // 2, total - total // 2
        lo, hi = (large, small) if attrs["auto_pad"] == "SAME_LOWER" else (small, large)
        begins.append(lo)
        ends.append(hi)
    explicit = {key: value for key, value in attrs.items() if key != "auto_pad"}
    return {**explicit, "pads": begins + ends, "ceil_mode": 0}


ORT_SHAPES = {1: (2, 3, 7), 2: (2, 3, 5, 6), 3: (1, 2, 4, 5, 3)}


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("op_type", ["MaxPool", "AveragePool", "LpPool"])
def test_onnxruntime_grid(op_type, n, counts):
    """Beyond the shipped cases: a grid of node attributes (asymmetric pads, every auto_pad,
    ceil_mode, dilations, count_include_pad, p, storage_order) run by onnxruntime and by
    poolkit through the same adapter. Where onnxruntime refuses a node, poolkit must raise
    PoolingError, unless onnxruntime only objects to a pad at least the kernel size but
    smaller than the dilated window, which poolkit (and PyTorch and ONNX's spec) allow."""
    ort = pytest.importorskip("onnxruntime")
    x = np.random.default_rng(n).standard_normal(ORT_SHAPES[n]).astype(np.float32)
    bad: list[str] = []
    compared = relaxed = same_dilated = 0
    for attrs in _ort_grid(op_type, n):
        outputs = ["y", "i"] if op_type == "MaxPool" else ["y"]
        node = helper.make_node(op_type, ["x"], outputs, **attrs)
        ort_attrs = attrs
        if attrs.get("auto_pad", "").startswith("SAME") and max(attrs.get("dilations", [1])) > 1:
            # onnxruntime (and ONNX's ReferenceEvaluator) size these without the dilation,
            # against the ONNX spec: onnxruntime runs the spec's explicit pads instead.
            ort_attrs = spec_same_pads(attrs, x.shape[2:])
            same_dilated += 1
        ort_node = helper.make_node(op_type, ["x"], outputs, **ort_attrs)
        graph = helper.make_graph(
            [ort_node],
            "pool",
            [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
            [
                helper.make_tensor_value_info(name, elem, None)
                for name, elem in zip(
                    outputs, (onnx.TensorProto.FLOAT, onnx.TensorProto.INT64), strict=False
                )
            ],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
        model.ir_version = 10
        try:
            session = ort.InferenceSession(
                model.SerializeToString(), providers=["CPUExecutionProvider"]
            )
            expected = session.run(None, {"x": x})
        except Exception as error:  # onnxruntime's refusals are assorted exception types
            try:
                run_node(node, [x])
            except poolkit.PoolingError:
                continue
            if "Pad should be smaller than kernel" in str(error):
                relaxed += 1
                continue
            bad.append(f"{attrs}: onnxruntime refuses ({str(error)[:120]}), poolkit accepts")
            continue
        try:
            actual = run_node(node, [x])
        except poolkit.PoolingError as error:
            bad.append(f"{attrs}: onnxruntime accepts, poolkit raises {error}")
            continue
        for name, a, e in zip(outputs, actual, expected, strict=True):
            if a.shape != e.shape or not np.allclose(a, e, rtol=1e-5, atol=1e-6):
                bad.append(f"{attrs} output {name}: {a.shape} vs onnxruntime {e.shape}")
        compared += 1
    counts["onnxruntime"][f"{op_type}{n}d"] += compared
    counts["onnxruntime (pads >= kernel refused by onnxruntime only)"][f"{op_type}{n}d"] += relaxed
    counts["onnxruntime (dilated SAME run as the spec's explicit pads)"][f"{op_type}{n}d"] += (
        same_dilated
    )
    assert not bad, f"{len(bad)} mismatches in {compared} cases:\n" + "\n".join(bad[:25])
    assert compared > 0


def _ort_model(nodes, inputs: dict, outputs: list[tuple[str, int]], opset: int = 21):
    """A one-graph model; opset 21 because onnxruntime has no GlobalLpPool-22 kernel."""
    graph = helper.make_graph(
        nodes,
        "pool",
        [
            helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
            for name, v in inputs.items()
        ],
        [helper.make_tensor_value_info(name, elem, None) for name, elem in outputs],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    return model.SerializeToString()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_onnxruntime_global_and_unpool(n, counts):
    """GlobalMaxPool, GlobalAveragePool and GlobalLpPool (p 1-3), and MaxUnpool of
    onnxruntime's own MaxPool indices, by onnxruntime and by the adapter.

    MaxUnpool indices are flat over the whole output tensor, so they mean what MaxPool meant
    only when the unpooled tensor has the pooled input's shape: with output_shape = that
    shape (ONNX's intended use, for inputs the pooling did not cover exactly), and without
    output_shape where the default size is that shape. For other sizes onnxruntime moves
    values into other channels' planes; poolkit's per-plane unpooling refuses them instead.
    """
    ort = pytest.importorskip("onnxruntime")
    x = np.random.default_rng(10 + n).standard_normal(ORT_SHAPES[n]).astype(np.float32)
    float_ = onnx.TensorProto.FLOAT
    bad: list[str] = []
    compared = 0
    nodes = [helper.make_node(op, ["x"], ["y"]) for op in ("GlobalMaxPool", "GlobalAveragePool")]
    nodes += [helper.make_node("GlobalLpPool", ["x"], ["y"], p=p) for p in (1, 2, 3)]
    for node in nodes:
        session = ort.InferenceSession(
            _ort_model([node], {"x": x}, [("y", float_)]), providers=["CPUExecutionProvider"]
        )
        (expected,) = session.run(None, {"x": x})
        (actual,) = run_node(node, [x])
        if actual.shape != expected.shape or not np.allclose(actual, expected, 1e-5, 1e-6):
            bad.append(f"{node.op_type} {_attributes(node)}: differs from onnxruntime")
        compared += 1
    kernels = {1: [[2], [3]], 2: [[2, 2], [3, 2]], 3: [[2, 2, 2]]}[n]
    strides = {1: [[1], [2]], 2: [[2, 2], [1, 2]], 3: [[2, 1, 2]]}[n]
    pads = {1: [[0, 0], [1, 0]], 2: [[0, 0, 0, 0], [1, 0, 0, 1]], 3: [[0, 0, 0, 0, 0, 0]]}[n]
    for k, s, p, extra in itertools.product(kernels, strides, pads, [0, 1]):
        window = {"kernel_shape": k, "strides": s, "pads": p}
        # One more element along the last axis changes which inputs the windows cover.
        source = np.concatenate([x, x[..., :extra]], axis=-1) if extra else x
        pool = helper.make_node("MaxPool", ["x"], ["v", "i"], **window)
        session = ort.InferenceSession(
            _ort_model([pool], {"x": source}, [("v", float_), ("i", onnx.TensorProto.INT64)]),
            providers=["CPUExecutionProvider"],
        )
        values, indices = session.run(None, {"x": source})
        default = [
            (length - 1) * st - lo - hi + kk
            for length, st, lo, hi, kk in zip(values.shape[2:], s, p[:n], p[n:], k, strict=True)
        ]
        cases = [{"v": values, "i": indices, "shape": np.array(source.shape)}]
        if tuple(default) == source.shape[2:]:
            cases.append({"v": values, "i": indices})
        for inputs in cases:
            label = f"MaxUnpool {window} input {source.shape} output_shape={inputs.get('shape')}"
            unpool = helper.make_node("MaxUnpool", list(inputs), ["y"], **window)
            session = ort.InferenceSession(
                _ort_model([unpool], inputs, [("y", float_)]), providers=["CPUExecutionProvider"]
            )
            (expected,) = session.run(None, inputs)
            try:
                (actual,) = run_node(unpool, list(inputs.values()))
            except poolkit.PoolingError as error:
                bad.append(f"{label}: onnxruntime accepts, poolkit raises {error}")
                continue
            if actual.shape != expected.shape or not np.array_equal(actual, expected):
                bad.append(f"{label}: differs")
            compared += 1
    counts["onnxruntime"][f"global_unpool{n}d"] += compared
    assert not bad, f"{len(bad)} mismatches in {compared} cases:\n" + "\n".join(bad[:25])
