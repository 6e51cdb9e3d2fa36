"""Find the pooling nodes of an ONNX model that depend on a convention, and whether they port.

For every ``MaxPool`` / ``AveragePool`` node: the conventions it depends on (ceil_mode that
changes the output size, asymmetric or auto pads, count_include_pad, dilations,
storage_order), the node run alone under onnxruntime against poolkit's reference at the
model's shapes (random input), and for each target framework whether :mod:`poolkit.port`
finds an exact form. ``GlobalMaxPool`` / ``GlobalAveragePool`` are listed as convention-free.

onnx and onnxruntime are imported inside the functions, never by ``import poolkit.check``.
"""

from __future__ import annotations

import numpy as np

from poolkit.errors import PoolingError

POOLS = ("MaxPool", "AveragePool")
GLOBALS = ("GlobalMaxPool", "GlobalAveragePool")


def _attrs(node) -> dict:
    from onnx import helper

    values = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if isinstance(values.get("auto_pad"), bytes):
        values["auto_pad"] = values["auto_pad"].decode()
    return values


def _load(model):
    import onnx

    if isinstance(model, str | bytes) or hasattr(model, "__fspath__"):
        try:
            return onnx.load(model)
        except OSError:
            raise
        except Exception as error:
            raise PoolingError(f"model must be an ONNX file; got {model!r} ({error})") from None
    if isinstance(model, onnx.ModelProto):
        return model
    raise PoolingError(f"model must be an ONNX ModelProto or a path; got {type(model).__name__}")


def _shapes(model) -> dict:
    import onnx

    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {}
    graph = inferred.graph
    for info in list(graph.input) + list(graph.value_info) + list(graph.output):
        dims = info.type.tensor_type.shape.dim
        if dims and all(d.HasField("dim_value") for d in dims):
            shapes[info.name] = tuple(d.dim_value for d in dims)
    return shapes


def conventions(op: str, attrs: dict, window) -> list[str]:
    """The conventions a node depends on, in words (empty: plain 'valid' pooling)."""
    found = []
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        found.append(f"auto_pad={auto}")
    pads = window.pads
    if any(lo != hi for lo, hi in pads):
        found.append(f"asymmetric pads {pads}")
    elif any(lo for lo, _ in pads) and auto == "NOTSET":
        found.append(f"pads {pads}")
    if attrs.get("ceil_mode", 0):
        floors = tuple((a.length + a.lo + a.hi - a.k_eff) // a.stride + 1 for a in window.axes)
        if floors != window.output_shape:
            found.append(f"ceil_mode changes the output: {floors} -> {window.output_shape}")
        else:
            found.append("ceil_mode (no effect at these shapes)")
    if any(d != 1 for d in window.dilation):
        found.append(f"dilations {window.dilation}")
    if op == "AveragePool" and window.has_padding:
        counted = bool(attrs.get("count_include_pad", 0))
        found.append(f"count_include_pad={int(counted)} with padding")
    if attrs.get("storage_order", 0):
        found.append("storage_order=1 (column-major indices)")
    return found


def check(model, *, seed: int = 0) -> list[dict]:
    """One report per pooling node: ``name``, ``op``, ``input_shape``, ``conventions``,
    ``onnxruntime`` (``"match"``, ``"MISMATCH ..."`` or why it did not run) and ``targets``
    (framework -> ``{"exact": bool, "code": [...]}``)."""
    from poolkit import port as P

    model = _load(model)
    shapes = _shapes(model)
    reports = []
    for index, node in enumerate(model.graph.node):
        if node.op_type not in POOLS + GLOBALS:
            continue
        name = node.name or f"{node.op_type}_{index}"
        shape = shapes.get(node.input[0])
        report = {"name": name, "op": node.op_type, "input_shape": shape}
        if node.op_type in GLOBALS:
            report.update(conventions=[], onnxruntime="not run (no convention)", targets={})
            reports.append(report)
            continue
        attrs = _attrs(node)
        if shape is None:
            report.update(conventions=["input shape unknown"], onnxruntime="not run", targets={})
            reports.append(report)
            continue
        layer = P.parse({"op_type": node.op_type, **attrs})
        result = P.port(layer, shape[2:], to=P.FRAMEWORKS)
        report["conventions"] = conventions(node.op_type, attrs, result.window)
        report["output_shape"] = [*shape[:2], *result.window.output_shape]
        report["onnxruntime"] = _run_node(node, attrs, result, shape, seed)
        report["targets"] = {
            k: {"exact": t.exact, "code": t.code, "notes": t.notes}
            for k, t in result.translations.items()
            if k != "onnx"
        }
        reports.append(report)
    return reports


def _run_node(node, attrs, result, shape, seed) -> str:
    try:
        import onnx
        import onnxruntime as ort
        from onnx import helper
    except ImportError as error:
        return f"not run ({error.name} not installed)"
    from poolkit import port as P

    single = helper.make_node(node.op_type, ["x"], ["y"], **attrs)
    graph = helper.make_graph(
        [single],
        "node",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    expected = P.reference(result.layer, result.window, x)
    try:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        y = session.run(None, {"x": x})[0]
    except Exception as error:  # onnxruntime's refusals are assorted exception types
        return f"REFUSED by onnxruntime: {' '.join(str(error).split())[:160]}"
    if y.shape != expected.shape:
        return f"MISMATCH: onnxruntime gives shape {y.shape}, the ONNX spec {expected.shape}"
    if not np.allclose(y, expected, rtol=1e-5, atol=1e-6):
        return f"MISMATCH: {int(np.sum(~np.isclose(y, expected, rtol=1e-5, atol=1e-6)))} values"
    return "match"


def table(reports: list[dict]) -> str:
    lines = []
    for r in reports:
        lines.append(f"{r['name']} ({r['op']}, input {r['input_shape']}):")
        lines.append(f"  conventions: {'; '.join(r['conventions']) or 'none'}")
        lines.append(f"  onnxruntime vs poolkit: {r['onnxruntime']}")
        for target, t in r["targets"].items():
            state = "exact" if t["exact"] else "NO EXACT EQUIVALENT"
            lines.append(f"  {target}: {state}: {' / '.join(t['code'])}")
    return "\n".join(lines) if lines else "no pooling nodes"


# --------------------------------------------------------------------------- command line


def add_arguments(parser) -> None:
    parser.add_argument("model", help="an ONNX model file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args) -> int:
    import json

    reports = check(args.model)
    print(json.dumps(reports, indent=2) if args.json else table(reports))
    bad = [r for r in reports if str(r["onnxruntime"]).startswith(("MISMATCH", "REFUSED"))]
    return 1 if bad else 0
