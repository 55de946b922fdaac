"""The README shows the transition table exactly as the code defines it."""

from __future__ import annotations

from pathlib import Path

from coordination.render.markdown import transition_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_transition_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- transition-table:start -->") + len("<!-- transition-table:start -->")
    end = text.index("<!-- transition-table:end -->")
    assert text[start:end].strip() == transition_table(), (
        "regenerate with: python -c 'from coordination.render.markdown import update_readme; update_readme()'")
