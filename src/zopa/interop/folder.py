"""Recognise a folder holding a GENIUS or GeniusWeb negotiation and import it.

A GENIUS folder holds one domain XML (root ``<negotiation_template>``) and one
or more profile XMLs (root ``<utility_space>``); other XML files (tournament
settings, GENIUS's ``pareto.xml`` frontier, which is not XML at all) are
skipped.  Files are told apart by content, not by name.  A GeniusWeb folder
holds one JSON domain (with ``issuesValues``) and JSON profiles.  Profiles
become parties in natural file-name order (``util2`` before ``util10``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from zopa.interop.build import Imported
from zopa.parse import Diagnostic, ScenarioError


def natural_key(path: Path) -> tuple[list[int | str], str]:
    """Sort key: numbers in the stem by value (``util2`` before ``util10``), then the suffix."""
    parts = [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.stem)]
    return parts, path.suffix.lower()


def _files(folder: Path, suffix: str) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == suffix),
        key=natural_key,
    )


def genius_files(folder: Path) -> tuple[Path, list[Path]] | None:
    """(domain, profiles) of a GENIUS folder, or None when it holds no domain XML."""
    from zopa.interop.genius import root_kind
    from zopa.interop.xmlfile import read_xml

    domains: list[Path] = []
    profiles: list[Path] = []
    for path in _files(folder, ".xml"):
        try:
            kind = root_kind(read_xml(path))
        except ScenarioError:
            if path.name.lower() == "pareto.xml":
                continue  # GENIUS's reference frontier: "u1, u2" lines, not XML
            raise
        if kind == "domain":
            domains.append(path)
        elif kind == "profile":
            profiles.append(path)
    if not domains:
        return None
    if len(domains) > 1:
        names = ", ".join(p.name for p in domains)
        raise ScenarioError(
            [
                Diagnostic(
                    str(folder),
                    1,
                    1,
                    f"the folder has several GENIUS domains: {names}; "
                    "import one with `zopa import genius DOMAIN PROFILE...`",
                )
            ]
        )
    if not profiles:
        raise ScenarioError(
            [Diagnostic(str(domains[0]), 1, 1, "no GENIUS profile (<utility_space>) beside it")]
        )
    return domains[0], profiles


def geniusweb_files(folder: Path) -> tuple[Path, list[Path]] | None:
    """(domain, profiles) of a GeniusWeb folder, or None when it holds no JSON domain."""
    from zopa.fileio import read_bounded
    from zopa.interop.geniusweb import MAX_JSON_BYTES

    domains: list[Path] = []
    profiles: list[Path] = []
    for path in _files(folder, ".json"):
        try:
            data = json.loads(read_bounded(path, MAX_JSON_BYTES).decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            continue  # reported properly only if it was meant to be read
        if isinstance(data, dict) and "issuesValues" in data:
            domains.append(path)
        elif isinstance(data, dict) and any(k.endswith(("UtilitySpace", "Ordering")) for k in data):
            profiles.append(path)
    if len(domains) != 1 or not profiles:
        return None
    return domains[0], profiles


def load_folder(folder: Path) -> Imported:
    """Import a GENIUS (preferred) or GeniusWeb folder with the default semantics.

    A folder that :func:`zopa.fileio.replace_folder` had not finished writing
    (an export killed midway) is refused: it is not a smaller valid domain.
    """
    from zopa.fileio import INCOMPLETE, incomplete

    if incomplete(folder):
        message = (
            f"is a folder that zopa was still writing when it stopped ({INCOMPLETE} is in it); "
            "it is incomplete: export again"
        )
        raise ScenarioError([Diagnostic(str(folder), 1, 1, message)])
    found = genius_files(folder)
    if found is not None:
        from zopa.interop.genius import import_genius

        return import_genius(found[0], found[1], scenario_id=folder.resolve().name)
    found = geniusweb_files(folder)
    if found is not None:
        from zopa.interop.geniusweb import import_geniusweb

        return import_geniusweb(found[0], found[1], scenario_id=folder.resolve().name)
    raise ScenarioError(
        [
            Diagnostic(
                str(folder),
                1,
                1,
                "is a folder without a GENIUS domain XML or a GeniusWeb domain JSON "
                "(and profiles); give a scenario file",
            )
        ]
    )
