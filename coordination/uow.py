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
        bind = self._engine.execution_options(**{WRITE_OPTION: self._write})
        self.session = Session(bind=bind, expire_on_commit=False, autoflush=False)
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
