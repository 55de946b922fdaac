"""How `audit verify` reports what it finds: one fault per kind (check and table), the first row named, the
rest counted; what differs said in a few words (domain/audit_faults.py)."""

from __future__ import annotations

from coordination.domain.audit_faults import MISSING_VALUE, Check, Fault, Findings, compare_records, differences


def test_the_first_fault_of_each_kind_is_kept_and_the_rest_counted_in_check_order() -> None:
    findings = Findings()
    findings.add(Check.DIFFERS, "problem", "Q-2024-0002", "state")
    findings.add(Check.DIFFERS, "problem", "Q-2024-0003", "level")
    findings.add(Check.UNRECORDED, "person_role", "zhao/admin", "no event")
    findings.add(Check.CHAIN, "task", "T-2024-0001", "event 2: content does not match its hash")
    findings.add(Check.DIFFERS, "decision", "M-2024-0001/Q-2024-0002", "text")
    assert findings.has(Check.DIFFERS, "problem") and not findings.has(Check.VERSION, "problem")
    assert findings.faults() == [
        Fault(Check.CHAIN, "task", "T-2024-0001", "event 2: content does not match its hash"),
        Fault(Check.UNRECORDED, "person_role", "zhao/admin", "no event"),
        Fault(Check.DIFFERS, "decision", "M-2024-0001/Q-2024-0002", "text"),
        Fault(Check.DIFFERS, "problem", "Q-2024-0002", "state", count=2),
    ]


def test_a_fault_line_names_the_check_the_table_the_row_and_what_differs_in_either_language() -> None:
    fault = Fault(Check.DIFFERS, "problem", "Q-2024-0002", "state: 'closed' ≠ 'assigned' (stored ≠ replay)", 3)
    assert fault.message("zh") == ("记录与审计事件重放结果不符：problem Q-2024-0002："
                                   "state: 'closed' ≠ 'assigned' (stored ≠ replay)（共 3 处）")
    assert fault.message("en") == ("row differs from the replay of its events: problem Q-2024-0002: "
                                   "state: 'closed' ≠ 'assigned' (stored ≠ replay) (3 in all)")
    assert fault.to_json() == {"check": "differs", "where": "problem", "key": "Q-2024-0002",
                               "what": "state: 'closed' ≠ 'assigned' (stored ≠ replay)", "count": 3}


def test_differences_name_the_first_few_fields_and_what_the_events_lack() -> None:
    stored = {"state": "closed", "level": 4, "title": "x" * 80, "due_date": "2024-12-31", "extra": 1}
    replayed = {"state": "assigned", "level": 1, "title": "x" * 80, "due_date": "2024-06-28"}
    assert differences(stored, replayed, ["state", "level", "title", "due_date", "extra"]) == (
        "state: 'closed' ≠ 'assigned'; level: 4 ≠ 1; due_date: '2024-12-31' ≠ '2024-06-28' (+1) (stored ≠ replay)")
    assert differences({"note": "y" * 100}, {}, ["note"]) == (
        f"note: '{'y' * 56}... ≠ '{MISSING_VALUE}' (stored ≠ replay)")
    assert differences({"a": 1}, {"a": 1}) == ""


def test_a_table_is_compared_row_by_row_with_its_replay() -> None:
    findings = Findings()
    stored = {("DQ-1", "2024-05"): {"completed_yuan": 1}, ("DQ-1", "2024-06"): {"completed_yuan": 5},
              ("DQ-2", "2024-05"): {"completed_yuan": 7}}
    replayed = {("DQ-1", "2024-05"): {"completed_yuan": 8_000_000}, ("DQ-1", "2024-06"): {"completed_yuan": 5},
                ("DQ-3", "2024-01"): {"completed_yuan": 2}}
    compare_records(findings, "project_progress", stored, replayed, key_text="/".join)
    assert [(f.check, f.key) for f in findings.faults()] == [
        (Check.UNRECORDED, "DQ-2/2024-05"), (Check.MISSING, "DQ-3/2024-01"), (Check.DIFFERS, "DQ-1/2024-05")]
    assert findings.faults()[2].what == "completed_yuan: 1 ≠ 8000000 (stored ≠ replay)"
