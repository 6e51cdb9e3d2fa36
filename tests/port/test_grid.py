"""A grid of pooling layers per source framework, each ported to every framework and RUN there
(torch, Keras on TensorFlow, tf.nn, onnxruntime, JAX): every translation must agree with the
source and with poolkit's reference, bit for bit for max, to float rounding for averages.

The grids cover every padding spelling of each source (ints, asymmetric pairs, 'same',
'same_lower', 'valid', auto_pad), ceil_mode where it changes the output size (odd inputs),
dilation, count_include_pad, divisor_override and 1-3 spatial dims; each case is small.
"""

from __future__ import annotations

import itertools

import pytest

from poolkit import port as P

pytestmark = pytest.mark.slow  # every framework's grid

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
pytest.importorskip("onnxruntime")
pytest.importorskip("jax")

SHAPES = {1: (7,), 2: (7, 6), 3: (5, 6, 5)}


def torch_cases():
    for n, k, s, p, d, ceil in itertools.product(
        (1, 2, 3), (2, 3), (1, 2), (0, 1), (1, 2), (False, True)
    ):
        if n == 3 and (s == 1 or (d == 2 and k == 2)):
            continue  # keep 3-d small
        yield f"torch.nn.MaxPool{n}d({k}, {s}, {p}, dilation={d}, ceil_mode={ceil})", SHAPES[n]
    for n, k, s, p, ceil, cip in itertools.product(
        (1, 2, 3), (2, 3), (1, 2), (0, 1), (False, True), (True, False)
    ):
        if n == 3 and s == 1:
            continue
        yield (
            f"torch.nn.AvgPool{n}d({k}, {s}, {p}, ceil_mode={ceil}, count_include_pad={cip})",
            SHAPES[n],
        )
    for n in (2, 3):
        yield f"torch.nn.AvgPool{n}d(3, 2, 1, ceil_mode=True, divisor_override=4)", SHAPES[n]
    # rectangular, per-dim arguments
    yield "torch.nn.MaxPool2d((3, 2), (2, 1), (1, 0), dilation=(1, 2), ceil_mode=True)", (8, 9)
    yield "torch.nn.AvgPool2d((3, 2), (2, 3), (1, 1), ceil_mode=True)", (8, 9)


def keras_cases():
    for op, n, k, s, pad in itertools.product(
        ("MaxPooling", "AveragePooling"), (1, 2, 3), (2, 3), (None, 2, 3), ("valid", "same")
    ):
        if n == 3 and k == 3 and s == 3:
            continue
        yield f"keras.layers.{op}{n}D({k}, strides={s}, padding='{pad}')", SHAPES[n]
    yield (
        "keras.layers.MaxPooling2D((3, 2), strides=(2, 1), padding='same', "
        "data_format='channels_first')",
        (7, 8),
    )
    yield "keras.layers.AveragePooling2D((2, 3), strides=(3, 2), padding='same')", (7, 8)
    yield "keras.layers.AvgPool1D(pool_size=4, strides=3, padding='same')", (10,)


def _onnx_attrs(n, k, s, pads, auto, d, ceil):
    attrs = {"kernel_shape": [k] * n, "strides": [s] * n, "ceil_mode": ceil}
    if auto:
        attrs["auto_pad"] = auto
    else:
        attrs["pads"] = pads
    if d != 1:
        attrs["dilations"] = [d] * n
    return attrs


def onnx_cases():
    pad_sets = {
        1: [[0, 0], [1, 0], [0, 2]],
        2: [[0, 1, 1, 0], [1, 1, 2, 1]],
        3: [[1, 0, 0, 0, 1, 1]],
    }
    for op, n, k, s, auto, d, ceil in itertools.product(
        ("MaxPool", "AveragePool"),
        (1, 2, 3),
        (2, 3),
        (1, 2),
        (None, "VALID", "SAME_UPPER", "SAME_LOWER"),
        (1, 2),
        (0, 1),
    ):
        if auto and auto.startswith("SAME") and d > 1:
            continue  # onnxruntime sizes dilated SAME wrongly: test_claims covers it
        if n == 3 and (s == 1 or d == 2 or k == 3):
            continue
        for pads in pad_sets[n] if auto is None else [None]:
            if pads and max(pads) >= k:
                continue  # onnxruntime refuses a pad >= kernel_shape
            attrs = _onnx_attrs(n, k, s, pads, auto, d, ceil)
            cips = (0, 1) if op == "AveragePool" else (None,)
            for cip in cips:
                a = dict(attrs)
                if cip is not None:
                    a["count_include_pad"] = cip
                text = ", ".join(f"{key}={value!r}" for key, value in a.items())
                yield f"{op}({text})", SHAPES[n]


def tf_cases():
    for op, n, k, s, pad in itertools.product(
        ("max_pool", "avg_pool"), (1, 2, 3), (2, 3), (1, 2, 3), ("SAME", "VALID")
    ):
        if n == 3 and s == 1:
            continue
        if s > k:
            continue  # TensorFlow refuses strides > ksize on CPU for some ops
        yield f"tf.nn.{op}{n}d(x, ksize={k}, strides={s}, padding='{pad}')", SHAPES[n]
    for n, pads in ((1, [[0, 0], [1, 2], [0, 0]]), (2, [[0, 0], [2, 0], [0, 1], [0, 0]])):
        yield f"tf.nn.max_pool{n}d(x, 3, 2, {pads})", SHAPES[n]
    for kind, d in itertools.product(("MAX", "AVG"), (2, 3)):
        yield f"tf.nn.pool(x, [2, 2], '{kind}', padding='VALID', dilations=[{d}, 1])", (9, 7)
    yield "tf.nn.pool(x, [3], 'AVG', strides=[2], padding='SAME')", (8,)
    yield "tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], 'SAME')", (7, 8)


def jax_cases():
    for op, n, k, s, pad in itertools.product(
        ("max_pool", "avg_pool"), (1, 2, 3), (2, 3), (1, 2), ("'SAME'", "'VALID'", "pairs")
    ):
        if n == 3 and s == 1:
            continue
        padding = repr(tuple([(1, k - 1)] * n)) if pad == "pairs" else pad
        window = tuple([k] * n)
        stride = tuple([s] * n)
        cips = ("", ", count_include_pad=False") if op == "avg_pool" else ("",)
        for cip in cips:
            yield (
                f"flax.linen.{op}(x, {window}, strides={stride}, padding={padding}{cip})",
                SHAPES[n],
            )
    for pad, d in itertools.product(
        ("'SAME'", "'VALID'", "((0, 0), (2, 1), (0, 1), (0, 0))"), (1, 2)
    ):
        yield (
            f"lax.reduce_window(x, -jnp.inf, lax.max, (1, 3, 2, 1), (1, 2, 1, 1), {pad}, "
            f"window_dilation=(1, {d}, 1, 1))",
            (9, 7),
        )
    # a pad >= the kernel (but < the dilated window): onnxruntime needs a Pad node for it
    yield (
        "lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 1), (1, 1, 1), ((0, 0), (2, 0), (0, 0)), "
        "window_dilation=(1, 2, 1))",
        (6,),
    )


GRIDS = {
    "torch": list(torch_cases()),
    "keras": list(keras_cases()),
    # every third of the ONNX product (408 nodes) keeps the run short; the product's axes
    # (op, dims, kernel, stride, auto_pad/pads, dilation, ceil_mode, count_include_pad) all vary
    "onnx": list(onnx_cases())[::3],
    "tf": list(tf_cases()),
    "jax": list(jax_cases()),
}


def _run(source, layer, shape, tally):
    result = P.port(layer, shape, to=P.FRAMEWORKS)
    assert result.layer.framework == source
    report = P.verify(result)
    bad = {k: v for k, v in report.items() if v["status"] != "agree"}
    assert not bad, f"{layer} at {shape}: {bad}"
    tally(source, report, {k: t.exact for k, t in result.translations.items()})
    # every claim of "no exact equivalent" comes with an alternative, and it is the one run
    for t in result.translations.values():
        assert t.exact or t.alternative


@pytest.mark.parametrize("source", sorted(GRIDS))
def test_grid(source, tally):
    """Every layer of the source's grid, ported to all five frameworks and run in each."""
    failures = []
    for layer, shape in GRIDS[source]:
        try:
            _run(source, layer, shape, tally)
        except AssertionError as error:
            failures.append(str(error)[:400])
    assert not failures, f"{len(failures)} of {len(GRIDS[source])}:\n" + "\n".join(failures[:15])
    assert len(GRIDS[source]) >= 20
