"""Planning the 问题 sheet of an import: new problems (raised, and assigned when a 责任单位 is named), the
assignment of a problem still `submitted`, and warnings where the ledger differs from coord.

Rows are matched on 问题编号, else on 项目+问题标题. The ledger never moves an existing problem through
its life: where its state, unit or deadline differs from coord's, the import warns and leaves it alone.
"""

from __future__ import annotations

import json
import re
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import select

from coordination.domain.enums import FINISHED_STATES, Action, Difficulty, State
from coordination.domain.errors import CoordError, NotPermitted
from coordination.domain.hygiene import one_line
from coordination.domain.labels import label
from coordination.domain.problem import ActionInput, ProblemFacts, Roster, authorize, new_problem, plan
from coordination.models import Problem, RoutingRule
from coordination.services.ledger_names import Assignment, NewProblem, RowChecker
from coordination.services.ledger_reading import Row, Sheet

_PROBLEM_TABLE = Problem.__table__  # type: ignore[attr-defined]
_COORD_ID = re.compile(r"^Q-\d{4}-\d{4,}$")


def problem_facts(row: Problem) -> ProblemFacts:
    return ProblemFacts(
        id=row.id, state=State(row.state), level=row.level, lead_unit=row.lead_unit,
        co_units=tuple(json.loads(row.co_units)), raised_by=row.raised_by, resolved_by_unit=row.resolved_by_unit,
        assigned_on=row.assigned_on, due_date=row.due_date, due_provisional=row.due_provisional,
        difficulty=Difficulty(row.difficulty) if row.difficulty else None,
        pending_extension_days=row.pending_extension_days, extension_count=row.extension_count,
        reopen_count=row.reopen_count,
    )


class ProblemRows(RowChecker):
    """The 问题 sheets' checks."""

    def problems(self, sheets: list[Sheet]) -> None:
        rows = chain.from_iterable(s.rows for s in sheets)
        first = next(rows, None)  # (the sheets are read as they are checked: peek before loading the problems)
        if first is None:
            return
        table = _PROBLEM_TABLE
        query = sa_select(table.c.id, table.c.project, table.c.title, table.c.state, table.c.lead_unit,
                          table.c.co_units, table.c.category, table.c.detail, table.c.due_date, table.c.difficulty)
        by_id: dict[str, Any] = {}
        by_title: dict[tuple[str, str], list[Any]] = {}
        for found in self.session.connection().execute(query).mappings():
            by_id[found["id"]] = found
            # A title stored before hygiene may hold a line break, which the sheet's cell now reads as a space.
            by_title.setdefault((found["project"], one_line(found["title"])), []).append(found)
        seen_ids: dict[str, int] = {}
        seen_titles: dict[tuple[str, str], int] = {}
        routes = {r.category: r.unit for r in self.session.exec(select(RoutingRule)).all()}
        for row in chain((first,), rows):
            self._problem(row, by_id, by_title, seen_ids, seen_titles, routes)

    def _problem(self, row: Row, by_id: dict[str, Any], by_title: dict[tuple[str, str], list[Any]],
                 seen_ids: dict[str, int], seen_titles: dict[tuple[str, str], int], routes: dict[str, str]) -> None:
        errors_before = self.issues.errors
        code = self.project_code(row)
        title = row.get("title")
        if title is None:
            self.issues.append(row.issue("title", "问题标题不能为空", "the problem title is empty"))
        problem_id: str | None = str(row.get("id")).upper() if row.get("id") else None
        if problem_id is not None and not _COORD_ID.match(problem_id):
            self.issues.append(row.issue("id", f"“{row.get('id')}”不是 coord 的问题编号（如 Q-2024-0042），"
                                               "已按项目和标题识别",
                                         f"'{row.get('id')}' is not a coord id (like Q-2024-0042); matched on "
                                         "project and title instead", warning=True))
            problem_id = None
        lead = self.unit(row, "lead_unit", row.get("lead_unit"))
        co_units = self.units(row, "co_units", row.get("co_units")) or []
        raiser = self.person(row, "raised_by", row.get("raised_by"))
        if code is None or title is None or self.issues.errors > errors_before:
            return
        key = (code, title)
        if problem_id is not None:
            if problem_id in seen_ids:
                self.issues.append(row.issue("id", f"问题编号 {problem_id} 与第 {seen_ids[problem_id]} 行重复",
                                             f"problem {problem_id} repeats row {seen_ids[problem_id]}"))
                return
            seen_ids[problem_id] = row.number
            existing = by_id.get(problem_id)
            if existing is None:
                self.issues.append(row.issue("id", f"问题 {problem_id} 不存在：新问题请把问题编号留空",
                                             f"problem {problem_id} does not exist: leave the id empty for a new one"))
                return
            if existing["project"] != code:
                owner = existing["project"]
                self.issues.append(row.issue("project", f"问题 {problem_id} 属于项目 {owner}，不是 {code}",
                                             f"{problem_id} belongs to {existing['project']}, not {code}"))
                return
        else:
            if key in seen_titles:
                self.issues.append(row.issue("title", f"项目 {code} 下的问题“{title}”与第 {seen_titles[key]} 行重复",
                                             f"problem '{title}' of {code} repeats row {seen_titles[key]}"))
                return
            seen_titles[key] = row.number
            twins = by_title.get(key, [])
            if len(twins) > 1:
                twin_ids = "、".join(t["id"] for t in twins)
                self.issues.append(row.issue("title", f"项目 {code} 下有多个同名问题（{twin_ids}），"
                                                      "请填写问题编号",
                                             f"{code} has several problems titled '{title}'; give the id"))
                return
            existing = twins[0] if twins else None
        if existing is not None:
            self._existing(row, existing, lead, co_units)
        else:
            self._new(row, code, title, lead, co_units, raiser, routes)

    def _assign(self, row: Row, facts: ProblemFacts, roster: Roster, lead: str, co_units: list[str],
                since: date) -> dict[str, Any] | None:
        assigned_on = row.get("assigned_on") or self.today
        due = row.get("due_date")
        if assigned_on > self.today:
            self.issues.append(row.issue("assigned_on", f"交办日期 {assigned_on} 晚于今天",
                                         f"assigned {assigned_on}: in the future"))
            return None
        if assigned_on < since:
            self.issues.append(row.issue("assigned_on", f"交办日期 {assigned_on} 早于上报日期 {since}",
                                         f"assigned {assigned_on} before it was raised {since}"))
            return None
        if due is not None and due <= assigned_on:
            self.issues.append(row.issue("due_date", f"办结期限 {due} 须晚于交办日期 {assigned_on}",
                                         f"due date {due} must be after the assignment {assigned_on}"))
            return None
        try:
            authorize(Action.ASSIGN, self.actor, facts, roster)
            inputs = ActionInput(unit=lead, co_units=tuple(co_units), difficulty=row.get("difficulty") or Difficulty.B,
                                 due=due)
            return plan(Action.ASSIGN, self.actor, facts, inputs, today=assigned_on, calendar=self.calendar)
        except NotPermitted as error:
            self.issues.append(row.issue(None, error.zh, error.en, permission=True))
        except CoordError as error:
            self.issues.append(row.issue("lead_unit", error.zh, error.en))
        return None

    def _new(self, row: Row, code: str, title: str, lead: str | None, co_units: list[str], raiser: str | None,
             routes: dict[str, str]) -> None:
        category, state = row.get("category"), row.get("state")
        if category is None:
            if "category" not in row.failed:
                self.issues.append(row.issue("category", "新问题的问题类别不能为空", "a new problem needs a category"))
            return
        if state in FINISHED_STATES:
            self.issues.append(row.issue("state", f"状态为{label(state)}的问题不导入：coord 只接收在办问题",
                                         f"not imported: a {label(state, 'en')} problem is history, not work in hand",
                                         warning=True))
            return
        wants_assign = lead is not None or (state is not None and state is not State.SUBMITTED)
        if wants_assign and lead is None:
            lead = routes.get(category)
            if lead is None:
                self.issues.append(row.issue("lead_unit", f"状态为{label(state)}的问题须填写责任单位"
                                                          f"（分办表中“{category}”没有默认单位）",
                                             f"a {label(state, 'en')} problem needs a lead unit", ))
                return
        if state is not None and state not in (State.SUBMITTED, State.ASSIGNED):
            self.issues.append(row.issue("state", f"以“已交办”导入（台账为{label(state)}）："
                                                  "签收、办理等请在 coord 中进行",
                                         f"imported as assigned (the ledger says {label(state, 'en')}): the unit "
                                         "acknowledges it in coord", warning=True))
        roster = self._roster(code)
        # A problem assigned on a day was raised by then, even when the ledger kept no 上报日期.
        raised_on = row.get("raised_on") or (row.get("assigned_on") if wants_assign else None) or self.today
        if raised_on > self.today:
            self.issues.append(row.issue("raised_on", f"上报日期 {raised_on} 晚于今天",
                                         f"raised {raised_on}: in the future"))
            return
        raised_by = raiser or self.actor.handle
        try:
            authorize(Action.RAISE, self.actor, None, roster)
            fields = new_problem(project=code, title=title, category=category, detail=row.get("detail"),
                                 raised_by=raised_by, today=raised_on)
        except NotPermitted as error:
            self.issues.append(row.issue(None, error.zh, error.en, permission=True))
            return
        except CoordError as error:
            self.issues.append(row.issue("title", error.zh, error.en))
            return
        assign = None
        if wants_assign and lead is not None:
            facts = ProblemFacts(id=f"{row.sheet}!{row.number}", state=State.SUBMITTED, raised_by=raised_by)
            assign = self._assign(row, facts, roster, lead, co_units, raised_on)
            if assign is None:
                return
        self.plan.new_problems.append(NewProblem(row.sheet, row.number, code, fields["title"], category,
                                                 fields["detail"], raised_by, raised_on, assign))

    def _existing(self, row: Row, existing: Any, lead: str | None, co_units: list[str]) -> None:
        state = State(existing["state"])
        if lead is not None and state is State.SUBMITTED:
            problem = self.session.get(Problem, existing["id"])
            assert problem is not None
            facts = problem_facts(problem)
            changes = self._assign(row, facts, self._roster(problem.project), lead, co_units, problem.raised_on)
            if changes is not None:
                self.plan.assignments.append(Assignment(row, problem, changes))
            return
        differences: list[tuple[str, str, str]] = []
        ledger_state = row.get("state")
        if ledger_state is not None and ledger_state is not state:
            differences.append(("state", label(ledger_state), label(state)))
        if lead is not None and lead != existing["lead_unit"]:
            differences.append(("lead_unit", self.dir.unit_ref(lead), self.dir.unit_ref(existing["lead_unit"] or "")))
        if row.get("co_units") is not None and co_units != sorted(json.loads(existing["co_units"])):
            differences.append(("co_units", "、".join(co_units), "、".join(json.loads(existing["co_units"]))))
        for key in ("category", "detail", "title", "due_date", "difficulty"):
            value = row.get(key)
            current = existing[key]
            if key == "difficulty" and value is not None:
                value = value.value
            if value is not None and value != current:
                differences.append((key, str(value), str(current if current is not None else "—")))
        for key, ledger_value, coord_value in differences:
            self.issues.append(row.issue(key, f"与 coord 不一致，未修改：台账为“{ledger_value}”，"
                                              f"coord 为“{coord_value}”",
                                         f"differs from coord, left unchanged: ledger '{ledger_value}', "
                                         f"coord '{coord_value}'", warning=True))
        self.plan.unchanged += 1
