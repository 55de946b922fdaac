"""What every command shares: options, the engine, the caller, and printing."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from coordination import config
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.workdays import ChosenDate, NonWorkingDay
from coordination.render.safe import SafeConsole, json_text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coordination.render.names import NameBook
    from coordination.services.common import Caller
    from coordination.services.lookup import Names
    from coordination.uow import UnitOfWork

JsonOption = typer.Option(False, "--json", help="以 JSON 输出结果 / print the result as JSON")
STRICT = "--strict"
StrictOption = typer.Option(False, STRICT, help="日期落在非工作日时拒绝保存（否则保存并提示） / refuse a date "
                                                "on a non-working day (else save it with a warning)")


@dataclass
class AppState:
    db: str | None = None
    user: str | None = None
    lang_option: str | None = None
    debug: bool = False
    # Safe consoles: a control, escape or bidi character an old record holds is shown escaped (render/safe.py).
    out: Console = field(default_factory=lambda: SafeConsole(soft_wrap=False))
    err: Console = field(default_factory=lambda: SafeConsole(stderr=True, soft_wrap=True))
    identity_checked: bool = False

    @cached_property
    def lang(self) -> str:
        return config.current_lang(self.lang_option)

    @cached_property
    def url(self) -> str:
        try:
            return config.database_url(self.db)
        except (ValueError, OSError) as exc:  # a path with a NUL byte, a home folder that cannot be resolved
            raise InvalidInput(f"数据库路径无效（{type(exc).__name__}）：请检查 --db 或 COORD_DATABASE_URL",
                               f"invalid database path ({type(exc).__name__}): check --db or COORD_DATABASE_URL"
                               ) from None

    @property
    def shown_url(self) -> str:
        """The database's URL fit to print: the password masked."""
        from coordination.db_faults import shown

        return shown(self.url)

    def preflight(self) -> None:
        """Every global option and environment variable, checked before any service runs, so that a bad
        one refuses the command before it writes anything (and says which one to fix)."""
        from coordination.db_faults import parsed_url

        _ = self.lang  # --lang / COORD_LANG first: what follows speaks it
        config.sqlite_busy_timeout()
        parsed_url(self.url)  # --db / COORD_DATABASE_URL: parsable, sqlite or postgresql, driver installed
        config.read_config()  # the config file (the default identity): readable UTF-8 TOML
        self.identity_checked = True
        refuse_builtin_actor(config.current_user(self.user))
        config.now()  # COORD_NOW
        check_token_switch()

    @cached_property
    def engine(self) -> Engine:
        from coordination.db import open_database

        return open_database(self.url)

    def uow(self, *, write: bool = True) -> UnitOfWork:
        from coordination.uow import UnitOfWork

        return UnitOfWork(self.engine, write=write)

    def reader(self) -> UnitOfWork:
        return self.uow(write=False)

    @cached_property
    def names(self) -> Names:
        """Units, projects and people by what the user typed (codes in any case, names, short names)."""
        from coordination.services import lookup

        return lookup.names(self.reader())

    @cached_property
    def name_book(self) -> NameBook:
        """Codes → names for the terminal screens (the JSON output keeps the codes)."""
        from coordination.render.names import NameBook

        snapshot = self.names.snapshot
        return NameBook(units={code: name for code, (name, _active) in snapshot.units.items()},
                        projects=dict(snapshot.project_names),
                        people={handle: person.name for handle, person in snapshot.people.items()}, lang=self.lang)

    def unit(self, text: str | None) -> str | None:
        return None if text is None else self.names.unit(text)

    def units(self, text: str | None) -> list[str]:
        return self.names.units(split_codes(text))

    def project(self, text: str | None) -> str | None:
        return None if text is None else self.names.project(text)

    def person(self, text: str | None) -> str | None:
        return None if text is None else self.names.person(text)

    def caller(self) -> Caller:
        from coordination.services.common import Caller

        handle = config.current_user(self.user)
        if not handle:
            raise NotPermitted("未指定身份：请用 --as HANDLE 或环境变量 COORD_USER",
                               "no identity: use --as HANDLE or COORD_USER")
        refuse_builtin_actor(handle)
        return Caller(handle=handle, now=config.now(), origin="cli", token=os.environ.get("COORD_TOKEN"),
                      require_token=config.token_required())

    def today(self) -> Any:
        from coordination.config import DISTRICT_TZ

        return config.now().astimezone(DISTRICT_TZ).date()

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def emit_json(self, data: Any) -> None:
        sys.stdout.write(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")

    def note(self, message: str) -> None:
        """Diagnostics and confirmations go to stderr, keeping stdout for results (as text: a name in a
        message is never markup)."""
        self.err.print(message, markup=False)

    def check_chosen_date(self, day: date | None, chosen: ChosenDate, *, strict: bool) -> NonWorkingDay | None:
        """A date on a day off: with --strict refused here, before anything is written (exit 2); else
        returned, for `warn_chosen_date` once the write is done."""
        if day is None:
            return None
        from coordination.services.calendar import non_working_day_of

        today: date = self.today()
        # A due date must lie after today; a meeting may be held today: suggest nothing earlier.
        earliest = today if chosen is ChosenDate.MEETING else today + timedelta(days=1)
        found = non_working_day_of(self.reader(), day, chosen, earliest=earliest)
        if found is not None and strict:
            raise found.refusal(strict_option=STRICT)
        return found

    def warn_chosen_date(self, found: NonWorkingDay | None) -> None:
        if found is not None:
            zh, en = found.warning(strict_option=STRICT)
            self.err.print(self.t(zh, en), style="yellow", markup=False, highlight=False)


def refuse_builtin_actor(handle: str | None) -> None:
    """Nobody acts as `system` from the command line: only the sweep and the scheduled flows are it."""
    if handle is None:
        return
    from coordination.services.common import SYSTEM_HANDLE

    if handle.strip() == SYSTEM_HANDLE:
        raise NotPermitted(
            f"{SYSTEM_HANDLE} 是内置的定时任务账号，只有每日巡查和定时流程以它的身份运行，不能用 --as 或 COORD_USER "
            "冒用；请指定在册人员（巡查请直接运行 coord sweep）",
            f"{SYSTEM_HANDLE} is the built-in actor of the sweep and the scheduled flows; nobody may act as it "
            "with --as or COORD_USER: name a registered person (to sweep, run coord sweep)",
        )


_SWITCH_WORDS = ("", "1", "true", "yes", "on", "0", "false", "no", "off")


def check_token_switch() -> None:
    """COORD_REQUIRE_TOKEN is on or off: a misspelt value must not silently switch the check off."""
    raw = os.environ.get("COORD_REQUIRE_TOKEN", "")
    if raw.strip().lower() not in _SWITCH_WORDS:
        raise InvalidInput(f"COORD_REQUIRE_TOKEN 只能是 1/true/yes/on 或 0/false/no/off（收到 {raw[:40]!r}）",
                           f"COORD_REQUIRE_TOKEN must be 1/true/yes/on or 0/false/no/off (got {raw[:40]!r})")


def state(ctx: typer.Context) -> AppState:
    """The command's shared state; the first call refuses `--as system` / COORD_USER=system, for every command."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    app_state: AppState = root.obj
    # Once per command, and never while another error is being reported (the error handler calls this too).
    if not app_state.identity_checked and sys.exc_info()[1] is None:
        app_state.identity_checked = True
        refuse_builtin_actor(app_state.user or os.environ.get("COORD_USER") or None)
    return app_state


def fail(zh: str, en: str) -> NoReturn:
    raise InvalidInput(zh, en)


def split_codes(text: str | None) -> list[str]:
    if not text:
        return []
    return [c.strip() for c in text.replace("，", ",").replace("、", ",").split(",") if c.strip()]
