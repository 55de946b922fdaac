"""`python -m coordination.migrations revision MESSAGE`: autogenerate the next revision from the models.

It migrates a scratch SQLite database to the current head, compares it with `SQLModel.metadata` and
writes `versions/NNNN_<slug>.py`. `python -m coordination.migrations heads` prints the head.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def revision(message: str) -> Path | None:
    from alembic import command

    from coordination.db import alembic_config, make_engine, upgrade

    with tempfile.TemporaryDirectory(prefix="coord-revision-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'scratch.sqlite3'}")
        try:
            current = upgrade(engine).after
            with engine.begin() as connection:
                config = alembic_config(connection)
                next_id = f"{int(current or 0) + 1:04d}"
                script = command.revision(config, message=message, autogenerate=True, rev_id=next_id)
        finally:
            engine.dispose()
    if not script:
        return None  # nothing to migrate: the models and the migrations agree
    assert not isinstance(script, list)
    path = Path(script.path)
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if Path(ruff).exists():  # sort the generated imports the way `ruff check` wants them
        subprocess.run([ruff, "check", "--fix", "--quiet", str(path)], check=False)
    return path


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "revision":
        written = revision(argv[1])
        if written is None:
            print("no change: the migrations already make the models' schema", file=sys.stderr)
            return 1
        print(written)
        return 0
    if argv == ["heads"]:
        from coordination.db import head_revision

        print(head_revision())
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
