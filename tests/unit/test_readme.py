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


def test_every_generated_table_in_the_readme_matches_the_code() -> None:
    """Each kind's tables (states, transitions, who is told) as `update_readme` writes them."""
    from coordination.render.markdown import GENERATED

    text = README.read_text(encoding="utf-8")
    for name, make in GENERATED.items():
        start_mark, end_mark = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        assert start_mark in text and end_mark in text, f"the README lacks the {name} markers"
        start = text.index(start_mark) + len(start_mark)
        assert text[start:text.index(end_mark)].strip() == make(), (
            f"{name} differs: regenerate with python -c "
            "'from coordination.render.markdown import update_readme; update_readme()'")
