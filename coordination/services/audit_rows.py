"""Reading the tables `audit verify` compares: raw rows (no per-value type processing: a table may hold
100,000 rows, and SQLite may hold anything — a date column's text that is no date must be named as a
difference, not raise), each value turned into the form audit events record it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, DateTime, Executable, Table
from sqlalchemy.types import TypeDecorator

Convert = Callable[[Any], Any]


def streamed(connection: Connection, statement: str | Executable) -> Iterator[Any]:
    """The rows of a big read, fetched in chunks (a server-side cursor on PostgreSQL), no per-row fetch."""
    options = connection.execution_options(yield_per=5000)
    result = options.exec_driver_sql(statement) if isinstance(statement, str) else options.execute(statement)
    for chunk in result.partitions():
        yield from chunk


def json_or_text(value: Any) -> Any:
    """A column holding JSON text, parsed; text that is not JSON stays as it is (and differs from a list)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _boolean(value: Any) -> Any:
    return bool(value) if value in (0, 1) else value  # SQLite hands back 0 and 1 (and keeps any other value)


def _day(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # SQLite: ISO text already


def _moment(value: Any) -> Any:
    """An aware UTC moment in ISO form, as events record their `at`; SQLite hands back naive UTC text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    return value


def event_form(column: Column[Any]) -> Convert | None:
    """How a raw stored value of `column` becomes the value events record (None: as it is)."""
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, Boolean):
        return _boolean
    if isinstance(kind, DateTime):
        return _moment
    if isinstance(kind, Date):
        return _day
    return None


def select_columns(table: Table, names: Sequence[str], order_by: str | None = None) -> str:
    """Plain SQL naming each column (the database's own column order may differ from the model's)."""
    listed = ", ".join(f'"{name}"' for name in names)
    return f'SELECT {listed} FROM "{table.name}"' + (f' ORDER BY "{order_by}"' if order_by else "")


def read_table(connection: Connection, table: Table) -> list[dict[str, Any]]:
    """A small table's rows, values in the form events record them (JSON columns stay text)."""
    names = [c.name for c in table.columns]
    forms = [event_form(c) for c in table.columns]
    return [{name: convert(value) if convert else value for name, convert, value in zip(names, forms, row, strict=True)}
            for row in connection.exec_driver_sql(select_columns(table, names))]
