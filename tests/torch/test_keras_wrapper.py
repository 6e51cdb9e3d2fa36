"""The README's Keras 3 example (torch backend, TorchModuleWrapper) runs and trains."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
if importlib.util.find_spec("keras") is None:  # not imported here: it would pick its backend
    pytest.skip("keras is not installed", allow_module_level=True)

README = Path(__file__).resolve().parents[2] / "README.md"

# Appended to the README example: the wrapped torch layers were trained through Keras, and
# Keras runs exactly the torch module's forward.
CHECKS = """
import copy
before = copy.deepcopy(features)
model.fit(x, y, epochs=1, batch_size=8, verbose=0)
assert not torch.equal(before[0].weight, features[0].weight), "conv weights did not train"
assert isinstance(features[2], pt.MaxPool2d)
with torch.no_grad():
    direct = features(torch.from_numpy(x[:4]))
    wrapped = model.layers[0](torch.from_numpy(x[:4]))
torch.testing.assert_close(torch.as_tensor(wrapped).cpu(), direct)
print("KERAS-OK")
"""


def readme_example() -> str:
    text = README.read_text()
    match = re.search(r"<!-- keras-torch-example -->\n```python\n(.*?)```", text, re.S)
    assert match, "the Keras example block is missing from README.md"
    return match.group(1)


def test_readme_keras_example_trains_poolkit_layers():
    env = dict(os.environ, KERAS_BACKEND="torch")
    result = subprocess.run(
        [sys.executable, "-c", readme_example() + CHECKS],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "(4, 2)" in result.stdout and "KERAS-OK" in result.stdout
