"""What every flow needs: coord's database, and a caller stamped with this flow run's id."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from prefect.runtime import flow_run
from sqlalchemy import Engine

from coordination import config
from coordination.config import DISTRICT_TZ
from coordination.db import make_engine
from coordination.services.common import SYSTEM_HANDLE, Caller


def origin() -> str:
    """`flow-run:<id>` inside a flow run; `flow` when a flow's body runs without the engine (`.fn()`)."""
    run_id = flow_run.get_id()
    return f"flow-run:{run_id}" if run_id else "flow"


def today() -> date:
    """coord's today in the district (COORD_NOW respected): what run names and periods are taken from."""
    return config.now().astimezone(DISTRICT_TZ).date()


def parameter(name: str) -> Any:
    """A parameter of the current flow run, for naming it (None outside a run or when not given)."""
    return flow_run.get_parameters().get(name)


def tags() -> list[str]:
    """The current run's tags (its deployment's, and `catch-up` on a run coord started after a restart)."""
    return list(flow_run.get_tags() or [])


def caller(handle: str = SYSTEM_HANDLE) -> Caller:
    """The acting person (the built-in `system` unless named) at coord's clock (COORD_NOW respected)."""
    return Caller(handle, config.now(), origin(), scheduled=handle == SYSTEM_HANDLE)


@contextmanager
def database(url: str | None = None) -> Iterator[Engine]:
    """coord's database: `url`, else COORD_DATABASE_URL, else the user's default file."""
    engine = make_engine(config.database_url(url))
    try:
        yield engine
    finally:
        engine.dispose()
