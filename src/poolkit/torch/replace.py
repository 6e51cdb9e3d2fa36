"""Swap a model's torch.nn pooling layers for poolkit's, in place.

>>> import torch
>>> from poolkit.torch.replace import replace_pooling
>>> model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.MaxPool2d(2, ceil_mode=True))
>>> replaced = replace_pooling(model)
>>> list(replaced), type(model[1]).__module__
(['1'], 'poolkit.torch.modules')
"""

from __future__ import annotations

import inspect

from torch import nn

from poolkit.torch import modules


def _poolkit_class(layer: nn.Module) -> type | None:
    """poolkit's class for a plain torch.nn pooling layer; ``None`` for anything else (a
    poolkit layer already, a user's subclass, which may override ``forward``, other layers)."""
    kind = type(layer)
    if kind.__module__.split(".")[:2] != ["torch", "nn"]:
        return None
    candidate = getattr(modules, kind.__name__, None)
    if isinstance(candidate, type) and issubclass(candidate, kind):
        return candidate
    return None


def _rebuilt(layer: nn.Module, target: type) -> nn.Module:
    """``target`` constructed with ``layer``'s own arguments (read back from its attributes,
    by the names of torch's constructor), with its mode and hooks."""
    parameters = inspect.signature(type(layer).__init__).parameters
    arguments = {name: getattr(layer, name) for name in parameters if hasattr(layer, name)}
    fresh = target(**arguments)
    fresh.train(layer.training)
    for hooks in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks",
                  "_forward_hooks_with_kwargs", "_forward_pre_hooks_with_kwargs",
                  "_forward_hooks_always_called"):  # fmt: skip
        if hasattr(layer, hooks):
            setattr(fresh, hooks, getattr(layer, hooks))
    return fresh


def replace_pooling(model: nn.Module) -> dict[str, nn.Module]:
    """Replace every torch.nn pooling layer inside ``model`` (max, average, Lp, adaptive max
    and average, unpooling; 1-3 d) by poolkit's layer of the same name and arguments.

    The new layers are subclasses of the old ones' classes (``isinstance`` still holds) and
    compute the same results; ``model`` itself is returned unchanged when it is a pooling
    layer (a module cannot replace itself in place: wrap it). Returns the replaced layers by
    qualified name, so ``model.get_submodule(name)`` finds each new one.

    Shape:
        the model's own shapes; nothing else changes (no parameters or buffers are touched).
    """
    replaced: dict[str, nn.Module] = {}
    for parent_name, parent in list(model.named_modules()):
        for child_name, child in list(parent.named_children()):
            target = _poolkit_class(child)
            if target is None:
                continue
            setattr(parent, child_name, _rebuilt(child, target))
            replaced[f"{parent_name}.{child_name}" if parent_name else child_name] = child
    return replaced
