"""Small CSV tables with the position of every cell, for ``FILE:LINE:COL`` messages.

Published fair-division and forecasting cases come as tables (an Adjusted
Winner points table, an actor table of capability, position and salience).
This module reads such a table into rows of :class:`Cell` objects that know
their 1-based line and column, and parses numbers *exactly* (``0.1`` is 1/10),
so that a bad cell is reported as ``FILE:LINE:COL: message`` like a bad
scenario file (:class:`zopa.load.ScenarioError`, exit code 1).

The dialect is plain RFC 4180 restricted to one record per line: cells are
separated by commas, a cell may be quoted with ``"`` (``""`` inside quotes is a
quote), surrounding spaces are ignored, blank lines are skipped.  A quoted cell
may not span lines; nothing is ever evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from zopa.load import Diagnostic, ScenarioError, display_name, read_text

MAX_EXPONENT = 400  # far beyond any real quantity; keeps exact numbers small


@dataclass(frozen=True)
class Cell:
    """One cell's text (quotes removed, spaces trimmed) and where it starts."""

    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Table:
    """A header row and data rows, read from ``name``."""

    name: str
    header: list[Cell]
    rows: list[list[Cell]]

    def error(self, cell: Cell, message: str) -> ScenarioError:
        return ScenarioError([Diagnostic(self.name, cell.line, cell.column, message)])

    def number(self, cell: Cell, what: str, low: Fraction | None = None) -> Fraction:
        """The exact number in ``cell``, at least ``low`` if given."""
        value = parse_number(cell.text)
        if value is None:
            shown = repr(cell.text) if cell.text else "an empty cell"
            raise self.error(cell, f"{what}: expected a number, got {shown}")
        if low is not None and value < low:
            raise self.error(cell, f"{what}: {cell.text} is below {low}")
        return value


def read_table(path: str | Path) -> Table:
    """Read a CSV table; every row must have as many cells as the header."""
    path = Path(path)
    name = display_name(path)
    lines = read_text(path).splitlines()
    records = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not records:
        raise ScenarioError([Diagnostic(name, 1, 1, "the table is empty")])
    parsed = [_split(name, n, line) for n, line in records]
    header, rows = parsed[0], parsed[1:]
    for row in rows:
        if len(row) != len(header):
            # point at the first extra cell, or at the last cell of a short row
            where = row[len(header)] if len(row) > len(header) else row[-1]
            raise ScenarioError(
                [
                    Diagnostic(
                        name,
                        where.line,
                        where.column,
                        f"this row has {len(row)} cells but the header has {len(header)}",
                    )
                ]
            )
    return Table(name, header, rows)


def parse_number(text: str) -> Fraction | None:
    """An exact rational from decimal text (``12``, ``-0.5``, ``1e3``, ``800_000``), else None."""
    cleaned = text.strip().replace("_", "")
    if not cleaned:
        return None
    exponent = re.search(r"[eE]([+-]?\d+)$", cleaned)
    if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
        return None  # 1e100000000 would build a gigantic integer
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        return None


def _split(name: str, line_no: int, line: str) -> list[Cell]:
    """Cells of one CSV record, each with its 1-based starting column."""
    cells: list[Cell] = []
    pos = 0
    while True:
        while pos < len(line) and line[pos] in " \t":
            pos += 1
        start = pos
        if pos < len(line) and line[pos] == '"':
            text, pos = _quoted(name, line_no, line, pos)
            while pos < len(line) and line[pos] in " \t":
                pos += 1
            if pos < len(line) and line[pos] != ",":
                raise ScenarioError(
                    [Diagnostic(name, line_no, pos + 1, "unexpected text after a quoted cell")]
                )
        else:
            end = line.find(",", pos)
            end = len(line) if end < 0 else end
            text = line[pos:end].strip()
            if '"' in text:
                col = pos + line[pos:end].index('"') + 1
                raise ScenarioError(
                    [Diagnostic(name, line_no, col, "a quote inside an unquoted cell")]
                )
            pos = end
        cells.append(Cell(text, line_no, start + 1))
        if pos >= len(line):
            return cells
        pos += 1  # the comma


def _quoted(name: str, line_no: int, line: str, pos: int) -> tuple[str, int]:
    """The text of the quoted cell opening at ``pos`` and the position after it."""
    out: list[str] = []
    k = pos + 1
    while k < len(line):
        if line[k] == '"':
            if k + 1 < len(line) and line[k + 1] == '"':
                out.append('"')
                k += 2
                continue
            return "".join(out).strip(), k + 1
        out.append(line[k])
        k += 1
    raise ScenarioError([Diagnostic(name, line_no, pos + 1, "unclosed quote in this cell")])
