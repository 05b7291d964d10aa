"""Terminal report of ``zopa montecarlo``: probabilities with their 95 % intervals."""

from __future__ import annotations

from typing import Any


def _pct(p: float) -> str:
    return f"{100 * p:5.1f} %"


def render_montecarlo(console: Any, doc: dict[str, Any], scenario: Any = None) -> None:
    """Print the Monte Carlo summary ``doc`` (the JSON document) as tables.

    With ``scenario``, options are written as every text output writes them
    (``Ceiling on armed forces: 800,000 personnel``); without it, as ids.
    """
    from rich.table import Table

    from zopa.report.terminal import say, show

    lo, hi = doc["p_deal"]["ci95"]
    title = (scenario.title or doc["scenario"]) if scenario is not None else doc["scenario"]
    say(
        console,
        f"{title} as of {doc['as_of'] or 'any date'}: {doc['samples']:,} samples "
        f"(seed {doc['seed']})",
        indent="  ",
        first="",
    )
    console.print(
        f"P(a deal exists) = {_pct(doc['p_deal']['estimate'])}  "
        f"(95 % interval {_pct(lo).strip()} to {_pct(hi).strip()}, Wilson)"
    )
    blocking = {_title(scenario, i): p for i, p in doc["p_blocking_issue"].items()}
    show(console, _probabilities("Blocking issues", "issue", "P(blocking)", blocking))
    table = _probabilities(
        "Red lines in some conflict", "red line", "P(in a conflict)", doc["p_red_line_in_conflict"]
    )
    for party, p in doc["p_reservation_in_conflict"].items():
        if p > 0:
            table.add_row(f"{party}:reservation", _pct(p))
    show(console, table)
    if doc["nash_samples"]:
        table = Table(title=f"Nash package over the {doc['nash_samples']:,} samples with a deal")
        table.add_column("issue", overflow="fold")
        table.add_column("options (share)", overflow="fold")
        for issue, shares in doc["nash_options"].items():
            if len(shares) > 1:
                text = ", ".join(
                    f"{_option(scenario, issue, o)} {_pct(s).strip()}" for o, s in shares.items()
                )
                table.add_row(_title(scenario, issue), text)
        show(console, table)
        for party, u in doc["nash_utilities"].items():
            say(
                console,
                f"{_party(scenario, party)}: utility at the Nash package, mean {u['mean']:.3f}, "
                f"5-95 % {u['p05']:.3f} to {u['p95']:.3f}",
                "    ",
                "  ",
            )
    robust = doc["robust_package"]
    if robust["package"] is not None:
        never = robust["p_accepted"] == 0
        say(
            console,
            f"Robust package ({robust['method']}): accepted by every veto party in "
            f"{_pct(robust['p_accepted']).strip()} of samples"
            + (": in none, so it is no way to a deal; shown for reference." if never else ""),
            "  ",
            "",
        )
        for issue, option in robust["package"].items():
            say(
                console,
                f"{_title(scenario, issue)}: {_option(scenario, issue, option)}",
                "    ",
                "  ",
            )
    if doc["draft_acceptance"]:
        draft = (
            next((d for d in scenario.drafts if d.id == doc["draft"]), None) if scenario else None
        )
        name = draft.title if draft is not None and draft.title else doc["draft"]
        say(console, f"Draft {name}: P(party accepts some completion of it)", "  ", "")
        for party, p in doc["draft_acceptance"].items():
            say(console, f"{_party(scenario, party)}: {_pct(p).strip()}", "    ", "  ")


def _party(scenario: Any, party_id: str) -> str:
    party = next((p for p in scenario.parties if p.id == party_id), None) if scenario else None
    return party.label if party is not None else party_id


def _title(scenario: Any, issue_id: str) -> str:
    issue = scenario.issue(issue_id) if scenario is not None else None
    return (issue.title or issue.id) if issue is not None else issue_id


def _option(scenario: Any, issue_id: str, value: Any) -> str:
    """An option's label (``800,000 personnel``); the JSON's option keys are text."""
    from zopa.report.explain import quantity

    issue = scenario.issue(issue_id) if scenario is not None else None
    k = issue.index_of(value) if issue is not None else None  # numbers come as text too
    if issue is not None and k is not None:
        return issue.label(k)
    return quantity(value)


def _probabilities(title: str, what: str, label: str, probabilities: dict[str, float]) -> Any:
    """A table of the non-zero probabilities, most likely first."""
    from rich.table import Table

    table = Table(title=title, show_edge=False)
    table.add_column(what, overflow="fold")
    table.add_column(label, justify="right")
    for name, p in sorted(probabilities.items(), key=lambda kv: -kv[1]):
        if p > 0:
            table.add_row(name, _pct(p))
    return table
