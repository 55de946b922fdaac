"""coord's performance suite in one command; every figure beside a baseline measured in the same run.

    .venv/bin/python -m benchmarks [--quick] [--only NAME[,NAME]] [--backend sqlite|postgresql|both]
                                   [--problems N] [--postgres-durable] [--json FILE] [--workdir DIR] [--keep] [--list]

Prints a table on stderr and the JSON document on stdout (or into --json FILE). PostgreSQL needs
COORD_BENCH_POSTGRES_URL or COORD_TEST_POSTGRES_URL (a superuser URL: a scratch database is made and
dropped), or --postgres-durable, which starts a throwaway cluster with PostgreSQL's default durability
(.ci/postgres.sh with COORD_PG_DURABLE=1) and stops it afterwards. By default both back ends run when
a URL is set, SQLite alone otherwise. Exit status 1 when a figure failed (its error is in the JSON),
0 otherwise: missed targets do not fail the run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.figures import FIGURES
from benchmarks.harness import ROOT, Context, load, machine, render_table, run_figure, versions, write_json

POSTGRES_VARIABLES = ("COORD_BENCH_POSTGRES_URL", "COORD_TEST_POSTGRES_URL")


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not figures")
    parser.add_argument("--only", help="comma-separated figure names (see --list)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"),
                        help="default: both when a PostgreSQL URL is set, else sqlite")
    parser.add_argument("--problems", type=int,
                        help="open problems in the large district (default 100,000; 2,000 with --quick)")
    parser.add_argument("--postgres-durable", action="store_true",
                        help="start a throwaway PostgreSQL cluster with default durability (fsync on) for the run")
    parser.add_argument("--json", type=Path, dest="json_path", help="write the JSON here instead of stdout")
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a new one under the temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory and its databases")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    args = parser.parse_args(argv)
    known = [f.name for f in FIGURES]
    args.names = known
    if args.only:
        args.names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in args.names if n not in known]
        if unknown:
            parser.error(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(known)}")
    args.postgres_url = next((os.environ[v] for v in POSTGRES_VARIABLES if os.environ.get(v)), None)
    if args.backend is None:
        args.backend = "both" if args.postgres_url or args.postgres_durable else "sqlite"
    if args.backend != "sqlite" and not (args.postgres_url or args.postgres_durable):
        parser.error(f"--backend {args.backend} needs {' or '.join(POSTGRES_VARIABLES)}")
    return args


@contextmanager
def durable_postgres() -> Iterator[str]:
    """A throwaway cluster with PostgreSQL's default durability, stopped (and deleted) afterwards."""
    script = ROOT / ".ci" / "postgres.sh"
    _log("starting a durable PostgreSQL cluster (.ci/postgres.sh, COORD_PG_DURABLE=1) …")
    done = subprocess.run(["bash", str(script), "start"], env={**os.environ, "COORD_PG_DURABLE": "1"},
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"could not start PostgreSQL: {done.stderr.strip()[-800:]}")
    exports = dict(re.findall(r"export (\w+)='([^']*)'", done.stdout))
    try:
        yield exports["COORD_TEST_POSTGRES_URL"]
    finally:
        subprocess.run(["bash", str(script), "stop", exports["COORD_TEST_POSTGRES_DIR"]], capture_output=True,
                       timeout=120)


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.list:
        for figure in FIGURES:
            print(f"{figure.name:12} {figure.title} [{', '.join(figure.backends)}]")
        return 0
    with ExitStack() as stack:
        backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
        if args.postgres_durable and "postgresql" in backends:
            args.postgres_url = stack.enter_context(durable_postgres())
        return run(args, backends)


def run(args: argparse.Namespace, backends: tuple[str, ...]) -> int:
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="coord-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    context = Context(quick=args.quick, workdir=workdir.resolve(),
                      postgres_url=args.postgres_url if "postgresql" in backends else None, log=_log,
                      problems=args.problems)
    started = time.perf_counter()
    document: dict[str, Any] = {
        "suite": "coord benchmarks",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": {"quick": args.quick, "problems": args.problems, "only": args.names, "backends": list(backends),
                    "postgres": ("own durable cluster" if args.postgres_durable else "given URL")
                    if "postgresql" in backends else None},
        "machine": machine(context.workdir),
        "versions": versions(context.postgres_url),
        "figures": [],
    }
    try:
        for figure in FIGURES:
            if figure.name not in args.names:
                continue
            for backend in backends:
                if backend not in figure.backends:
                    if len(backends) == 1:  # asked for PostgreSQL only: say what was left out
                        document["figures"].append({"figure": figure.name, "title": figure.title,
                                                    "backend": backend, "status": "skipped",
                                                    "error": f"{figure.name} runs on SQLite only", "measures": []})
                    continue
                _log(f"{figure.name} [{backend}] …")
                result = run_figure(figure, context, backend)
                document["figures"].append(result)
                _log(f"{figure.name} [{backend}] {result['status']} in {result['seconds']} s"
                     + (f": {result['error']}" if result["error"] else ""))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    measures = [m for f in document["figures"] for m in f["measures"]]
    targets = [m["target"] for m in measures if m["target"]]
    document["summary"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "load_at_end": load(),
        "figures": len(document["figures"]),
        "errors": [f"{f['figure']}[{f['backend']}]" for f in document["figures"] if f["status"] == "error"],
        "targets": len(targets),
        "targets_met": sum(1 for t in targets if t["met"]),
        "targets_missed": [m["name"] + f" ({m['target']['text']})" for m in measures
                           if m["target"] and m["target"]["met"] is False],
    }
    print(render_table(document), file=sys.stderr)
    write_json(document, args.json_path)
    return 1 if document["summary"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
