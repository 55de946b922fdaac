"""The rule for dates people choose: a day off is named with why, and the working days either side."""

from __future__ import annotations

from datetime import date

from coordination.domain.workdays import ChosenDate, DayOff, WorkCalendar, YearSchedule, non_working_day

# A made-up official year: 1–3 May off (Wed–Fri), Sunday 28 April a make-up working day.
SCHEDULE = YearSchedule(2030, holidays=frozenset({date(2030, 5, 1), date(2030, 5, 2), date(2030, 5, 3)}),
                        workdays=frozenset({date(2030, 4, 28)}), source="loaded")
CALENDAR = WorkCalendar({2030: SCHEDULE}, {date(2030, 6, 3): False, date(2030, 6, 8): True})


def test_a_working_day_needs_no_word() -> None:
    for day in (date(2030, 4, 29), date(2030, 4, 28), date(2030, 6, 8)):  # weekday, 调休, local working Saturday
        assert non_working_day(CALENDAR, day, ChosenDate.DUE) is None


def test_each_kind_of_day_off_says_why() -> None:
    weekend = non_working_day(CALENDAR, date(2030, 5, 5), ChosenDate.DUE)
    holiday = non_working_day(CALENDAR, date(2030, 5, 2), ChosenDate.MEETING)
    local = non_working_day(CALENDAR, date(2030, 6, 3), ChosenDate.DUE)
    assert weekend is not None and holiday is not None and local is not None
    assert (weekend.why, holiday.why, local.why) == (DayOff.WEEKEND, DayOff.HOLIDAY, DayOff.LOCAL)
    assert holiday.warning()[0] == "提示：会议日期 2030-05-02 是星期四（法定节假日，非工作日），仍按此日期保存"
    assert local.warning(strict_option="--strict")[0].endswith("；加 --strict 则拒绝")
    assert (holiday.before, holiday.after) == (date(2030, 4, 30), date(2030, 5, 6))


def test_the_suggestions_skip_days_too_early_to_choose() -> None:
    found = non_working_day(CALENDAR, date(2030, 5, 2), ChosenDate.DUE, earliest=date(2030, 5, 1))
    assert found is not None and found.before is None and found.after == date(2030, 5, 6)
    refusal = found.refusal(strict_option="--strict")
    assert refusal.exit_code == 2
    assert refusal.zh.endswith("按 --strict 未保存：请改为工作日，如 2030-05-06（星期一）")


def test_a_year_not_yet_published_is_judged_on_monday_to_friday_and_says_so() -> None:
    found = non_working_day(CALENDAR, date(2031, 3, 1), ChosenDate.DUE)
    assert found is not None and found.provisional and found.why is DayOff.WEEKEND
    assert "2031 年法定节假日安排尚未公布" in found.warning()[0]
    assert non_working_day(CALENDAR, date(2031, 10, 1), ChosenDate.DUE) is None, "unknown holidays are not guessed"
