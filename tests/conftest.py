"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lifecycle.store.repo import Store


def store_urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'store.db'}"]
    if os.environ.get("LIFECYCLE_TEST_PG_URL"):
        urls.append(os.environ["LIFECYCLE_TEST_PG_URL"])
    return urls


@pytest.fixture
def store(tmp_path) -> Store:
    """A real SQLite file, new for each test."""
    return Store.from_url(f"sqlite:///{tmp_path / 'store.db'}")
