"""What the report figure runs in a subprocess, so that its peak memory is its own.

    python -m benchmarks.child report DB_PATH WEEK RUNS BUDGET   # `coord report weekly --week WEEK` (table)
    python -m benchmarks.child scan DB_PATH RUNS                 # the baseline: a full scan of the event table

Both import what `coord` imports first, so that the peak RSS of the two differ by the work alone.
Prints one JSON line: the seconds of each run (after the imports), the peak RSS (VmHWM) and the peak
RSS right after the imports. A report run that takes longer than BUDGET seconds is stopped: the line
then says `timed_out` and carries the peak RSS reached so far.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import sys
import threading
import time
from typing import Any


def _peak_mb() -> float:
    """This process's peak RSS: VmHWM of its own image.

    ru_maxrss would do elsewhere, but on Linux it keeps the parent's RSS across fork and exec: a
    child of the suite (which holds the large dataset's leftovers) would report the parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _imports() -> Any:
    import typer.main

    from coordination.cli.main import app
    from coordination.render import report  # noqa: F401  (the CLI imports it when it runs)
    from coordination.services import reports  # noqa: F401

    return typer.main.get_command(app)


def report(path: str, week: str, runs: int, budget: float) -> dict[str, Any]:
    command = _imports()
    after_imports = _peak_mb()
    seconds: list[float] = []
    argv = ["--db", f"sqlite:///{path}", "report", "weekly", "--week", week, "--format", "table"]
    real_stdout = sys.stdout

    def give_up() -> None:
        # The run is too slow to wait for: say so with what is known, and stop the whole process.
        real_stdout.write(json.dumps({"seconds": [*seconds, budget], "maxrss_mb": _peak_mb(),
                                      "rss_after_imports_mb": after_imports, "timed_out": True}) + "\n")
        real_stdout.flush()
        os._exit(0)

    for _ in range(runs):
        with open(os.devnull, "w", encoding="utf-8") as sink:
            sys.stdout = sink  # as `coord report weekly > file`: Rich renders the whole table, no terminal
            watchdog = threading.Timer(budget, give_up)
            watchdog.daemon = True
            watchdog.start()
            started = time.perf_counter()
            try:
                code = command.main(argv, standalone_mode=False)
            finally:
                watchdog.cancel()
                sys.stdout = real_stdout
            seconds.append(round(time.perf_counter() - started, 4))
        if code not in (None, 0):
            raise SystemExit(f"coord report weekly exited {code}")
    return {"seconds": seconds, "maxrss_mb": _peak_mb(), "rss_after_imports_mb": after_imports, "timed_out": False}


def scan(path: str, runs: int) -> dict[str, Any]:
    _imports()
    after_imports = _peak_mb()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    seconds: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        connection.execute("SELECT count(*), max(at), sum(length(payload)), sum(level) FROM audit_event").fetchone()
        seconds.append(round(time.perf_counter() - started, 4))
    connection.close()
    return {"seconds": seconds, "maxrss_mb": _peak_mb(), "rss_after_imports_mb": after_imports}


def main(argv: list[str]) -> None:
    if argv[:1] == ["report"] and len(argv) == 5:
        result = report(argv[1], argv[2], int(argv[3]), float(argv[4]))
    elif argv[:1] == ["scan"] and len(argv) == 3:
        result = scan(argv[1], int(argv[2]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
