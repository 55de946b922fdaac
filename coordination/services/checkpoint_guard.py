"""The audit tables' guard at the database: the append-only triggers, and on PostgreSQL the grants.

Migration 0010 makes the triggers. On PostgreSQL the schema belongs to the role that runs the
migrations; coord itself should run as another role, named by COORD_APP_ROLE when the migrations
run, which is granted what coord needs after every upgrade (`grant_app_role`): everything on every
table but UPDATE, DELETE and TRUNCATE on the audit tables. `guard_faults` is what `audit verify`
checks: the triggers are there, unchanged and enabled, and no role but the owner may rewrite.
"""

from __future__ import annotations

import os
import re

from sqlalchemy import Connection, text

from coordination.domain.checkpoint import Fault
from coordination.domain.errors import InvalidInput

AUDIT_TABLES = ("audit_event", "audit_checkpoint")
APP_ROLE_ENV = "COORD_APP_ROLE"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# pg_trigger.tgtype bits: ROW 1, BEFORE 2, DELETE 8, UPDATE 16, TRUNCATE 32.
_PG_TRIGGERS = {"append_only": 1 | 2 | 8 | 16, "no_truncate": 2 | 32}
_SQLITE_TRIGGERS = ("update", "delete")


def app_role() -> str | None:
    raw = os.environ.get(APP_ROLE_ENV, "").strip()
    if not raw:
        return None
    if not _ROLE_NAME.fullmatch(raw):
        raise InvalidInput(f"{APP_ROLE_ENV} 须是 PostgreSQL 角色名（小写字母、数字、下划线）：{raw[:70]!r}",
                           f"{APP_ROLE_ENV} must be a PostgreSQL role name (lower-case letters, digits, _): "
                           f"{raw[:70]!r}")
    return raw


def grant_app_role(connection: Connection, role: str | None = None) -> bool:
    """Give the application's role what coord needs and no more (PostgreSQL; run as the owner)."""
    role = role or app_role()
    if role is None or connection.dialect.name != "postgresql":
        return False
    if not _ROLE_NAME.fullmatch(role):
        raise InvalidInput(f"角色名无效：{role[:70]!r}", f"not a role name: {role[:70]!r}")
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        raise InvalidInput(f"{APP_ROLE_ENV} 指定的角色 {role} 不存在：请先创建（CREATE ROLE {role} LOGIN PASSWORD …）",
                           f"the role {role} named by {APP_ROLE_ENV} does not exist: create it first "
                           f"(CREATE ROLE {role} LOGIN PASSWORD …)")
    schema = connection.execute(text("SELECT quote_ident(current_schema())")).scalar_one()
    present = [t for t in (*AUDIT_TABLES, "alembic_version")
               if connection.execute(text("SELECT to_regclass(:t)"), {"t": t}).scalar() is not None]
    statements = [f'GRANT USAGE ON SCHEMA {schema} TO "{role}"',
                  f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO "{role}"',
                  f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO "{role}"']
    for table in present:  # an older revision may lack them (a downgrade runs this too)
        if table == "alembic_version":
            statements.append(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM "{role}"')
        else:
            statements += [f'REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM "{role}"',
                           f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC"]
    for statement in statements:
        connection.execute(text(statement))
    return True


def guard_faults(connection: Connection) -> tuple[list[Fault], list[Fault]]:
    """(faults, notes) about the audit tables' guard on this database."""
    if connection.dialect.name == "postgresql":
        return _postgres(connection)
    return _sqlite(connection), []


def _missing(name: str, table: str) -> Fault:
    return Fault("trigger_missing", f"审计表 {table} 的防改触发器 {name} 不存在（已被删除）：该表可被改写或删除",
                 f"the append-only trigger {name} on {table} is missing (dropped): the table can be rewritten",
                 {"trigger": name, "table": table})


def _altered(name: str, table: str, why_zh: str, why_en: str) -> Fault:
    return Fault("trigger_altered", f"审计表 {table} 的防改触发器 {name} {why_zh}",
                 f"the append-only trigger {name} on {table} {why_en}", {"trigger": name, "table": table})


def _sqlite(connection: Connection) -> list[Fault]:
    found: dict[str, str | None] = dict(connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_event', 'audit_checkpoint')"
    ).all())
    faults: list[Fault] = []
    for table in AUDIT_TABLES:
        for verb in _SQLITE_TRIGGERS:
            name = f"{table}_no_{verb}"
            sql = " ".join(str(found.get(name) or "").split()).upper()
            if not sql:
                faults.append(_missing(name, table))
            elif f"BEFORE {verb.upper()} ON {table.upper()}" not in sql or "RAISE(ABORT" not in sql.replace(" ", ""):
                faults.append(_altered(name, table, "已被改写，不再拒绝改动", "was redefined and no longer refuses"))
    return faults


def _postgres(connection: Connection) -> tuple[list[Fault], list[Fault]]:
    rows = connection.execute(text(
        "SELECT c.relname, t.tgname, t.tgenabled, t.tgtype, p.prosrc FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE c.relnamespace = to_regnamespace(current_schema()) AND NOT t.tgisinternal "
        "AND c.relname IN ('audit_event', 'audit_checkpoint')")).all()
    found = {(r.relname, r.tgname): r for r in rows}
    faults: list[Fault] = []
    for table in AUDIT_TABLES:
        for suffix, tgtype in _PG_TRIGGERS.items():
            name = f"{table}_{suffix}"
            row = found.get((table, name))
            if row is None:
                faults.append(_missing(name, table))
            elif row.tgenabled == "D":
                faults.append(_altered(name, table, "已被停用（DISABLE TRIGGER）", "is disabled (DISABLE TRIGGER)"))
            elif int(row.tgtype) != tgtype or "RAISE EXCEPTION" not in str(row.prosrc).upper():
                faults.append(_altered(name, table, "已被改写，不再拒绝改动", "was redefined and no longer refuses"))
    grants = connection.execute(text(
        "SELECT c.relname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee, "
        "a.privilege_type FROM pg_class c, aclexplode(COALESCE(c.relacl, acldefault('r', c.relowner))) a "
        "WHERE c.relnamespace = to_regnamespace(current_schema()) AND c.relname IN ('audit_event', 'audit_checkpoint') "
        "AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE') AND a.grantee <> c.relowner "
        "ORDER BY 1, 2, 3")).all()
    for table, grantee, privilege in grants:
        faults.append(Fault("grant", f"角色 {grantee} 被授予了审计表 {table} 的 {privilege} 权限："
                                     "应只能 INSERT 与 SELECT",
                            f"the role {grantee} was granted {privilege} on the audit table {table}: "
                            "it may only INSERT and SELECT", {"table": table, "grantee": grantee,
                                                              "privilege": privilege}))
    notes: list[Fault] = []
    me = connection.execute(text(
        "SELECT current_user AS role, r.rolsuper AS superuser, pg_has_role(current_user, c.relowner, 'USAGE') AS owner "
        "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.relname = 'audit_event' "
        "AND c.relnamespace = to_regnamespace(current_schema())")).first()
    if me is not None and (me.superuser or me.owner):
        notes.append(Fault("owner_role", f"coord 以表的所有者或超级用户 {me.role} 连接：只有触发器守护审计表；"
                                         f"生产环境请以应用角色运行 coord（迁移时设置 {APP_ROLE_ENV}）",
                           f"coord is connected as the tables' owner or a superuser ({me.role}): only the triggers "
                           f"guard the audit tables; in production run coord as an application role ({APP_ROLE_ENV} "
                           "when migrating)", {"role": me.role}))
    return faults, notes
