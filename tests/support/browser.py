"""Debian's Chromium driven by Playwright, shared by the browser tests.

The fixtures are registered once, in ``tests/conftest.py``; a test asks for
``chromium_page`` (or ``chromium_browser``) as a test argument. The fixtures
are registered under those names, so an argument never shadows an imported name.

Playwright never downloads a browser here: ``/usr/bin/chromium`` comes from apt
(``make browsers``). Each test gets a fresh context, so pages share no state.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def launch_chromium(playwright: Playwright) -> Browser:
    """Start headless Debian Chromium; fail (not skip) with the fix if it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install it with `make browsers` (apt chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
    )


@pytest.fixture(scope="session", name="chromium_browser")
def chromium_browser_fixture() -> Iterator[Browser]:
    """One Chromium for the whole test session."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(name="chromium_page")
def chromium_page_fixture(chromium_browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, cache or storage from other tests)."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()
