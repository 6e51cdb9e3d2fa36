"""torch.onnx.export of poolkit.torch layers: standard ONNX pooling nodes, run in onnxruntime."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import poolkit.torch as pt  # noqa: E402
from poolkit.torch import functional as PF  # noqa: E402

pytestmark = pytest.mark.onnx


class Indices(torch.nn.Module):
    def forward(self, x):
        y, i = PF.max_pool2d(x, 2, 2, "same", return_indices=True)
        return PF.max_unpool2d(y, i, 2, output_size=x.shape[-2:]), i


# layer, the ONNX nodes expected from the TorchScript exporter (Constant nodes aside)
TORCHSCRIPT_CASES = {
    "max": (pt.MaxPool2d(3, 2, 1), ["MaxPool"]),
    "max_ceil_dilated": (pt.MaxPool2d(3, 2, 1, 2, ceil_mode=True), ["MaxPool"]),
    "max_same_auto_pad": (pt.MaxPool2d(3, 2, "same"), ["MaxPool"]),
    "max_lo_hi_pairs": (pt.MaxPool2d(2, 2, ((0, 1), (1, 0))), ["MaxPool"]),
    "max1d_same_lower": (pt.MaxPool1d(4, 3, "same_lower"), ["MaxPool"]),
    "max3d": (pt.MaxPool3d(2, 1, "same"), ["MaxPool"]),
    "avg_ceil": (pt.AvgPool2d(3, 2, 1, ceil_mode=True), ["AveragePool"]),
    "avg_ceil_no_pad_count": (
        pt.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        ["AveragePool"],
    ),
    "avg_same_tf": (pt.AvgPool2d(3, 2, "same"), ["AveragePool"]),
    "avg_dilated": (pt.AvgPool2d(2, 1, dilation=2), ["AveragePool"]),
    "avg_divisor_override": (
        pt.AvgPool2d(2, divisor_override=3),
        ["Pad", "AveragePool", "Mul", "Div"],
    ),
    "lp": (pt.LPPool2d(2, 2), ["LpPool"]),
    "lp_same": (pt.LPPool2d(3, 3, 2, padding="same"), ["LpPool"]),
    "lp_fractional_p": (pt.LPPool2d(1.5, 2), ["Abs", "Pow", "Pad", "AveragePool", "Mul", "Pow"]),
    "sum_ceil": (pt.SumPool2d(3, 2, ceil_mode=True), ["Pad", "AveragePool", "Mul"]),
    "global_avg": (pt.GlobalAvgPool2d(), ["GlobalAveragePool", "Squeeze"]),
    "global_max_keepdim": (pt.GlobalMaxPool2d(keepdim=True), ["GlobalMaxPool"]),
    "adaptive_avg_1": (pt.AdaptiveAvgPool2d(1), ["GlobalAveragePool"]),
    "indices_unpool": (Indices(), ["MaxPool", "Mod", "Cast", "Add", "MaxUnpool"]),
}


def _input(name):
    x = torch.randn(2, 3, 17, 16, generator=torch.Generator().manual_seed(0))
    if name.startswith("max1d"):
        return x[:, :, 0]
    if name.startswith("max3d"):
        return torch.randn(2, 3, 5, 6, 7, generator=torch.Generator().manual_seed(0))
    return x


def run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x.numpy()})


def check_matches_eager(layer, x, outputs):
    expected = layer(x)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected, strict=True):
        np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("name", TORCHSCRIPT_CASES)
def test_torchscript_export_gives_standard_nodes(name, tmp_path):
    layer, expected_nodes = TORCHSCRIPT_CASES[name]
    x = _input(name)
    path = tmp_path / f"{name}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(layer, (x,), str(path), dynamo=False, opset_version=19)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    nodes = [node.op_type for node in model.graph.node if node.op_type != "Constant"]
    assert nodes == expected_nodes
    check_matches_eager(layer, x, run_onnx(path, x))
    if name == "max_same_auto_pad":
        (node,) = [n for n in model.graph.node if n.op_type == "MaxPool"]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        assert attrs["auto_pad"] == b"SAME_UPPER"
    if name == "max_lo_hi_pairs":
        (node,) = [n for n in model.graph.node if n.op_type == "MaxPool"]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        assert attrs["pads"] == [0, 1, 1, 0]  # begins then ends


def test_default_dynamo_export_uses_standard_pooling_nodes(tmp_path):
    pytest.importorskip("onnxscript")
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3),
        pt.MaxPool2d(3, 2, 1, ceil_mode=True),
        pt.AvgPool2d(2, count_include_pad=False, padding=1),
        pt.MaxPool2d(2, 1, "same"),
        pt.SumPool2d(2),
        pt.GlobalAvgPool2d(),
    ).eval()
    x = torch.randn(2, 3, 20, 19)
    path = tmp_path / "model.onnx"
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (x,), str(path))
    finally:
        logging.disable(logging.NOTSET)
    nodes = [node.op_type for node in onnx.load(str(path)).graph.node]
    assert nodes.count("MaxPool") == 2 and nodes.count("AveragePool") == 2
    check_matches_eager(model, x, run_onnx(path, x))


def test_torchscript_export_with_a_dynamic_batch_axis(tmp_path):
    model = torch.nn.Sequential(
        pt.MaxPool2d(3, 2, 1), pt.AvgPool2d(3, 2, "same"), pt.SumPool2d(2), pt.GlobalAvgPool2d()
    )
    path = tmp_path / "dynamic.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.randn(2, 3, 21, 20),),
            str(path),
            dynamo=False,
            opset_version=19,
            input_names=["x"],
            dynamic_axes={"x": {0: "batch"}},
        )
    x = torch.randn(5, 3, 21, 20)
    check_matches_eager(model, x, run_onnx(path, x))
