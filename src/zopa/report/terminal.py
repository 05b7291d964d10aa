"""Rich terminal rendering of analysis results."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from zopa.engine.board import Board
from zopa.problem import Problem

STANCE = {"agreed": "agreed", "open": "open", "rejected": "REJECTED", None: "·"}


def _date(board: Board) -> str:
    return board.as_of.isoformat() if board.as_of else "any date (all red lines in force)"


def render_board(console: Console, problem: Problem, board: Board) -> None:
    """The status board: one row per point of the draft."""
    s = problem.scenario
    console.print(f"[bold]{s.title or s.id}[/bold]")
    if board.draft:
        console.print(
            f"Draft: [bold]{board.title or board.draft}[/bold] ({board.draft}), "
            f"as of {_date(board)}"
        )
    else:
        console.print(f"No draft; as of {_date(board)}")
    table = Table(show_lines=False, pad_edge=False, expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Point")
    table.add_column("Draft says")
    for party in problem.parties:
        table.add_column(party.id, no_wrap=True)
    table.add_column("Red lines violated")
    for row in board.rows:
        table.add_row(
            str(row.point) if row.point is not None else "",
            row.title,
            row.option_label or "(not addressed)",
            *[STANCE.get(row.positions.get(p.id), "·") for p in problem.parties],
            ", ".join(row.violated),
        )
    console.print(table)
    violated = [r for r in board.red_lines if r.status == "violated"]
    if violated:
        console.print("[bold]Red lines this draft violates[/bold]")
        for r in violated:
            veto = "" if r.veto else " (no veto: an objection)"
            console.print(f"  {r.id} ({r.party}{veto}): {r.text}")
    undetermined = [r for r in board.red_lines if r.status == "undetermined"]
    if undetermined:
        console.print(
            f"{len(undetermined)} red line(s) depend on points the draft leaves open: "
            + ", ".join(r.id for r in undetermined)
        )


def plain(value: Any) -> str:
    return "" if value is None else str(value)
