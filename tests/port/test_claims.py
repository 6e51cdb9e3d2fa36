"""Every "no exact equivalent" and every "this needs an extra step" that poolkit.port says,
shown true: the framework really lacks the argument, or the simpler form really differs."""

from __future__ import annotations

import numpy as np
import pytest

import poolkit
from poolkit import port as P

torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _x(shape, seed=0):
    return np.random.default_rng(seed).standard_normal((2, 3, *shape)).astype(np.float32)


def _nhwc(x):
    return np.moveaxis(x, 1, -1)


def _nchw(y):
    return np.moveaxis(np.asarray(y), -1, 1)


def test_keras_has_no_dilation():
    """Keras's pooling layers take no dilation: the translation says so, offers poolkit.keras,
    which agrees, while the closest keras.layers form (same kernel, undilated) differs."""
    layer, shape = "torch.nn.MaxPool2d(3, 1, 1, dilation=2)", (9, 9)
    result = P.port(layer, shape, to="keras")
    t = result.translations["keras"]
    assert not t.exact and "poolkit.keras.MaxPooling2D" in t.alternative
    assert "no dilation" in t.notes[0]
    with pytest.raises((TypeError, ValueError)):
        keras.layers.MaxPooling2D(3, strides=1, dilation_rate=2)
    assert P.verify(result)["keras"]["status"] == "agree"  # the poolkit.keras layer is run
    x = _x(shape)
    expected = P.reference(result.layer, result.window, x)
    padded = np.pad(_nhwc(x), [(0, 0), (1, 1), (1, 1), (0, 0)], constant_values=-np.inf)
    closest = _nchw(keras.layers.MaxPooling2D(3, strides=1, padding="valid")(padded))
    assert closest.shape != expected.shape or not np.array_equal(closest, expected)


def test_torch_avgpool_has_no_dilation():
    result = P.port("AveragePool(kernel_shape=[2, 2], dilations=[2, 2])", (7, 7), to="torch")
    t = result.translations["torch"]
    assert not t.exact and "poolkit.torch.AvgPool2d" in t.alternative
    with pytest.raises(TypeError):
        torch.nn.AvgPool2d(2, dilation=2)
    assert P.verify(result)["torch"]["status"] == "agree"  # poolkit.torch's layer


def test_zero_padding_would_not_do_for_max():
    """Keras max with explicit pads: the pad is -inf; ZeroPadding2D would let a 0 win. (At 8,
    'same' pads (0, 1), not torch's (1, 1); at 7 they agree and 'same' is the form.)"""
    same = P.port("torch.nn.MaxPool2d(3, 2, 1)", (7, 7), to="keras")
    assert same.translations["keras"].plan["form"]["padding"] == "same"
    result = P.port("torch.nn.MaxPool2d(3, 2, 1)", (8, 8), to="keras")
    code = "\n".join(result.translations["keras"].code)
    assert "constant_values=float('-inf')" in code and "ZeroPadding" not in code
    x = -np.abs(_x((8, 8))) - 1  # every value negative
    expected = P.reference(result.layer, result.window, x)
    zero = keras.layers.ZeroPadding2D(1)(_nhwc(x))
    wrong = _nchw(keras.layers.MaxPooling2D(3, strides=2)(zero))
    assert wrong.shape == expected.shape and not np.array_equal(wrong, expected)


def test_ceil_mode_needs_an_extra_pad_at_the_end():
    """At 112, MaxPool2d(3, 2, 1, ceil_mode=True) gives 57 windows, floor 56: Keras needs a
    pad of (1, 2), and its 'valid' over the symmetric (1, 1) pad drops the last window."""
    result = P.port("torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)", 112, to="keras")
    assert result.window.output_shape == (57, 57)
    assert any("(56, 56)" in s and "(57, 57)" in s for s in result.summary)
    assert result.translations["keras"].plan["form"]["prepad"] == [[1, 2], [1, 2]]
    x = _x((112, 112))
    symmetric = np.pad(_nhwc(x), [(0, 0), (1, 1), (1, 1), (0, 0)], constant_values=-np.inf)
    assert keras.layers.MaxPooling2D(3, strides=2)(symmetric).shape[1:3] == (56, 56)
    assert P.verify(result)["keras"]["status"] == "agree"


def test_ceil_mode_that_changes_nothing_is_said():
    result = P.port("torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)", 9)
    assert any("changes nothing" in s for s in result.summary)


def test_divisor_correction_is_needed_and_right():
    """count_include_pad=True with a ceil_mode overhang: zero pads + 'valid' count the overhang
    in Keras's divisor; the correction fixes it, and without it the result differs."""
    result = P.port("torch.nn.AvgPool2d(3, 2, 1, ceil_mode=True)", (8, 8), to="keras")
    t = result.translations["keras"]
    ratio = t.plan["correction"]
    assert ratio is not None and "y = y * correction" in t.code
    x = _x((8, 8))
    expected = P.reference(result.layer, result.window, x)
    padded = keras.layers.ZeroPadding2D(((1, 2), (1, 2)))(_nhwc(x))
    plain = _nchw(keras.layers.AveragePooling2D(3, strides=2)(padded))
    assert not np.allclose(plain, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(plain * ratio.astype(np.float32), expected, rtol=1e-5, atol=1e-6)


def test_count_include_pad_false_with_explicit_pads_to_keras():
    """count_include_pad=False: 'same' is exact where its pads are the source's (7: (1, 1));
    where they are not (8: SAME pads (0, 1)), a zero pad plus a divisor correction is."""
    exact = P.port("torch.nn.AvgPool1d(3, 2, 1, count_include_pad=False)", 7, to="keras")
    assert exact.translations["keras"].plan["form"]["padding"] == "same"
    assert exact.translations["keras"].plan["correction"] is None
    other = P.port("torch.nn.AvgPool1d(3, 2, 1, count_include_pad=False)", 8, to="keras")
    assert other.translations["keras"].plan["correction"] is not None
    for result in (exact, other):
        assert P.verify(result)["keras"]["status"] == "agree"


def test_tf_same_average_to_torch_uses_ceil_mode_and_no_pad_count():
    """TF 'SAME' (extra pad at the end, pads not counted) is torch's symmetric pad with
    ceil_mode=True and count_include_pad=False."""
    result = P.port("tf.nn.avg_pool2d(x, 3, 2, 'SAME')", (8, 8), to="torch")
    code = result.translations["torch"].code
    assert (
        "pool = torch.nn.AvgPool2d(3, 2, padding=0, ceil_mode=True, count_include_pad=False)"
        in code
    )
    assert P.verify(result)["torch"]["status"] == "agree"


def test_tf_pool_refuses_what_port_avoids():
    x = _nhwc(_x((9, 9)))
    with pytest.raises(ValueError, match="SAME"):
        tf.nn.pool(x, [3, 3], "MAX", padding="SAME", dilations=[2, 2])
    with pytest.raises(ValueError):
        tf.nn.pool(x, [3, 3], "MAX", strides=[2, 2], padding="VALID", dilations=[2, 2])
    result = P.port("torch.nn.MaxPool2d(3, 2, 1, dilation=2)", (9, 9), to="tf")
    t = result.translations["tf"]
    assert t.plan["slice"] == [2, 2] or t.plan["slice"] == (2, 2)
    assert P.verify(result)["tf"]["status"] == "agree"


def test_onnxruntime_dilated_same_is_why_pads_are_explicit():
    """onnxruntime sizes auto_pad SAME_UPPER with dilations as if undilated (against ONNX's
    spec): the translation writes explicit pads, which onnxruntime runs right."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import helper

    result = P.port("flax.linen.max_pool(x, (3,), padding='SAME')", 7, to="onnx")
    # the same geometry, dilated, from lax: 'SAME' with window_dilation 2
    dilated = P.port(
        "lax.reduce_window(x, -jnp.inf, lax.max, (1, 3, 1), (1, 1, 1), 'SAME', "
        "window_dilation=(1, 2, 1))",
        7,
        to="onnx",
    )
    assert "pads=[2, 2]" in dilated.translations["onnx"].code[0]
    assert "auto_pad" not in dilated.translations["onnx"].code[0]
    assert P.verify(dilated)["onnx"]["status"] == "agree"
    assert P.verify(result)["onnx"]["status"] == "agree"
    node = helper.make_node(
        "MaxPool", ["x"], ["y"], kernel_shape=[3], dilations=[2], auto_pad="SAME_UPPER"
    )
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, (2, 3, 7))],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    x = _x((7,))
    y = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"x": x}
    )[0]
    expected = poolkit.max_pool1d(x, 3, 1, "same", 2)
    assert y.shape != expected.shape or not np.array_equal(y, expected)


def test_onnxruntime_refuses_pad_at_least_kernel():
    """A pad of 2 with kernel 2, dilation 2 is valid for ONNX's spec (and PyTorch) but
    onnxruntime refuses it: the translation moves it into a Pad node, which runs."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import helper

    result = P.port(
        "lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 1), (1, 1, 1), ((0, 0), (2, 0), (0, 0)), "
        "window_dilation=(1, 2, 1))",
        6,
        to="onnx",
    )
    assert "'Pad'" in result.translations["onnx"].code[0]
    assert P.verify(result)["onnx"]["status"] == "agree"
    node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2], dilations=[2], pads=[2, 0])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, (2, 3, 6))],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    with pytest.raises(Exception, match=r"(?i)pad"):
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        session.run(None, {"x": _x((6,))})


def test_index_conversion_from_onnx_to_torch():
    """return_indices: ONNX's MaxPool indices (flat over N*C*spatial) become torch's (flat per
    plane) through poolkit.convert_indices, as the translation's note says."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import helper

    result = P.port("torch.nn.MaxPool2d(3, 2, 1, return_indices=True)", (7, 7), to="onnx")
    assert any("convert_indices" in n for n in result.translations["onnx"].notes)
    x = _x((7, 7))
    node = helper.make_node(
        "MaxPool", ["x"], ["y", "i"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]
    )
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
        [
            helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None),
            helper.make_tensor_value_info("i", onnx.TensorProto.INT64, None),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    _, i = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"x": x}
    )
    _, expected = torch.nn.MaxPool2d(3, 2, 1, return_indices=True)(torch.from_numpy(x))
    converted = poolkit.convert_indices(i, "torch", x.shape, source="onnx")
    np.testing.assert_array_equal(converted, expected.numpy())
