"""Meeting preparation: plan next Wednesday's task-force consultation (the next working day when that
Wednesday is a day off) and tell the units concerned."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from sqlmodel import col, select

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput
from coordination.models import Person, PersonRole
from coordination.services import meeting_reads, meetings
from coordination.uow import UnitOfWork
from flows._runtime import caller, database, today
from flows.sweep import note_catch_up

WEDNESDAY = 2


def _secretary(engine: Any, handle: str | None) -> str:
    """The chair: the handle given, else the first active member of the secretariat."""
    if handle:
        return handle
    with UnitOfWork(engine, write=False) as uow:
        first = uow.session.exec(
            select(Person.handle).join(PersonRole, col(PersonRole.handle) == col(Person.handle))
            .where(PersonRole.role == Role.SECRETARIAT.value, col(Person.active).is_(True))
            .order_by(col(Person.handle))).first()
    if first is None:
        raise InvalidInput("没有专班办公室人员，无法筹备会商会", "no secretariat member to chair the consultation")
    return first


def _meeting_prep_name() -> str:
    return f"meeting-prep-{today().isoformat()}"


# Idempotent (a Wednesday is planned once), so a broken run is retried.
@flow(name="meeting-prep", flow_run_name=_meeting_prep_name, retries=2, retry_delay_seconds=60, timeout_seconds=600)
def meeting_prep(db: str | None = None, chair: str | None = None) -> dict[str, Any]:
    """Plan the coming Wednesday's 专班会商 from the problems waiting at L2 and send the 会议通知."""
    note_catch_up("会商筹备")
    with database(db) as engine:
        person = caller(_secretary(engine, chair))
        held_on = meeting_reads.consultation_day(UnitOfWork(engine, write=False), after=person.today, weekday=WEDNESDAY)
        view = meetings.prepare_task_force(UnitOfWork(engine), caller=person, held_on=held_on)
    logger = get_run_logger()
    if view is None:
        logger.info("no consultation to plan for %s (already planned, or nothing waits at L2)", held_on)
        return {"date": held_on.isoformat(), "meeting": None}
    logger.info("planned %s for %s with %d items", view.id, held_on, len(view.agenda))
    return {"date": held_on.isoformat(), "meeting": view.to_json()}
