"""``zopa import`` and ``zopa export``: GENIUS and GeniusWeb files (:mod:`zopa.interop`)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from zopa.cli import common
from zopa.cli.common import EXIT_INVALID, ScenarioArg, UsageError

OutputOpt = Annotated[
    str | None,
    typer.Option("-o", "--output", metavar="FILE", help="Write here (default: print it)."),
]


ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace FILE if it exists (never an input).")
]


def _emit_import(imported: Any, output: str | None, force: bool) -> None:
    """Warnings on stderr; the YAML on stdout, or written atomically to ``output``."""
    from pathlib import Path

    from zopa.fileio import write_atomic

    for warning in imported.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if output is None:
        sys.stdout.write(imported.text)
        return
    try:
        write_atomic(Path(output), imported.text, overwrite=force)
    except FileExistsError:  # it appeared while the files were read
        raise UsageError(f"-o: {output} exists; give --force to replace it") from None
    s = imported.scenario
    typer.echo(f"wrote {output}: {len(s.issues)} issues, {len(s.parties)} parties", err=True)


def import_genius_cmd(
    domain: Annotated[str, typer.Argument(metavar="DOMAIN.xml", help="The GENIUS domain.")],
    profiles: Annotated[
        list[str], typer.Argument(metavar="PROFILE.xml...", help="One profile per party.")
    ],
    output: OutputOpt = None,
    semantics: Annotated[
        str,
        typer.Option(
            "--semantics", help="genius (GENIUS 10.4, default) or negmas (NegMAS 0.16's reading)."
        ),
    ] = "genius",
    real_steps: Annotated[
        int, typer.Option("--real-steps", help="Grid points per real issue (GENIUS uses 21).")
    ] = 21,
    force: ForceOpt = False,
) -> None:
    """Import a GENIUS domain and its profiles.

    The domain XML and one profile per party become one zopa/1 scenario,
    with GENIUS 10.4's semantics (or NegMAS 0.16's, with --semantics negmas).

    \b
    Example:
      zopa import genius domain.xml buyer.xml seller.xml -o market.yaml
    """
    from pathlib import Path

    from zopa.interop.genius import import_genius
    from zopa.interop.semantics import SEMANTICS

    if semantics not in SEMANTICS:
        raise UsageError(f"--semantics: {semantics!r} is not one of {', '.join(SEMANTICS)}")
    if not 2 <= real_steps <= 10_000:
        raise UsageError("--real-steps: give a number of grid points from 2 to 10000")
    if output is not None:
        common.check_output("-o", output, force, [domain, *profiles])
    chosen = next(s for s in SEMANTICS if s == semantics)  # the Literal type, checked
    imported = import_genius(Path(domain), [Path(p) for p in profiles], chosen, real_steps)
    _emit_import(imported, output, force)


def import_geniusweb_cmd(
    domain: Annotated[str, typer.Argument(metavar="DOMAIN.json", help="The GeniusWeb domain.")],
    profiles: Annotated[
        list[str], typer.Argument(metavar="PROFILE.json...", help="One profile per party.")
    ],
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Import a GeniusWeb domain and its profiles.

    The domain JSON and one profile per party become one zopa/1 scenario.

    \b
    Example:
      zopa import geniusweb domain.json alice.json bob.json -o web.yaml
    """
    from pathlib import Path

    from zopa.interop.geniusweb import import_geniusweb

    if output is not None:
        common.check_output("-o", output, force, [domain, *profiles])
    _emit_import(import_geniusweb(Path(domain), [Path(p) for p in profiles]), output, force)


def export_genius_cmd(
    scenario: ScenarioArg = None,
    output: Annotated[
        str, typer.Option("-o", "--output", metavar="FOLDER", help="The folder to write into.")
    ] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Replace the GENIUS files already in FOLDER.")
    ] = False,
) -> None:
    """Export a scenario as a GENIUS domain and profiles.

    One profile per party; red lines cannot be expressed in GENIUS and are
    listed, not kept. FOLDER must be new or empty, unless --force replaces the
    GENIUS files in it.

    \b
    Example:
      zopa export genius ukraine-2025 -o genius-folder
    """
    from pathlib import Path

    from zopa.interop.genius import ExportError, export_genius

    if not output:
        raise UsageError("export genius: give the output folder with -o FOLDER")
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o: {output} exists and is not a folder")
    if common.inside(folder, scenario):
        raise UsageError(f"-o: {output} holds the scenario being exported; export elsewhere")
    try:
        from zopa.fileio import check_writable

        check_writable(folder.absolute().parent / f".{folder.name}")  # written beside, swapped in
    except OSError as err:
        raise UsageError(f"-o: cannot write {output}: {common.unwritable(err)}") from None
    try:
        report = export_genius(common.load(scenario), folder, force)
    except ExportError as err:
        typer.echo(f"zopa: error: {err}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    for path in report.files:
        typer.echo(f"wrote {path}")
    if report.red_lines:
        typer.echo(
            f"warning: GENIUS cannot express red lines; {len(report.red_lines)} not exported:",
            err=True,
        )
        for line in report.red_lines:
            typer.echo(f"  {line}", err=True)
    for note in report.notes:
        typer.echo(f"warning: {note}", err=True)
