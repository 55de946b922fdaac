"""Every kind of tracked work the kernel runs, found by name or by an item's number."""

from __future__ import annotations

from coordination.domain.disbursement_workflow import DISBURSEMENT_WORKFLOW
from coordination.domain.filing_workflow import FILING_WORKFLOW
from coordination.domain.fund_workflow import FUND_WORKFLOW
from coordination.domain.indicator_workflow import INDICATOR_WORKFLOW
from coordination.domain.problem_workflow import PROBLEM_WORKFLOW
from coordination.domain.special_plan_workflow import SPECIAL_PLAN_WORKFLOW
from coordination.domain.task_workflow import TASK_WORKFLOW
from coordination.domain.upward_report_workflow import UPWARD_REPORT_WORKFLOW
from coordination.domain.workflow import Workflow

WORKFLOWS: tuple[Workflow, ...] = (PROBLEM_WORKFLOW, TASK_WORKFLOW, SPECIAL_PLAN_WORKFLOW, FILING_WORKFLOW,
                                   UPWARD_REPORT_WORKFLOW, INDICATOR_WORKFLOW, FUND_WORKFLOW, DISBURSEMENT_WORKFLOW)


def workflow_of(item_id: str) -> Workflow | None:
    """The kind whose numbers look like `item_id`: Q-2026-0001 a problem, T-2026-0001 a task, ZX-JT a special
    plan, B-2026-0001 a filing."""
    return next((w for w in WORKFLOWS if w.owns(item_id)), None)
