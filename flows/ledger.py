"""Ledger import as a flow: a large workbook dropped by the secretariat, imported all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from coordination.domain.errors import CoordError
from coordination.services import ledger
from coordination.uow import UnitOfWork
from flows._runtime import caller, database, parameter


def _import_name() -> str:
    return f"import-ledger-{Path(str(parameter('path'))).name}"


@flow(name="import-ledger", flow_run_name=_import_name, timeout_seconds=1800)
def import_ledger(path: str, imported_by: str, db: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Import the ledger at `path` as `imported_by`; every event it writes carries this run's id.

    No retries: a workbook that fails validation fails the same way every time, and the import is
    one transaction, so a failed run has written nothing.
    """
    logger = get_run_logger()
    with database(db) as engine:
        try:
            result = ledger.import_ledger(UnitOfWork(engine), caller=caller(imported_by), path=Path(path),
                                          dry_run=dry_run)
        except ledger.LedgerInvalid as invalid:
            for issue in invalid.issues:
                (logger.warning if issue.warning else logger.error)("%s", issue.message())
            raise
        except CoordError as error:
            logger.error("%s", error.message())
            raise
    logger.info("imported %s: %d projects created, %d updated, %d months of progress, %d problems raised, "
                "%d assigned, %d events, %d warnings", result.file, len(result.projects_created),
                len(result.projects_updated), result.progress_changed, len(result.problems_raised),
                len(result.problems_assigned), result.events, len(result.warnings))
    return result.to_json()
