"""One hygiene for every text, date and amount a person gives, and the escaping of what is shown.

Pure: no database. Every free text passes `clean_text` before it is stored: NFC, no control
characters, terminal escapes or bidi overrides (a line break only where a field is multi-line), blank
and zero-width edges stripped, a text of nothing but blanks and invisible characters empty, and the
length capped (the caps are here, in one place). Dates lie within 1950–2100, the clock's included;
an extension is at most a year; an amount stays under a plausibility cap (the setting
`amounts.max_yuan`, below `AMOUNT_CEILING`). `visible` is the other side: whatever slipped into a
record before is shown escaped, never raw, on a terminal, in a workbook or in a Word file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from coordination.domain.errors import InvalidInput

# ---- caps (characters, after cleaning) -----------------------------------------------------------

TITLE_MAX = 200  # a problem's or a task's title
NAME_MAX = 200  # a name: of a unit, a person, a project, a plan, an enterprise, an indicator
DOCUMENT_MAX = 200  # a document's name or number, an evaluation's conclusion
OFFICE_MAX = 100  # an office reported to
MEASURE_MAX = 20  # a unit of measure (%, 亿元)
TEXT_MAX = 10_000  # a detail, a reason or note, a decision, a progress note
SETTING_MAX = 500  # a setting's value

# ---- the ranges ----------------------------------------------------------------------------------

FIRST_DAY = date(1950, 1, 1)
LAST_DAY = date(2100, 12, 31)
EXTENSION_MAX_WORKING_DAYS = 250  # one year of working days: an extension asks for at most that
DEFAULT_MAX_YUAN = 10**13  # 10 万亿元: the default plausibility cap (setting amounts.max_yuan)
AMOUNT_CEILING = 10**15  # no cap may be set above it: every amount fits a 64-bit column with room

# ---- characters ----------------------------------------------------------------------------------

_BIDI = frozenset({0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_ESCAPES = frozenset({0x1B, 0x9B, 0x9D, 0x90, 0x9E, 0x9F})  # ESC, CSI, OSC, DCS, PM, APC
# Invisible characters allowed inside a text (joiners in names and emoji, a BOM a paste left) that
# never make it non-empty and are stripped from its ends.
_INVISIBLE = frozenset({0x00AD, 0x034F, 0x115F, 0x1160, 0x180E, *range(0x200B, 0x200E), *range(0x2060, 0x2065),
                        0x2800, 0x3164, 0xFEFF, 0xFFA0})
# What may never be stored: C0 and C1 controls and DEL, bidi controls, surrogates, the tag block
# (invisible ASCII smuggling) and the noncharacters XML refuses; a single-line field refuses line
# breaks (U+2028 and U+2029 too) and tabs as well.
_ALWAYS = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
           "\ud800-\udfff\ufffe\uffff\U000e0000-\U000e007f")
_REFUSED_MULTILINE = re.compile(f"[{_ALWAYS}]")
_REFUSED_LINE = re.compile(f"[{_ALWAYS}\t\n\u2028\u2029]")
_EDGES = "".join(chr(c) for c in sorted(_INVISIBLE))
_SURROGATE = re.compile("[\ud800-\udfff]")


def _kind_of(code: int, multiline: bool) -> tuple[str, str]:
    """What a refused character is, in words, for the message."""
    if code in _ESCAPES:
        return "终端转义序列", "a terminal escape sequence"
    if code in (0x0A, 0x0D, 0x85, 0x2028, 0x2029) and not multiline:
        return "换行", "a line break"
    if code == 0x09:
        return "制表符", "a tab"
    if code in _BIDI:
        return "文字方向控制字符", "a bidi (text direction) control"
    if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return "无效字符", "an invalid character (not Unicode text)"
    if 0xE0000 <= code <= 0xE007F:
        return "不可见的标签字符", "an invisible tag character"
    return "控制字符", "a control character"


def _where(option: str | None, zh: bool) -> str:
    if not option:
        return ""
    return f"（{option}）" if zh else f" ({option})"


def clean_text(value: str, *, field_zh: str, field_en: str, option: str | None, max_len: int,
               multiline: bool = False) -> str:
    """The text as it is stored, or InvalidInput naming the field, the option and the character (U+XXXX).

    Empty ("") when nothing but blanks and invisible characters was given: callers decide whether a
    field may be empty (`required_text`, `optional_text`).
    """
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    found = (_REFUSED_MULTILINE if multiline else _REFUSED_LINE).search(text)
    if found is not None:
        index, code = found.start(), ord(found.group())
        what_zh, what_en = _kind_of(code, multiline)
        line = code in (0x09, 0x0A, 0x0D, 0x85, 0x2028, 0x2029) and not multiline
        raise InvalidInput(
            f"{field_zh}{_where(option, True)}含有{what_zh}（第 {index + 1} 个字符，U+{code:04X}），"
            f"{'此项只能填一行' if line else '不能保存'}，请删除后重试",
            f"{field_en}{_where(option, False)} contains {what_en} (character {index + 1}, U+{code:04X}), "
            f"{'but it holds a single line' if line else 'which cannot be stored'}; remove it and try again")
    cleaned = _strip(text, multiline)
    if len(cleaned) > max_len:
        raise InvalidInput(f"{field_zh}{_where(option, True)}不能超过 {max_len} 字（现为 {len(cleaned)} 字）",
                           f"{field_en}{_where(option, False)} must be at most {max_len} characters "
                           f"(it has {len(cleaned)})")
    return cleaned


def _strip(text: str, multiline: bool) -> str:
    """Blanks and invisible characters off both ends (and off each line's end when multi-line)."""
    if multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    while True:  # what is left starts and ends with neither a blank nor an invisible character
        stripped = text.strip().strip(_EDGES)
        if stripped == text:
            return text
        text = stripped


def required_text(value: str | None, *, field_zh: str, field_en: str, option: str | None, max_len: int,
                  multiline: bool = False) -> str:
    """A cleaned text that may not be empty."""
    cleaned = clean_text(value or "", field_zh=field_zh, field_en=field_en, option=option, max_len=max_len,
                         multiline=multiline)
    if not cleaned:
        raise InvalidInput(f"{field_zh}不能为空{_where(option, True)}",
                           f"{field_en}{_where(option, False)} must not be empty")
    return cleaned


def optional_text(value: str | None, *, field_zh: str, field_en: str, option: str | None, max_len: int,
                  multiline: bool = False) -> str | None:
    """A cleaned text, or None when none (or only blanks) was given."""
    if value is None:
        return None
    return clean_text(value, field_zh=field_zh, field_en=field_en, option=option, max_len=max_len,
                      multiline=multiline) or None


def clean_reason(value: str | None, option: str | None = "--reason") -> str | None:
    """A reason or note given with an action (several lines allowed), or None."""
    return optional_text(value, field_zh="说明", field_en="the reason", option=option, max_len=TEXT_MAX,
                         multiline=True)


# The ledger's free-text columns (keys of domain/ledger.py) and how each is held; any other text cell is a
# name, a code or a reference: one line of at most NAME_MAX.
_CELLS: dict[str, tuple[int, bool]] = {"title": (TITLE_MAX, False), "detail": (TEXT_MAX, True),
                                       "note": (TEXT_MAX, True)}
_FOLDED = re.compile(r"\s*[\r\n\u2028\u2029]+\s*|\t")


def one_line(text: str) -> str:
    """`text` with its line breaks and tabs as single spaces: how a one-line ledger cell reads, and the key a
    title stored before hygiene (with an Alt+Enter in it) is matched on."""
    return _FOLDED.sub(" ", text)


def clean_cell(key: str, header: str, value: Any) -> Any:
    """A ledger cell's text (or list of names) through `clean_text`, so a hostile cell is the row's issue
    (InvalidInput); a line break typed into a one-line cell (Alt+Enter to wrap it) reads as a space, and a
    cell of nothing but blanks and invisible characters as empty (None)."""
    if isinstance(value, list):
        cleaned = [clean_cell(key, header, item) for item in value]
        return [item for item in cleaned if item is not None]
    if not isinstance(value, str):
        return value
    most, multiline = _CELLS.get(key, (NAME_MAX, False))
    text = value if multiline else one_line(value)
    return clean_text(text, field_zh=header, field_en=header, option=None, max_len=most, multiline=multiline) or None


def check_arguments(arguments: Sequence[str]) -> None:
    """A command line's arguments are text: bytes that are not UTF-8 (Python hands them on as lone
    surrogates) would fail deep in a lookup or a message, so they are refused first, whatever the option."""
    for position, argument in enumerate(arguments, start=1):
        if _SURROGATE.search(argument):
            raise InvalidInput(f"命令行第 {position} 个参数含有无法识别的字节（不是 UTF-8 文本），"
                               "请检查终端或脚本的编码",
                               f"argument {position} holds bytes that are not UTF-8 text; check the encoding of the "
                               "terminal or script")


# ---- dates and the clock ---------------------------------------------------------------------------


def check_day(day: date, *, field_zh: str = "日期", field_en: str = "the date", option: str | None = None) -> date:
    """A day a person gives: within 1950-01-01..2100-12-31."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"{field_zh}{_where(option, True)} {day.isoformat()} 不在合理范围（{FIRST_DAY} 至 "
                           f"{LAST_DAY}）内",
                           f"{field_en}{_where(option, False)} {day.isoformat()} is outside {FIRST_DAY}..{LAST_DAY}")
    return day


def check_clock(moment: datetime, *, variable: str | None = None) -> datetime:
    """The clock (`variable`, e.g. COORD_NOW, or the system's when None) must read a day within the range every
    date keeps to: a problem numbered Q-1-0001 or a deadline in year 1 helps nobody."""
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        zh, en = (variable, variable) if variable else ("系统时钟", "the system clock")
        raise InvalidInput(f"{zh} 为 {moment.isoformat()}，不在合理范围（{FIRST_DAY} 至 {LAST_DAY}）内，请更正后重试",
                           f"{en} reads {moment.isoformat()}, outside {FIRST_DAY}..{LAST_DAY}; correct it and "
                           "try again")
    return moment


def check_year(year: int, *, option: str | None = None) -> int:
    """A year a person gives (a plan's year): within 1950–2100."""
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise InvalidInput(f"年份{_where(option, True)} {year} 须在 {FIRST_DAY.year} 至 {LAST_DAY.year} 之间",
                           f"the year{_where(option, False)} {year} must be from {FIRST_DAY.year} to {LAST_DAY.year}")
    return year


def check_extension_days(days: int, option: str = "--days") -> int:
    """Working days an extension asks for: at least one, at most a year's."""
    if days <= 0 or days > EXTENSION_MAX_WORKING_DAYS:
        raise InvalidInput(f"延期的工作日数须在 1 至 {EXTENSION_MAX_WORKING_DAYS}（一年）之间（{option}），收到 {days}",
                           f"an extension is 1 to {EXTENSION_MAX_WORKING_DAYS} working days (a year) ({option}); "
                           f"got {days}")
    return days


def one_year_after(day: date) -> date:
    """The same day a year later (29 February: 28 February), within LAST_DAY."""
    if day >= LAST_DAY - timedelta(days=366):
        return LAST_DAY
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def check_extended_due(old: date, new: date, *, option: str = "--due") -> date:
    """A due date moved later moves by at most a year."""
    if new > one_year_after(old):
        latest = one_year_after(old)
        raise InvalidInput(f"期限一次最多延后一年：{old} 最晚可调整到 {latest}（{option}），收到 {new}",
                           f"a due date moves at most a year at once: {old} can move to {latest} at the latest "
                           f"({option}); got {new}")
    return new


# ---- amounts ----------------------------------------------------------------------------------------


def check_amount(yuan: int, *, cap: int = DEFAULT_MAX_YUAN, field_zh: str = "金额", field_en: str = "the amount",
                 option: str | None = None) -> int:
    """An amount in whole 元 within the plausibility cap (the setting amounts.max_yuan)."""
    if yuan > min(cap, AMOUNT_CEILING):
        raise InvalidInput(f"{field_zh}{_where(option, True)} {yuan} 元超过上限 {cap} 元，请核对单位"
                           "（上限可由管理员用 coord setting set amounts.max_yuan 调整）",
                           f"{field_en}{_where(option, False)} of {yuan} yuan is above the limit of {cap} yuan; "
                           "check the unit (an admin sets the limit: coord setting set amounts.max_yuan)")
    return yuan


# ---- showing -----------------------------------------------------------------------------------------

_SHOWN = re.compile(f"[{_ALWAYS}\u2028\u2029]")


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def needs_escape(text: str) -> bool:
    """Whether `visible` would change `text` (a line break and a tab are shown as they are)."""
    return _REFUSED_MULTILINE.search(text) is not None or "\u2028" in text or "\u2029" in text


def visible(text: str) -> str:
    """`text` with every character that may not be stored shown as an escape (\\x1b, <U+202E>), so an old
    record holding one cannot clear a screen, retitle a terminal or reverse a line; line breaks and tabs
    stay (a detail has several lines)."""
    if not needs_escape(text):
        return text
    return _SHOWN.sub(lambda found: _escaped(found.group()), text)
