"""The parts of an .xlsx workbook that ledger_xlsx.py reads whole — relationships, the workbook's list of
sheets, the shared strings, which cell styles are dates — each parsed by expat a block at a time, with
DTDs refused (a workbook never has one, and its entities could expand without bound).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.parsers import expat

CELL_CHARS = 32_767  # Excel's limit on a cell's text: anything longer is cut one past it (and refused later)
_BLOCK = 1 << 16
OpenPart = Callable[[str], IO[bytes]]


class XlsxError(ValueError):
    """A part of the workbook is missing or not what a workbook holds."""


def local(tag: str) -> str:
    """A tag's or attribute's name without its prefix (x:row → row)."""
    return tag.rpartition(":")[2]


def _refuse_dtd(*_: Any) -> None:
    raise XlsxError("a workbook part declares a DTD")


def parse(source: IO[bytes], start: Callable[[str, dict[str, str]], None], end: Callable[[str], None] | None = None,
          text: Callable[[str], None] | None = None) -> Iterator[None]:
    """Feed the part to expat a block at a time, pausing after each (the handlers keep what they want)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    while block := source.read(_BLOCK):
        parser.Parse(block, False)
        yield
    parser.Parse(b"", True)
    yield


def relationships(open_part: OpenPart, part: str) -> dict[str, tuple[str, str]]:
    """Id → (the type's last word, the target part) of a part's relationships ("" for the package's)."""
    folder, name = posixpath.split(part)
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if local(tag) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        target = attrs.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[attrs.get("Id", "")] = (attrs.get("Type", "").rpartition("/")[2], path)

    with open_part(posixpath.join(folder, "_rels", f"{name}.rels")) as source:
        for _ in parse(source, start):
            pass
    return found


def workbook_sheets(open_part: OpenPart, part: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The workbook's sheets in order, (name, relationship id), and its <workbookPr> (date1904)."""
    listed: list[tuple[str, str]] = []
    flags: dict[str, str] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = local(tag)
        if name == "sheet":
            rid = next((v for k, v in attrs.items() if local(k) == "id"), "")
            listed.append((attrs.get("name", ""), rid))
        elif name == "workbookPr":
            flags.update(attrs)

    with open_part(part) as source:
        for _ in parse(source, start):
            pass
    return listed, flags


def shared_strings(open_part: OpenPart, part: str) -> list[str]:
    """The shared strings' texts, runs joined, phonetic guides (<rPh>) left out, as openpyxl reads them."""
    strings: list[str] = []
    pieces: list[str] = []
    state = {"phonetic": 0, "text": False, "size": 0}

    def start(tag: str, _attrs: dict[str, str]) -> None:
        name = local(tag)
        if name == "si":
            pieces.clear()
            state["size"] = 0
        elif name == "rPh":
            state["phonetic"] += 1
        elif name == "t" and not state["phonetic"]:
            state["text"] = True

    def end(tag: str) -> None:
        name = local(tag)
        if name == "si":
            strings.append("".join(pieces))
        elif name == "rPh":
            state["phonetic"] -= 1
        elif name == "t":
            state["text"] = False

    def text(data: str) -> None:
        if state["text"] and state["size"] <= CELL_CHARS:
            pieces.append(data[:CELL_CHARS + 1 - state["size"]])
            state["size"] += len(data)

    with open_part(part) as source:
        for _ in parse(source, start, end, text):
            pass
    return strings


def date_styles(open_part: OpenPart, part: str) -> tuple[set[int], set[int]]:
    """The cell styles (positions in <cellXfs>) whose number format shows a date or a duration."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = local(tag)
        if name == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            inside[0] = True
        elif name == "xf" and inside[0]:
            formats.append(int(attrs.get("numFmtId", "0")))

    def end(tag: str) -> None:
        if local(tag) == "cellXfs":
            inside[0] = False

    with open_part(part) as source:
        for _ in parse(source, start, end):
            pass
    codes = [custom.get(number, BUILTIN_FORMATS.get(number)) for number in formats]
    return ({i for i, code in enumerate(codes) if is_date_format(code)},
            {i for i, code in enumerate(codes) if is_timedelta_format(code)})

