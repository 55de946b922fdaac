"""kill -9 in the middle of `coord ledger import`, `coord sweep` and `coord meeting close`: nothing is lost.

Each command runs as a real `coord` process on a copy of a district built once per module and back
end. The test watches it (tests/integration/kill9.py: the write lock on SQLite, a transaction id on
PostgreSQL) and sends SIGKILL at three points of its write transaction: the moment it is first seen,
40 % of the way through it (as long as the transaction of an uninterrupted run stays open), and on
SQLite the moment its write-ahead log grows (the transaction's pages being written, the commit
record last), on PostgreSQL 90 % of the way. After each kill:

- the database is all or nothing: every table equals either its state before the command or its
  state after an uninterrupted run (SQLite's integrity check passes too);
- `coord audit verify` passes (chains, versions, every table against the replay of its events,
  checkpoints);
- running the same command again (in the test's process, as the verifications) finishes the job: the
  database then equals the uninterrupted run's. When the kill came after the commit, that second run
  is a same-day re-run, as is one after the uninterrupted run: the import and the sweep change
  nothing, the close is refused as a conflict (the meeting is closed, exit 5) and nothing changes.

At least one kill of each command lands inside its transaction, with the work not yet committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from benchmarks import datasets
from coordination.cli.main import app
from coordination.db import make_engine
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.services import ledger, meetings
from coordination.services.common import Caller
from coordination.uow import UnitOfWork
from tests.backends import Databases, postgres_admin_url
from tests.integration import kill9

NOW = "2024-06-12T10:00:00+08:00"  # datasets.NOW: a Wednesday, the sweep's working day
LEDGER_ROWS = 400  # new problems in the ledger, each raised and assigned
OPEN_PROBLEMS = 1200  # open problems the sweep goes over, in every open state
AGENDA = 90  # problems waiting at L2, each with a decision: the meeting's agenda
# When to kill, after the write transaction is first seen: a share of the time it stays open in an
# uninterrupted run, or (SQLite) "log": the moment the write-ahead log grows, the commit being written.
KILL_AT: dict[str, tuple[float | str, ...]] = {"sqlite": (0.0, 0.4, "log"), "postgresql": (0.0, 0.4, 0.9)}


# ---- the districts, built once per module and back end --------------------------------------------


def _copy(databases: Databases, source: str, where: Path) -> str:
    url = databases.migrated(where)
    databases.copy(source, url)
    return url


@pytest.fixture(scope="module")
def district_url(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The benchmark district (benchmarks/datasets.py): ten units, seven people, twenty projects."""
    url = databases.migrated(tmp_path_factory.mktemp("kill9-district"))
    engine = make_engine(url)
    try:
        datasets.district(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger of LEDGER_ROWS new problems on the district's projects, each with its 责任单位."""
    folder = tmp_path_factory.mktemp("kill9-ledger")
    template, filled = folder / "template.xlsx", folder / "台账.xlsx"
    ledger.write_template(None, path=template)
    book = openpyxl.load_workbook(template)
    sheet = book["问题"]
    headers = [cell.value for cell in sheet[1]]
    for n in range(1, LEDGER_ROWS + 1):
        row = {"项目编号": datasets.project_code(n % datasets.PROJECTS + 1), "问题类别": "用地",
               "问题标题": f"台账第{n}号问题：二期用地指标尚未落实",
               "详细情况": "企业反映审批材料多次退回，影响开工节点",
               "责任单位": "区自然资源和规划局", "难度": "ABC"[n % 3]}
        sheet.append([row.get(h) for h in headers])
    book.save(filled)
    return filled


@pytest.fixture(scope="module")
def sweep_template(databases: Databases, district_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _copy(databases, district_url, tmp_path_factory.mktemp("kill9-sweep"))
    engine = make_engine(url)
    try:
        kill9.seed_lives(engine, OPEN_PROBLEMS, profile="open")
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module")
def meeting_template(databases: Databases, district_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The task-force meeting M-2024-0001 of today, open, a decision on each of its AGENDA problems: a third
    assigned anew, a third escalated further, a third explained."""
    url = _copy(databases, district_url, tmp_path_factory.mktemp("kill9-meeting"))
    engine = make_engine(url)
    secretariat = Caller(datasets.SECRETARIAT, datasets.NOW, "cli")
    try:
        kill9.seed_lives(engine, AGENDA, profile="on_agenda_l2")
        view = meetings.plan_meeting(UnitOfWork(engine), caller=secretariat, kind=MeetingKind.TASK_FORCE,
                                     held_on=datasets.TODAY, chair=datasets.SECRETARIAT)
        assert view.id == "M-2024-0001" and len(view.agenda) == AGENDA
        meetings.start_meeting(UnitOfWork(engine), caller=secretariat, meeting_id=view.id)
        for n, item in enumerate(view.agenda):
            decision = (
                DecisionInput(Outcome.ASSIGN, "由区自然资源和规划局牵头，月底前办结", unit=datasets.SOLVING_UNIT,
                              due=datasets.TODAY + timedelta(days=30)),
                DecisionInput(Outcome.ESCALATE, "提请区领导会办"),
                DecisionInput(Outcome.EXPLAIN, "已向企业解释政策，予以销号"),
            )[n % 3]
            meetings.decide(UnitOfWork(engine), caller=secretariat, meeting_id=view.id,
                            problem_id=item.problem["id"], decision=decision)
    finally:
        engine.dispose()
    return url


# ---- the three commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str
    template: str  # the fixture holding the database it runs on
    args: Callable[[Path], list[str]]
    user: str | None
    done: Callable[[Result], None]  # an uninterrupted first run did the whole job
    again: Callable[[Result], None]  # a second run, the job already done, did nothing


def _output(result: Result, code: int = 0) -> Any:
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if code == 0 else None


def _imported(result: Result) -> None:
    data = _output(result)
    assert len(data["problems_raised"]) == len(data["problems_assigned"]) == LEDGER_ROWS
    assert data["events"] == 2 * LEDGER_ROWS


def _swept(result: Result) -> None:
    data = _output(result)
    assert data["events"] > OPEN_PROBLEMS and data["reminders"] and data["escalations"], data["lights"]
    assert data["checkpoint"] is not None


def _closed(result: Result) -> None:
    data = _output(result)
    assert data["state"] == "closed" and len(data["applied"]) == AGENDA


def _nothing(result: Result) -> None:
    assert _output(result)["events"] == 0


def _refused_closed(result: Result) -> None:
    assert result.exit_code == 5 and "M-2024-0001" in result.output, result.output


COMMANDS = {
    "import": Command("import", "import_template", lambda book: ["ledger", "import", str(book), "--json"],
                      datasets.SECRETARIAT, _imported, _nothing),
    "sweep": Command("sweep", "sweep_template", lambda _: ["sweep", "--json"], None, _swept, _nothing),
    "close": Command("close", "meeting_template", lambda _: ["meeting", "close", "M-2024-0001", "--json"],
                     datasets.SECRETARIAT, _closed, _refused_closed),
}


@pytest.fixture(scope="module")
def import_template(district_url: str) -> str:
    return district_url


def _cli(args: list[str], url: str, home: Path, user: str | None) -> Result:
    """The same `coord` command in this process (no start-up to pay): the re-runs and the verifications."""
    env = kill9.environment(url, home, NOW, user)
    return CliRunner().invoke(app, args, env={k: v for k, v in env.items() if k.startswith("COORD_")})


def _in_process(command: Command, url: str, home: Path, book: Path) -> Result:
    return _cli(command.args(book), url, home, command.user)


def _verify(url: str, home: Path) -> None:
    result = _cli(["audit", "verify", "--json"], url, home, None)
    assert result.exit_code == 0 and json.loads(result.stdout)["ok"], result.output


# ---- the kills ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_kill_9_mid_command_leaves_all_or_nothing_and_a_rerun_finishes_the_job(
    name: str, databases: Databases, workbook: Path, tmp_path: Path, request: pytest.FixtureRequest,
) -> None:
    command = COMMANDS[name]
    template: str = request.getfixturevalue(command.template)
    before = kill9.snapshot(template)

    # An uninterrupted run: what "everything" is, how long its write transaction is open; the same day again.
    reference, home = _copy(databases, template, tmp_path / "reference"), tmp_path / "home-reference"
    done, seconds = kill9.timed(reference, postgres_admin_url(),
                                lambda: _in_process(command, reference, home, workbook))
    command.done(done)
    after = kill9.snapshot(reference)
    assert kill9.differs(after, before), "the command changed nothing"
    _verify(reference, home)
    command.again(_in_process(command, reference, home, workbook))
    assert kill9.snapshot(reference) == after
    databases.drop(reference)

    outcomes = [_kill_once(command, databases, template, tmp_path / f"case-{number}", workbook, when, seconds,
                           before=before, after=after)
                for number, when in enumerate(KILL_AT[databases.name], start=1)]
    print(f"\n{name} on {databases.name}: written in {seconds:.2f} s uninterrupted; killed at {'; '.join(outcomes)}")
    assert any(": nothing" in outcome for outcome in outcomes), f"no kill of {name} landed before its commit"


def _kill_once(command: Command, databases: Databases, template: str, where: Path, workbook: Path,
               when: float | str, seconds: float, *, before: dict[str, str], after: dict[str, str]) -> str:
    """Run the command on a copy of the template, kill it at `when`, judge what is left, run it again."""
    url, home = _copy(databases, template, where), where / "home"
    drawn = kill9.event_ids_drawn(url)
    watch = kill9.Watch(url, postgres_admin_url())
    try:
        run = kill9.run(command.args(workbook), kill9.environment(url, home, NOW, command.user), watch,
                        kill_after=when * seconds if isinstance(when, float) else None, kill_on_log=when == "log")
    finally:
        watch.close()
    at = f"{when:.0%}" if isinstance(when, float) else "the log's growth"
    case = f"{command.name} killed at {at} of {seconds:.2f} s: {run}"
    assert run.began is not None, f"the write transaction was never seen: {case}"
    found = kill9.snapshot(url)
    outcome = "nothing" if found == before else "everything" if found == after else None
    assert outcome is not None, (f"half applied: {kill9.differs(found, before)} differ from before, "
                                 f"{kill9.differs(found, after)} from after; {case}")
    assert run.killed or outcome == "everything", case
    assert kill9.integrity(url) == "ok", case
    drawn = kill9.event_ids_drawn(url) - drawn if outcome == "nothing" else 0  # written, then rolled back
    _verify(url, home)

    rerun = _in_process(command, url, home, workbook)
    (command.done if outcome == "nothing" else command.again)(rerun)
    assert kill9.snapshot(url) == after, f"the re-run did not finish the job: {case}"
    if drawn:  # the ids the killed run drew are gaps below the re-run's events: its checkpoint must say so
        _verify(url, home)
    databases.drop(url)
    return (f"{at}: {outcome if run.killed else 'finished first'}"
            + (f", WAL +{run.wal_growth} bytes" if run.wal_growth else "")
            + (f", {drawn} event ids drawn" if drawn else ""))
