"""Statements run straight on the driver's cursor, compiled once per process.

The kernel's hottest statements — the write path's rows and events, the stream head it chains to, the
outbox keys it checks, the settings — run thousands of times a minute at a busy district and over and
over while the demo lives its year. Through SQLAlchemy each costs its statement's construction, a
cache-key walk and the result machinery, several times what the database itself spends; here a
statement is compiled once per dialect and `cache_key`, and each call only binds values and runs it,
in the connection's own transaction. Errors are translated as SQLAlchemy would (IntegrityError,
OperationalError), so callers see the usual conflicts.
"""

from __future__ import annotations

import operator
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError

_Prepared = tuple[str, bool, list[str], list[tuple[int, Any]], dict[str, Any]]
_COMPILED: dict[tuple[Any, ...], _Prepared] = {}


def _prepare(connection: Connection, statement: Any, column_keys: list[str] | None,
             cache_key: tuple[Any, ...]) -> _Prepared:
    dialect = connection.dialect
    key = (dialect.name, dialect.paramstyle, *cache_key)
    prepared = _COMPILED.get(key)
    if prepared is None:
        if callable(statement):  # built only when not compiled yet
            statement = statement()
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
        processors = [(index, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                      for index, name in enumerate(names)]
        prepared = (compiled.string, bool(compiled.positional), names,
                    [(index, convert) for index, convert in processors if convert is not None],
                    {name: compiled.binds[name].value for name in names})  # what the statement fixed (LIMIT 1)
        _COMPILED[key] = prepared
    return prepared


def _cursor(connection: Connection) -> Any:
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _translated(connection: Connection, sql: str, params: Any, exc: Exception) -> StatementError:
    dbapi = connection.dialect.loaded_dbapi
    return DBAPIError.instance(sql, params, exc, dbapi.Error, dialect=connection.dialect)


def fetch(connection: Connection, statement: Any | Callable[[], Any], values: Mapping[str, Any], *,
          cache_key: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The rows of a query as the driver returns them (text and whole numbers only: no type conversion).

    `statement` (or a function building it, called only the first time) takes its values by bind
    parameter name; `cache_key` names it for the process.
    """
    sql, positional, names, processors, fixed = _prepare(connection, statement, None, ("fetch", *cache_key))
    assert not processors, f"fetch runs plain statements only: {cache_key}"
    bound = [values[name] if name in values else fixed[name] for name in names]
    params: Any = tuple(bound) if positional else dict(zip(names, bound, strict=True))
    cursor = _cursor(connection)
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _translated(connection, sql, params, exc) from exc
    finally:
        cursor.close()


_Typed = tuple[Any, list[Any]]  # the row type and each column's result processor
_TYPED: dict[tuple[Any, ...], _Typed] = {}


def fetch_rows(connection: Connection, statement: Any, values: Mapping[str, Any], *,
               cache_key: tuple[Any, ...]) -> list[Any]:
    """`fetch` for any column types: each value converted as SQLAlchemy would (dates, booleans, aware times),
    each row a named tuple whose fields are the statement's column names."""
    rows = fetch(connection, statement, values, cache_key=cache_key)
    dialect = connection.dialect
    key = (dialect.name, *cache_key)
    typed = _TYPED.get(key)
    if typed is None:
        columns = list(statement.selected_columns)
        made: Any = namedtuple("Row", [c.key for c in columns])  # type: ignore[misc]
        typed = _TYPED[key] = (made, [c.type.dialect_impl(dialect).result_processor(dialect, None)
                                      for c in columns])
    row_type, processors = typed
    converting = [(index, convert) for index, convert in enumerate(processors) if convert is not None]
    found = []
    for raw in rows:
        values_ = list(raw)
        for index, convert in converting:
            values_[index] = convert(values_[index])
        found.append(row_type._make(values_))
    return found


def executemany(connection: Connection, statement: Any | Callable[[], Any], rows: list[dict[str, Any]], *,
                cache_key: tuple[Any, ...]) -> int:
    """One statement over many rows through the driver's executemany.

    Core's own executemany builds each row's parameters in Python (about 3 s per 100,000 events);
    here only the columns whose type converts values (dates, aware datetimes, booleans) pass through
    their bind processors, memoised per distinct value.
    """
    sql, positional, names, processors, _fixed = _prepare(connection, statement, list(rows[0]),
                                                  ("many", tuple(rows[0]), *cache_key))
    converting: list[tuple[int, Any, dict[Any, Any]]] = [(index, convert, {}) for index, convert in processors]
    pick = operator.itemgetter(*names)
    params: list[Any] = []
    for row in rows:
        values = list(pick(row)) if len(names) > 1 else [pick(row)]
        for index, convert, seen in converting:
            raw = values[index]
            if raw is not None:
                try:
                    done = seen.get(raw)
                except TypeError:  # an unhashable value (a list): convert it each time
                    values[index] = convert(raw)
                    continue
                if done is None:
                    done = seen[raw] = convert(raw)
                values[index] = done
        params.append(tuple(values) if positional else dict(zip(names, values, strict=True)))
    cursor = _cursor(connection)
    try:
        if len(params) == 1:  # one row: a plain execute, whose rowcount every driver reports exactly
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
        return int(cursor.rowcount)
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _translated(connection, sql, params, exc) from exc
    finally:
        cursor.close()
