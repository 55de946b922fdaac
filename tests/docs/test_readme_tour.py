"""The README cannot rot: its set-up commands are the ones CI runs, and its tour runs, in order, on a fresh
data directory, each command with the exit code and the output the README shows (tests/docs/readme_tour.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.docs.readme_tour import README, Tour, blocks, missing_lines, updated

ROOT = README.parent


def test_the_two_set_up_commands_are_the_ones_that_work() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Two commands"):]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    commands = [line for line in block[1].splitlines() if line.strip() and not line.startswith("#")]

    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -q -c requirements.lock -e . && .venv/bin/coord demo",
        "bash .ci/test"]
    assert "exec bash .ci/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")  # what CI runs
    assert (ROOT / "requirements.lock").exists()


def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    tour = blocks(text)
    assert sum(len(b.steps) for b in tour) >= 20 and tour[0].steps[0].words[:2] in (["source", ".venv/bin/activate"],
                                                                                   ["export", "COORD_NOW"])
    runner = Tour({"COORD_HOME": str(tmp_path / "home"), "COORD_USER": "", "COORD_LANG": "", "COORD_NOW": "",
                   "COORD_DATABASE_URL": "", "COORD_TOKEN": "", "COLUMNS": "100"})
    failures, replacements = [], []
    for block in tour:
        lines = []
        for step in block.steps:
            code, output = runner.run(step)
            if code != step.expected_exit:
                failures.append(f"$ {step.line}\n  exit {code}, the README says {step.expected_exit}\n{output[-1500:]}")
            elif missing := missing_lines(step.shown, output):
                failures.append(f"$ {step.line}\n  the README shows lines the output lacks: {missing[:3]}\n"
                                f"{output[-1500:]}")
            lines += [f"$ {step.line}", *updated(step.shown, output)]
        replacements.append((block, "\n".join(lines) + "\n"))
    if os.environ.get("COORD_README_UPDATE") == "1":
        for block, replacement in reversed(replacements):
            text = text[:block.start] + replacement + text[block.end:]
        README.write_text(text, encoding="utf-8")
        pytest.skip("README outputs rewritten from the real ones: read the diff")
    assert not failures, "\n\n".join(failures)
