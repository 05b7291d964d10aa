"""Load a scenario: a file (YAML or JSON), a built-in id, or a GENIUS / GeniusWeb folder.

This is the front door of the loading layer.  A scenario file is read and
validated by :mod:`zopa.parse` (``FILE:LINE:COL: message`` for every problem);
a folder holding a GENIUS (or GeniusWeb) domain and its profiles is imported
by :mod:`zopa.interop.folder`.  The names of :mod:`zopa.parse` that callers
use are re-exported here, so ``zopa.load`` is the one module to import.
"""

from __future__ import annotations

from pathlib import Path

from zopa.model import Scenario
from zopa.parse import (
    DEFAULT_SCENARIO,
    MAX_FILE_BYTES,
    MAX_NODES,
    Diagnostic,
    Locator,
    ScenarioError,
    builtin_ids,
    builtin_path,
    display_name,
    parse_scenario,
    read_text,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Diagnostic",
    "Locator",
    "ScenarioError",
    "builtin_ids",
    "builtin_path",
    "display_name",
    "load_scenario",
    "parse_scenario",
    "read_text",
    "resolve",
]


def resolve(ref: str | None) -> Path:
    """The file behind a scenario argument: a path, a built-in id, or the default."""
    if ref is None:
        return builtin_path(DEFAULT_SCENARIO)
    path = Path(ref)
    if path.exists():
        return path
    if ref in builtin_ids():
        return builtin_path(ref)
    raise ScenarioError(
        [
            Diagnostic(
                ref,
                1,
                1,
                "no such file or built-in scenario (built-in: " + ", ".join(builtin_ids()) + ")",
            )
        ]
    )


def load_scenario(ref: str | Path | None = None) -> Scenario:
    """Load and validate a scenario from a path or built-in id (default: ``ukraine-2025``).

    A folder holding a GENIUS (or GeniusWeb) domain and its profiles is imported
    with GENIUS semantics (:mod:`zopa.interop.folder`); the importer's warnings
    are issued as :class:`zopa.interop.InteropWarning` (see :mod:`warnings`).
    """
    path = resolve(str(ref) if ref is not None else None)
    if path.is_dir():
        import warnings

        from zopa.interop import InteropWarning
        from zopa.interop.folder import load_folder

        imported = load_folder(path)
        for message in imported.warnings:
            warnings.warn(message, InteropWarning, stacklevel=2)
        return imported.scenario
    return parse_scenario(read_text(path), display_name(path))
