"""poolkit.torch.replace_pooling: every torch.nn pooling layer swapped in place, same results."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import poolkit.torch as pt  # noqa: E402
from poolkit.torch import modules  # noqa: E402


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1),
            nn.MaxPool2d(3, 2, 1, ceil_mode=True),
            nn.AvgPool2d(2, count_include_pad=False, padding=1, divisor_override=3),
            nn.LPPool2d(2, 2),
        )
        self.head = nn.ModuleDict(
            {"pool": nn.AdaptiveAvgPool2d((1, 1)), "max": nn.AdaptiveMaxPool1d(2)}
        )
        self.pool1 = nn.MaxPool1d(2, return_indices=True)
        self.unpool1 = nn.MaxUnpool1d(2)
        self.avg3 = nn.AvgPool3d(2)

    def forward(self, x):
        y = self.features(x)
        a = self.head["pool"](y).flatten(1)
        b = self.head["max"](y.flatten(2)).flatten(1)
        v, i = self.pool1(y.flatten(2))
        u = self.unpool1(v, i)
        c = self.avg3(y[:, None]).flatten(1)
        return torch.cat([a, b, u.flatten(1), c], 1)


def test_every_pooling_layer_is_replaced_with_the_same_arguments_and_results():
    torch.manual_seed(0)
    model = Net()
    x = torch.randn(3, 2, 11, 11, requires_grad=True)
    expected = model(x)
    (expected_grad,) = torch.autograd.grad(expected.square().sum(), x)
    originals = dict(model.named_modules())

    replaced = pt.replace_pooling(model)

    assert sorted(replaced) == [
        "avg3", "features.1", "features.2", "features.3", "head.max", "head.pool", "pool1",
        "unpool1",
    ]  # fmt: skip
    for name, old in replaced.items():
        assert old is originals[name]
        new = model.get_submodule(name)
        assert type(new) is getattr(modules, type(old).__name__)
        assert isinstance(new, type(old)) and repr(new) == repr(old)
    result = model(x)
    (grad,) = torch.autograd.grad(result.square().sum(), x)
    torch.testing.assert_close(result, expected)
    torch.testing.assert_close(grad, expected_grad)


def test_replacing_twice_replaces_nothing_and_keeps_mode_and_hooks():
    model = nn.Sequential(nn.MaxPool2d(2), nn.ReLU())
    model.eval()
    calls = []
    model[0].register_forward_hook(lambda *args: calls.append(1))
    assert list(pt.replace_pooling(model)) == ["0"]
    assert not model[0].training
    model(torch.randn(1, 1, 4, 4))
    assert calls == [1]
    assert pt.replace_pooling(model) == {}


def test_user_subclasses_are_left_alone():
    class MyPool(nn.MaxPool2d):
        def forward(self, x):
            return super().forward(x) * 2

    model = nn.Sequential(MyPool(2))
    assert pt.replace_pooling(model) == {}
    assert type(model[0]) is MyPool
