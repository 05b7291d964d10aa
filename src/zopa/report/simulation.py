"""Terminal reports of ``zopa simulate`` and ``zopa tournament`` (from their JSON documents)."""

from __future__ import annotations

from typing import Any

SHOWN = 12  # trace rows kept at each end of a long trace


def _u(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def render_simulation(console: Any, doc: dict[str, Any]) -> None:
    """The trace (shortened when long), the outcome and the metrics."""
    from rich.table import Table

    params = doc["parameters"]
    as_of = f" as of {doc['as_of']}" if doc["as_of"] else ""
    extra = f", mediator {params['mediator']}" if params.get("mediator") else ""
    console.print(
        f"{doc['scenario']}{as_of}: {doc['protocol']} protocol, {params['rounds']} rounds, "
        f"seed {params['seed']}{extra}"
    )
    console.print("Strategies: " + "; ".join(f"{p} {s}" for p, s in doc["strategies"].items()))
    parties = list(doc["strategies"])
    trace = doc["trace"]
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("round", justify="right")
    table.add_column("proposer")
    for p in parties:
        table.add_column(p, justify="right")
    table.add_column("accepted by")
    rows = trace if len(trace) <= 2 * SHOWN else [*trace[:SHOWN], None, *trace[-SHOWN:]]
    for step in rows:
        if step is None:
            table.add_row("…", "…", *["…"] * len(parties), "…")
            continue
        yes = [q for q, a in step["responses"].items() if a == "accept"]
        table.add_row(
            str(step["round"]),
            step["proposer"],
            *[_u(step["utilities"][p]) for p in parties],
            ", ".join(yes) or "—",
        )
    if trace:
        console.print(table)
    if len(trace) > 2 * SHOWN:
        console.print(
            f"({len(trace) - 2 * SHOWN} proposals not shown; --json gives the full trace)"
        )
    if doc["outcome"] == "agreement":
        console.print(f"Agreement in round {doc['round']}: {doc['reason']}")
        for issue, option in doc["agreement"].items():
            console.print(f"  {issue}: {option}")
    else:
        console.print(f"Breakdown after round {doc['round']}: {doc['reason']}")
    _render_metrics(console, doc["metrics"])


def _render_metrics(console: Any, m: dict[str, Any]) -> None:
    from rich.table import Table

    nash = m.get("nash") or {}
    table = Table(show_edge=False, pad_edge=False, title="Outcome per party")
    for name in ("party", "utility", "reservation", "gain", "at Nash point"):
        table.add_column(name, justify="left" if name == "party" else "right")
    for p, u in m["utilities"].items():
        table.add_row(
            p,
            _u(u),
            _u(m["reservations"][p]),
            f"{m['gains'][p]:+.3f}",
            _u(nash.get("utilities", {}).get(p)),
        )
    console.print(table)
    if not m["feasible"]:
        console.print(
            "No package is acceptable to every veto party (see `zopa blockers`): "
            "there is no frontier or Nash point to compare with."
        )
        return
    pareto = m.get("pareto") or {}
    if pareto.get("gap") is not None:
        note = "" if pareto["complete"] else " (frontier incomplete: a lower bound)"
        console.print(
            f"Pareto gap {pareto['gap']:.3f} (every veto party could gain this much at once)"
            f"{note}; distance to the frontier {pareto['distance']:.3f}"
        )
    if nash:
        ratio = nash["product_ratio"]
        console.print(
            f"Distance to the Nash point {nash['distance']:.3f}; Nash product "
            + ("—" if ratio is None else f"{ratio:.1%} of the optimum")
        )


def render_tournament(console: Any, doc: dict[str, Any]) -> None:
    """The ranked table of strategies."""
    from rich.table import Table

    params = doc["parameters"]
    console.print(
        f"Tournament on {', '.join(doc['scenarios'])}: {doc['runs']} runs "
        f"({doc['protocol']} protocol, {params['rounds']} rounds, {params['repeats']} repeat(s), "
        f"seed {params['seed']})"
    )
    table = Table(show_edge=False, pad_edge=False)
    for name in ("rank", "strategy", "seats", "deals", "utility", "gain", "to Nash", "round"):
        table.add_column(name, justify="left" if name == "strategy" else "right")
    for row in doc["ranking"]:
        rate = row["agreement_rate"]
        table.add_row(
            str(row["rank"]),
            row["strategy"],
            str(row["seats"]),
            "—" if rate is None else f"{rate:.0%}",
            _u(row["mean_utility"]),
            "—" if row["mean_gain"] is None else f"{row['mean_gain']:+.3f}",
            _u(row["mean_distance_to_nash"]),
            "—" if row["mean_agreement_round"] is None else f"{row['mean_agreement_round']:.1f}",
        )
    console.print(table)
    console.print(
        "deals: share of seats in runs that ended in agreement; utility, gain (over the "
        "reservation), distance to the Nash point: means over seats; round: mean round of agreement"
    )
    if all(row["mean_distance_to_nash"] is None for row in doc["ranking"]):
        console.print("No scenario has a package every veto party accepts: no Nash point.")
