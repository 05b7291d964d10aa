"""Playwright driving Debian's Chromium (/usr/bin/chromium), for the browser tests.

`make test` installs Chromium when it is missing (`make system-deps`); browser
tests are never skipped.  The fixtures ``browser``, ``page`` and ``phone`` are
in ``tests/conftest.py``; this module has what they and the tests share:
the two window sizes, the offline and no-script-error checks, screenshots
(artifacts/screenshots/) and :func:`assert_fits`, the check that a page is
usable at its width.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@contextlib.contextmanager
def launch() -> Iterator[Any]:
    """One headless Chromium (and the Playwright driver behind it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def checked_page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    """A page in a fresh context; afterwards, nothing but this machine was requested
    (and data: / blob: URLs) and no script raised an error."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()
    hosts = {urlparse(u).hostname for u in requested if urlparse(u).scheme in ("http", "https")}
    assert hosts <= LOOPBACK, hosts
    assert not errors, errors


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_fits(page: Any, *selectors: str) -> None:
    """The page does not scroll sideways at its width, and each selector's first match is
    visible and inside the window (a control cut off at the edge cannot be used)."""
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: the page is {scroll} px wide in a {width} px window"
    for selector in selectors:
        element = page.locator(selector).first
        assert element.is_visible(), f"{page.url}: {selector} is not visible"
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0, selector
        assert box["x"] + box["width"] <= width + 0.5, (
            f"{page.url}: {selector} ends at {box['x'] + box['width']:.0f} px, "
            f"past the {width} px window"
        )
