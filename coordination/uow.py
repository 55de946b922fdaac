"""Unit of work: one transaction per use case, rolled back unless the use case commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from coordination.db import WRITE_OPTION


class UnitOfWork:
    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = Session(bind=_bind(self._engine, self._write), expire_on_commit=False, autoflush=False)
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    @property
    def engine(self) -> Engine:
        return self._engine


def _bind(engine: Engine, write: bool) -> Engine:
    """The engine with the write option, made once per engine (every use case opens a unit of work).

    Kept on the engine itself (a cycle the collector frees with it), not in a registry that would keep
    engines, their pools and their files alive.
    """
    binds: dict[bool, Engine] = engine.__dict__.setdefault("_coord_binds", {})
    bind = binds.get(write)
    if bind is None:
        bind = binds[write] = engine.execution_options(**{WRITE_OPTION: write})
    return bind
