"""A real store for each test: SQLite always, PostgreSQL when LIFECYCLE_TEST_PG_URL is set,
its schema created by the real migrations."""

import os

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from lifecycle.store.db import make_engine, migrate
from lifecycle.store.models import Base
from lifecycle.store.repo import Store

URLS = ["sqlite"] + (["postgresql"] if os.environ.get("LIFECYCLE_TEST_PG_URL") else [])


@pytest.fixture(params=URLS)
def real_store(request, tmp_path) -> Store:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = os.environ["LIFECYCLE_TEST_PG_URL"]
    engine = make_engine(url)
    with engine.begin() as conn:  # a clean schema, created by the real migrations
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(engine)
    yield Store(sessionmaker(engine, expire_on_commit=False))
    engine.dispose()
