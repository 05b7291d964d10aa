"""Fixtures every test module may use.

The expensive things are made once per test process (``make test`` runs the
suite in parallel with pytest-xdist, one process per core):

* ``browser`` — one headless Chromium, shared by every browser test of the
  process; each test gets a fresh context from ``page`` (1280 × 900) or
  ``phone`` (390 × 844), which also check that the page requested nothing but
  the local server and raised no script error.  Browser tests carry
  ``pytestmark = pytest.mark.xdist_group("browser")`` so that ``--dist
  loadgroup`` sends them all to one process: one browser per run.

A web server is cheap (uvicorn in a thread, a fraction of a second): each
module starts its own with :func:`tests.webserver.running_server`, so what one
module saves never changes what another reads.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import DESKTOP, PHONE, checked_page, launch


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with launch() as b:
        yield b


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    with checked_page(browser, DESKTOP) as p:
        yield p


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    with checked_page(browser, PHONE) as p:
        yield p
