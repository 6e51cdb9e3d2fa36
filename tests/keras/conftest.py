"""``POOLKIT_TEST_SHARD=i/n`` (set by test_keras_backends.py) keeps every n-th case of
backend_cases.py starting at the i-th, so one backend's cases can run in several processes
(pytest-xdist spreads those over the cores) instead of one long one."""

from __future__ import annotations

import os


def pytest_collection_modifyitems(config, items):
    shard = os.environ.get("POOLKIT_TEST_SHARD")
    if not shard:
        return
    index, count = (int(part) for part in shard.split("/"))
    keep = [item for i, item in enumerate(items) if i % count == index]
    dropped = [item for i, item in enumerate(items) if i % count != index]
    config.hook.pytest_deselected(items=dropped)
    items[:] = keep
