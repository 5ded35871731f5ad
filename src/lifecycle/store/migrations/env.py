"""Alembic environment: runs on the connection the caller hands over (lifecycle.store.db)."""

from alembic import context

from lifecycle.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
