"""The benchmark suite runs and reports each figure beside its same-run baseline (structure only, never timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHEAP = ("transitions", "decide",  # one paired rate, one time against a target
         "web_action", "web_page", "web_list")  # coord web in its own process against the same calls in process


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    scratch = tmp_path_factory.mktemp("bench")
    out = scratch / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", ",".join(CHEAP), "--backend", "sqlite",
         "--json", str(out), "--workdir", str(scratch / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.exists(), f"no JSON written (exit {done.returncode}):\n{done.stderr[-3000:]}"
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    loaded["_exit"], loaded["_stderr"] = done.returncode, done.stderr
    return loaded


def test_every_asked_figure_ran_without_error(document: dict[str, Any]) -> None:
    ran = {(f["figure"], f["backend"]): f for f in document["figures"]}
    assert set(ran) == {(name, "sqlite") for name in CHEAP}
    for figure in ran.values():
        assert figure["status"] == "ok", f"{figure['figure']}: {figure['error']}\n{figure.get('traceback')}"
    assert document["_exit"] == 0
    assert document["summary"]["errors"] == []


def test_each_measure_carries_its_baseline_ratio_and_target(document: dict[str, Any]) -> None:
    measures = [m for f in document["figures"] for m in f["measures"]]
    assert {m["name"] for m in measures} >= set(CHEAP)
    for m in measures:
        assert m["value"] > 0 and m["unit"]
        assert m["baseline"]["value"] > 0 and m["baseline"]["what"]
        assert m["ratio"] == pytest.approx(m["value"] / m["baseline"]["value"], rel=0.01)
        target = m["target"]
        assert target is not None and target["op"] in ("<=", ">=") and target["on"] in ("value", "ratio")
        assert isinstance(target["met"], bool)


def test_the_run_names_its_machine_and_versions(document: dict[str, Any]) -> None:
    assert document["options"]["quick"] is True
    machine = document["machine"]
    assert machine["cores"] >= 1 and machine["memory_gb"] and machine["cpu"]
    versions = document["versions"]
    for key in ("python", "sqlalchemy", "sqlmodel", "sqlite_library"):
        assert versions[key]


def test_the_table_is_printed_beside_the_json(document: dict[str, Any]) -> None:
    assert "baseline" in document["_stderr"] and "transitions" in document["_stderr"]


def test_a_failing_figure_is_reported_not_raised(tmp_path: Path) -> None:
    from benchmarks.harness import Context, Figure, Measure, run_figure

    def broken(context: Context, backend: str) -> list[Measure]:
        raise KeyError("a service changed shape")

    context = Context(quick=True, workdir=tmp_path, postgres_url=None, log=lambda _: None)
    result = run_figure(Figure("broken", "always fails", broken), context, "sqlite")
    assert result["status"] == "error" and "a service changed shape" in result["error"]
    assert result["measures"] == []


def test_an_unknown_figure_is_refused() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "no_such_figure"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no_such_figure" in done.stderr
