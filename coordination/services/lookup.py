"""Names as people type them → the canonical codes: units, projects, people, plans, special plans.

A unit is found by its code (any case), its full name, or a short name (住建局 for 区住房和城乡建设局:
the characters in order, when only one unit has them); a project by its code (any case) or name; a
person by their handle (any case) or name. An unknown or ambiguous name is a NotFound that says
what was perhaps meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from coordination.domain.errors import NotFound
from coordination.domain.parsing import normalise
from coordination.services.snapshot import Directory, directory
from coordination.uow import UnitOfWork

KNOWN_SHOWN = 8  # codes listed when nothing is close


def _subsequence(short: str, full: str) -> bool:
    remaining = iter(full)
    return all(char in remaining for char in short)


@dataclass(frozen=True)
class _Kind:
    zh: str
    en: str


_UNIT = _Kind("单位", "unit")
_PROJECT = _Kind("项目", "project")
_PERSON = _Kind("人员", "person")
_PLAN = _Kind("规划或政策文件", "plan")
_SPECIAL_PLAN = _Kind("专项规划", "special plan")


def _resolve(kind: _Kind, text: str, entries: dict[str, str], *, short_names: bool) -> str:
    """The code of `text` among `entries` (code → name)."""
    wanted = text.strip()
    if wanted in entries:
        return wanted
    key = normalise(wanted)
    if not key:
        raise NotFound(f"未指定{kind.zh}", f"no {kind.en} given")
    by_code = [code for code in entries if normalise(code) == key]
    if len(by_code) == 1:
        return by_code[0]
    by_name = [code for code, name in entries.items() if normalise(name) == key]
    if len(by_name) == 1:
        return by_name[0]
    candidates = by_code or by_name
    if not candidates and len(key) >= 2:
        candidates = [code for code, name in entries.items() if key in normalise(name)]
        if not candidates and short_names:
            candidates = [code for code, name in entries.items() if _subsequence(key, normalise(name))]
        if len(candidates) == 1:
            return candidates[0]
    if len(candidates) > 1:
        shown = "、".join(f"{code}（{entries[code]}）" for code in sorted(candidates)[:KNOWN_SHOWN])
        shown_en = ", ".join(f"{code} ({entries[code]})" for code in sorted(candidates)[:KNOWN_SHOWN])
        raise NotFound(f"{kind.zh}“{wanted}”不唯一：可能是 {shown}；请写代码",
                       f"{kind.en} '{wanted}' is ambiguous: {shown_en}; give the code")
    raise NotFound(*_unknown(kind, wanted, entries))


def _unknown(kind: _Kind, wanted: str, entries: dict[str, str]) -> tuple[str, str]:
    key = normalise(wanted)
    words: dict[str, str] = {}
    for code, name in entries.items():
        words.setdefault(normalise(code), code)
        words.setdefault(normalise(name), code)
    close = difflib.get_close_matches(key, list(words), n=3, cutoff=0.5)
    codes = list(dict.fromkeys(words[match] for match in close))
    if codes:
        shown = "、".join(f"{code}（{entries[code]}）" for code in codes)
        shown_en = ", ".join(f"{code} ({entries[code]})" for code in codes)
        return (f"{kind.zh} {wanted} 不存在；是否指 {shown}？",
                f"{kind.en} {wanted} not found; did you mean {shown_en}?")
    known = sorted(entries)[:KNOWN_SHOWN]
    more = "等" if len(entries) > KNOWN_SHOWN else ""
    if not known:
        return f"{kind.zh} {wanted} 不存在：尚未登记任何{kind.zh}", f"{kind.en} {wanted} not found: none registered yet"
    return (f"{kind.zh} {wanted} 不存在；已登记的有 {'、'.join(known)}{more}",
            f"{kind.en} {wanted} not found; known: {', '.join(known)}")


@dataclass(frozen=True)
class Names:
    """The directory's names, to resolve what a user typed."""

    snapshot: Directory

    def unit(self, text: str) -> str:
        entries = {code: name for code, (name, _active) in self.snapshot.units.items()}
        return _resolve(_UNIT, text, entries, short_names=True)

    def units(self, texts: Iterable[str]) -> list[str]:
        """Each unit once, in the order first named (zjj，住建局 is one unit)."""
        return list(dict.fromkeys(self.unit(text) for text in texts))

    def project(self, text: str) -> str:
        return _resolve(_PROJECT, text, dict(self.snapshot.project_names), short_names=False)

    def person(self, text: str) -> str:
        entries = {handle: person.name for handle, person in self.snapshot.people.items()}
        return _resolve(_PERSON, text, entries, short_names=False)

    def people(self, texts: Iterable[str]) -> list[str]:
        return [self.person(text) for text in texts]


def plan_code(text: str, plans: dict[str, str]) -> str:
    """A plan's code from what was typed: its code in any case, or its name (plans: code -> name)."""
    return _resolve(_PLAN, text, plans, short_names=False)


def special_plan_key(text: str, plans: dict[str, str]) -> str:
    """A special plan's code from what was typed: its code with or without ZX- (any case), or its name."""
    wanted = text.strip()
    prefixed = wanted if wanted.upper().startswith("ZX-") else f"ZX-{wanted}"
    by_code = [code for code in plans if code.casefold() == prefixed.casefold()]
    return by_code[0] if by_code else _resolve(_SPECIAL_PLAN, wanted, plans, short_names=False)


def names(uow: UnitOfWork) -> Names:
    """The names as the database has them now (read in one short transaction)."""
    with uow:
        return Names(directory(uow.session))


def resolve_unit(uow: UnitOfWork, text: str) -> str:
    return names(uow).unit(text)


def resolve_project(uow: UnitOfWork, text: str) -> str:
    return names(uow).project(text)


def resolve_person(uow: UnitOfWork, text: str) -> str:
    return names(uow).person(text)
