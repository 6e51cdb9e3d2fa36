"""The translation counter of the port suite: ``VERIFIED[(source, target)]`` counts the
translations that were run and agreed; the terminal summary prints them per framework pair."""

from __future__ import annotations

import os
from collections import Counter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any test imports TensorFlow

VERIFIED: Counter = Counter()
CASES: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    terminalreporter.section("poolkit.port translations run and agreeing")
    for source in sorted(CASES):
        terminalreporter.write_line(f"source {source}: {CASES[source]} layers")
    for (source, target), count in sorted(VERIFIED.items()):
        terminalreporter.write_line(f"  {source} -> {target}: {count}")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tally():
    """``tally(source, report)``: count one verified layer and its agreeing translations."""

    def add(source: str, report: dict, exact: dict) -> None:
        CASES[source] += 1
        for target, result in report.items():
            if target != "source" and result["status"] == "agree":
                label = target if exact[target] else f"{target} (poolkit fallback, not native)"
                VERIFIED[(source, label)] += 1

    return add
