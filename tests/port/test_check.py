"""``poolkit check``: ONNX models built with onnx.helper (with the converter traps: ceil_mode
that adds a window, SAME_LOWER, count_include_pad with pads, dilated SAME) and one exported
from torch; each pooling node's conventions, its onnxruntime run against poolkit, its ports."""

from __future__ import annotations

import json
import warnings

import pytest

from poolkit.__main__ import main
from poolkit.check import check

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
from onnx import helper  # noqa: E402


def _model(nodes, shape=(1, 3, 16, 16)):
    graph = helper.make_graph(
        nodes,
        "m",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(nodes[-1].output[0], onnx.TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    return model


TRAPS = [
    helper.make_node("MaxPool", ["x"], ["a"], name="ceil", kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
    helper.make_node("AveragePool", ["a"], ["b"], name="same_lower", kernel_shape=[2, 2],
                     strides=[2, 2], auto_pad="SAME_LOWER", count_include_pad=1),
    helper.make_node("MaxPool", ["b"], ["c"], name="dilated_same", kernel_shape=[3, 3],
                     dilations=[2, 2], auto_pad="SAME_UPPER"),
    helper.make_node("GlobalAveragePool", ["c"], ["y"], name="gap"),
]  # fmt: skip


def test_trap_model():
    reports = {r["name"]: r for r in check(_model(TRAPS))}
    assert list(reports) == ["ceil", "same_lower", "dilated_same", "gap"]
    ceil = reports["ceil"]
    assert "ceil_mode changes the output: (8, 8) -> (9, 9)" in ceil["conventions"]
    assert ceil["onnxruntime"] == "match"
    assert all(t["exact"] for t in ceil["targets"].values())
    lower = reports["same_lower"]
    assert lower["input_shape"] == (1, 3, 9, 9)
    assert "auto_pad=SAME_LOWER" in lower["conventions"]
    assert "count_include_pad=1 with padding" in lower["conventions"]
    assert lower["onnxruntime"] == "match"
    dilated = reports["dilated_same"]
    # onnxruntime sizes a dilated SAME window without its dilation (the ONNX spec: 5x5)
    assert dilated["onnxruntime"].startswith("MISMATCH: onnxruntime gives shape (1, 3, 3, 3)")
    assert dilated["targets"]["keras"]["exact"] is False  # Keras pooling has no dilation
    assert dilated["targets"]["torch"]["exact"] and dilated["targets"]["tf"]["exact"]
    assert reports["gap"]["conventions"] == []


def test_cli_table_json_and_status(tmp_path, capsys):
    path = tmp_path / "traps.onnx"
    onnx.save(_model(TRAPS), path)
    assert main(["check", str(path)]) == 1  # a node onnxruntime gets wrong
    out = capsys.readouterr().out
    assert "dilated_same (MaxPool, input (1, 3, 5, 5)):" in out
    assert "keras: NO EXACT EQUIVALENT" in out
    clean = tmp_path / "clean.onnx"
    onnx.save(_model(TRAPS[:2]), clean)
    assert main(["check", str(clean), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in data] == ["ceil", "same_lower"]
    bad = tmp_path / "bad.onnx"
    bad.write_text("not a model")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("poolkit check: error: ") and err.count("\n") == 1
    assert main(["check", str(tmp_path / "missing.onnx")]) == 2


def test_model_exported_from_torch():
    torch = pytest.importorskip("torch")
    import io

    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3),
        torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
        torch.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    )
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                net, (torch.zeros(1, 3, 18, 18),), buffer, dynamo=False, opset_version=17
            )
        except Exception as error:  # an exporter this torch lacks
            pytest.skip(f"torch.onnx.export: {error}")
    reports = check(onnx.load_from_string(buffer.getvalue()))
    assert [r["op"] for r in reports] == ["MaxPool", "AveragePool"]
    assert reports[0]["input_shape"] == (1, 4, 16, 16)
    assert "ceil_mode changes the output: (8, 8) -> (9, 9)" in reports[0]["conventions"]
    assert all(r["onnxruntime"] == "match" for r in reports)
    assert all(t["exact"] for r in reports for t in r["targets"].values())
