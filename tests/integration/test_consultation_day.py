"""The weekly consultation falls on Wednesday, or on the first working day after a Wednesday off."""

from __future__ import annotations

from datetime import date
from typing import Any

from coordination.services import calendar, meeting_reads
from tests.conftest import make_caller

WEDNESDAY = 2


def test_an_ordinary_week_meets_on_wednesday(district: Any) -> None:
    assert meeting_reads.consultation_day(district.uow(), after=date(2024, 6, 3), weekday=WEDNESDAY) == date(2024, 6, 5)


def test_a_national_day_wednesday_moves_to_the_first_working_day_after_the_holiday(district: Any) -> None:
    # 2024-10-02 is a Wednesday of the 国庆 holiday (10月1日–7日); 10月8日 is the first working day after it.
    day = meeting_reads.consultation_day(district.uow(), after=date(2024, 9, 30), weekday=WEDNESDAY)
    assert day == date(2024, 10, 8)


def test_a_district_day_off_on_wednesday_moves_the_consultation_too(district: Any) -> None:
    calendar.set_override(district.uow(), caller=make_caller(district.admin), day=date(2024, 6, 12),
                          is_workday=False, reason="区级活动")
    day = meeting_reads.consultation_day(district.uow(), after=date(2024, 6, 10), weekday=WEDNESDAY)
    assert day == date(2024, 6, 13)
