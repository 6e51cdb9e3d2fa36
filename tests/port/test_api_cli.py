"""poolkit.port's parsing of every source spelling, its refusals (PoolingError naming the
argument), the live-object inputs, its light import, and the ``poolkit port`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from poolkit import PoolingError
from poolkit import port as P
from poolkit.__main__ import main

EXAMPLE = "torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)"


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("layer", "shape", "match"),
    [
        ("torch.nn.MaxPool2d(0)", 8, "kernel_size"),
        ("torch.nn.MaxPool2d(3, bogus=1)", 8, "bogus"),
        ("torch.nn.MaxPool2d(3, padding='same')", 8, "padding"),
        ("torch.nn.MaxPool2d(3, 1, 2)", 8, "padding must be at most half of kernel_size"),
        ("torch.nn.MaxPool2d(3, 1, ceil_mode='yes')", 8, "ceil_mode"),
        ("torch.nn.MaxPool2d()", 8, "kernel_size"),
        ("keras.layers.MaxPooling2D(2, padding=1)", 8, "padding"),
        ("keras.layers.MaxPooling2D(2, data_format='NHWC')", 8, "data_format"),
        ("MaxPool(kernel_shape=[3], auto_pad='BAD')", 8, "auto_pad"),
        ("MaxPool(strides=[1])", 8, "kernel_shape"),
        ("MaxPool(kernel_shape=[3], pads=[1])", 8, "pads"),
        ("MaxPool(kernel_shape=[3], storage_order=2)", 8, "storage_order"),
        ("AveragePool(kernel_shape=[3], storage_order=1)", 8, "storage_order"),
        ("tf.nn.pool(x, [3], 'MAX', padding='SAME', dilations=[2])", 8, "dilations"),
        ("tf.nn.pool(x, [3], 'MAX', strides=[2], dilations=[2])", 8, "strides"),
        ("tf.nn.pool(x, [3], 'MIN')", 8, "pooling_type"),
        ("tf.nn.max_pool2d(x, 2, 2, [[1, 0], [0, 0], [0, 0], [0, 0]])", 8, "padding"),
        ("tf.nn.avg_pool2d(x, 2, 2, [[0, 0], [1, 0], [0, 0], [0, 0]])", 8, "padding"),
        ("tf.nn.max_pool2d(x, [2, 2, 2, 2], 2, 'SAME')", 8, "ksize"),
        ("flax.linen.max_pool(x, (2,), padding='FULL')", 8, "padding"),
        ("lax.reduce_window(x, 0.0, lax.add, (1, 2, 1), (1, 1, 1), 'VALID')", 8, "computation"),
        ("lax.reduce_window(x, 0.0, lax.max, (1, 2, 1), (1, 1, 1), 'VALID')", 8, "init_value"),
        (
            "lax.reduce_window(x, -jnp.inf, lax.max, (2, 2, 1), (1, 1, 1), 'VALID')",
            8,
            "window_dimensions",
        ),
        ("__import__('os').system('echo hi')", 8, "layer"),
        ("torch.nn.MaxPool2d(3, stride=open('f'))", 8, "literal"),
        ("torch.nn.MaxPool2d(3", 8, "layer must be a Python call"),
        ("42", 8, "layer must be a call"),
        ("torch.nn.Conv2d(3, 3, 3)", 8, "layer must be a max or average pooling layer"),
        ("torch.nn.MaxPool2d(3)", (5,), "input_shape"),
        ("torch.nn.MaxPool2d(3)", "abc", "input"),
        ("torch.nn.MaxPool2d(3)", (1, 2, 3, 4), "input"),
        ("torch.nn.MaxPool2d(5)", 3, "input is too small"),
        ("tf.nn.max_pool(x, 2, 2, 'SAME')", 8, "input must give every spatial size"),
    ],
)
def test_bad_arguments_raise_pooling_error_naming_them(layer, shape, match):
    with pytest.raises(PoolingError, match=match):
        P.port(layer, shape)


def test_bad_target_and_object():
    with pytest.raises(PoolingError, match="to must name"):
        P.port(EXAMPLE, 8, to="caffe")
    with pytest.raises(PoolingError, match="layer must be"):
        P.parse(42)
    with pytest.raises(PoolingError, match="layer must be"):
        P.parse({"kernel_shape": [2]})


# --------------------------------------------------------------------------- spellings


def test_spellings_resolve_to_the_same_geometry():
    """One geometry, many spellings: torch's ceil_mode, TF/Keras/flax 'SAME', ONNX SAME_UPPER
    and its explicit pads all give the same windows at 8."""
    spellings = [
        "keras.layers.MaxPooling1D(3, strides=2, padding='same')",
        "tf.nn.max_pool1d(x, 3, 2, 'SAME')",
        "tf.nn.max_pool1d(x, [1, 3, 1], [1, 2, 1], 'SAME')",
        "tf.nn.pool(x, [3], 'MAX', strides=[2], padding='SAME')",
        "MaxPool(kernel_shape=[3], strides=[2], auto_pad='SAME_UPPER')",
        "onnx.helper.make_node('MaxPool', ['x'], ['y'], kernel_shape=[3], strides=[2], "
        "pads=[0, 1])",
        "flax.linen.max_pool(x, (3,), strides=(2,), padding='SAME')",
        "lax.reduce_window(x, -jnp.inf, lax.max, (1, 3, 1), (1, 2, 1), 'SAME')",
        "lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 3), (1, 1, 2), ((0, 0), (0, 0), (0, 1)))",
    ]
    windows = {
        s: P.port(s, 8, data_format="channels_first" if "(1, 1, 3)" in s else None).window
        for s in spellings
    }
    assert {(w.pads, w.output_shape) for w in windows.values()} == {(((0, 1),), (4,))}
    lower = P.port("MaxPool(kernel_shape=[3], strides=[2], auto_pad='SAME_LOWER')", 8).window
    assert lower.pads == ((1, 0),)


def test_averages_say_what_pads_count():
    cases = {
        "torch.nn.AvgPool2d(3, 2, 1)": True,
        "torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False)": False,
        "keras.layers.AveragePooling2D(3, 2, padding='same')": False,
        "tf.nn.avg_pool2d(x, 3, 2, 'SAME')": False,
        "AveragePool(kernel_shape=[3, 3], pads=[1, 1, 1, 1])": False,  # ONNX's default is 0
        "AveragePool(kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1)": True,
        "flax.linen.avg_pool(x, (3, 3), padding='SAME')": True,  # flax counts them
    }
    for layer, counted in cases.items():
        assert P.parse(layer).count_include_pad is counted, layer


def test_live_objects():
    torch = pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    onnx = pytest.importorskip("onnx")
    from onnx import helper

    module = torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)
    assert P.port(module, 112).window == P.port(EXAMPLE, 112).window
    avg = P.parse(torch.nn.AvgPool1d(3, 2, 1, count_include_pad=False))
    assert (avg.op, avg.count_include_pad) == ("avg", False)
    layer = keras.layers.MaxPooling2D(3, strides=2, padding="same")
    config = {"class_name": "MaxPooling2D", "config": layer.get_config()}
    for source in (layer, config):
        assert P.port(source, 8).window.pads == ((0, 1), (0, 1))
    node = helper.make_node(
        "AveragePool", ["x"], ["y"], kernel_shape=[3], pads=[1, 2], count_include_pad=1, ceil_mode=1
    )
    parsed = P.parse(node)
    assert (parsed.padding, parsed.ceil_mode, parsed.count_include_pad) == (((1, 2),), True, True)
    assert P.parse({"op_type": "MaxPool", "kernel_shape": [2, 2]}).kernel == (2, 2)
    result = P.port(module, 9)
    assert all(r["status"] == "agree" for r in P.verify(result).values())
    del onnx


def test_import_stays_light():
    code = (
        "import sys, poolkit, poolkit.port, poolkit.check, poolkit.__main__ as m; "
        "m.build_parser(); "
        "print(sorted(x for x in ('torch', 'tensorflow', 'onnx', 'onnxruntime', 'jax', 'keras', "
        "'flax') if x in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the command


def test_cli_to_keras_text(capsys):
    assert main(["port", EXAMPLE, "--input", "112", "--to", "keras"]) == 0
    out = capsys.readouterr().out
    assert "keras.layers.MaxPooling2D(3, strides=2, padding='valid'" in out
    assert "constant_values=float('-inf')" in out
    assert "floor would give (56, 56) windows, ceil gives (57, 57)" in out
    assert "onnx" not in out.split("keras: exact")[1].split("\n")[0]


def test_cli_to_onnx_text(capsys):
    assert main(["port", EXAMPLE, "--input", "112", "--to", "onnx"]) == 0
    out = capsys.readouterr().out
    assert (
        "make_node('MaxPool', ['x'], ['y'], kernel_shape=[3, 3], strides=[2, 2], "
        "pads=[1, 1, 1, 1], ceil_mode=1)" in out
    )


def test_cli_json(capsys):
    assert main(["port", EXAMPLE, "--input", "112,96", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["geometry"]["output"] == [57, 49]
    assert data["geometry"]["pads"] == [[1, 1], [1, 1]]
    assert sorted(data["translations"]) == ["jax", "keras", "onnx", "tf"]
    assert all(t["exact"] for t in data["translations"].values())


def test_cli_verify(capsys):
    assert main(["port", "tf.nn.avg_pool2d(x, 3, 2, 'SAME')", "--input", "9", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "verify (random input against poolkit's reference):" in out
    for name in ("source", "torch", "keras", "onnx", "jax"):
        assert f"  {name}: agree" in out
    assert main(["port", EXAMPLE, "--input", "9", "--to", "onnx,jax", "--verify", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: v["status"] for k, v in data["verify"].items()} == {
        "source": "agree",
        "onnx": "agree",
        "jax": "agree",
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["torch.nn.MaxPool2d(0)", "--input", "8"],
        ["os.system('true')", "--input", "8"],
        ["torch.nn.MaxPool2d(3", "--input", "8"],
        [EXAMPLE, "--input", "abc"],
        [EXAMPLE, "--input", "8", "--to", "caffe"],
        ["MaxPool(kernel_shape=[3, 3], pads=[5, 5, 5, 5])", "--input", "8"],
    ],
)
def test_cli_bad_input_is_one_line_exit_2(argv, capsys):
    assert main(["port", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("poolkit port: error: ") and err.count("\n") == 1


def test_cli_process():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = [sys.executable, "-m", "poolkit", "port"]
    ok = subprocess.run(
        [*run, EXAMPLE, "--input", "112", "--to", "onnx"], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0 and "ceil_mode=1" in ok.stdout
    bad = subprocess.run(
        [*run, "torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)", "--input", "0"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
