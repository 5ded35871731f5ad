"""Engine, sessions and automatic migration (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision: a store already there is opened without loading Alembic and
# its scripts (most of a command's time to open the store). tests/activities checks it against
# Alembic's own head.
HEAD = "0011"
_lock = threading.Lock()
T = TypeVar("T")


def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The driver's own transaction handling is turned off so that every transaction starts
    # with BEGIN IMMEDIATE: a write lock from the first statement, so a count-then-insert (a
    # reservation under a cap) cannot interleave with another process's.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Our own writes hold the lock for milliseconds; a file held longer (a backup, a stuck
    # process) is an outage, told within one try of a case's store call (10 s).
    cursor.execute(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
    cursor.close()


# An execution option of engines that only read (the console's lists): their transactions begin
# deferred, so in WAL mode they neither wait for a writer nor hold one up.
READ_ONLY = "lifecycle_read_only"


BUSY_WAIT_MS = 3000  # SQLite's busy wait for a file another connection holds


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    # A transaction run at once (``at_once``) does not wait for a file another connection holds:
    # SQLite answers "busy" and the work goes to a thread that waits. The wait is set on the
    # connection only when it changes.
    pooled = connection.connection
    wait = 0 if _at_once.get() else BUSY_WAIT_MS
    if pooled.info.get("busy_wait", BUSY_WAIT_MS) != wait:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={wait}")  # a failure is SQLAlchemy's
        pooled.info["busy_wait"] = wait
    reading = connection.get_execution_options().get(READ_ONLY)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


# How long a writer queues behind this process's other writers before it goes on to SQLite's own
# busy wait regardless (a writer that holds the file that long is stuck, and SQLite says so).
QUEUE_WAIT = 1.0


class WouldWait(Exception):
    """Work asked to run at once met another writer (of this process, or holding the file):
    nothing of it was kept, and it is to run where it may wait."""


_at_once: contextvars.ContextVar[bool] = contextvars.ContextVar("store_at_once", default=False)


def at_once(work: Callable[[], T]) -> T:
    """``work`` (transactions on a SQLite store) run now in the calling thread without waiting
    for any other writer: ``WouldWait`` if one holds the file or this process's turn, in which
    case the transaction that met it was rolled back (each of the store's writes is idempotent,
    so the work may be run again whole). A case's record takes a fraction of a millisecond, less
    than handing it to a thread and back; the worker runs it on its event loop this way."""
    token = _at_once.set(True)
    try:
        return work()
    except OperationalError as exc:
        if _busy(exc):
            raise WouldWait(str(exc.orig)) from exc
        raise
    finally:
        _at_once.reset(token)


def _busy(exc: OperationalError) -> bool:
    """SQLite said the file is held by another connection (busy or locked, any variant)."""
    code = getattr(exc.orig, "sqlite_errorcode", None) or 0
    busy_or_locked = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return isinstance(exc.orig, sqlite3.Error) and code & 0xFF in busy_or_locked


class Writers:
    """This process's writers to one SQLite file, one after another.

    SQLite lets one transaction write at a time, and a writer that finds the file locked sleeps
    in growing steps (1, 2, 5, 10 … 100 ms) before it looks again. The worker writes from
    several threads (each case's record in a thread of its own), so two records at once cost
    the second one milliseconds to tens of milliseconds of sleep, which the person whose Update
    waits on that record sees. The worker's writes queue here instead, and each begins the
    moment the one before it has committed. A writer in another process is still waited for by
    SQLite's busy timeout: the queue orders only this process's own, and correctness never
    rests on it (SQLite still takes its lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        if _at_once.get():
            if not self._lock.acquire(blocking=False):
                raise WouldWait("another writer of this process has its turn")
            try:
                yield
            finally:
                self._lock.release()
            return
        queued = self._lock.acquire(timeout=QUEUE_WAIT)
        try:
            yield
        finally:
            if queued:
                self._lock.release()


_queues: weakref.WeakKeyDictionary[Engine, Writers] = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()


def writers(engine: Engine) -> contextlib.AbstractContextManager[None]:
    """A turn among ``engine``'s writers in this process (SQLite); at once where the database
    itself lets writers in side by side (PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    with _queues_lock:
        queue = _queues.setdefault(engine, Writers())
    return queue.turn()


def reader(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions over the same engine that only read (never a write lock on SQLite)."""
    bind = sessions.kw["bind"]
    return sessionmaker(bind.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def upsert(dialect: str) -> Callable[..., Any]:
    """The dialect's INSERT … ON CONFLICT construct, loaded when first used: a command that
    only reads never loads either dialect's (PostgreSQL's costs about 50 ms to import)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def upsert_in(s: Session) -> Callable[..., Any]:
    """``upsert`` for the dialect of the database ``s`` is bound to."""
    return upsert(s.get_bind().dialect.name)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def revision(engine: Engine) -> str | None:
    """The schema's revision, or None where there is none yet (or it cannot be read)."""
    try:
        with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except SQLAlchemyError:
        return None
    return str(found[0][0]) if len(found) == 1 else None


def migrate(engine: Engine) -> None:
    """Creates or upgrades the schema to the newest revision; safe to call every start."""
    if revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _lock, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@functools.cache
def session_factory(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
