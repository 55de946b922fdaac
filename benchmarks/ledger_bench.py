"""How long a large ledger takes to import, re-import and export on SQLite, and the memory a 100,000-row
import holds; prints the figures as JSON.

    .venv/bin/python -m benchmarks.ledger_bench [--problems 10000] [--memory-problems 100000]
                                                [--dir /tmp/ledger-bench]

Builds a district with 20 projects, writes a workbook (openpyxl) with one row per problem — every
second one naming a 责任单位, so it is raised and assigned — and times, on the same SQLite file:
  import     the first import: validate every row, raise (and assign) each problem, chain its events;
  again      the same file once more (natural keys: nothing to write);
  export     the whole ledger back to a workbook;
  roundtrip  importing that export (nothing to write either);
  verify     walking every hash chain afterwards.
  memory     the first import of a --memory-problems ledger in a child process of its own: its peak RSS
             (VmHWM) beside the baseline measured in the same run, the same child's peak before it reads
             a row (Python, coord's modules, the database opened); target: at most 300 MB. 0 skips it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package (the harness) importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import ROOT, Measure, Target
from coordination.db import create_schema, make_engine
from coordination.domain.enums import CATEGORIES, ProjectLevel, Role, UnitKind
from coordination.services import audit, directory, ledger
from coordination.services.common import SYSTEM_HANDLE, Caller
from coordination.uow import UnitOfWork

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 in the district
UNITS = (("FGJ", "区发展和改革局", UnitKind.DEPARTMENT), ("ZRZY", "区自然资源和规划局", UnitKind.DEPARTMENT),
         ("ZJJ", "区住房和城乡建设局", UnitKind.DEPARTMENT), ("STHJ", "市生态环境局东区分局", UnitKind.DEPARTMENT),
         ("DQY", "东区电池材料产业园", UnitKind.LOCALITY))
PROJECTS = 20
PEAK_TARGET_MB = 300


def seed(path: Path) -> Any:
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    setup = Caller(SYSTEM_HANDLE, NOW, "bench", scheduled=True)
    directory.bootstrap(UnitOfWork(engine), caller=setup, admin_handle="admin", admin_name="管理员")
    admin = Caller("admin", NOW, "bench")
    for code, name, kind in UNITS:
        directory.add_unit(UnitOfWork(engine), caller=admin, code=code, name=name, kind=kind)
    for handle, name, unit, role in (("wang.mishu", "王秘书", "FGJ", Role.SECRETARIAT),
                                     ("li.zhuanyuan", "李专员", "FGJ", Role.SPECIALIST),
                                     ("chen.fuquzhang", "陈副区长", None, Role.LEADER)):
        directory.add_person(UnitOfWork(engine), caller=admin, handle=handle, name=name, unit=unit, roles=[role])
    for n in range(1, PROJECTS + 1):
        directory.add_project(UnitOfWork(engine), caller=admin, code=f"P-{n:03d}", name=f"东区重大项目{n:03d}",
                              level=ProjectLevel.DISTRICT, locality="DQY", lead_unit="FGJ",
                              leaders=["chen.fuquzhang"], helpers=["ZRZY", "ZJJ"], specialists=["li.zhuanyuan"])
    return engine


def workbook(template: Path, target: Path, problems: int) -> None:
    import openpyxl

    book = openpyxl.load_workbook(template)
    sheet = book["问题"]
    headers = [c.value for c in sheet[1]]
    lead_units = ["区自然资源和规划局", "ZJJ", "市生态环境局东区分局"]
    for n in range(problems):
        row = {"项目编号": f"P-{n % PROJECTS + 1:03d}", "问题标题": f"第{n + 1}号问题：二期用地指标尚未落实",
               "问题类别": CATEGORIES[n % len(CATEGORIES)], "详细情况": "企业反映审批材料多次退回，影响开工节点",
               "责任单位": lead_units[n % 3] if n % 2 else None, "难度": "ABC"[n % 3] if n % 2 else None}
        sheet.append([row.get(h) for h in headers])
    book.save(target)


def big_workbook(target: Path, problems: int) -> None:
    """The same rows as `workbook`, written row by row (openpyxl's write-only mode): 100,000 rows in seconds."""
    import openpyxl

    from coordination.domain.ledger import PROBLEMS

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(PROBLEMS.title)
    headers = [c.header for c in PROBLEMS.columns]
    sheet.append(headers)
    lead_units = ["区自然资源和规划局", "ZJJ", "市生态环境局东区分局"]
    for n in range(problems):
        row = {"项目编号": f"P-{n % PROJECTS + 1:03d}", "问题标题": f"第{n + 1}号问题：二期用地指标尚未落实",
               "问题类别": CATEGORIES[n % len(CATEGORIES)], "详细情况": "企业反映审批材料多次退回，影响开工节点",
               "责任单位": lead_units[n % 3] if n % 2 else None, "难度": "ABC"[n % 3] if n % 2 else None}
        sheet.append([row.get(h) for h in headers])
    book.save(target)


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def child(database: Path, ledger_file: Path) -> dict[str, Any]:
    """In the child: open the database, note the peak so far (the baseline), import, note the peak."""
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect():
        pass
    before = _peak_mb()
    caller = Caller("wang.mishu", NOW, ledger.import_origin(ledger_file))
    seconds, result = timed(lambda: ledger.import_ledger(UnitOfWork(engine), caller=caller, path=ledger_file))
    return {"baseline_mb": round(before, 1), "peak_mb": round(_peak_mb(), 1), "seconds": seconds,
            "events": result.events, "raised": len(result.problems_raised)}


def memory(seeded: Path, workdir: Path, problems: int) -> dict[str, Any]:
    """The import's peak RSS in a fresh process, as a Measure beside its same-run baseline."""
    database, ledger_file = workdir / "memory.sqlite3", workdir / "memory.xlsx"
    shutil.copy(seeded, database)
    write_s, _ = timed(lambda: big_workbook(ledger_file, problems))
    done = subprocess.run([sys.executable, "-m", "benchmarks.ledger_bench", "--child", str(database), str(ledger_file)],
                          capture_output=True, text=True, check=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    found = json.loads(done.stdout)
    measure = Measure(
        name="ledger_import_peak_rss", what=f"peak RSS of importing a {problems:,}-row ledger (new problems, every "
        "second one assigned), in a process of its own", unit="MB", value=found["peak_mb"],
        baseline="the same process before it reads a row (Python, coord's modules, the database opened)",
        baseline_value=found["baseline_mb"], target=Target("value", "<=", PEAK_TARGET_MB),
        details={"rows": problems, "workbook_bytes": ledger_file.stat().st_size, "write_workbook_s": write_s,
                 "import_s": found["seconds"], "events": found["events"], "raised": found["raised"]})
    return measure.to_json()


def timed(what: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = what()
    return round(time.perf_counter() - start, 3), result


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=10_000)
    parser.add_argument("--memory-problems", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ledger-bench"))
    parser.add_argument("--child", nargs=2, type=Path, metavar=("DB", "LEDGER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    engine = seed(args.dir / "coord.sqlite3")
    engine.dispose()
    shutil.copy(args.dir / "coord.sqlite3", args.dir / "seeded.sqlite3")  # for the memory figure's own copy
    template, filled, exported = args.dir / "template.xlsx", args.dir / "ledger.xlsx", args.dir / "export.xlsx"
    ledger.write_template(UnitOfWork(engine), path=template)
    write_s, _ = timed(lambda: workbook(template, filled, args.problems))
    caller = Caller("wang.mishu", NOW, ledger.import_origin(filled))
    import_s, first = timed(lambda: ledger.import_ledger(UnitOfWork(engine), caller=caller, path=filled))
    again_s, again = timed(lambda: ledger.import_ledger(UnitOfWork(engine), caller=caller, path=filled))
    export_s, _ = timed(lambda: ledger.export_ledger(UnitOfWork(engine), path=exported, today=NOW.date()))
    round_s, roundtrip = timed(lambda: ledger.import_ledger(
        UnitOfWork(engine), caller=Caller("wang.mishu", NOW, ledger.import_origin(exported)), path=exported))
    verify_s, chains = timed(lambda: audit.verify_chains(UnitOfWork(engine)))
    engine.dispose()
    return {
        "problems": args.problems,
        "workbook_bytes": filled.stat().st_size,
        "write_workbook_s": write_s,
        "import_s": import_s,
        "import_rows_per_s": round(args.problems / import_s),
        "raised": len(first.problems_raised),
        "assigned": len(first.problems_assigned),
        "events": first.events,
        "reimport_s": again_s,
        "reimport_events": again.events,
        "export_s": export_s,
        "roundtrip_import_s": round_s,
        "roundtrip_events": roundtrip.events,
        "verify_s": verify_s,
        "chains_ok": chains.ok,
        "memory": memory(args.dir / "seeded.sqlite3", args.dir, args.memory_problems) if args.memory_problems else None,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), ensure_ascii=False, indent=2))
