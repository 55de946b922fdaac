"""Regenerate the README's web screenshots from the demo district, in a real browser.

    .venv/bin/python docs/screenshots.py [--out docs/screenshots]

Builds the demo district (`coord demo`, about 25 s) in a temporary COORD_HOME at a fixed clock
(COORD_NOW=2026-11-30T10:00:00+08:00), serves it with `coord web` on a free port of 127.0.0.1, signs in
through the login page (demo password `coord-demo`) with Debian's chromium driven by Playwright (launched
as tests/browser/conftest.py does), and writes PNGs. The server and the temporary directory go away
whatever happens. Chinese text needs a CJK font: `apt-get install -y fonts-wqy-microhei`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
COORD = str(ROOT / ".venv" / "bin" / "coord")
NOW = "2026-11-30T10:00:00+08:00"
PASSWORD = "coord-demo"
SECRETARIAT, HANDLER, LEADER = "wang.mishu", "zhao.jingban", "chen.fuquzhang"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as tests/browser/conftest.py: headless as root, nothing reaching out on its own
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
LOCALE: dict[str, Any] = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, **LOCALE}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
                         "is_mobile": True, "has_touch": True, **LOCALE}
MAX_BYTES = 400_000
CLIP_HEIGHT = 1600  # CSS pixels: a page whose full PNG is too big keeps its top only
TIMEOUT_MS = 15_000


def coord_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COORD_DATABASE_URL", "COORD_USER")}
    return {**env, "COORD_HOME": str(home), "COORD_NOW": NOW, "COORD_LANG": "zh"}


def coord_json(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run([COORD, *args, "--json"], env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"coord web exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"coord web did not answer at {url} within {seconds:.0f} s")


def pick_problem(env: dict[str, str]) -> str:
    """The most urgent open problem at L3 (else L2), the handler's own unit's first: both people open it."""
    people = coord_json(env, "person", "list")
    unit = next(p["unit"] for p in people if p["handle"] == HANDLER)
    queue = [row for row in coord_json(env, "queue", "--limit", "50")
             if row["level"] in (2, 3) and row["state"] in ("assigned", "in_progress")]
    if not queue:
        raise RuntimeError("the demo's queue has no open problem at L2 or L3")
    return str(min(queue, key=lambda row: (row["lead_unit"] != unit, -row["level"]))["id"])


def pick_meeting(env: dict[str, str]) -> tuple[str, int]:
    """The closed task-force meeting with the most decided agenda items (latest first on a tie)."""
    meetings = coord_json(env, "meeting", "list", "--kind", "task-force", "--state", "closed")
    if not meetings:
        raise RuntimeError("the demo has no closed task-force meeting")
    best = max(reversed(meetings), key=lambda m: (len(m["decisions"]), m["date"]))
    return str(best["id"]), int(best["date"][:4])


def save(page: Page, path: Path) -> None:
    """A full-page PNG; clipped to its first CLIP_HEIGHT CSS pixels when the whole would be too big."""
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    if path.stat().st_size > MAX_BYTES:
        width = page.viewport_size["width"] if page.viewport_size else 1280
        page.screenshot(path=str(path), full_page=True, animations="disabled",
                        clip={"x": 0, "y": 0, "width": width, "height": CLIP_HEIGHT})


class Session:
    """One person signed in through the real login page, in a fresh browser context."""

    def __init__(self, browser: Browser, base: str, handle: str, device: dict[str, Any]) -> None:
        self.base = base
        self.context = browser.new_context(**device)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.page.goto(f"{base}/login")
        form = self.page.locator('form[action="/login"]')
        form.locator('input[name="handle"]').fill(handle)
        form.locator('input[name="password"]').fill(PASSWORD)
        form.locator('button[type="submit"]').click()
        expect(self.page).to_have_url(f"{base}/", timeout=TIMEOUT_MS)

    def shot(self, path: str, target: Path, *, element: str | None = None) -> Path:
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")
        if element is not None:
            self.page.locator(element).screenshot(path=str(target), animations="disabled")
        else:
            save(self.page, target)
        return target

    def close(self) -> None:
        self.context.close()


def take(base: str, out: Path, problem: str, meeting: str, year: int) -> list[Path]:
    written: list[Path] = []
    chromium = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if not chromium:
        raise RuntimeError("Debian's chromium is missing: apt-get install -y --no-install-recommends chromium")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            plan: list[tuple[str, dict[str, Any], list[tuple[str, str, str | None]]]] = [
                (SECRETARIAT, DESKTOP, [
                    ("/dashboard", "web-dashboard.png", None),
                    ("/queue", "web-queue.png", None),
                    (f"/problems/{problem}", "web-problem.png", None),
                    (f"/meetings?year={year}", "web-meeting.png", f"section#{meeting}"),
                ]),
                (HANDLER, DESKTOP, [("/", "web-todo.png", None)]),
                (LEADER, DESKTOP, [("/", "web-leader.png", None)]),
                (HANDLER, PHONE, [(f"/problems/{problem}", "web-problem-phone.png", None)]),
            ]
            for handle, device, pages in plan:
                session = Session(browser, base, handle, device)
                try:
                    written += [session.shot(path, out / name, element=element) for path, name, element in pages]
                finally:
                    session.close()
        finally:
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill too runs the clean-up below
    home = Path(tempfile.mkdtemp(prefix="coord-screenshots-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        env = coord_env(home)
        print("building the demo district (about 25 s)…", flush=True)
        built = subprocess.run([COORD, "demo"], env=env, capture_output=True, text=True)
        if built.returncode:
            raise RuntimeError(f"coord demo failed ({built.returncode}):\n{built.stderr}{built.stdout}")
        problem, (meeting, year) = pick_problem(env), pick_meeting(env)
        port = free_port()
        server = subprocess.Popen([COORD, "web", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/login", server)
        print(f"problem {problem}, meeting {meeting}; serving at {base}", flush=True)
        for path in take(base, out, problem, meeting, year):
            print(f"{path}  {path.stat().st_size // 1024} KB")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
