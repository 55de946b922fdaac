"""A real browser on the real coord web server: Debian's chromium, headless, driven by Playwright (sync API).

The browser is Debian's `chromium` package (bash .ci/test installs it when missing), never one Playwright
downloads: there is no `playwright install` here. One browser runs for this package; each test gets
a fresh phone-sized context (its own cookies), over the `web` server of tests/web/conftest.py, so the
browser tests run once per back end like the other web tests. Without chromium the tests fail (never skip).

With COORD_SCREENSHOTS naming a directory, the tests also save full-page PNGs there for the README
(todo.png, problem.png, queue.png): `COORD_SCREENSHOTS=docs/screenshots pytest tests/browser`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.web.conftest import web  # noqa: F401  (the server fixture, shared with tests/web)

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS_VARIABLE = "COORD_SCREENSHOTS"
# Headless on a server as root, with nothing reaching out to the internet on its own.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
# An ordinary phone (the size of an iPhone 12–15), in Chinese, as the district's staff use it.
PHONE = {
    "viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
    "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
}
TIMEOUT_MS = 15_000  # for a step and for an expectation: generous on a busy CI machine
expect.set_options(timeout=TIMEOUT_MS)


def chromium_path() -> str:
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if not found:
        pytest.fail(
            f"Debian's chromium is missing ({CHROMIUM}, nor `chromium` on PATH): the browser tests need it. "
            "Install it with `apt-get install -y --no-install-recommends chromium` (bash .ci/test does); "
            "Playwright's downloaded browsers are not used.", pytrace=False)
    return found


# Package scope, not session: while Playwright's sync driver lives, its event loop counts as running in
# the main thread, and Prefect's sync calls in later tests would return coroutines instead of results.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """One headless chromium for the browser tests."""
    browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    """A page in a fresh phone-sized context; on failure, prints where the page was and what it showed."""
    context = chromium.new_context(**PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        try:
            print(f"last page: {page.url}\n{page.locator('body').inner_text(timeout=2_000)[:3_000]}")
        except Exception as unreadable:  # a closed or crashed page: say so, never hide the test's own failure
            print(f"last page: {page.url} (unreadable: {unreadable})")
        context.close()


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """`screenshot(page, "todo.png")`: a full-page PNG in $COORD_SCREENSHOTS, when it is set (else nothing)."""
    folder = os.environ.get(SCREENSHOTS_VARIABLE)

    def take(page: Page, name: str) -> None:
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        # CSS pixels (390 wide): sharp enough for the README, and a few tens of KB.
        page.screenshot(path=str(Path(folder) / name), full_page=True, scale="css", animations="disabled")

    return take
