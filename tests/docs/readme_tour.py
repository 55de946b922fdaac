"""The README's command lines, read from the README itself, run in order, and compared with what it shows.

A tour is every ```console block of the README: `$ ` starts a command line, the lines up to the next one
are its output as the README shows it. Supported lines: `coord …` (run in process, on the tour's own data
directory), `export NAME=VALUE`, and `source .venv/bin/activate` (the test runs the installed coord
already). A command must exit 0 unless its line ends in `# exit N`. Each output line the README shows
must be in the real output (spaces collapsed); a line holding `…` stands for lines left out.

`COORD_README_UPDATE=1 pytest tests/docs` rewrites each block's output with the real one, keeping the
README's `…` lines where they were: run it after changing a screen, then read the diff.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```console\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")
ELIDED = "…"


@dataclass
class Step:
    line: str  # as written after `$ `
    shown: list[str] = field(default_factory=list)

    @property
    def expected_exit(self) -> int:
        found = EXIT.search(self.line)
        return int(found[1]) if found else 0

    @property
    def words(self) -> list[str]:
        return shlex.split(self.line, comments=True)


@dataclass
class Block:
    start: int
    end: int
    steps: list[Step]


def blocks(text: str) -> list[Block]:
    found = []
    for match in BLOCK.finditer(text):
        steps: list[Step] = []
        for line in match[1].splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:]))
            elif steps:
                steps[-1].shown.append(line)
            elif line.strip():
                raise ValueError(f"README console block starts with output, not a command: {line!r}")
        found.append(Block(match.start(1), match.end(1), steps))
    return found


def collapse(line: str) -> str:
    return " ".join(line.split())


def missing_lines(shown: list[str], output: str) -> list[str]:
    """The README's shown lines (not elided, not blank) that the real output does not hold, in order."""
    actual = [collapse(line) for line in output.splitlines()]
    missing, at = [], 0
    for line in shown:
        wanted = collapse(line)
        if not wanted or ELIDED in line:
            continue
        index = next((i for i in range(at, len(actual)) if wanted in actual[i]), None)
        if index is None:
            missing.append(line)
        else:
            at = index + 1
    return missing


class Tour:
    """Runs the steps in order, in process, with the tour's environment."""

    def __init__(self, env: dict[str, str]) -> None:
        from coordination.cli.main import app

        self.app = app
        self.env = dict(env)
        self.runner = CliRunner()

    def run(self, step: Step) -> tuple[int, str]:
        words = step.words
        if words[:1] == ["export"] and len(words) == 2 and "=" in words[1]:
            name, value = words[1].split("=", 1)
            self.env[name] = value
            return 0, ""
        if words == ["source", ".venv/bin/activate"]:
            return 0, ""
        if words[:1] != ["coord"]:
            raise ValueError(f"the README tour runs coord commands, export and source only: {step.line!r}")
        result = self.runner.invoke(self.app, words[1:], env=self.env)
        return result.exit_code, result.output


def updated(shown: list[str], output: str) -> list[str]:
    """The real output, with the README's `…` lines kept where the lines they stood for were."""
    lines = output.rstrip("\n").splitlines()
    if not any(ELIDED in line for line in shown):
        return lines
    kept, at = [], 0
    for line in shown:
        if ELIDED in line:
            kept.append(line)
            continue
        wanted = collapse(line)
        index = next((i for i in range(at, len(lines)) if wanted and wanted in collapse(lines[i])), None)
        if index is not None:
            kept.append(lines[index])
            at = index + 1
    return kept
