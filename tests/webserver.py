"""A real zopa web server for tests: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from zopa.web.app import Settings, create_app

DATA = Path(__file__).parent / "data"
VALLEY = Path(__file__).parent.parent / "docs" / "how-to" / "find-bridging-formulas.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(tmp: Path, **settings: object) -> Iterator[str]:
    """Serve a fresh workspace (plus tests/data/example.yaml and the bridging how-to's
    scenario, as ``valley``, opened) and yield the base URL."""
    opened = tmp / "opened"
    opened.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "example.yaml", opened / "example.yaml")
    shutil.copy(VALLEY, opened / "valley.yaml")
    files = [opened / "example.yaml", opened / "valley.yaml"]
    app = create_app(
        Settings(workspace=tmp / "workspace", opened=files, **settings)  # type: ignore[arg-type]
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.jobs.shutdown()
