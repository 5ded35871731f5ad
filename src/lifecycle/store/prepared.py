"""Statements compiled once and run on the connection's own DB-API cursor.

SQLAlchemy's ``Connection.execute`` costs several times what the database itself does for the
short statements of a case's record (its cache key, execution context, events and result
objects for each statement). A ``Prepared`` statement is the same SQLAlchemy Core statement,
compiled once for the store's dialect (and once for each set of columns it is given), whose
parameters are then converted by the columns' own types (instants in UTC, JSON, dates) and
sent straight to the driver, inside the transaction the connection is in. Rows read come back
converted the same way. A driver's error is raised as SQLAlchemy's (``DBAPIError`` and its
kinds, the connection invalidated where the database went away), so callers see one kind of
error whichever way a statement ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


class _Compiled:
    """A statement compiled for one dialect and one set of parameter names."""

    def __init__(self, statement: Any, dialect: Dialect, keys: Sequence[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        self.sql: str = compiled.string
        self.positional: bool = bool(compiled.positional)
        names = list(compiled.positiontup or []) if self.positional else list(compiled.binds)
        binds = compiled.binds
        self.params: list[tuple[str, str, Processor]] = [
            (name, binds[name].key, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        ]
        # Columns a value is wanted for but none given: their Python-side defaults, as
        # SQLAlchemy would fill them.
        self.defaults: list[tuple[str, Any, bool]] = []  # (key, value or maker, made)
        prefetch = [(c, c.default) for c in compiled.insert_prefetch]
        prefetch += [(c, c.onupdate) for c in compiled.update_prefetch]
        for column, default in prefetch:
            if default is None or not (default.is_scalar or default.is_callable):
                raise ValueError(f"{column}: only scalar or callable defaults are prepared")
            self.defaults.append((column.key, default.arg, bool(default.is_callable)))
        # What it returns: a SELECT's columns, or an INSERT's or UPDATE's RETURNING.
        columns = list(
            statement.selected_columns if statement.is_select else statement.exported_columns
        )
        self.returns = bool(columns)
        self.results: list[Processor] = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        ]

    def bind(self, values: Mapping[str, Any]) -> Any:
        if self.defaults:
            values = {**{k: arg(None) if made else arg for k, arg, made in self.defaults}, **values}
        if self.positional:
            return tuple(
                values[key] if proc is None else proc(values[key]) for _, key, proc in self.params
            )
        return {
            name: values[key] if proc is None else proc(values[key])
            for name, key, proc in self.params
        }

    def rows(self, fetched: Sequence[Any]) -> list[tuple[Any, ...]]:
        if not any(self.results):
            return [tuple(row) for row in fetched]
        return [
            tuple(v if p is None else p(v) for p, v in zip(self.results, row, strict=True))
            for row in fetched
        ]


class Prepared:
    """A Core statement run on the DB-API cursor of the connection given, compiled on first use
    for each set of parameter names (as SQLAlchemy compiles an INSERT or UPDATE for the columns
    it is given). Parameters are named as SQLAlchemy names them (columns' keys, bindparams)."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        self.statement, self.dialect = statement, dialect
        self._compiled: dict[tuple[str, ...], _Compiled] = {}

    def _for(self, keys: tuple[str, ...]) -> _Compiled:
        found = self._compiled.get(keys)
        if found is None:
            found = self._compiled[keys] = _Compiled(self.statement, self.dialect, list(keys))
        return found

    def run(self, c: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Runs it once with ``values``; the rows it returns (none for most writes)."""
        compiled = self._for(tuple(values))
        return _execute(c, compiled, compiled.bind(values), many=False)

    def run_many(self, c: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Runs it for each of ``rows`` (all with the same names), in one call to the driver."""
        if rows:
            compiled = self._for(tuple(rows[0]))
            _execute(c, compiled, [compiled.bind(r) for r in rows], many=True)


def _execute(c: Connection, compiled: _Compiled, params: Any, many: bool) -> list[tuple[Any, ...]]:
    """``compiled`` run on the connection's DB-API cursor. The engine's cursor events are told
    as for any statement (what listens to them, a tracer or a test counting statements, sees
    these too); a driver's error is raised as SQLAlchemy raises it."""
    dialect, sql = c.dialect, compiled.sql
    dbapi_connection = c.connection.dbapi_connection
    assert dbapi_connection is not None
    base = dialect.loaded_dbapi.Error
    dispatch = c.dispatch
    cursor = None
    try:
        cursor = dbapi_connection.cursor()  # a connection that went away may refuse even this
        if dispatch.before_cursor_execute:
            dispatch.before_cursor_execute(c, cursor, sql, params, None, many)
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        rows = compiled.rows(cursor.fetchall()) if compiled.returns else []
        if dispatch.after_cursor_execute:
            dispatch.after_cursor_execute(c, cursor, sql, params, None, many)
        return rows
    except base as exc:
        gone = dialect.is_disconnect(exc, dbapi_connection, cursor)
        if gone:
            c.invalidate(exc)
        raise DBAPIError.instance(
            sql, None, exc, base, connection_invalidated=gone, dialect=dialect
        ) from exc
    finally:
        if cursor is not None:
            with suppress(base):  # a cursor of a connection that went away
                cursor.close()
