"""A pytest plugin for benchmarks/under_load.py: runs the collected tests in reverse order (``-p benchmarks.reverse_order``)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Reverse the collected tests: the last file's last test runs first."""
    items.reverse()
