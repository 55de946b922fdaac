"""The frame of the suite: measures with their same-run baseline and target, the run context, output.

A figure is one function `(context, backend) -> list[Measure]`. Whatever it raises is caught by
`run_figure` and reported in the JSON with the error, so one broken figure never stops the suite.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    """The project's target for one measure: `on` ("value" or "ratio") `op` ("<=" or ">=") `limit`."""

    on: str
    op: str
    limit: float

    def met(self, value: float, ratio: float | None) -> bool | None:
        subject = value if self.on == "value" else ratio
        if subject is None:
            return None
        return subject <= self.limit if self.op == "<=" else subject >= self.limit

    def text(self, unit: str) -> str:
        return f"{self.on} {self.op} {self.limit:g}" + (f" {unit}" if self.on == "value" else "")


@dataclass
class Measure:
    """One figure's number beside its baseline measured in the same run; ratio = value / baseline."""

    name: str
    what: str
    unit: str
    value: float
    baseline: str
    baseline_value: float
    target: Target | None = None
    better: str = "lower"  # "lower" or "higher": which way the value improves
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline_value if self.baseline_value else None

    def to_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "name": self.name, "what": self.what, "unit": self.unit, "better": self.better,
            "value": _round(self.value),
            "baseline": {"what": self.baseline, "value": _round(self.baseline_value), "unit": self.unit},
            "ratio": _round(ratio) if ratio is not None else None,
            "target": None if self.target is None else {
                "on": self.target.on, "op": self.target.op, "limit": self.target.limit,
                "text": self.target.text(self.unit), "met": self.target.met(self.value, ratio)},
            "details": self.details,
        }


def _round(value: float) -> float:
    if value == 0 or abs(value) >= 100:
        return round(value, 1)
    if abs(value) >= 1:
        return round(value, 3)
    return float(f"{value:.4g}")


@dataclass
class Context:
    """What figures share in one run: sizes, a scratch directory, datasets built once."""

    quick: bool
    workdir: Path
    postgres_url: str | None
    log: Callable[[str], None]
    problems: int | None = None  # overrides the size of the large district (100,000 open problems)
    cache: dict[str, Any] = field(default_factory=dict)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        """Build a dataset the first time a figure asks for it; later figures reuse it."""
        if key not in self.cache:
            started = time.perf_counter()
            self.cache[key] = build()
            self.log(f"  built {key} in {time.perf_counter() - started:.1f} s")
        return self.cache[key]


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    run: Callable[[Context, str], list[Measure]]
    backends: tuple[str, ...] = ("sqlite",)


def run_figure(figure: Figure, context: Context, backend: str) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {"figure": figure.name, "title": figure.title, "backend": backend}
    try:
        measures = figure.run(context, backend)
    except Exception as exc:  # a broken figure is reported, the suite goes on
        result.update(status="error", error=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc(limit=8).splitlines()[-12:], measures=[])
    else:
        result.update(status="ok", error=None, measures=[m.to_json() for m in measures])
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


# ---- timing ----------------------------------------------------------------------------------


def clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def samples(fn: Callable[[], Any], runs: int) -> list[float]:
    return [clock(fn)[0] for _ in range(runs)]


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(values: list[float]) -> list[float]:
    return [round(v * 1000, 2) for v in values]


# ---- the machine and the versions ------------------------------------------------------------


def machine(workdir: Path) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    memory_gb: float | None = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gb": memory_gb, "cpu": cpu, "platform": platform.platform(),
            "workdir": str(workdir), "workdir_filesystem": _filesystem(workdir), "load_at_start": load()}


def load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _filesystem(path: Path) -> str | None:
    """The type of the filesystem the scratch files live on (fsync costs depend on it)."""
    try:
        best, kind = "", None
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
        return kind
    except OSError:
        return None


def versions(postgres_url: str | None) -> dict[str, Any]:
    import sqlite3
    from importlib import metadata

    found: dict[str, Any] = {"python": platform.python_version(), "sqlite_library": sqlite3.sqlite_version}
    for package in ("SQLAlchemy", "sqlmodel", "typer", "rich", "psycopg", "prefect", "coord"):
        try:
            found[package.lower()] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package.lower()] = None
    found["coord_commit"] = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    found["coord_working_tree"] = None if dirty is None else ("clean" if not dirty else
                                                             f"{len(dirty.splitlines())} files modified")
    if postgres_url:
        found["postgresql"] = postgres_server(postgres_url)
    return found


def _git(*args: str) -> str | None:
    # Read-only git commands: the commit and whether the tree was mid-change.
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def postgres_server(url: str) -> dict[str, Any]:
    try:
        import psycopg

        from benchmarks.datasets import psycopg_connect_args

        with psycopg.connect(**psycopg_connect_args(url)) as connection:
            found: dict[str, Any] = {}
            for setting in ("server_version", "fsync", "synchronous_commit", "full_page_writes"):
                row = connection.execute(f"SHOW {setting}").fetchone()
                found[setting] = row[0] if row else None
            return found
    except Exception as exc:  # the versions block must not fail the run
        return {"error": f"{type(exc).__name__}: {exc}"}


# ---- output ----------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "s" and value < 1:
        return f"{value * 1000:.1f} ms"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return f"{text} {unit}".strip()


def table_rows(document: dict[str, Any]) -> list[list[str]]:
    rows = [["figure", "backend", "coord", "baseline", "ratio", "target", "met"]]
    for figure in document["figures"]:
        if figure["status"] != "ok":
            rows.append([figure["figure"], figure["backend"], figure["status"].upper(),
                         (figure.get("error") or "")[:60], "", "", ""])
            continue
        for m in figure["measures"]:
            target = m["target"]
            met = "" if target is None else {True: "yes", False: "NO", None: "?"}[target["met"]]
            rows.append([m["name"], figure["backend"], _fmt(m["value"], m["unit"]),
                         _fmt(m["baseline"]["value"], m["unit"]),
                         "—" if m["ratio"] is None else f"{m['ratio']:.2f}",
                         target["text"] if target else "(reported)", met])
    return rows


def render_table(document: dict[str, Any]) -> str:
    rows = table_rows(document)
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes: list[str] = []
    for figure in document["figures"]:
        for m in figure.get("measures", []):
            note = f"  {m['name']}: {m['what']}; baseline: {m['baseline']['what']}"
            if note not in notes:
                notes.append(note)
    return "\n".join(lines + notes)


def markdown_table(document: dict[str, Any]) -> str:
    rows = table_rows(document)
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def write_json(document: dict[str, Any], path: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if path is None:
        sys.stdout.write(text + "\n")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
