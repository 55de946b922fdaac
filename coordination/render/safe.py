"""A console that shows what slipped into a record, never obeys it.

Input hygiene (domain/hygiene.py) refuses control characters, terminal escapes and bidi overrides, but a
row written before it, or straight into the database, may still hold one. Every string and Text the
command line prints passes here first: such a character is shown as an escape (\\x1b, <U+202E>), so an
old title cannot clear the screen, retitle the terminal, or reverse a line. Markup is a separate matter:
user text reaches Rich as Text (render/fit.py) or escaped with `rich.markup.escape`, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

from coordination.domain.hygiene import needs_escape, visible


def visible_text(text: Text) -> Text:
    """`text` with its unsafe characters shown escaped (its spans are dropped then: the layout changes)."""
    if not needs_escape(text.plain):
        return text
    return Text(visible(text.plain), style=text.style, justify=text.justify, overflow=text.overflow,
                no_wrap=text.no_wrap, end=text.end)


class SafeConsole(Console):
    """A Rich console that never writes a stored control, escape or bidi character raw."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        if isinstance(renderable, Text):
            renderable = visible_text(renderable)
        return super().render(renderable, options)


def json_text(text: str) -> str:
    """JSON written with ensure_ascii=False, its unsafe characters written as \\u escapes instead: the same
    data once parsed, but nothing a terminal obeys (JSON itself escapes only the C0 controls)."""
    if not needs_escape(text):
        return text
    return "".join(_json_escape(c) if needs_escape(c) else c for c in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
