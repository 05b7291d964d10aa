"""Hypothesis strategies: random small scenarios with random nested red lines."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from zopa import rules
from zopa.model import Scenario

VALUES = [0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1]


@st.composite
def issue_specs(draw: Any, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["categorical", "ordered", "numeric"]))
    iid = f"i{index}"
    if kind == "numeric":
        step = draw(st.sampled_from([1, 5, 10]))
        count = draw(st.integers(2, 4))
        start = draw(st.sampled_from([0, 10, 100]))
        return {"id": iid, "range": {"min": start, "max": start + step * (count - 1), "step": step}}
    count = draw(st.integers(2, 4))
    spec: dict[str, Any] = {"id": iid, "options": [f"o{k}" for k in range(count)]}
    if kind == "ordered":
        spec["ordered"] = True
    return spec


def _options(spec: dict[str, Any]) -> list[Any]:
    if "range" in spec:
        r = spec["range"]
        return list(range(r["min"], r["max"] + 1, r["step"]))
    return list(spec["options"])


@st.composite
def party_specs(draw: Any, index: int, issues: list[dict[str, Any]], veto: bool) -> dict[str, Any]:
    weights = {i["id"]: draw(st.sampled_from([0, 1, 2, 3])) for i in issues}
    if not any(weights.values()):
        weights[issues[0]["id"]] = 1
    values: dict[str, Any] = {}
    for spec in issues:
        opts = _options(spec)
        if "range" in spec:
            points = draw(st.lists(st.sampled_from(opts), min_size=1, max_size=3, unique=True))
            values[spec["id"]] = {p: draw(st.sampled_from(VALUES)) for p in points}
        else:
            values[spec["id"]] = {o: draw(st.sampled_from(VALUES)) for o in opts}
    return {
        "id": f"p{index}",
        "veto": veto,
        "reservation": draw(st.sampled_from([0, 0, 0.1, 0.3, 0.5])),
        "weights": weights,
        "values": values,
    }


@st.composite
def leaves(
    draw: Any, issues: list[dict[str, Any]], parties: list[str], kind: str = "any"
) -> rules.Expr:
    """A comparison; ``kind`` "utility" or "issue" restricts it to one sort."""
    if kind == "utility" or (kind == "any" and draw(st.integers(0, 5)) == 0):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        t = draw(st.sampled_from([0.2, 0.35, 0.5, 0.65, 0.8]))
        return rules.UtilityCmp(
            draw(st.sampled_from(parties)), op, rules.Value(str(t), rules.Fraction(str(t)))
        )
    spec = draw(st.sampled_from(issues))
    opts = _options(spec)

    def value(o: Any) -> rules.Value:
        return rules.Value(str(o), rules.Fraction(o)) if isinstance(o, int) else rules.Value(o)

    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(opts), min_size=1, max_size=len(opts), unique=True))
        return rules.In(spec["id"], tuple(value(o) for o in chosen), draw(st.booleans()))
    ordered = "range" in spec or spec.get("ordered")
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="] if ordered else ["==", "!="]))
    return rules.Cmp(spec["id"], op, value(draw(st.sampled_from(opts))))


@st.composite
def rule_trees(
    draw: Any, issues: list[dict[str, Any]], parties: list[str], depth: int = 2, kind: str = "any"
) -> rules.Expr:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(leaves(issues, parties, kind))
    op = draw(st.sampled_from(["and", "or", "not"]))
    if op == "not":
        return rules.Not(draw(rule_trees(issues, parties, depth - 1, kind)))
    args = tuple(
        draw(st.lists(rule_trees(issues, parties, depth - 1, kind), min_size=2, max_size=3))
    )
    return rules.And(args) if op == "and" else rules.Or(args)


@st.composite
def scenarios(
    draw: Any, max_red_lines: int = 6, max_parties: int = 4, separable: bool = False
) -> Scenario:
    """Random small scenarios.  ``separable``: each red line names issues only or
    utilities only (any nesting of either), the case :mod:`zopa.engine.blocks` decomposes."""
    issues = [draw(issue_specs(k)) for k in range(draw(st.integers(2, 5)))]
    n_parties = draw(st.integers(2, max_parties))
    vetoes = [True] + [draw(st.booleans()) for _ in range(n_parties - 1)]
    parties = [draw(party_specs(k, issues, vetoes[k])) for k in range(n_parties)]
    ids = [p["id"] for p in parties]
    red_lines = []
    for k in range(draw(st.integers(0, max_red_lines))):
        kind = draw(st.sampled_from(["issue", "issue", "utility"])) if separable else "any"
        tree = draw(rule_trees(issues, ids, kind=kind))
        red_lines.append(
            {"id": f"r{k}", "party": draw(st.sampled_from(ids)), "rule": rules.to_text(tree)}
        )
    data = {
        "format": "zopa/1",
        "id": "random",
        "issues": issues,
        "parties": parties,
        "red_lines": red_lines,
    }
    return Scenario.model_validate(data)
