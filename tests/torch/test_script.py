"""torch.jit.script of models holding poolkit layers: the layers hand TorchScript the torch.nn
layer that computes the same; the others refuse with a message that says what to use."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

import poolkit.torch as pt  # noqa: E402


def script(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript is deprecated in 2.13
        return torch.jit.script(model)


class Compatible(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.max = pt.MaxPool2d(3, 2, 1, ceil_mode=True)
        self.avg = pt.AvgPool2d(3, 1, 1, count_include_pad=False, divisor_override=None)
        self.avg1 = pt.AvgPool1d(2)
        self.adaptive = pt.AdaptiveAvgPool2d((2, 3))
        self.amax = pt.AdaptiveMaxPool2d(2, return_indices=True)

    def forward(self, x):
        y = self.avg(self.max(x))
        values, indices = self.amax(y)
        return torch.cat(
            [
                self.adaptive(y).flatten(1),
                values.flatten(1) + indices.flatten(1),
                self.avg1(y.flatten(2)).flatten(1),
            ],
            1,
        )


def test_layers_with_torch_equivalents_script_and_agree():
    model, x = Compatible(), torch.randn(2, 3, 13, 11)
    scripted = script(model)
    torch.testing.assert_close(scripted(x), model(x), rtol=1e-6, atol=1e-6)
    kinds = {node.kind() for node in scripted.inlined_graph.nodes()}
    assert not [k for k in kinds if "poolkit" in k], kinds


@pytest.mark.parametrize(
    ("layer", "words"),
    [
        (pt.MaxPool2d(3, 2, "same"), ["MaxPool2d", "padding='same'"]),
        (pt.AvgPool2d(3, dilation=2), ["AvgPool2d", "dilation=2"]),
        (pt.LPPool2d(2, 2), ["LPPool2d", "absolute value"]),
        (pt.SumPool2d(2), ["SumPool2d", "no layer"]),
        (pt.GlobalAvgPool2d(), ["GlobalAvgPool2d", "no layer"]),
        (pt.MaxUnpool2d(2), ["MaxUnpool2d", "does not script"]),
    ],
)
def test_layers_without_equivalents_say_what_to_use(layer, words):
    model = torch.nn.Sequential(torch.nn.ReLU(), layer)
    with pytest.raises(RuntimeError) as error:
        script(model)
    message = str(error.value)
    for word in [*words, "TorchScript is deprecated", "torch.export", "torch.jit.trace"]:
        assert word in message, message
