"""coord web's overhead: an action, a problem's page and the problem list over HTTP vs the same use case in process.

Each figure starts `coord --db URL web --port P` (uvicorn, one worker) in its own process on the figure's
database, with the dataset's clock (COORD_NOW), and talks to it with one keep-alive `httpx.Client`, as
a script or a browser would. The baseline is the same use case called in process on the same database,
as the command line calls it. Both sides are timed call by call from the caller's side, in alternating
chunks (ABBA), after a warm-up; each side's figure is its median call.

- `web_action`: POST /api/problems/{id}/actions/progress (Bearer token, If-Match on the version, a
  reason) vs `issues.act(…, action=progress, expected_version=…)`; one action per problem, each side on
  its own pool of problems in progress. Target: ratio ≤ 2.
- `web_page`: GET /problems/{id} with a signed-in session cookie vs `issue_reads.show_problem(…, viewer=…)`
  over the same problems. Target: ratio ≤ 3.
- `web_list`: GET /api/problems?limit=50 over 100,000 open problems (the large district, on a copy) vs
  `issue_reads.problem_page(…, filters=ProblemFilter(limit=50), viewer=…)`. Target: ratio ≤ 2. SQLite only:
  the large district is built with the sqlite3 module.

Coord is imported inside the functions, as in figures.py: a route or a service that changes shape
fails its figure alone. A route that answers 404 is reported as not there yet.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import datasets
from benchmarks.datasets import ADMIN, HANDLER, NOW, SECRETARIAT, SOLVING_UNIT, TODAY
from benchmarks.harness import Context, Figure, Measure, Target, clock, median, ms

REASON = "已与市局对接，材料补正中"
PASSWORD = "bench-web-pass-2024"
LIST_LIMIT = 50
STARTUP_SECONDS = 60


# ---- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def coord_command() -> list[str]:
    """The `coord` console script of this interpreter's environment (the module form without it)."""
    script = Path(sys.executable).parent / "coord"
    return [str(script)] if script.exists() else [sys.executable, "-c",
                                                  "from coordination.cli.main import run; run()"]


def start_server(url: str, *, workdir: Path, name: str) -> Server:
    """`coord --db URL web` on a free port with one worker; returns once /login answers."""
    import httpx

    port = free_port()
    home = workdir / f"{name}-home"
    home.mkdir(parents=True, exist_ok=True)
    log = workdir / f"{name}-web.log"
    env = {**os.environ, "COORD_NOW": NOW.isoformat(), "COORD_HOME": str(home)}
    env.pop("COORD_USER", None)
    env.pop("COORD_DATABASE_URL", None)
    stream = log.open("wb")
    process = subprocess.Popen(
        [*coord_command(), "--db", url, "web", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=stream, stderr=subprocess.STDOUT, env=env)
    stream.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"coord web exited with {process.returncode}: {log.read_text(errors='replace')[-800:]}")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return Server(process, base, log)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait(timeout=10)
    raise RuntimeError(f"coord web did not answer within {STARTUP_SECONDS} s: "
                       f"{log.read_text(errors='replace')[-800:]}")


@contextmanager
def serving(url: str, *, workdir: Path, name: str) -> Iterator[Server]:
    server = start_server(url, workdir=workdir, name=name)
    try:
        yield server
    finally:
        server.stop()


def answered(response: Any, expected: int, what: str) -> Any:
    """The response when it has the expected status; a route still missing (404) or any other answer raises."""
    if response.status_code == expected:
        return response
    if response.status_code == 404 and "not_found" not in response.text:
        raise RuntimeError(f"{what}: HTTP 404 — is the route there yet? ({response.text[:200]})")
    raise RuntimeError(f"{what}: HTTP {response.status_code}, expected {expected}: {response.text[:300]}")


def api_client(base_url: str, token: str) -> Any:
    import httpx

    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def signed_in(base_url: str, handle: str, password: str) -> Any:
    """A cookie-keeping client after posting the sign-in form with its CSRF cookie and token."""
    import httpx

    client = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)
    answered(client.get("/login"), 200, "GET /login")
    token = client.cookies.get("coord_login_csrf") or ""
    response = client.post("/login", data={"handle": handle, "password": password, "csrf_token": token,
                                           "next": "/"})
    answered(response, 303, "POST /login")
    if not client.cookies.get("coord_session"):
        raise RuntimeError("POST /login set no coord_session cookie")
    return client


# ---- pairing, call by call -----------------------------------------------------------------------


def alternate(http: Callable[[int], Any], local: Callable[[int], Any], *, chunk: int, rounds: int,
              warmup: int) -> dict[str, list[float]]:
    """Seconds of each call: `warmup` untimed calls a side, then chunks of `chunk`, HTTP and in process
    alternating (ABBA…) for `rounds` rounds. Each side's callable gets its own running call number."""
    counters = {"http": 0, "local": 0}
    sides = {"http": http, "local": local}

    def call(side: str) -> float:
        n = counters[side]
        counters[side] += 1
        return clock(lambda: sides[side](n))[0]

    for side in sides:
        for _ in range(warmup):
            call(side)
    times: dict[str, list[float]] = {"http": [], "local": []}
    for n in range(rounds):
        order = ("http", "local") if n % 2 == 0 else ("local", "http")
        for side in order:
            times[side].extend(call(side) for _ in range(chunk))
    return times


def _spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median_ms": round(median(ordered) * 1000, 3), "min_ms": round(ordered[0] * 1000, 3),
            "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 3),
            "mean_ms": round(sum(ordered) / len(ordered) * 1000, 3)}


def server_stack() -> str:
    """What uvicorn serves with here: it picks uvloop and httptools when they are installed, else asyncio and h11."""
    from importlib import metadata
    from importlib.util import find_spec

    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    parser = "httptools" if find_spec("httptools") else "h11"
    return (f"uvicorn {metadata.version('uvicorn')} ({loop}, {parser}), fastapi {metadata.version('fastapi')}, "
            f"httpx {metadata.version('httpx')} client")


def latency_measure(name: str, what: str, baseline: str, times: dict[str, list[float]], target: float,
                    details: dict[str, Any]) -> Measure:
    value, base = median(times["http"]), median(times["local"])
    return Measure(name, what, "s", value, baseline, base, Target("ratio", "<=", target),
                   details={"calls_per_side": len(times["http"]), "statistic": "median call of each side",
                            "http": _spread(times["http"]), "in_process": _spread(times["local"]),
                            "http_ms_per_call": round(value * 1000, 3), "in_process_ms_per_call": round(base * 1000, 3),
                            "server": server_stack(), **details})


# ---- a district with problems in progress --------------------------------------------------------


def in_progress(engine: Any, count: int, *, prefix: str) -> dict[str, int]:
    """`count` problems assigned to the handler's unit and acknowledged, through the services: id → version."""
    from coordination.domain.enums import Action, Difficulty
    from coordination.domain.problem import ActionInput
    from coordination.services import issues
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    secretariat, handler = Caller(SECRETARIAT, NOW, "bench"), Caller(HANDLER, NOW, "bench")
    versions: dict[str, int] = {}
    for pid in datasets.seed_submitted(engine, count, prefix=prefix):
        issues.act(UnitOfWork(engine), caller=secretariat, problem_id=pid, action=Action.ASSIGN,
                   inputs=ActionInput(unit=SOLVING_UNIT, difficulty=Difficulty.B))
        view = issues.act(UnitOfWork(engine), caller=handler, problem_id=pid, action=Action.ACKNOWLEDGE,
                          inputs=ActionInput())
        versions[pid] = view.version
    return versions


def token_for(engine: Any, handle: str) -> str:
    from coordination.services import directory
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    return directory.create_token(UnitOfWork(engine), caller=Caller(ADMIN, NOW, "bench"), handle=handle)


def password_for(engine: Any, handle: str) -> str:
    from coordination.services import access
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    access.set_password(UnitOfWork(engine), caller=Caller(ADMIN, NOW, "bench"), handle=handle, password=PASSWORD)
    return PASSWORD


def viewer(engine: Any, handle: str) -> Any:
    from coordination.services.visibility import viewer_of
    from coordination.uow import UnitOfWork

    with UnitOfWork(engine, write=False) as uow:
        return viewer_of(uow.session, handle)


# ---- 1: an action -------------------------------------------------------------------------------


def web_action(context: Context, backend: str) -> list[Measure]:
    from benchmarks.figures import durability, scratch
    from coordination.domain.enums import Action
    from coordination.domain.problem import ActionInput
    from coordination.services import issues
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    chunk, rounds, warmup = context.size(50, 10), context.size(4, 2), context.size(10, 3)
    per_side = warmup + chunk * rounds
    with scratch(context, backend, "web_action") as db:
        started = time.perf_counter()
        over_http = list(in_progress(db.engine, per_side, prefix="QH").items())
        in_process = list(in_progress(db.engine, per_side, prefix="QP").items())
        token = token_for(db.engine, HANDLER)
        prepared = time.perf_counter() - started
        caller = Caller(HANDLER, NOW, "bench")
        inputs = ActionInput(reason=REASON)
        with serving(db.url, workdir=context.workdir, name=f"web_action-{backend}") as server, \
                api_client(server.base_url, token) as client:

            def http(n: int) -> None:
                pid, version = over_http[n]
                answered(client.post(f"/api/problems/{pid}/actions/progress", json={"reason": REASON},
                                     headers={"If-Match": f'"{version}"'}), 200, "POST /api/problems/{id}/actions")

            def local(n: int) -> None:
                pid, version = in_process[n]
                issues.act(UnitOfWork(db.engine), caller=caller, problem_id=pid, action=Action.PROGRESS,
                           inputs=inputs, expected_version=version)

            times = alternate(http, local, chunk=chunk, rounds=rounds, warmup=warmup)
        return [latency_measure(
            "web_action", "POST /api/problems/{id}/actions/progress (Bearer token, If-Match, a reason) to "
            "`coord web` (uvicorn, 1 worker) on a keep-alive httpx client; one action per problem",
            "issues.act(progress, expected_version) in process on the same database, one action per problem",
            times, 2.0,
            details={"chunk": chunk, "rounds": rounds, "warmup": warmup, "setup_s": round(prepared, 2),
                     "durability": durability(db, context)})]


# ---- 2: a problem's page ------------------------------------------------------------------------


def web_page(context: Context, backend: str) -> list[Measure]:
    from benchmarks.figures import durability, scratch
    from coordination.domain.enums import Action
    from coordination.domain.problem import ActionInput
    from coordination.services import issue_reads, issues
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    chunk, rounds, warmup = context.size(50, 10), context.size(4, 2), context.size(10, 3)
    with scratch(context, backend, "web_page") as db:
        problems = in_progress(db.engine, context.size(50, 10), prefix="QW")
        handler = Caller(HANDLER, NOW, "bench")
        for pid, version in problems.items():  # a timeline of four events: raise, assign, acknowledge, progress
            issues.act(UnitOfWork(db.engine), caller=handler, problem_id=pid, action=Action.PROGRESS,
                       inputs=ActionInput(reason=REASON), expected_version=version)
        ids = list(problems)
        password = password_for(db.engine, HANDLER)
        seen = viewer(db.engine, HANDLER)
        with serving(db.url, workdir=context.workdir, name=f"web_page-{backend}") as server, \
                closing(signed_in(server.base_url, HANDLER, password)) as browser:
            sizes: list[int] = []

            def http(n: int) -> None:
                response = answered(browser.get(f"/problems/{ids[n % len(ids)]}"), 200, "GET /problems/{id}")
                if not sizes:
                    sizes.append(len(response.content))

            def local(n: int) -> None:
                issue_reads.show_problem(UnitOfWork(db.engine, write=False), problem_id=ids[n % len(ids)], today=TODAY,
                                         viewer=seen)

            times = alternate(http, local, chunk=chunk, rounds=rounds, warmup=warmup)
        return [latency_measure(
            "web_page", "GET /problems/{id} (the problem's page, signed-in session cookie) from `coord web` "
            "(uvicorn, 1 worker) on a keep-alive httpx client",
            "issue_reads.show_problem(viewer=the handler) in process on the same database", times, 3.0,
            details={"chunk": chunk, "rounds": rounds, "warmup": warmup, "problems": len(ids),
                     "page_bytes": sizes[0] if sizes else None, "durability": durability(db, context)})]


# ---- 3: the problem list over 100,000 problems --------------------------------------------------


def web_list(context: Context, backend: str) -> list[Measure]:
    from benchmarks.figures import _dataset_details, open_district
    from coordination.db import make_engine
    from coordination.services import issue_reads
    from coordination.uow import UnitOfWork

    district = open_district(context)
    path = datasets.copy_sqlite(district.path, context.workdir / "web_list.sqlite3")  # the server writes sessions
    url = f"sqlite:///{path}"
    chunk, rounds, warmup = context.size(5, 2), context.size(4, 2), context.size(2, 1)
    engine = make_engine(url)
    try:
        token = token_for(engine, SECRETARIAT)
        seen = viewer(engine, SECRETARIAT)
        filters = issue_reads.ProblemFilter(limit=LIST_LIMIT)
        found: dict[str, Any] = {}
        with serving(url, workdir=context.workdir, name="web_list") as server, \
                api_client(server.base_url, token) as client:

            def http(n: int) -> None:
                body = answered(client.get("/api/problems", params={"limit": LIST_LIMIT}), 200,
                                "GET /api/problems").json()
                found.setdefault("http", (len(body["items"]), body["total"]))

            def local(n: int) -> None:
                page = issue_reads.problem_page(UnitOfWork(engine, write=False), today=TODAY, filters=filters,
                                                viewer=seen)
                found.setdefault("local", (len(page.items), page.total))

            times = alternate(http, local, chunk=chunk, rounds=rounds, warmup=warmup)
    finally:
        engine.dispose()
    if found.get("http") != found.get("local"):
        raise RuntimeError(f"the API and the service disagree: (items, total) {found}")
    return [latency_measure(
        "web_list", f"GET /api/problems?limit={LIST_LIMIT} (the secretariat's token: every problem, with the "
        f"total) from `coord web` (uvicorn, 1 worker) over {district.built.problems:,} open problems",
        f"issue_reads.problem_page(ProblemFilter(limit={LIST_LIMIT}), viewer=the secretariat) in process, same file",
        times, 2.0,
        details={"chunk": chunk, "rounds": rounds, "warmup": warmup, "items": found["http"][0],
                 "total": found["http"][1], "dataset": _dataset_details(district), "http_raw_ms": ms(times["http"]),
                 "in_process_raw_ms": ms(times["local"])})]


FIGURES: tuple[Figure, ...] = (
    Figure("web_action", "an action over HTTP vs in process", web_action, ("sqlite", "postgresql")),
    Figure("web_page", "a problem's page over HTTP vs in process", web_page, ("sqlite", "postgresql")),
    Figure("web_list", "the problem list over HTTP vs in process, 100,000 problems", web_list),
)
