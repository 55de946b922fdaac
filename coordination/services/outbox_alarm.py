"""The outbox alarm: messages still pending after `outbox.alarm_minutes`, for the dashboards.

A robot that is down, refuses us or was never registered leaves messages waiting without anyone
noticing; the alarm says how many, since when, for which robots, and the last error.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from coordination.domain.delivery_policy import PendingAlarm
from coordination.models import OutboxMessage
from coordination.services.outbox_delivery import PENDING, route, routes
from coordination.uow import UnitOfWork


def pending_alarm(uow: UnitOfWork, *, now: datetime) -> PendingAlarm | None:
    """The alarm at `now`, or None when no message has waited past the threshold."""
    from coordination.services.settings import delivery_limits

    with uow:
        session = uow.session
        limits = delivery_limits(session)
        late = (col(OutboxMessage.status) == PENDING, col(OutboxMessage.created_at) < now - limits.alarm_after)
        count, oldest = session.exec(select(func.count(), func.min(OutboxMessage.created_at)).where(*late)).one()
        if not count:
            return None
        robots = set(session.exec(select(OutboxMessage.webhook).where(*late, col(OutboxMessage.webhook).is_not(None))
                                  .distinct()).all())
        # Messages never tried: the robot their group's route names now, if any.
        untried = session.exec(select(OutboxMessage.unit, func.count())
                               .where(*late, col(OutboxMessage.webhook).is_(None))
                               .group_by(col(OutboxMessage.unit))).all()
        by_unit, district = routes(session)
        without = 0
        for unit, waiting in untried:
            hook = route(unit, by_unit, district)
            if hook is None:
                without += int(waiting)
            else:
                robots.add(hook.name)
        last_error = session.exec(
            select(OutboxMessage.last_error).where(*late, col(OutboxMessage.last_error).is_not(None))
            .order_by(col(OutboxMessage.last_attempt_at).desc().nulls_last(), col(OutboxMessage.id).desc())
            .limit(1)).first()
        return PendingAlarm(int(count), oldest, tuple(sorted(r for r in robots if r)), without, last_error,
                            limits.alarm_minutes)
