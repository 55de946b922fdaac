"""How long a large ledger takes to import, re-import and export on SQLite; prints the figures as JSON.

    .venv/bin/python benchmarks/ledger_bench.py [--problems 10000] [--dir /tmp/ledger-bench]

Builds a district with 20 projects, writes a workbook (openpyxl) with one row per problem — every
second one naming a 责任单位, so it is raised and assigned — and times, on the same SQLite file:
  import     the first import: validate every row, raise (and assign) each problem, chain its events;
  again      the same file once more (natural keys: nothing to write);
  export     the whole ledger back to a workbook;
  roundtrip  importing that export (nothing to write either);
  verify     walking every hash chain afterwards.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def timed(what: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = what()
    return round(time.perf_counter() - start, 3), result


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ledger-bench"))
    args = parser.parse_args(argv)
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    engine = seed(args.dir / "coord.sqlite3")
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
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), ensure_ascii=False, indent=2))
