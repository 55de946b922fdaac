"""What `coord serve` reads before it serves: each deployment's schedule and next run, and whether the
district's configuration lets each one do its job.

A check that blocks (`blocking=True`) names something without which a deployment can only fail — the
built-in `system` account, a secretariat member to chair the consultation, a reports folder coord can
write — and `coord serve` refuses to start until it is fixed. The others are warnings: delivery with no
group robot runs, and each run ends Failed saying so.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput
from coordination.domain.schedules import SCHEDULES, TIMEZONE, ZONE, checked_cron, next_run
from coordination.models import Person, PersonRole, Webhook
from coordination.services import settings
from coordination.services.calendar import work_calendar
from coordination.services.common import SYSTEM_HANDLE
from coordination.uow import UnitOfWork


@dataclass(frozen=True)
class DeploymentRow:
    name: str
    cron: str | None
    next_run: datetime | None
    zh: str
    en: str
    catch_up: bool
    single: bool

    def to_json(self) -> dict[str, Any]:
        return {"deployment": f"{self.name}/{self.name}", "name": self.name, "cron": self.cron,
                "timezone": TIMEZONE if self.cron else None,
                "next_run": self.next_run.isoformat() if self.next_run else None, "what": self.zh, "what_en": self.en,
                "catch_up": self.catch_up, "one_at_a_time": self.single}


@dataclass(frozen=True)
class Check:
    deployment: str
    blocking: bool
    zh: str
    en: str

    def to_json(self) -> dict[str, Any]:
        return {"deployment": self.deployment, "blocking": self.blocking, "message": self.zh, "message_en": self.en}


def deployment_rows(uow: UnitOfWork, *, now: datetime) -> list[DeploymentRow]:
    """Every deployment with the cron in force and the next moment it will act (the calendar decides)."""
    with uow:
        crons = settings.schedule_crons(uow.session)
        calendar = work_calendar(uow.session)
    rows = []
    for schedule in SCHEDULES:
        cron = crons.get(schedule.name)
        upcoming = next_run(schedule, cron, now, calendar) if cron else None
        rows.append(DeploymentRow(schedule.name, cron, upcoming.astimezone(ZONE) if upcoming else None, schedule.zh,
                                  schedule.en, schedule.catch_up, schedule.single))
    return rows


def check(uow: UnitOfWork) -> list[Check]:
    """What stands between each deployment and its job, blocking first."""
    with uow:
        session = uow.session
        found = [*_schedules(session), *_system(session), *_secretariat(session), *_robots(session),
                 *_reports_folder(Path(settings.reports_folder(session)))]
    return sorted(found, key=lambda c: not c.blocking)


def refuse_if_blocked(checks: list[Check]) -> None:
    blocking = [c for c in checks if c.blocking]
    if blocking:
        raise InvalidInput("以下部署的配置不完整，coord serve 未启动："
                           + "；".join(f"{c.deployment}：{c.zh}" for c in blocking),
                           "coord serve did not start, these deployments are not configured: "
                           + "; ".join(f"{c.deployment}: {c.en}" for c in blocking))


def _schedules(session: Session) -> list[Check]:
    found = []
    for name, cron in settings.schedule_crons(session).items():
        try:
            checked_cron(cron)
        except InvalidInput as error:
            found.append(Check(name, True, f"设置 schedule.{name} 无效：{error.zh}",
                               f"setting schedule.{name} is invalid: {error.en}"))
    return found


def _system(session: Session) -> list[Check]:
    role = session.get(PersonRole, (SYSTEM_HANDLE, Role.SYSTEM.value))
    if role is not None:
        return []
    return [Check(name, True, "缺少内置的 system 账号（coord init 或 coord db upgrade 会建立）",
                  "the built-in system account is missing (coord init or coord db upgrade creates it)")
            for name in ("sweep", "verification-reminders")]


def _secretariat(session: Session) -> list[Check]:
    members = session.exec(select(func.count()).select_from(Person)
                           .join(PersonRole, col(PersonRole.handle) == col(Person.handle))
                           .where(PersonRole.role == Role.SECRETARIAT.value, col(Person.active).is_(True))).one()
    if members:
        return []
    return [Check("meeting-prep", True, "没有在职的专班办公室人员主持会商（coord person add … --role secretariat）",
                  "no active secretariat member to chair the consultation (coord person add … --role secretariat)")]


def _robots(session: Session) -> list[Check]:
    robots = session.exec(select(func.count()).select_from(Webhook).where(col(Webhook.active).is_(True))).one()
    if robots:
        return []
    return [Check("deliver-notifications", False,
                  "未配置群机器人：通知留在待发队列，每次投递运行以失败结束并说明原因（coord webhook add）",
                  "no group robot: notifications wait in the outbox and each delivery run ends Failed saying so "
                  "(coord webhook add)")]


def _reports_folder(folder: Path) -> list[Check]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".coord-check-"):
            pass
    except OSError as error:
        why = error.strerror or str(error)
        return [Check(name, True, f"报告目录 {folder} 无法写入（{why}；coord setting set reports.folder 目录）",
                      f"the reports folder {folder} is not writable ({why}; "
                      "coord setting set reports.folder DIR)")
                for name in ("weekly-report", "monthly-analysis", "quarterly-dispatch")]
    return []
