"""One write path: only services/writer.py inserts audit events or bumps an item's version.

Read from the source itself, so that a new module that writes events its own way (as the sweep, the
ledger import and the problem services each once did) fails here before it can drift.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from coordination.domain.audit import canonical_plain
from coordination.services.writer import HASHED_KEYS, fields_json

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "coordination" / "services" / "writer.py"
EVENT_TABLE_NAMES = {"EVENT", "_EVENT_TABLE", "EVENT_TABLE", "AuditEvent"}


def product_modules() -> Iterator[Path]:
    for folder in ("coordination", "flows"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts and path != WRITER and path.name != "models.py":
                yield path


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _chain_calls(node: ast.expr) -> Iterator[ast.Call]:
    """The calls of a method chain such as update(T).where(…).values(…), outermost first."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            yield node
            node = node.func
        else:
            node = node.value


def _sets_version(call: ast.Call) -> bool:
    if any(k.arg == "version" for k in call.keywords):
        return True
    return any(isinstance(arg, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "version"
                                                 for k in arg.keys) for arg in call.args)


def writes_outside_the_write_path(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            callee = _name(node.func)
            if callee == "AuditEvent":
                found.append(f"{where} builds an AuditEvent")
            if callee == "insert" and node.args and _name(node.args[0]) in EVENT_TABLE_NAMES:
                found.append(f"{where} inserts audit events")
            if callee == "values" and _sets_version(node) and any(
                    _name(c.func) == "update" for c in _chain_calls(node.func)):
                found.append(f"{where} bumps a version in an UPDATE")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                "insert into audit_event" in node.value.lower():
            found.append(f"{where} inserts audit events in SQL")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "version" for t in targets):
                found.append(f"{where} sets a version attribute")
    return found


def test_no_module_but_the_write_path_inserts_audit_events_or_bumps_versions() -> None:
    offenders = [line for path in product_modules() for line in writes_outside_the_write_path(path)]
    assert offenders == []


def test_the_check_itself_catches_each_way_of_writing_around_the_path(tmp_path: Path) -> None:
    sample = tmp_path / "rogue.py"
    sample.write_text(
        "session.add(AuditEvent(stream_type='problem'))\n"
        "connection.execute(insert(EVENT), rows)\n"
        "session.execute(update(Problem).where(x).values(state='closed', version=row.version + 1))\n"
        "connection.exec_driver_sql('INSERT INTO audit_event (seq) VALUES (1)')\n"
        "meeting.version += 1\n",
        encoding="utf-8",
    )
    original_root = globals()["ROOT"]
    globals()["ROOT"] = tmp_path
    try:
        found = writes_outside_the_write_path(sample)
    finally:
        globals()["ROOT"] = original_root
    assert len(found) == 5, found


def test_the_write_path_is_where_events_are_inserted() -> None:
    assert writes_outside_the_write_path(WRITER) != []


@given(st.fixed_dictionaries({key: st.one_of(st.none(), st.booleans(), st.integers(), st.text())
                              for key in HASHED_KEYS}))
def test_the_fast_field_encoding_is_canonical_json(fields: dict[str, object]) -> None:
    assert fields_json(fields) == canonical_plain(fields)
