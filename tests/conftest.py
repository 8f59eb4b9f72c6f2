"""Shared pytest configuration."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here because pyproject.toml's pytest section is kept minimal; deselect with -m "not slow".
    config.addinivalue_line("markers", "slow: long-running test (minutes); deselect with -m 'not slow'")
