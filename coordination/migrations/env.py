"""Alembic's environment: coord's metadata, on the connection `coordination.db.upgrade` hands over."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from coordination import models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write SQLModel's AutoString and coord's UTCDateTime as the plain SQLAlchemy types under them."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def skip_empty(migration_context: Any, revision: Any, directives: list[Any]) -> None:
    """Write no revision when the models and the migrations already agree."""
    if directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters a table by copying it; PostgreSQL runs plain ALTERs
        render_item=render_item,
        process_revision_directives=skip_empty,
        compare_type=True,
        compare_server_default=False,
    )


def grant_app_role(connection: Connection) -> None:
    """PostgreSQL: the role named by COORD_APP_ROLE may use every table, the audit tables only to add to."""
    from coordination.services.checkpoint_guard import grant_app_role as grant

    grant(connection)


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from coordination.db import make_engine

        url = context.config.get_main_option("sqlalchemy.url")
        if not url:
            from coordination.config import database_url

            url = database_url()
        engine = make_engine(url)
        try:
            with engine.begin() as own:
                configure(own)
                context.run_migrations()
                grant_app_role(own)
        finally:
            engine.dispose()
        return
    configure(connection)
    with context.begin_transaction():
        context.run_migrations()
        grant_app_role(connection)


if context.is_offline_mode():
    raise SystemExit("coord's migrations run against a database (offline SQL generation is not supported)")
run()
