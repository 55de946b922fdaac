"""Units, people, projects with their 1+2+N roster, and the category routing table."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from coordination.domain.enums import ProjectKind, ProjectLevel, Role, UnitKind, parse_category
from coordination.domain.errors import Conflict, InvalidInput, NotFound
from coordination.domain.hygiene import NAME_MAX, check_amount, check_year, required_text
from coordination.models import Person, PersonRole, Project, ProjectPlan, RosterEntry, RoutingRule, Unit
from coordination.services.common import (
    SYSTEM_HANDLE,
    Caller,
    load_actor,
    require_role,
    token_digest,
    token_fingerprint,
)
from coordination.services.settings import amount_cap
from coordination.services.writer import append_event
from coordination.uow import UnitOfWork

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
HUMAN_ROLES = tuple(r for r in Role if r is not Role.SYSTEM)


def valid_code(text: str, what_zh: str, what_en: str) -> str:
    code = text.strip()
    if not _CODE.match(code):
        raise InvalidInput(f"{what_zh}“{text}”无效：只能用字母、数字、-、_、.，最长 40 位",
                           f"invalid {what_en} '{text}': letters, digits, - _ . only, at most 40")
    return code


def need_name(name: str, what_zh: str, what_en: str) -> str:
    return required_text(name, field_zh=f"{what_zh}名称", field_en=f"the {what_en} name", option=None,
                         max_len=NAME_MAX)


# ---- set-up --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitResult:
    created_admin: str | None
    created_system: bool

    def to_json(self) -> dict[str, Any]:
        return {"created_admin": self.created_admin, "created_system": self.created_system}


def bootstrap(uow: UnitOfWork, *, caller: Caller, admin_handle: str, admin_name: str) -> InitResult:
    """Create the built-in `system` actor and a first administrator when the database has none."""
    admin_name = need_name(admin_name, "管理员", "administrator")
    with uow:
        session = uow.session
        created_system = False
        if session.get(Person, SYSTEM_HANDLE) is None:
            session.add(Person(handle=SYSTEM_HANDLE, name="系统（定时任务）", unit=None))
            session.add(PersonRole(handle=SYSTEM_HANDLE, role=Role.SYSTEM.value))
            append_event(session, stream_type="person", stream_id=SYSTEM_HANDLE, action="person_add",
                         caller=caller, changes={"name": "系统（定时任务）", "roles": [Role.SYSTEM.value]})
            created_system = True
        has_admin = session.exec(select(PersonRole).where(PersonRole.role == Role.ADMIN.value)).first()
        created_admin = None
        if has_admin is None:
            handle = valid_code(admin_handle, "账号", "handle")
            session.add(Person(handle=handle, name=admin_name, unit=None))
            session.add(PersonRole(handle=handle, role=Role.ADMIN.value))
            append_event(session, stream_type="person", stream_id=handle, action="person_add", caller=caller,
                         changes={"name": admin_name, "roles": [Role.ADMIN.value]})
            created_admin = handle
        uow.commit()
        return InitResult(created_admin, created_system)


# ---- units ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitView:
    code: str
    name: str
    kind: UnitKind
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind.value, "active": self.active}


def _unit_view(unit: Unit) -> UnitView:
    return UnitView(unit.code, unit.name, UnitKind(unit.kind), unit.active)


def add_unit(uow: UnitOfWork, *, caller: Caller, code: str, name: str, kind: UnitKind) -> UnitView:
    """Register a responsible unit (部门), locality (镇/园区) or enterprise."""
    code = valid_code(code, "单位代码", "unit code")
    name = need_name(name, "单位", "unit")
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, zh="添加单位", en="add units")
        if session.get(Unit, code) is not None:
            raise Conflict(f"单位 {code} 已存在", f"unit {code} already exists")
        unit = Unit(code=code, name=name, kind=kind.value)
        session.add(unit)
        append_event(session, stream_type="unit", stream_id=code, action="unit_add", caller=caller,
                     changes={"name": name, "kind": kind.value, "active": True})
        uow.commit()
        return _unit_view(unit)


def list_units(uow: UnitOfWork) -> list[UnitView]:
    with uow:
        return [_unit_view(u) for u in uow.session.exec(select(Unit).order_by(col(Unit.code))).all()]


# ---- people --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonView:
    handle: str
    name: str
    unit: str | None
    roles: list[Role]
    active: bool
    mobile: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"handle": self.handle, "name": self.name, "unit": self.unit,
                "roles": [r.value for r in self.roles], "active": self.active, "mobile": self.mobile}


def _person_view(session: Session, person: Person) -> PersonView:
    roles = session.exec(select(PersonRole.role).where(PersonRole.handle == person.handle)).all()
    return PersonView(person.handle, person.name, person.unit, sorted(Role(r) for r in roles), person.active,
                      person.mobile)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _valid_mobile(mobile: str | None) -> str | None:
    if mobile is None or not mobile.strip():
        return None
    cleaned = mobile.strip().replace(" ", "").replace("-", "")
    if not _MOBILE.match(cleaned):
        raise InvalidInput(f"手机号 {mobile} 无效：应为 11 位大陆手机号", f"invalid mobile number {mobile}: 11 digits")
    return cleaned


def add_person(
    uow: UnitOfWork, *, caller: Caller, handle: str, name: str, unit: str | None, roles: list[Role],
    mobile: str | None = None,
) -> PersonView:
    """Register a person with one or more roles; handlers and unit heads belong to a unit.

    A mobile number, when given, is what DingTalk robots @ in the messages that mention the person.
    """
    handle = valid_code(handle, "账号", "handle")
    name = need_name(name, "人员", "person")
    mobile = _valid_mobile(mobile)
    if not roles:
        raise InvalidInput("至少需要一个角色（--role）", "at least one role is needed (--role)")
    if Role.SYSTEM in roles:
        raise InvalidInput("system 角色只属于内置的定时任务账号", "the system role belongs to the built-in actor only")
    if unit is None and {Role.HANDLER, Role.UNIT_HEAD} & set(roles):
        raise InvalidInput("经办人和单位主要领导必须属于一个单位（--unit）",
                           "handlers and unit heads need a unit (--unit)")
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, zh="添加人员", en="add people")
        if session.get(Person, handle) is not None:
            raise Conflict(f"人员 {handle} 已存在", f"person {handle} already exists")
        if unit is not None and session.get(Unit, unit) is None:
            raise NotFound(f"单位 {unit} 不存在", f"unit {unit} not found")
        person = Person(handle=handle, name=name, unit=unit, mobile=mobile)
        session.add(person)
        session.flush()
        for role in sorted(set(roles)):
            session.add(PersonRole(handle=handle, role=role.value))
        append_event(session, stream_type="person", stream_id=handle, action="person_add", caller=caller,
                     changes={"name": name, "unit": unit, "roles": sorted(r.value for r in set(roles)),
                              **({"mobile": mobile} if mobile else {})})
        session.flush()
        view = _person_view(session, person)
        uow.commit()
        return view


def set_person_active(uow: UnitOfWork, *, caller: Caller, handle: str, active: bool) -> PersonView:
    """Deactivate someone who left (their history stays), or bring them back."""
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, zh="停用或启用人员", en="change people")
        person = session.get(Person, handle)
        if person is None:
            raise NotFound(f"人员 {handle} 不存在", f"person {handle} not found")
        if handle == caller.handle and not active:
            raise Conflict("不能停用自己", "you cannot deactivate yourself")
        person.active = active
        session.add(person)
        append_event(session, stream_type="person", stream_id=handle, action="person_active", caller=caller,
                     changes={"active": active})
        session.flush()
        view = _person_view(session, person)
        uow.commit()
        return view


def set_person_mobile(uow: UnitOfWork, *, caller: Caller, handle: str, mobile: str | None) -> PersonView:
    """Record (or, with None, remove) the mobile number robots @ for a person. Admins, or the person."""
    cleaned = _valid_mobile(mobile)
    return change_own_or_as_admin(uow, caller=caller, handle=handle, zh="修改他人的手机号",
                                   en="change the mobile number of others", values={"mobile": cleaned},
                                   action="person_mobile", recorded={"mobile": cleaned})


def change_own_or_as_admin(uow: UnitOfWork, *, caller: Caller, handle: str, zh: str, en: str,
                            values: dict[str, Any], action: str, recorded: dict[str, Any]) -> PersonView:
    """Change fields of one person, which they may do for themselves and an admin for anyone; audited."""
    with uow:
        session = uow.session
        actor = load_actor(session, caller.handle, caller)
        if actor.handle != handle:
            require_role(actor, Role.ADMIN, zh=zh, en=en)
        person = session.get(Person, handle)
        if person is None:
            raise NotFound(f"人员 {handle} 不存在", f"person {handle} not found")
        for name, value in values.items():
            setattr(person, name, value)
        session.add(person)
        append_event(session, stream_type="person", stream_id=handle, action=action, caller=caller,
                     changes=recorded)
        session.flush()
        view = _person_view(session, person)
        uow.commit()
        return view


def list_people(uow: UnitOfWork) -> list[PersonView]:
    with uow:
        session = uow.session
        return [_person_view(session, p) for p in session.exec(select(Person).order_by(col(Person.handle))).all()]


# ---- projects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectView:
    code: str
    name: str
    level: ProjectLevel
    locality: str
    lead_unit: str
    leaders: list[str]
    specialists: list[str]
    helpers: list[str]
    active: bool
    details: InvestmentDetails | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "level": self.level.value, "locality": self.locality,
                "lead_unit": self.lead_unit, "leaders": self.leaders, "specialists": self.specialists,
                "helpers": self.helpers, "active": self.active, **(self.details or InvestmentDetails()).to_json()}


@dataclass(frozen=True)
class InvestmentDetails:
    """A project's investment facts; money in whole 元."""

    kind: ProjectKind | None = None
    total_investment_yuan: int | None = None
    planned_start: date | None = None
    actual_start: date | None = None
    planned_completion: date | None = None
    actual_completion: date | None = None
    planned_production: date | None = None
    actual_production: date | None = None
    in_stats: bool = False
    plan_year: int | None = None  # with annual_plan_yuan: the planned investment of that year
    annual_plan_yuan: int | None = None

    @classmethod
    def of(cls, project: Project) -> InvestmentDetails:
        return cls(**{f.name: getattr(project, f.name) for f in fields(cls) if hasattr(Project, f.name)
                      and f.name != "kind"}, kind=ProjectKind(project.kind) if project.kind else None)

    def columns(self) -> dict[str, Any]:
        """The values of the project row's columns."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if hasattr(Project, f.name)}
        values["kind"] = self.kind.value if self.kind else None
        return values

    def to_json(self) -> dict[str, Any]:
        from coordination.domain.investment import amount_text

        return {
            "kind": self.kind.value if self.kind else None,
            "total_investment_wan": amount_text(self.total_investment_yuan),
            **{name: getattr(self, name).isoformat() if getattr(self, name) else None
               for name in ("planned_start", "actual_start", "planned_completion", "actual_completion",
                            "planned_production", "actual_production")},
            "in_stats": self.in_stats,
        }


def _project_view(session: Session, project: Project) -> ProjectView:
    entries = session.exec(select(RosterEntry).where(RosterEntry.project == project.code)).all()

    def part(name: str) -> list[str]:
        return sorted(e.ref for e in entries if e.part == name)

    return ProjectView(project.code, project.name, ProjectLevel(project.level), project.locality,
                       project.lead_unit, part("leader"), part("specialist"), part("helper"), project.active,
                       InvestmentDetails.of(project))


def project_view(session: Session, project: Project) -> ProjectView:
    """A project as people read it, inside the caller's transaction."""
    return _project_view(session, project)


def check_roster(session: Session, *, locality: str, lead_unit: str, helpers: list[str],
                 leaders: list[str], specialists: list[str]) -> None:
    """NotFound for a unit or person that does not exist; InvalidInput for someone in the wrong role."""
    _check_roster(session, locality=locality, lead_unit=lead_unit, helpers=helpers, leaders=leaders,
                  specialists=specialists)


def _check_roster(session: Session, *, locality: str, lead_unit: str, helpers: list[str],
                  leaders: list[str], specialists: list[str]) -> None:
    for code in (locality, lead_unit, *helpers):
        if session.get(Unit, code) is None:
            raise NotFound(f"单位 {code} 不存在", f"unit {code} not found")
    for handle, role in [*((h, Role.LEADER) for h in leaders), *((h, Role.SPECIALIST) for h in specialists)]:
        person = session.get(Person, handle)
        if person is None:
            raise NotFound(f"人员 {handle} 不存在", f"person {handle} not found")
        roles = set(session.exec(select(PersonRole.role).where(PersonRole.handle == handle)).all())
        allowed = {role.value, Role.PRINCIPAL.value} if role is Role.LEADER else {role.value}
        if not roles & allowed:
            raise InvalidInput(f"{handle} 不是{'区领导' if role is Role.LEADER else '项目专员'}，不能列入项目名单",
                               f"{handle} is not a {role.value} and cannot be on the roster as one")


def add_project(
    uow: UnitOfWork,
    *,
    caller: Caller,
    code: str,
    name: str,
    level: ProjectLevel,
    locality: str,
    lead_unit: str,
    leaders: list[str],
    helpers: list[str],
    specialists: list[str],
    details: InvestmentDetails | None = None,
) -> ProjectView:
    """Register a major project with its 1+2+N roster (and, optionally, its investment facts)."""
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, Role.SECRETARIAT,
                     zh="登记项目", en="register projects")
        view = create_project(session, caller=caller, code=code, name=name, level=level, locality=locality,
                              lead_unit=lead_unit, leaders=leaders, helpers=helpers, specialists=specialists,
                              details=details)
        uow.commit()
        return view


def check_investment(session: Session, *, total_yuan: int | None, plan_yuan: int | None,
                     plan_year: int | None) -> None:
    """A project's amounts within the setting amounts.max_yuan, its plan's year within range."""
    cap = amount_cap(session)
    for yuan, zh, en, option in ((total_yuan, "总投资", "the total investment", "--total"),
                                 (plan_yuan, "年度计划投资", "the annual plan", "--annual-plan")):
        if yuan is not None:
            check_amount(yuan, cap=cap, field_zh=zh, field_en=en, option=option)
    if plan_year is not None:
        check_year(plan_year, option="--plan-year")


def create_project(
    session: Session,
    *,
    caller: Caller,
    code: str,
    name: str,
    level: ProjectLevel,
    locality: str,
    lead_unit: str,
    leaders: list[str],
    helpers: list[str],
    specialists: list[str],
    details: InvestmentDetails | None = None,
) -> ProjectView:
    """Write a new project, its roster and its audit events in the caller's transaction (no role check)."""
    code = valid_code(code, "项目代码", "project code")
    name = need_name(name, "项目", "project")
    details = details or InvestmentDetails()
    check_investment(session, total_yuan=details.total_investment_yuan, plan_yuan=details.annual_plan_yuan,
                     plan_year=details.plan_year)
    if not leaders:
        raise InvalidInput("项目至少需要一位挂钩区领导（--leader）", "a project needs a linked leader (--leader)")
    if session.get(Project, code) is not None:
        raise Conflict(f"项目 {code} 已存在", f"project {code} already exists")
    _check_roster(session, locality=locality, lead_unit=lead_unit, helpers=helpers, leaders=leaders,
                  specialists=specialists)
    columns = details.columns()
    project = Project(code=code, name=name, level=level.value, locality=locality, lead_unit=lead_unit, **columns)
    session.add(project)
    session.flush()
    _write_roster(session, code, leaders=leaders, helpers=helpers, specialists=specialists)
    extra = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in columns.items()
             if v is not None and v is not False}  # not `in (None, False)`: a total of 0 is recorded
    append_event(session, stream_type="project", stream_id=code, action="project_add", caller=caller,
                 changes={"name": name, "level": level.value, "locality": locality, "lead_unit": lead_unit,
                          "leaders": sorted(set(leaders)), "helpers": sorted(set(helpers)),
                          "specialists": sorted(set(specialists)), **extra})
    session.flush()  # the plan's event below reads this one as its predecessor
    if details.annual_plan_yuan is not None:
        year = details.plan_year or caller.today.year
        session.add(ProjectPlan(project=code, year=year, planned_yuan=details.annual_plan_yuan))
        append_event(session, stream_type="project", stream_id=code, action="project_plan", caller=caller,
                     changes={"year": year, "planned_yuan": details.annual_plan_yuan}, extra={"previous_yuan": None})
    session.flush()
    return _project_view(session, project)


def _write_roster(session: Session, code: str, *, leaders: list[str], helpers: list[str],
                  specialists: list[str]) -> None:
    for part, refs in (("leader", leaders), ("helper", helpers), ("specialist", specialists)):
        for ref in sorted(set(refs)):
            session.add(RosterEntry(project=code, part=part, ref=ref))


def set_roster(
    uow: UnitOfWork,
    *,
    caller: Caller,
    code: str,
    leaders: list[str] | None = None,
    helpers: list[str] | None = None,
    specialists: list[str] | None = None,
) -> ProjectView:
    """Replace parts of a project's roster; parts not given stay as they are."""
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, Role.SECRETARIAT,
                     zh="调整项目名单", en="change project rosters")
        project = session.get(Project, code)
        if project is None:
            raise NotFound(f"项目 {code} 不存在", f"project {code} not found")
        current = _project_view(session, project)
        new_leaders = current.leaders if leaders is None else leaders
        new_helpers = current.helpers if helpers is None else helpers
        new_specialists = current.specialists if specialists is None else specialists
        if not new_leaders:
            raise InvalidInput("项目至少需要一位挂钩区领导", "a project needs a linked leader")
        _check_roster(session, locality=project.locality, lead_unit=project.lead_unit, helpers=new_helpers,
                      leaders=new_leaders, specialists=new_specialists)
        session.execute(delete(RosterEntry).where(col(RosterEntry.project) == code))
        _write_roster(session, code, leaders=new_leaders, helpers=new_helpers, specialists=new_specialists)
        changes = {}
        for key, old, new in (("leaders", current.leaders, new_leaders), ("helpers", current.helpers, new_helpers),
                              ("specialists", current.specialists, new_specialists)):
            if sorted(set(new)) != old:
                changes[key] = sorted(set(new))
        if not changes:
            return current
        append_event(session, stream_type="project", stream_id=code, action="project_roster", caller=caller,
                     changes=changes)
        session.flush()
        view = _project_view(session, project)
        uow.commit()
        return view


def get_project(uow: UnitOfWork, *, code: str) -> ProjectView:
    with uow:
        project = uow.session.get(Project, code)
        if project is None:
            raise NotFound(f"项目 {code} 不存在", f"project {code} not found")
        return _project_view(uow.session, project)


def list_projects(uow: UnitOfWork) -> list[ProjectView]:
    with uow:
        session = uow.session
        return [_project_view(session, p) for p in session.exec(select(Project).order_by(col(Project.code))).all()]


# ---- routing -------------------------------------------------------------------------------


def set_route(uow: UnitOfWork, *, caller: Caller, category: str, unit: str) -> dict[str, str]:
    """Set the unit that usually solves a category of problem."""
    try:
        key = parse_category(category)
    except ValueError:
        raise InvalidInput(f"未知问题类别 {category}", f"unknown category {category}") from None
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN,
                     zh="设置分办表", en="edit the routing table")
        if session.get(Unit, unit) is None:
            raise NotFound(f"单位 {unit} 不存在", f"unit {unit} not found")
        rule = session.get(RoutingRule, key) or RoutingRule(category=key, unit=unit)
        rule.unit = unit
        session.add(rule)
        append_event(session, stream_type="routing", stream_id=key, action="route_set", caller=caller,
                     changes={"unit": unit})
        uow.commit()
        return {"category": key, "unit": unit}


def list_routes(uow: UnitOfWork) -> dict[str, str]:
    with uow:
        return {r.category: r.unit for r in uow.session.exec(select(RoutingRule)).all()}



# ---- access tokens -------------------------------------------------------------------------


def create_token(uow: UnitOfWork, *, caller: Caller, handle: str) -> str:
    """Issue a personal access token (shown once; only its hash is stored). Admins, or the person."""
    import secrets

    token = f"coord_{secrets.token_urlsafe(24)}"
    _set_token(uow, caller=caller, handle=handle, digest=token_digest(token))
    return token


def revoke_token(uow: UnitOfWork, *, caller: Caller, handle: str) -> PersonView:
    """Revoke a person's access token. Admins, or the person."""
    return _set_token(uow, caller=caller, handle=handle, digest=None)


def _set_token(uow: UnitOfWork, *, caller: Caller, handle: str, digest: str | None) -> PersonView:
    return change_own_or_as_admin(uow, caller=caller, handle=handle, zh="管理他人的令牌",
                                   en="manage the tokens of others", values={"token_hash": digest},
                                   action="token_create" if digest else "token_revoke",
                                   # the fingerprint lets audit verify tell a hash changed behind its back
                                   recorded={"token": "issued", "fingerprint": token_fingerprint(digest)}
                                   if digest else {"token": "revoked"})
