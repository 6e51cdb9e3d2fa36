"""poolkit bench --keras: poolkit.keras against keras.layers on the active backend and
poolkit.jax against flax (not timed here: the test checks every case runs on both sides, in
both directions, and that ratios and verdicts follow from the times)."""

from __future__ import annotations

import pytest

pytest.importorskip("keras")

from poolkit.bench import keras_layers


def _check(rows, names):
    assert [row["case"].split(" fwd")[0] for row in rows[::2]] == names
    for forward, backward in zip(rows[::2], rows[1::2], strict=True):
        assert " fwd " in forward["case"] and " fwd+bwd " in backward["case"]
    for row in rows:
        assert row["native_s"] > 0 and row["poolkit_s"] > 0
        assert row["ratio"] == pytest.approx(row["native_s"] / row["poolkit_s"])
        assert row["met"] == (row["ratio"] >= row["goal"])
    assert keras_layers.table(rows).count("\n") == len(rows)


def test_keras_cases_time_both_layers_forward_and_backward():
    rows = keras_layers.measure_keras(repeat=1, quick=True)
    _check(rows, [case.name for case in keras_layers.keras_cases(True)])
    goals = {row["goal"] for row in rows}
    assert goals == {keras_layers.EXPRESSIBLE_GOAL, keras_layers.EXTRAS_GOAL}


def test_jax_cases_against_flax():
    pytest.importorskip("flax")
    rows = keras_layers.measure_jax(repeat=1, quick=True)
    names = ["max 3x3/2 SAME", "max 2x2/2 VALID", "avg 2x2/2 VALID"]
    names.append("avg 3x3/1 pad 1, pads counted")
    _check(rows, names)
