"""Terminal reports of ``zopa simulate`` and ``zopa tournament`` (from their JSON documents)."""

from __future__ import annotations

from typing import Any

from zopa.problem import Problem
from zopa.report import explain
from zopa.report.terminal import _table, say, show

SHOWN = 12  # trace rows kept at each end of a long trace
OPENING = 8  # a party's first proposal is listed in full up to this many issues


def _u(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def render_simulation(console: Any, doc: dict[str, Any], problem: Problem | None = None) -> None:
    """The trace (shortened when long), the outcome and the metrics.

    With ``problem`` (the simulated one), packages are written as every text
    output writes them (``Ceiling on armed forces: 800,000 personnel``);
    without it, as issue and option ids.
    """

    params = doc["parameters"]
    as_of = f" as of {doc['as_of']}" if doc["as_of"] else ""
    extra = f", mediator {_party(problem, params['mediator'])}" if params.get("mediator") else ""
    scenario = (problem.scenario.title or doc["scenario"]) if problem else doc["scenario"]
    say(
        console,
        f"{scenario}{as_of}: {doc['protocol']} protocol, {params['rounds']} rounds, "
        f"seed {params['seed']}{extra}",
        indent="  ",
        first="",
    )
    say(
        console,
        "Strategies: "
        + "; ".join(f"{_party(problem, p)} {s}" for p, s in doc["strategies"].items()),
        indent="  ",
        first="",
    )
    parties = list(doc["strategies"])
    heads = [_party(problem, p) for p in parties]
    table = _table("round", "proposer", *heads, "accepted by", right=("round", *heads))
    runs = _runs(doc["trace"])
    rows = runs if len(runs) <= 2 * SHOWN else [*runs[:SHOWN], None, *runs[-SHOWN:]]
    for run in rows:
        if run is None:
            table.add_row("…", "…", *["…"] * len(parties), "…")
            continue
        step, last = run
        yes = [_party(problem, q) for q, a in step["responses"].items() if a == "accept"]
        table.add_row(
            str(step["round"]) if last == step["round"] else f"{step['round']}–{last}",
            _party(problem, step["proposer"]),
            *[_u(step["utilities"][p]) for p in parties],
            ", ".join(yes) or "—",
        )
    if runs:
        show(console, table)
        _render_packages(console, doc["trace"], rows, problem)
    if len(runs) > 2 * SHOWN:
        hidden = sum(1 for step in doc["trace"] if step["round"] > 0) - _count(rows)
        console.print(f"({hidden} proposals not shown; --json gives the full trace)")
    objections = doc["trace"][-1].get("objections") if doc["trace"] else None
    if objections:
        console.print("Objections to the last text (red lines it breaks; issues wanted):")
        for party, o in objections.items():
            broken = ", ".join(o["red_lines"]) or "none"
            wanted = ", ".join(_issue(problem, i) for i in o["wants"]) or "nothing"
            who = _party(problem, party)
            say(console, f"{who}: {broken}; wants {wanted}", indent="    ", first="  ")
    if doc["outcome"] == "agreement":
        console.print(f"Agreement in round {doc['round']}: {doc['reason']}")
        for issue, option in doc["agreement"].items():
            say(console, _choice(problem, issue, option), indent="    ", first="  ")
    else:
        console.print(f"Breakdown after round {doc['round']}: {doc['reason']}")
    _render_dynamics(console, doc["metrics"], problem)
    _render_metrics(console, doc["metrics"], problem)


def package_changes(trace: list[dict[str, Any]], problem: Problem | None = None) -> list[str]:
    """Each proposal's package, compactly: the issues that differ from the same
    proposer's previous proposal, each as ``issue: option``; a first proposal in
    full up to ``OPENING`` issues (beyond, its size: ``--json`` lists it)."""
    last: dict[str, dict[str, Any]] = {}
    out = []
    for step in trace:
        package, before = step["package"], last.get(step["proposer"])
        if before is None:
            if len(package) > OPENING:
                out.append(f"first proposal, {len(package)} issues (--json lists them)")
            else:
                out.append(_pairs(package, problem))
        else:
            changed = {i: o for i, o in package.items() if before.get(i) != o}
            out.append(_pairs(changed, problem) if changed else "no change")
        last[step["proposer"]] = package
    return out


def _pairs(package: dict[str, Any], problem: Problem | None) -> str:
    return "; ".join(_choice(problem, issue, option) for issue, option in package.items())


def _choice(problem: Problem | None, issue: str, option: Any) -> str:
    """``Ceiling on armed forces: 800,000 personnel`` (ids and plain numbers without a problem)."""
    if problem is not None and issue in problem.issue_index:
        return explain.choice(problem, issue, option)
    return f"{issue}: {explain.quantity(option)}"


def _party(problem: Problem | None, party: str) -> str:
    """A party's display name (its id without a problem)."""
    if problem is not None and party in problem.party_index:
        return explain.party_name(problem, party)
    return party


def _issue(problem: Problem | None, issue: str) -> str:
    if problem is not None and issue in problem.issue_index:
        return explain.issue_title(problem, issue)
    return issue


def _render_packages(
    console: Any, trace: list[dict[str, Any]], rows: list[Any], problem: Problem | None
) -> None:
    """Under the table, the packages of its rows: each party's first proposal, then only
    the proposals that changed the package (the issues that changed)."""
    texts = package_changes(trace, problem)
    changes = {id(step): text for step, text in zip(trace, texts, strict=True)}
    say(
        console,
        "Packages: each party's first proposal, then what it changed (proposals that "
        "changed nothing are left out)",
    )
    rounds = [
        None
        if row is None
        else str(row[1])
        if row[1] == row[0]["round"]
        else f"{row[0]['round']}–{row[1]}"
        for row in rows
    ]
    width = max(len(r) for r in rounds if r is not None)
    for row, when in zip(rows, rounds, strict=True):
        if row is None or when is None:
            console.print("  " + "…".rjust(width))
        elif changes[id(row[0])] != "no change":
            lead = f"  {when.rjust(width)} "
            say(
                console,
                f"{_party(problem, row[0]['proposer'])}: {changes[id(row[0])]}",
                indent=" " * len(lead),
                first=lead,
            )


def _render_dynamics(console: Any, m: dict[str, Any], problem: Problem | None = None) -> None:
    """Who conceded first, and the proposal that came closest."""
    moves = sorted(
        m.get("concessions", {}).items(),
        key=lambda kv: (kv[1]["first_concession_round"] is None, kv[1]["first_concession_round"]),
    )
    if len(moves) > 1:  # a single negotiating text has one proposer
        console.print("Concessions (utility of its own first and last proposal, to itself):")
        for party, c in moves:
            when = c["first_concession_round"]
            start = f"first in round {when}" if when is not None else "never conceded"
            say(
                console,
                f"{_party(problem, party)}: {c['first']:.3f} -> {c['last']:.3f}, {start}",
                indent="    ",
                first="  ",
            )
    closest = m.get("closest")
    if m["feasible"] and closest and closest["rejected_by"]:
        accepted = ", ".join(_party(problem, p) for p in closest["accepted_by"])
        say(
            console,
            f"Closest: {_party(problem, closest['proposer'])}'s proposal in round "
            f"{closest['round']}, accepted by {accepted or 'no veto party'}; rejected by "
            + ", ".join(_party(problem, p) for p in closest["rejected_by"]),
        )


def _render_metrics(console: Any, m: dict[str, Any], problem: Problem | None = None) -> None:
    nash = m.get("nash") or {}
    numbers = ("utility", "reservation", "gain", "at Nash point")
    table = _table("party", *numbers, right=numbers, title="Outcome per party")
    for p, u in m["utilities"].items():
        table.add_row(
            _party(problem, p),
            _u(u),
            _u(m["reservations"][p]),
            f"{m['gains'][p]:+.3f}",
            _u(nash.get("utilities", {}).get(p)),
        )
    show(console, table)
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


def render_tournament(
    console: Any, doc: dict[str, Any], titles: dict[str, str] | None = None
) -> None:
    """The ranked table of strategies; scenarios by their titles (``titles``, by id)."""
    titles = titles or {}
    params = doc["parameters"]
    dates = doc.get("as_of_by_scenario") or {}
    if doc.get("as_of"):
        as_of = f" as of {doc['as_of']}"
    elif any(dates.values()):
        as_of = (
            " (" + "; ".join(f"{titles.get(s, s)} as of {d}" for s, d in dates.items() if d) + ")"
        )
    else:
        as_of = ""
    discount = params.get("discount", 1.0)
    scenarios = explain.names([titles.get(s, s) for s in doc["scenarios"]])
    say(
        console,
        f"Tournament on {scenarios}{as_of}: {doc['runs']} runs "
        f"({doc['protocol']} protocol, {params['rounds']} rounds, {params['repeats']} repeat(s), "
        f"seed {params['seed']}" + (f", discount {discount:g}" if discount < 1 else "") + ")",
        indent="  ",
        first="",
    )
    numbers = ("rank", "seats", "deals", "utility", "gain", "to Nash", "round")
    table = _table("rank", "strategy", *numbers[1:], right=numbers)
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
    show(console, table)
    say(
        console,
        "deals: share of seats in runs that ended in agreement; utility, gain (over the "
        "reservation), distance to the Nash point: means over seats; round: mean round of "
        "agreement",
    )
    if discount < 1:
        say(
            console,
            f"utility and gain are discounted: an agreement in round r is worth {discount:g}^(r-1) "
            "of its utility (the ranking's basis); the distance to the Nash point is not",
        )
    if all(row["mean_distance_to_nash"] is None for row in doc["ranking"]):
        say(console, "No scenario has a package every veto party accepts: no Nash point.")


def _runs(trace: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Consecutive identical steps (same proposer, package and answers) as one row."""
    out: list[tuple[dict[str, Any], int]] = []
    keys = ("proposer", "package", "responses")
    for step in trace:
        if out and out[-1][1] + 1 == step["round"] and all(out[-1][0][k] == step[k] for k in keys):
            out[-1] = (out[-1][0], step["round"])
        else:
            out.append((step, step["round"]))
    return out


def _count(rows: list[Any]) -> int:
    """How many proposals the shown rows stand for."""
    return sum(last - step["round"] + 1 for step, last in filter(None, rows))
