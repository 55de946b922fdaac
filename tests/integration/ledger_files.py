"""Ledger workbooks for the hostile-input tests: written with openpyxl, then edited in their XML where a
hostile file says what openpyxl would never write (a forged <dimension>, a row past Excel's last, a DTD).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import openpyxl
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PROJECT = "DQ-2024-007"  # the district's project (tests/conftest.py)


def problem_book(template: Path, target: Path, titles: list[str], change: Callable[[Any], None] | None = None,
                 ) -> Path:
    """The template with one problem row per title under the district's project (category 用地)."""
    book = openpyxl.load_workbook(template)
    sheet = book["问题"]
    headers = [c.value for c in sheet[1]]
    for title in titles:
        values = {"项目编号": PROJECT, "问题标题": title, "问题类别": "用地"}
        sheet.append([values.get(h) for h in headers])
    if change is not None:
        change(book)
    book.save(target)
    return target


def column_of(book: Any, sheet: str, header: str) -> str:
    """The letter of `header`'s column in the sheet's first row."""
    return str(next(c.column_letter for c in book[sheet][1] if c.value == header))


def sheet_part(path: Path, title: str) -> str:
    """The zip part that holds the worksheet named `title`."""
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get(f"{{{RELATIONS}}}id") for s in workbook.iter(f"{{{MAIN}}}sheet") if s.get("name") == title)
    target = next(str(r.get("Target")) for r in relations if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def rewrite(path: Path, edit: Callable[[str, bytes], bytes]) -> Path:
    """Rewrite the workbook's parts through `edit(part name, bytes)`, in place."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info.filename, edit(info.filename, data))
    return path


def edit_sheet(path: Path, title: str, edit: Callable[[bytes], bytes]) -> Path:
    part = sheet_part(path, title)
    return rewrite(path, lambda name, data: edit(data) if name == part else data)


def declare_dimension(path: Path, ref: str) -> Path:
    """Every worksheet declares `ref` (A1:XFD20000) as its size, whatever it holds."""
    def edit(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/sheet"):
            return data
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)

    return rewrite(path, edit)


def before_sheet_data_end(xml: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</sheetData>", xml + b"</sheetData>", 1)


def shared_strings(path: Path) -> Path:
    """The workbook as Excel writes it: every inline string moved into xl/sharedStrings.xml, the first
    one's text split into two rich-text runs with a phonetic run between (which is not part of the text)."""
    strings: list[str] = []
    inline = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)

    def shared(found: re.Match[bytes]) -> bytes:
        strings.append(str(ElementTree.fromstring(b"<t>" + found[3] + b"</t>").text or ""))
        return b'<c ' + found[1] + b't="s"' + found[2] + b'><v>' + str(len(strings) - 1).encode() + b'</v></c>'

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            return inline.sub(shared, data)
        return data

    rewrite(path, edit)
    items = []
    for index, value in enumerate(strings):
        if index == 0 and len(value) > 1:
            items.append(f'<si><r><t>{escape(value[:1])}</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh>'
                         f'<r><rPr><b/></rPr><t xml:space="preserve">{escape(value[1:])}</t></r></si>')
        else:
            items.append(f'<si><t xml:space="preserve">{escape(value)}</t></si>')
    table = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="{len(strings)}" '
             f'uniqueCount="{len(strings)}">{"".join(items)}</sst>').encode()

    def add_table(name: str, data: bytes) -> bytes:
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.'
                                b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                b'Target="sharedStrings.xml"/></Relationships>')
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        return data

    rewrite(path, add_table)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", table)
    return path


def snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, to prove that a refused import wrote nothing."""
    found: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            rows = connection.execute(text(f'SELECT * FROM "{table}"'))
            found[table] = sorted(repr(tuple(r)) for r in rows)
    return found
