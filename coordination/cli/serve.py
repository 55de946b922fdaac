"""`coord serve`: run every deployment on its schedule with Prefect.

At start it checks each deployment's configuration (and refuses to serve what can only fail), uses the
Prefect server at PREFECT_API_URL or starts one on 127.0.0.1 (and prints the line to export), registers
the deployments, collapses late runs and catches up slots missed while coord was down (`flows.catch_up`),
then serves with at most `--limit` runs at once. Only this command imports Prefect, inside it: every
other command stays fast, and `coord serve --list` needs no Prefect at all.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, cast

import typer

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.errors import CoordError
from coordination.render import serve_screens

if TYPE_CHECKING:
    from uuid import UUID

    from flows.catch_up import Repair


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="自启服务器的端口 / port of the server coord starts")] = 4200,
    list_only: Annotated[bool, typer.Option("--list", help="只列出部署、时间表和下次运行 / list and exit")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=16,
                                       help="同时运行的流程数上限 / runs at once at most")] = 2,
    as_json: bool = JsonOption,
) -> None:
    """按时间表运行全部流程（Prefect） / run every deployment on its schedule with Prefect.

    Uses the Prefect server at PREFECT_API_URL, or starts one on 127.0.0.1 and stops it on exit.
    """
    from coordination import config
    from coordination.services import readiness

    app_state = state(ctx)
    _ = app_state.engine  # refuse early when coord's database is not initialised
    rows = readiness.deployment_rows(app_state.reader(), now=config.now())
    if list_only:
        if as_json:
            app_state.emit_json([row.to_json() for row in rows])
        else:
            app_state.out.print(serve_screens.deployments_table(rows, app_state.lang))
        return
    checks = readiness.check(app_state.reader())
    for line in serve_screens.check_lines(checks, app_state.lang):
        app_state.note(line)
    readiness.refuse_if_blocked(checks)
    os.environ["COORD_DATABASE_URL"] = app_state.url  # the flow runs, in child processes, use this database
    # A SIGTERM before Prefect's runner takes the signal over still stops the server coord started.
    signal.signal(signal.SIGTERM, _interrupted)
    server: subprocess.Popen[bytes] | None = None
    api_url = os.environ.get("PREFECT_API_URL") or _profile_api_url()
    if api_url:
        if not _healthy(api_url):
            raise CoordError(f"PREFECT_API_URL={api_url} 上的 Prefect 服务器无法连接；"
                             "请先启动它，或取消该设置让 coord 自启",
                             f"no Prefect server answers at PREFECT_API_URL={api_url}; start it, or unset it and "
                             "coord will start its own")
        app_state.note(app_state.t(f"使用 PREFECT_API_URL 指定的 Prefect 服务器：{api_url}",
                                   f"Using the Prefect server at PREFECT_API_URL: {api_url}"))
    else:
        chosen = port if _port_free(port) else _free_port()
        server, api_url = _start_server(chosen, app_state)
        app_state.note(app_state.t(
            f"未设置 PREFECT_API_URL：已在 127.0.0.1:{chosen} 启动 Prefect 服务器（界面 http://127.0.0.1:{chosen}），"
            "退出时停止。在另一个终端使用它：",
            f"PREFECT_API_URL not set: started a Prefect server on 127.0.0.1:{chosen} "
            f"(UI http://127.0.0.1:{chosen}); it stops when coord serve exits. To use it from another shell:"))
        app_state.out.print(f"export PREFECT_API_URL={api_url}", markup=False, highlight=False, soft_wrap=True)
    os.environ["PREFECT_API_URL"] = api_url
    crons = {row.name: row.cron for row in rows if row.cron}
    try:
        _serve(api_url, crons, _district(app_state), limit, app_state)
    except KeyboardInterrupt:
        app_state.note(app_state.t("coord serve 已停止", "coord serve stopped"))
    finally:
        if server is not None:
            _stop(server)
            app_state.note(app_state.t("Prefect 服务器已停止", "Prefect server stopped"))


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _district(app_state: AppState) -> str:
    """The district's tag: its database's name (the SQLite file's, or PostgreSQL's)."""
    from sqlalchemy.engine import make_url

    url = make_url(app_state.url)
    name = url.database or "coord"
    return os.path.splitext(os.path.basename(name))[0] if url.get_backend_name() == "sqlite" else name


def _serve(api_url: str, crons: dict[str, str], district: str, limit: int, app_state: AppState) -> None:
    import prefect
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from coordination.domain.schedules import BY_NAME
    from flows.catch_up import repair_all
    from flows.deployments import deployment_tags, deployments

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        built = deployments(crons, district)
        ids = {d.name: cast('UUID', d.apply()) for d in built}
        tags = {name: deployment_tags(BY_NAME[name], district) for name in ids}
        with get_client(sync_client=True) as client:
            repairs = repair_all(client, ids, crons, datetime.now(UTC), tags)
        _note_repairs(repairs, app_state)
        prefect.serve(*built, limit=limit)


def _note_repairs(repairs: list[Repair], app_state: AppState) -> None:
    for line in serve_screens.repair_lines(repairs, app_state.lang):
        app_state.note(line)


def _profile_api_url() -> str | None:
    """PREFECT_API_URL from the active Prefect profile, read without importing Prefect (1 s)."""
    import tomllib
    from pathlib import Path

    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    value = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(value) if value else None


def _healthy(api_url: str, timeout_s: float = 3.0) -> bool:
    import httpx

    try:
        return httpx.get(api_url.rstrip("/") + "/health", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(port: int, app_state: AppState, timeout_s: float = 90.0) -> tuple[subprocess.Popen[bytes], str]:
    from coordination import config

    home = config.data_dir() / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("ab")
    app_state.note(app_state.t(f"正在启动 Prefect 服务器（日志 {home / 'server.log'}）…",
                               f"Starting a Prefect server (log {home / 'server.log'})…"))
    # Its own session: Ctrl-C stops `serve` first, which pauses the schedules, then we stop the server.
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    api_url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CoordError(f"Prefect 服务器启动失败（退出码 {process.returncode}），见 {home / 'server.log'}",
                                 f"the Prefect server exited with {process.returncode}; see {home / 'server.log'}")
            if _healthy(api_url, timeout_s=1.0):
                return process, api_url
            time.sleep(0.5)
    except BaseException:  # interrupted while it starts: it stops with us
        _stop(process)
        raise
    _stop(process)
    raise CoordError(f"Prefect 服务器 {timeout_s:.0f} 秒内未就绪，见 {home / 'server.log'}",
                     f"the Prefect server was not ready within {timeout_s:.0f} s; see {home / 'server.log'}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and what it started (uvicorn, its services): the whole process group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        process.wait(timeout=5)
