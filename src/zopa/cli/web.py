"""``zopa serve``: the web app (:mod:`zopa.web`), in your browser."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import UsageError


def serve(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SCENARIO...]",
            help="Scenario files to open (read-only; saves go to the workspace).",
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to bind; keep 127.0.0.1 unless you mean to share."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            metavar="DIR",
            help="Folder for your scenarios (default: workspace/ in your data folder).",
        ),
    ] = None,
) -> None:
    """The web app, in your browser.

    The board, why no deal, what-if changes, the deal space and an editor,
    served on 127.0.0.1; it loads nothing from the internet.

    \b
    Example:
      zopa serve talks.yaml --port 8080
    """
    from pathlib import Path

    common.need_extra("web", "zopa serve")
    from zopa.web.app import Settings
    from zopa.web.app import serve as run
    from zopa.web.workspace import default_workspace

    opened = []
    for ref in scenarios or []:
        path = Path(ref)
        if not path.is_file():
            raise UsageError(f"{ref}: no such scenario file")
        common.load(ref)  # a broken file is reported now, with its line and column
        opened.append(path)
    if not 0 < port < 65536:
        raise UsageError("--port: give a number from 1 to 65535")
    folder = Path(workspace) if workspace else default_workspace()
    settings = Settings(workspace=folder, opened=opened, host=host)
    typer.echo(f"zopa: serving on http://{_url_host(host)}:{port}/ (workspace: {folder})", err=True)
    run(settings, port=port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
