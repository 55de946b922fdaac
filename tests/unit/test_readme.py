"""The README shows the transition table and who is told exactly as the code defines them."""

from __future__ import annotations

from pathlib import Path

from coordination.render.markdown import notice_table, transition_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_transition_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- transition-table:start -->") + len("<!-- transition-table:start -->")
    end = text.index("<!-- transition-table:end -->")
    assert text[start:end].strip() == transition_table(), (
        "regenerate with: python -c 'from coordination.render.markdown import update_readme; update_readme()'")


def test_readme_notice_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- notice-table:start -->") + len("<!-- notice-table:start -->")
    end = text.index("<!-- notice-table:end -->")
    assert text[start:end].strip() == notice_table(), (
        "regenerate with: python -c 'from coordination.render.markdown import update_readme; update_readme()'")
