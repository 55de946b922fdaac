"""Alembic migrations for coord's schema, run by `coord init` and `coord db upgrade` on SQLite and PostgreSQL.

`coordination.db` configures Alembic in code (no alembic.ini). A new revision after a model change:

    .venv/bin/python -m coordination.migrations revision "add project.x"

autogenerates it against a scratch SQLite database migrated to the current head; read it, then
`pytest tests/integration/test_migrations.py --backend both` checks that the migrated schema equals
the models on both back ends.
"""
