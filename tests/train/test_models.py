"""poolkit.train.models: both networks with every pooling choice, counts, and the factory."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import poolkit.torch as ptorch  # noqa: E402
from poolkit import PoolingError  # noqa: E402
from poolkit.train.models import (  # noqa: E402
    POOLS,
    build_model,
    count_macs,
    count_parameters,
    make_pool,
)

DIGITS = (1, 12, 12)


@pytest.mark.parametrize("model", ["articles", "resnet"])
@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("shape", [DIGITS, (3, 32, 32)], ids=["digits", "cifar"])
def test_every_model_and_pool_gives_logits_and_gradients(model, pool, shape):
    torch.manual_seed(0)
    net = build_model(model, pool, shape, 7)
    x = torch.rand(3, *shape)
    out = net(x)
    assert out.shape == (3, 7)
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())


@pytest.mark.parametrize(
    ("pool", "layer"),
    [
        ("max", ptorch.MaxPool2d),
        ("avg", ptorch.AvgPool2d),
        ("sum", ptorch.SumPool2d),
        ("lp", ptorch.LPPool2d),
    ],
)
def test_factory_uses_poolkit_layers(pool, layer):
    net = build_model("articles", pool, DIGITS, 10)
    assert sum(isinstance(m, layer) for m in net.modules()) == 2
    resnet = build_model("resnet", pool, DIGITS, 10)
    assert sum(isinstance(m, layer) for m in resnet.modules()) == 1
    assert sum(isinstance(m, ptorch.GlobalAvgPool2d) for m in resnet.modules()) == 1


def test_none_is_a_strided_convolution_with_the_pool_geometry():
    layer = make_pool("none", 4, 3, 2, 1)
    assert isinstance(layer[0], torch.nn.Conv2d) and layer[0].stride == (2, 2)
    x = torch.rand(1, 4, 12, 12)
    assert layer(x).shape == make_pool("max", 4, 3, 2, 1)(x).shape == (1, 4, 6, 6)


@pytest.mark.parametrize("pool", ["max", "avg", "sum", "lp"])
@pytest.mark.parametrize("model", ["articles", "resnet"])
def test_poolkit_and_torch_nn_layers_give_the_same_network(model, pool):
    torch.manual_seed(1)
    ours = build_model(model, pool, DIGITS, 10)
    theirs = build_model(model, pool, DIGITS, 10, backend="torch")
    theirs.load_state_dict(ours.state_dict())
    ours.eval(), theirs.eval()
    x = torch.rand(4, *DIGITS)
    torch.testing.assert_close(ours(x), theirs(x), rtol=1e-5, atol=1e-5)


def test_parameter_and_mac_counts_by_hand():
    net = build_model("articles", "max", DIGITS, 10)
    conv1, conv2, fc = 1 * 16 * 9 + 16, 16 * 32 * 9 + 32, 32 * 3 * 3 * 10 + 10
    assert count_parameters(net) == conv1 + conv2 + fc == 7690
    # strided 2x2 convolutions in place of the two pools add their weights
    assert count_parameters(build_model("articles", "none", DIGITS, 10)) == 7690 + (
        16 * 16 * 4 + 16
    ) + (32 * 32 * 4 + 32)
    for pool in ("avg", "sum", "lp"):
        assert count_parameters(build_model("articles", pool, DIGITS, 10)) == 7690
    macs = 12 * 12 * 16 * 9 + 6 * 6 * 32 * 16 * 9 + 288 * 10
    assert count_macs(net, DIGITS) == macs


def test_resnet_upsamples_small_inputs():
    net = build_model("resnet", "max", DIGITS, 10)
    seen = {}

    def hook(module, inputs, output):
        seen["shape"] = tuple(output.shape)

    net.stem[3].register_forward_hook(hook)
    net(torch.zeros(1, *DIGITS))
    assert seen["shape"] == (1, 16, 6, 6)  # 12 -> x2 = 24 -> stem /2 = 12 -> pool /2 = 6
    assert isinstance(build_model("resnet", "max", (3, 32, 32), 10).upsample, torch.nn.Identity)


def test_bad_choices_raise_pooling_error():
    with pytest.raises(PoolingError, match="pool: got 'median', expected one of max"):
        build_model("articles", "median", DIGITS, 10)
    with pytest.raises(PoolingError, match="model: got 'vgg'"):
        build_model("vgg", "max", DIGITS, 10)
    with pytest.raises(PoolingError, match="backend: got 'jax'"):
        make_pool("max", 3, backend="jax")
    with pytest.raises(PoolingError, match=r"needs H, W >= 4.*\(1, 3, 3\)"):
        build_model("articles", "max", (1, 3, 3), 10)
