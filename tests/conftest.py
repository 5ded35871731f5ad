"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lifecycle.store.repo import Store


def pytest_configure(config: pytest.Config) -> None:
    """Tests run side by side (pytest-xdist) each get a PostgreSQL database of their own,
    made beside the one LIFECYCLE_TEST_PG_URL names (tests there drop and create the schema)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("LIFECYCLE_TEST_PG_URL")
    if not worker or not url:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    os.environ["LIFECYCLE_TEST_PG_URL"] = base.set(database=name).render_as_string(
        hide_password=False
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that wait longest first, then the other end-to-end tests, then the rest (each
    group in its own order): side by side (`make test`), the processes start the long waits
    together and the short tests fill in behind them, instead of one process ending alone on
    a long test picked up last."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("long"):
            return 0
        return 1 if item.get_closest_marker("e2e") else 2

    items.sort(key=rank)


def store_urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'store.db'}"]
    if os.environ.get("LIFECYCLE_TEST_PG_URL"):
        urls.append(os.environ["LIFECYCLE_TEST_PG_URL"])
    return urls


@pytest.fixture
def store(tmp_path) -> Store:
    """A real SQLite file, new for each test."""
    return Store.from_url(f"sqlite:///{tmp_path / 'store.db'}")
