"""The one hygiene every text, date and amount passes (domain/hygiene.py), and the escaping of what slipped
in before (render/safe.py): each class of character, the caps, the ranges, zero-width text, NFC."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import (
    AMOUNT_CEILING,
    DEFAULT_MAX_YUAN,
    TEXT_MAX,
    TITLE_MAX,
    check_amount,
    check_clock,
    check_day,
    check_extended_due,
    check_extension_days,
    clean_cell,
    clean_reason,
    clean_text,
    needs_escape,
    optional_text,
    required_text,
    visible,
)
from coordination.domain.investment import MoneyUnit, parse_money
from coordination.domain.parsing import parse_day

TITLE: dict[str, Any] = {"field_zh": "问题标题", "field_en": "the title", "option": "--title", "max_len": TITLE_MAX}


def _title(value: str) -> str:
    return clean_text(value, **TITLE)


def _detail(value: str) -> str:
    return clean_text(value, field_zh="详细描述", field_en="the detail", option="--detail", max_len=TEXT_MAX,
                      multiline=True)


# A character of each refused class, with the words the message names it by.
REFUSED: list[tuple[str, str]] = [
    ("\x00", "控制字符"), ("\x07", "控制字符"), ("\x08", "控制字符"), ("\x0b", "控制字符"), ("\x0c", "控制字符"),
    ("\r", "换行"), ("\x7f", "控制字符"), ("\x85", "换行"), ("\x80", "控制字符"),
    ("\x1b", "终端转义序列"), ("\x9b", "终端转义序列"), ("\x9d", "终端转义序列"), ("\x90", "终端转义序列"),
    *[(chr(c), "文字方向控制字符") for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))],
    ("\ud800", "无效字符"), ("\udfff", "无效字符"), ("\ufffe", "无效字符"), ("\uffff", "无效字符"),
    ("\U000e0041", "不可见的标签字符"), ("\U000e007f", "不可见的标签字符"),
    ("\n", "换行"), ("\u2028", "换行"), ("\u2029", "换行"), ("\t", "制表符"),
]


@pytest.mark.parametrize(("char", "kind"), REFUSED, ids=[f"U+{ord(c):04X}" for c, _ in REFUSED])
def test_each_class_of_character_is_refused_naming_field_option_and_code_point(char: str, kind: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _title(f"用地{char}指标")
    assert caught.value.zh.startswith(f"问题标题（--title）含有{kind}（第 3 个字符，U+{ord(char):04X}）")
    assert caught.value.en.startswith("the title (--title) contains") and f"U+{ord(char):04X}" in caught.value.en


def test_a_multi_line_field_keeps_line_breaks_and_tabs_but_nothing_else() -> None:
    assert _detail("第一行\r\n\t第二行  \n\n第三行\u2028第四行\n") == (
        "第一行\n\t第二行\n\n第三行\n第四行")
    for char in ("\x1b", "\r", "\x85", "\u202e", "\x00"):
        with pytest.raises(InvalidInput, match=f"U\\+{ord(char):04X}"):
            _detail(f"a\n{char}b")


@pytest.mark.parametrize("blank", ["", "   ", "\u200b", "\u200b\u200b\u200b", "\ufeff\u200d", "\u2060\u180e",
                                   "\u3000\u200c\u3164", "\u00ad", "\u2800", "\ufeff \u200b\u3000"])
def test_text_of_nothing_but_blanks_and_invisible_characters_is_empty(blank: str) -> None:
    assert _title(blank) == ""
    assert optional_text(blank, **TITLE) is None
    with pytest.raises(InvalidInput, match="问题标题不能为空（--title）"):
        required_text(blank, **TITLE)


def test_invisible_characters_are_stripped_from_the_ends_and_kept_inside() -> None:
    assert _title("\ufeff 东区\u200d园区 \u200b") == "东区\u200d园区"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # an emoji joined by ZWJ stays whole
    assert _title(f" {family} ") == family


def test_text_is_kept_in_nfc() -> None:
    assert _title("Cafe\u0301") == "Café"
    assert _title("\u1100\u1161") == "\uac00"  # Hangul jamo compose
    assert _title("东区") == "东区"


def test_caps_count_characters_after_cleaning() -> None:
    assert _title(" " + "题" * TITLE_MAX + " ") == "题" * TITLE_MAX
    with pytest.raises(InvalidInput, match="不能超过 200 字（现为 201 字）"):
        _title("题" * 201)
    assert len(_detail("详" * TEXT_MAX)) == TEXT_MAX
    with pytest.raises(InvalidInput, match="详细描述（--detail）不能超过 10000 字"):
        _detail("详" * 1_000_000)
    with pytest.raises(InvalidInput, match="说明（--note）不能超过 10000 字"):
        clean_reason("由" * (TEXT_MAX + 1), "--note")
    assert clean_reason("  \u200b ") is None and clean_reason(None) is None
    assert clean_reason(" 征地\n拆迁 ") == "征地\n拆迁"


@given(st.text(max_size=60), st.booleans())
def test_anything_either_is_refused_or_comes_out_clean(value: str, multiline: bool) -> None:
    try:
        cleaned = clean_text(value, field_zh="内容", field_en="text", option=None, max_len=40, multiline=multiline)
    except InvalidInput as error:
        assert error.zh and error.en
        return
    assert len(cleaned) <= 40 and cleaned == cleaned.strip()
    assert not needs_escape(cleaned) and (multiline or ("\n" not in cleaned and "\t" not in cleaned))
    assert clean_text(cleaned, field_zh="内容", field_en="text", option=None, max_len=40,
                      multiline=multiline) == cleaned  # cleaning is idempotent


def test_a_ledger_cell_folds_typed_line_breaks_and_refuses_hostile_text() -> None:
    assert clean_cell("title", "问题标题", "东区电池\n材料产业园\t一期") == "东区电池 材料产业园 一期"
    assert clean_cell("detail", "详细情况", "第一行\r\n第二行") == "第一行\n第二行"
    assert clean_cell("helpers", "帮办单位", ["ZRZY", "\u200b", " ZJJ "]) == ["ZRZY", "ZJJ"]
    assert clean_cell("title", "问题标题", "\ufeff\u200d") is None
    assert clean_cell("total_investment", "总投资", 1200) == 1200
    with pytest.raises(InvalidInput, match="问题标题含有终端转义序列"):
        clean_cell("title", "问题标题", "\x1b[2J")
    with pytest.raises(InvalidInput, match="项目名称不能超过 200 字"):
        clean_cell("project_name", "项目名称", "项" * 201)


# ---- dates, the clock, extensions, amounts ------------------------------------------------------


def test_days_lie_within_1950_to_2100_typed_or_not() -> None:
    assert check_day(date(1950, 1, 1)) == date(1950, 1, 1) and check_day(date(2100, 12, 31)) == date(2100, 12, 31)
    for day in (date(1949, 12, 31), date(2101, 1, 1), date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(InvalidInput, match="不在合理范围（1950-01-01 至 2100-12-31）内"):
            check_day(day, field_zh="办结期限", option="--due")
    with pytest.raises(InvalidInput, match="--due"):
        parse_day("9999-12-31", option="--due")
    with pytest.raises(InvalidInput, match="1949-10-01"):
        parse_day("1949年10月1日")
    assert parse_day("2100/12/31") == date(2100, 12, 31)


def test_the_clock_reads_a_day_in_range() -> None:
    now = datetime(2024, 10, 8, 1, tzinfo=UTC)
    assert check_clock(now, variable="COORD_NOW") is now
    with pytest.raises(InvalidInput, match="COORD_NOW 为 0001-01-01"):
        check_clock(datetime(1, 1, 1, tzinfo=UTC), variable="COORD_NOW")
    with pytest.raises(InvalidInput, match="系统时钟"):
        check_clock(datetime(2200, 1, 1, tzinfo=UTC))


def test_the_clock_from_the_environment_is_checked_before_it_converts(monkeypatch: pytest.MonkeyPatch) -> None:
    from coordination import config

    for moment in ("0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00-08:00"):
        monkeypatch.setenv("COORD_NOW", moment)
        with pytest.raises(InvalidInput, match="COORD_NOW"):
            config.now()  # once an OverflowError (exit 1): year 0 cannot be converted to UTC
    monkeypatch.setenv("COORD_NOW", "2024-10-08T09:00:00+08:00")
    assert config.now() == datetime(2024, 10, 8, 1, tzinfo=UTC)


def test_an_extension_is_at_most_a_year() -> None:
    assert check_extension_days(1) == 1 and check_extension_days(250) == 250
    for days in (0, -1, 251, 100_000_000):
        with pytest.raises(InvalidInput, match="1 至 250（一年）"):
            check_extension_days(days)
    assert check_extended_due(date(2024, 3, 1), date(2025, 3, 1)) == date(2025, 3, 1)
    assert check_extended_due(date(2024, 2, 29), date(2025, 2, 28)) == date(2025, 2, 28)
    assert check_extended_due(date(2100, 6, 1), date(2100, 12, 31)) == date(2100, 12, 31)
    with pytest.raises(InvalidInput, match="最晚可调整到 2025-03-01"):
        check_extended_due(date(2024, 3, 1), date(2025, 3, 2))


def test_amounts_stay_under_their_cap_and_the_ceiling() -> None:
    assert check_amount(DEFAULT_MAX_YUAN) == DEFAULT_MAX_YUAN
    with pytest.raises(InvalidInput, match="超过上限 10000000000000 元"):
        check_amount(DEFAULT_MAX_YUAN + 1)
    with pytest.raises(InvalidInput, match="总投资（--total） 101 元超过上限 100 元"):
        check_amount(101, cap=100, field_zh="总投资", option="--total")
    assert parse_money(str(AMOUNT_CEILING), MoneyUnit.YUAN) == AMOUNT_CEILING
    for absurd in ("1e30", "1E+999999999", "9" * 5000, "100000000000亿", 1e300):
        with pytest.raises(InvalidInput, match="过大"):
            parse_money(absurd, MoneyUnit.WAN)  # once InvalidOperation (exit 1), or raw SQL on PostgreSQL


# ---- what is shown --------------------------------------------------------------------------------


def test_visible_shows_every_unsafe_character_and_keeps_lines() -> None:
    assert visible("用地\x1b[2J\x1b]0;x\x07指标\u202e反\udcff\U000e0041\r") == (
        "用地\\x1b[2J\\x1b]0;x\\x07指标<U+202E>反<U+DCFF><U+E0041>\\x0d")
    assert visible("第一行\n\t第二行\u200b") == "第一行\n\t第二行\u200b"  # zero-width is harmless: kept
    assert visible(visible("\x1b\u202e")) == visible("\x1b\u202e")


@given(st.text())
def test_visible_leaves_nothing_a_terminal_obeys(value: str) -> None:
    shown = visible(value)
    assert not needs_escape(shown) and visible(shown) == shown
    assert shown == value or needs_escape(value)


def test_the_safe_console_shows_escapes_and_never_reads_text_as_markup() -> None:
    from coordination.render.fit import Col, Fitted, fields
    from coordination.render.safe import SafeConsole

    console = SafeConsole(width=60, force_terminal=True, color_system="truecolor", file=io.StringIO())
    hostile = "用地\x1b[2J\x1b]0;伪造\x07指标\u202e反转 [bold]粗[/bold] [/]"
    with console.capture() as captured:
        console.print(fields([("标题", hostile)]))
        console.print(Fitted([Col("标题")], [[hostile]]))
        console.print(Text(hostile))
        console.print(hostile, markup=False)
    printed = captured.get()
    assert "\\x1b[2J" in printed and "<U+202E>" in printed and "[bold]粗[/bold]" in printed
    # Rich's own styling is the only escape left: none comes from the title.
    assert "\x1b[2J" not in printed and "\x1b]0;" not in printed and "\x07" not in printed and "\u202e" not in printed
    assert "\x1b[" in printed  # the console still styles its own output
    plain = Console(width=60)
    with plain.capture() as raw:
        plain.print(Text(hostile))
    assert "\x1b[2J" in raw.get()  # what a plain console would have let through


def test_json_output_escapes_what_json_does_not() -> None:
    from coordination.render.safe import json_text

    data = {"title": "x\u202e\x85\U000e0041\udcff\x1b\n"}
    written = json_text(json.dumps(data, ensure_ascii=False))
    assert json.loads(written) == data and not needs_escape(written)
    assert json_text('{"a": "东区"}') == '{"a": "东区"}'


def test_workbooks_and_word_files_take_an_old_records_control_characters(tmp_path: Path) -> None:
    from coordination.render import gongwen, xlsx

    hostile = "用地\x1b[2J\x00指标\u202e\udcff"
    book = xlsx.ledger_workbook(xlsx.LedgerBook(problems=[{"title": hostile, "detail": "a\x0bb"}]))
    xlsx.save_workbook(book, tmp_path / "台账.xlsx")  # openpyxl refuses \x1b and \x00: once IllegalCharacterError
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(tmp_path / "台账.xlsx")["问题"].iter_rows(values_only=True) for c in row if c]
    assert visible(hostile) in cells and "a\\x0bb" in cells
    from docx import Document

    word = Document()
    gongwen.run(word.add_paragraph(), hostile)  # python-docx refuses control characters: once ValueError
    word.save(str(tmp_path / "纪要.docx"))
    assert visible(hostile) in Document(str(tmp_path / "纪要.docx")).paragraphs[0].text


# ---- the domain's rules call it ------------------------------------------------------------------


def test_the_problem_and_task_rules_clean_what_they_keep_and_refuse_the_rest() -> None:
    from coordination.domain.enums import Action, Role, State
    from coordination.domain.problem import ActionInput, Actor, ProblemFacts, new_problem, plan
    from coordination.domain.task import TaskAction, TaskFacts, TaskInput, TaskState, new_task, plan_task
    from coordination.domain.workdays import WorkCalendar
    from coordination.services.calendar import package_schedules

    today, calendar = date(2024, 10, 8), WorkCalendar(package_schedules())
    fields = new_problem(project="P-001", title=" \ufeff二期用地\u200b ", category="land", detail="甲\r\n乙 \n",
                         raised_by="li", today=today)
    assert (fields["title"], fields["detail"]) == ("二期用地", "甲\n乙")
    handler = Actor("zhao", "ZRZY", frozenset({Role.HANDLER}))
    doing = ProblemFacts("Q-2024-0001", State.IN_PROGRESS, lead_unit="ZRZY", assigned_on=today,
                         due_date=date(2024, 10, 29))
    # A reason is cleaned whether or not the action needs one: a hostile note never reaches the chain.
    with pytest.raises(InvalidInput, match="说明（--reason）含有终端转义序列"):
        plan(Action.PROGRESS, handler, doing, ActionInput(reason="进展\x1b[2J"), today=today, calendar=calendar)
    with pytest.raises(InvalidInput, match="需要填写说明"):
        plan(Action.REQUEST_EXTENSION, handler, doing, ActionInput(reason="\u200b", extension_days=5), today=today,
             calendar=calendar)
    with pytest.raises(InvalidInput, match="1 至 250"):
        plan(Action.REQUEST_EXTENSION, handler, doing, ActionInput(reason="征地", extension_days=100_000_000),
             today=today, calendar=calendar)
    pending = ProblemFacts("Q-2024-0001", State.IN_PROGRESS, lead_unit="ZRZY", due_date=date(2024, 10, 29),
                           pending_extension_days=100_000_000)
    secretariat = Actor("wang", "FGJ", frozenset({Role.SECRETARIAT}))
    with pytest.raises(InvalidInput, match="超过一年"):  # once OverflowError, and the problem stuck for good
        plan(Action.APPROVE_EXTENSION, secretariat, pending, ActionInput(), today=today, calendar=calendar)
    task = new_task(plan="SSW", title="报批\u200b", detail=" ", lead_unit="ZRZY", co_units=(), due=date(2024, 12, 31),
                    added_by="wang", today=today)
    assert (task["title"], task["detail"]) == ("报批", None)
    facts = TaskFacts("T-2024-0001", TaskState.IN_PROGRESS, "ZRZY", date(2024, 12, 31), title="报批")
    with pytest.raises(InvalidInput, match="期限一次最多延后一年"):
        plan_task(TaskAction.ADJUST, secretariat, facts, TaskInput(reason="顺延", due=date(2026, 1, 1)), today=today)
    overdue = TaskFacts("T-2024-0001", TaskState.IN_PROGRESS, "ZRZY", date(2023, 1, 31), title="报批")
    moved = plan_task(TaskAction.ADJUST, secretariat, overdue, TaskInput(reason="顺延", due=date(2025, 10, 8)),
                      today=today)  # an overdue task moves up to a year from today
    assert moved["due_date"] == date(2025, 10, 8)
