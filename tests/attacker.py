"""What someone holding the database can do that coord cannot: lift the audit tables' append-only guard.

Tests of tampering wrap their raw SQL in `unguarded(connection)`, as an attacker with the database
file or the owner's (superuser's) PostgreSQL role would: SQLite drops the triggers and puts them back
unchanged afterwards; PostgreSQL switches triggers off for the transaction (session_replication_role,
a superuser's right), leaving no trace in the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

AUDIT_TABLES = ("audit_event", "audit_checkpoint")


@contextmanager
def unguarded(connection: Connection) -> Iterator[Connection]:
    """Inside a transaction (`engine.begin()`): tamper freely, the guard is back when the block ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield connection
        connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    saved = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_event', 'audit_checkpoint')"
    ).all()
    for name, _sql in saved:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield connection
    for _name, sql in saved:
        connection.exec_driver_sql(sql)
