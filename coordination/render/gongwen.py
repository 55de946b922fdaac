"""党政机关公文格式 (GB/T 9704-2012): the page, type and table rules every Word document of coord follows.

A4 paper; top margin 37 mm, left 28 mm, a type area of 156 × 225 mm; the title in 2号小标宋, the body in
3号仿宋, first-level headings in 黑体 and second-level ones in 楷体; all text black; the page number in
4号宋体 as "— 1 —" at the foot. Every run names its East Asian font itself (w:eastAsia), so a reader
never falls back to Word's theme fonts or colours. Tables fill the type area with fixed column widths
measured from their content: ids, dates and figures never wrap, titles and names take the rest.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coordination.domain.hygiene import visible

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, LEFT_MM = 37, 28
TYPE_WIDTH_MM, TYPE_HEIGHT_MM = 156, 225
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TYPE_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TYPE_HEIGHT_MM  # 35

TITLE_FONT = "方正小标宋简体"  # 小标宋
BODY_FONT = "仿宋_GB2312"  # 仿宋
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"  # 楷体
PAGE_NUMBER_FONT = "宋体"
# What a reader without the first font uses instead (the font table's w:altName).
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体"}

TITLE_PT = 22  # 二号
BODY_PT = 16  # 三号
PAGE_NUMBER_PT = 14  # 四号
TABLE_PT_CHOICES = (14, 12, 10.5, 9)  # 四号, 小四, 五号, 小五: the largest a table fits in
LINE_PT = 28.95  # 22 lines in the 225 mm type area
BLACK = "000000"
CHAR = BODY_PT  # one character of body text, for indents (首行缩进二字 = 2 * CHAR)

DEFAULT_OFFICE = "重大项目推进专班办公室"  # the issuing office (发文机关署名) of reports and minutes
DEFAULT_OFFICE_EN = "Major Projects Task Force Office"

_CELL_PADDING_MM = 1.0  # left and right, each
_LATIN_EM = 0.6  # the width taken for a Latin letter or digit, in ems
_MIN_FLEX_EMS = 6  # a column that may wrap keeps at least six Chinese characters a line
_SHORT_UNITS = 8  # a text column whose longest cell is this short never wraps


def ea_width(text: str) -> int:
    """Width in East-Asian-width units: a Chinese character (or any wide one) counts 2, ASCII 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def chinese_date(day: Any) -> str:
    """成文日期 as the standard writes it with Arabic numerals: 2026年11月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---- the page -----------------------------------------------------------------------------------


def new_document() -> Any:
    """An empty A4 document with the 公文 margins, body font, exact line pitch and page numbers."""
    from docx import Document
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Mm, Pt

    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(23)  # the number's line sits about 7 mm below the type area
    _no_theme_fonts(word)
    normal = word.styles["Normal"]
    _font(normal.element.get_or_add_rPr(), BODY_FONT, BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
    fmt.widow_control = False
    _register_fallbacks(word)
    _page_numbers(section)
    return word


def _no_theme_fonts(word: Any) -> None:
    """Drop the template's theme fonts and colours from its defaults and styles: explicit fonts rule."""
    from docx.oxml.ns import qn

    root = word.styles.element
    for rfonts in root.iter(qn("w:rFonts")):
        for name in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(name), None)
    for element in root.iter():  # run colours, and the borders of styles such as Title
        for name in ("w:themeColor", "w:themeShade", "w:themeTint", "w:themeFill", "w:themeFillShade",
                     "w:themeFillTint"):
            element.attrib.pop(qn(name), None)
        if element.tag == qn("w:color"):
            element.set(qn("w:val"), BLACK)
        elif element.get(qn("w:color")) not in (None, "auto"):
            element.set(qn("w:color"), BLACK)


def _register_fallbacks(word: Any) -> None:
    """Name each font's stand-in in the font table (w:altName), as Word does for 方正小标宋简体 → 宋体."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    parts = [rel.target_part for rel in word.part.rels.values() if rel.reltype == RELATIONSHIP_TYPE.FONT_TABLE]
    if not parts:
        return
    part = parts[0]
    fonts = parse_xml(part.blob)
    known = {font.get(qn("w:name")) for font in fonts.iter(qn("w:font"))}
    for name in (TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, PAGE_NUMBER_FONT, *FALLBACKS.values()):
        if name in known:
            continue
        alt = f'<w:altName w:val="{FALLBACKS[name]}"/>' if name in FALLBACKS else ""
        fonts.append(parse_xml(f'<w:font {nsdecls("w")} w:name="{name}">{alt}<w:charset w:val="86"/>'
                               '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'))
        known.add(name)
    part._blob = serialize_part_xml(fonts)


def _font(rpr: Any, name: str, size: float, *, bold: bool = False) -> None:
    """Set the fonts (Latin and East Asian), size and black colour on a run's or style's w:rPr."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for tag, value in (("w:sz", size), ("w:szCs", size)):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(round(value * 2)))
    color = rpr.find(qn("w:color"))
    if color is None:
        color = OxmlElement("w:color")
        rpr.append(color)
    color.set(qn("w:val"), BLACK)
    if bold:
        rpr.append(OxmlElement("w:b"))
    # Word reads w:rPr's children in schema order; python-docx's own setters keep it, so reinsert ours.
    _sort_rpr(rpr)


_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
              "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
              "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _sort_rpr(rpr: Any) -> None:
    def rank(child: Any) -> int:
        local = str(child.tag).rsplit("}", 1)[-1]
        return _RPR_ORDER.index(local) if local in _RPR_ORDER else len(_RPR_ORDER)

    children = sorted(rpr, key=rank)
    for child in children:
        rpr.remove(child)
        rpr.append(child)


def run(paragraph: Any, text: str, font: str = BODY_FONT, size: float = BODY_PT, *, bold: bool = False) -> Any:
    """A run of `text` with its fonts (East Asian included), size and colour set on the run itself."""
    added = paragraph.add_run(visible(text))  # Word refuses control characters: an old record's shown escaped
    _font(added._element.get_or_add_rPr(), font, size, bold=bold)
    return added


def _page_numbers(section: Any) -> None:
    """The footer's "— N —" in 4号宋体, centred, N a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Pt

    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(PAGE_NUMBER_PT * 1.2)
    run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        piece = run(paragraph, "" if kind != "text" else text or "", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            piece._element.append(instr)
        elif kind != "text":
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            piece._element.append(field)
    run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


# ---- paragraphs ---------------------------------------------------------------------------------


def title(word: Any, text: str) -> Any:
    """The title: 2号小标宋, centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = word.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)
    run(paragraph, text, TITLE_FONT, TITLE_PT)
    return paragraph


def centred(word: Any, text: str, font: str = BODY_FONT, size: float = BODY_PT) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = word.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(paragraph, text, font, size)
    return paragraph


def body(word: Any, text: str = "", *, indent: bool = True) -> Any:
    """A body paragraph in 3号仿宋, its first line indented two characters."""
    from docx.shared import Pt

    paragraph = word.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(2 * CHAR)
    if text:
        run(paragraph, text)
    return paragraph


def heading(word: Any, text: str, level: int = 1) -> Any:
    """一、 in 黑体, （一） in 楷体, both 3号, indented two characters, kept with what follows."""
    paragraph = body(word)
    paragraph.paragraph_format.keep_with_next = True
    run(paragraph, text, HEADING1_FONT if level == 1 else HEADING2_FONT)
    return paragraph


def labelled(word: Any, label: str, text: str, *, size: float = BODY_PT, label_font: str = HEADING1_FONT,
             indent_chars: int = 2) -> Any:
    """"出席：…" as the standard lays it out: the label, then text whose next lines align after the colon."""
    from docx.shared import Pt

    paragraph = word.add_paragraph()
    hang = ea_width(label) / 2 * size
    paragraph.paragraph_format.left_indent = Pt(indent_chars * size + hang)
    paragraph.paragraph_format.first_line_indent = Pt(-hang)
    run(paragraph, label, label_font, size)
    run(paragraph, text, BODY_FONT, size)
    return paragraph


def signature(word: Any, office: str, day: str) -> None:
    """发文机关署名 and 成文日期, right-aligned: the date four characters from the right edge, the
    office centred over it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    word.add_paragraph()
    office_paragraph = word.add_paragraph()
    date_paragraph = word.add_paragraph()
    office_shift = max(0.0, 4 + (ea_width(day) - ea_width(office)) / 4)
    for paragraph, text, shift in ((office_paragraph, office, office_shift), (date_paragraph, day, 4.0)):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(shift * CHAR)
        run(paragraph, text)


def colophon(word: Any, text: str) -> Any:
    """A 版记-style last line in 4号仿宋 between two rules (the audit fingerprint a report carries)."""
    word.add_paragraph()
    paragraph = word.add_paragraph()
    paragraph.paragraph_format.keep_together = True
    run(paragraph, text, BODY_FONT, PAGE_NUMBER_PT)
    rule(paragraph, top=True, bottom=True)
    return paragraph


def rule(paragraph: Any, *, top: bool = False, bottom: bool = False, size: int = 8) -> None:
    """A black line above and/or below a paragraph (版记's 分隔线), `size` in eighths of a point."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    ppr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side, wanted in (("top", top), ("bottom", bottom)):
        if wanted:
            line = OxmlElement(f"w:{side}")
            for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", BLACK)):
                line.set(qn(key), value)
            borders.append(line)
    # pBdr comes before spacing/ind/jc in w:pPr
    anchor = next((c for c in ppr if str(c.tag).rsplit("}", 1)[-1] in ("shd", "tabs", "suppressAutoHyphens",
                                                                        "spacing", "ind", "jc")), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def page_break(word: Any) -> None:
    from docx.enum.text import WD_BREAK

    run(word.add_paragraph(), "").add_break(WD_BREAK.PAGE)


# ---- tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """A table's type size and its columns' widths in millimetres (summing to at most 156)."""

    size: float
    widths: list[float]


def text_ems(text: str) -> float:
    """Width in ems: a Chinese character is one em; a Latin letter or digit is taken as 0.6 em, a little
    more than 仿宋's half em, so that a font with wider Latin letters never wraps an id or a date."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return wide + _LATIN_EM * (len(text) - wide)


def layout(headers: Sequence[str], rows: Sequence[Sequence[str]], wraps: Sequence[bool],
           width_mm: float = TYPE_WIDTH_MM) -> Layout:
    """Column widths from the content: the longest cell of each column (East Asian width: a Chinese
    character counts two, a Latin letter one).

    A column that may not wrap (ids, dates, figures, short words) gets the width of its longest cell;
    one that may wrap (titles, names) takes what is left, in proportion to its longest cell. The type
    size is the largest of `TABLE_PT_CHOICES` at which the unwrapped columns fit beside at least six
    characters of each wrapping one.
    """
    count = len(headers)
    longest = [max([text_ems(row[i]) for row in rows] + [0.5]) for i in range(count)]
    longest_units = [max([ea_width(row[i]) for row in rows] + [1]) for i in range(count)]
    head = [text_ems(h) for h in headers]
    # A header may take two lines: a column is never narrower than half its header.
    head_min = [h if h <= 4 else -(-h // 2) for h in head]
    fixed = [not wraps[i] or longest_units[i] <= _SHORT_UNITS for i in range(count)]
    pad = 2 * _CELL_PADDING_MM + 0.5

    def least(i: int) -> float:  # in ems
        return max(longest[i] if fixed[i] else min(longest[i], _MIN_FLEX_EMS), head_min[i])

    chosen: float = TABLE_PT_CHOICES[-1]
    for size in TABLE_PT_CHOICES:
        if sum(least(i) * _em_mm(size) + pad for i in range(count)) <= width_mm:
            chosen = size
            break
    em = _em_mm(chosen)
    widths = [least(i) * em + pad for i in range(count)]
    spare = width_mm - sum(widths)
    if spare < 0:  # even the smallest type does not fit: headers wrap, the wrapping columns share the rest
        widths = [longest[i] * em + pad if fixed[i] else 0.0 for i in range(count)]
        rest = width_mm - sum(widths)
        flex = [i for i in range(count) if not fixed[i]]
        if rest <= 2 * pad * len(flex):  # nothing left for them: every column gives up the same share
            least_widths = [least(i) * em + pad for i in range(count)]
            scale = width_mm / sum(least_widths)
            return Layout(chosen, [w * scale for w in least_widths])
        total = sum(longest[i] for i in flex)
        for i in flex:
            widths[i] = rest * longest[i] / total
        return Layout(chosen, [w - 0.01 for w in widths])
    # Then: the wrapping columns up to their longest cell, whole headers on one line, the rest shared.
    targets = [[widths[i] if fixed[i] else longest[i] * em + pad for i in range(count)],
               [max(longest[i], head[i]) * em + pad for i in range(count)]]
    for target in targets:
        wanted = [max(0.0, t - w) for t, w in zip(target, widths, strict=True)]
        total = sum(wanted)
        if total <= 0:
            continue
        share = min(1.0, spare / total)
        widths = [w + x * share for w, x in zip(widths, wanted, strict=True)]
        spare = width_mm - sum(widths)
    if spare > 0:
        total = sum(widths)
        widths = [w + spare * w / total for w in widths]
    return Layout(chosen, [w - 0.01 for w in widths])  # rounding never pushes the sum past the area


def _em_mm(size: float) -> float:
    return size * 25.4 / 72


def table(word: Any, headers: Sequence[str], rows: Sequence[Sequence[str]], wraps: Sequence[bool],
          aligns: Sequence[str] | None = None) -> Any:
    """A bordered table across the type area: fixed layout, a width on every cell, the header row
    in 黑体 repeated on each page, the body in 仿宋, all at the size the columns fit."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Mm

    shape = layout(headers, rows, wraps)
    grid = word.add_table(rows=1, cols=len(headers))
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False  # w:tblLayout w:type="fixed"
    tbl_pr = grid._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(round(sum(shape.widths) / 25.4 * 1440)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", BLACK)):
            line.set(qn(key), value)
        borders.append(line)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(_CELL_PADDING_MM / 25.4 * 1440)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # schema order in w:tblPr: tblStyle, …, jc, …, tblW … tblBorders … tblLayout, tblCellMar, tblLook
    tbl_pr.insert(_index_after(tbl_pr, ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                                        "tblStyleColBandSize")), width)
    tbl_pr.insert(_index_after(tbl_pr, ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                                        "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd")), borders)
    tbl_pr.insert(_index_after(tbl_pr, ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                                        "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd",
                                        "tblBorders", "shd", "tblLayout")), margins)
    for column, mm in zip(grid.columns, shape.widths, strict=True):
        column.width = Mm(mm)
    alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                 "right": WD_ALIGN_PARAGRAPH.RIGHT}
    shown_aligns = list(aligns) if aligns else ["left" if w else "center" for w in wraps]

    def fill(cells: Any, texts: Sequence[str], font: str, header: bool) -> None:
        for index, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            cell.width = Mm(shape.widths[index])
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.first_line_indent = None
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            paragraph.alignment = alignment["center" if header else shown_aligns[index]]
            run(paragraph, text, font, shape.size)

    header_row = grid.rows[0]
    fill(header_row.cells, headers, HEADING1_FONT, True)
    tr_pr = header_row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of each page
    for texts in rows:
        row = grid.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        fill(row.cells, texts, BODY_FONT, False)
    return grid


def _index_after(parent: Any, before: tuple[str, ...]) -> int:
    """The position in `parent` just after its last child named in `before` (schema order)."""
    position = 0
    for index, child in enumerate(parent):
        if str(child.tag).rsplit("}", 1)[-1] in before:
            position = index + 1
    return position
