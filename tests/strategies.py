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


# --------------------------------------------------------------------------- attribute issues


@st.composite
def attribute_specs(draw: Any, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["categorical", "ordered", "numeric"]))
    if kind == "numeric":
        step = draw(st.sampled_from([1, 10]))
        return {"range": {"min": 0, "max": step * draw(st.integers(1, 2)), "step": step}}
    spec: dict[str, Any] = {"options": [f"{name}{k}" for k in range(draw(st.integers(2, 3)))]}
    if kind == "ordered":
        spec["ordered"] = True
    return spec


def attribute_values(spec: dict[str, Any]) -> list[Any]:
    return _options(spec)


def _attribute_leaf(draw: Any, issue: str, attrs: dict[str, dict[str, Any]]) -> rules.Expr:
    name = draw(st.sampled_from(sorted(attrs)))
    spec = attrs[name]
    vals = attribute_values(spec)

    def value(o: Any) -> rules.Value:
        return rules.Value(str(o), rules.Fraction(o)) if isinstance(o, int) else rules.Value(o)

    ref = f"{issue}.{name}"
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(vals), min_size=1, max_size=len(vals), unique=True))
        return rules.In(ref, tuple(value(o) for o in chosen), draw(st.booleans()))
    ordered = "range" in spec or spec.get("ordered")
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="] if ordered else ["==", "!="]))
    return rules.Cmp(ref, op, value(draw(st.sampled_from(vals))))


@st.composite
def attribute_issue_specs(draw: Any, index: int) -> dict[str, Any]:
    """An issue with two attributes, an optional exclude rule and some listed combinations."""
    from zopa.model import Issue

    iid = f"a{index}"
    attrs = {f"t{k}": draw(attribute_specs(f"v{k}")) for k in range(2)}
    first = {n: attribute_values(s)[0] for n, s in attrs.items()}
    spec: dict[str, Any] = {"id": iid, "attributes": attrs, "options": [{"id": "x0", **first}]}
    if draw(st.booleans()):
        leaves_ = [_attribute_leaf(draw, iid, attrs) for _ in range(draw(st.integers(1, 2)))]
        spec["exclude"] = [
            rules.to_text(rules.And(tuple(leaves_)) if len(leaves_) > 1 else leaves_[0])
        ]
    issue = Issue.model_validate(spec)
    space = list(issue.space())
    if not space:
        spec.pop("exclude")
        space = list(Issue.model_validate(spec).space())
    chosen = draw(
        st.lists(
            st.sampled_from(range(len(space))), min_size=1, max_size=min(3, len(space)), unique=True
        )
    )
    names = list(attrs)
    spec["options"] = [
        {
            "id": f"x{k}",
            **{
                n: issue.attribute_list()[a][1].option_json(space[c][a])
                for a, n in enumerate(names)
            },
        }
        for k, c in enumerate(chosen)
    ]
    return spec


@st.composite
def attribute_scenarios(draw: Any, whole: bool = False) -> Scenario:
    """Random small scenarios with one or two issues described by attributes.

    With ``whole``, a party may value an attribute issue as a whole (listed options
    only), so that some values of new formulas are unstated.
    """
    attributed = [draw(attribute_issue_specs(k)) for k in range(draw(st.integers(1, 2)))]
    plain = [draw(issue_specs(k)) for k in range(draw(st.integers(0, 2)))]
    n_parties = draw(st.integers(2, 3))
    vetoes = [True] + [draw(st.booleans()) for _ in range(n_parties - 1)]
    parties = []
    for k in range(n_parties):
        party = (
            draw(party_specs(k, plain, vetoes[k]))
            if plain
            else {
                "id": f"p{k}",
                "veto": vetoes[k],
                "weights": {},
                "values": {},
                "reservation": draw(st.sampled_from([0, 0, 0.1, 0.3, 0.5])),
            }
        )
        for spec in attributed:
            iid = spec["id"]
            if whole and draw(st.integers(0, 2)) == 0:
                party["weights"][iid] = draw(st.sampled_from([1, 2, 3]))
                party["values"][iid] = {
                    o["id"]: draw(st.sampled_from(VALUES)) for o in spec["options"]
                }
                continue
            for name, aspec in spec["attributes"].items():
                party["weights"][f"{iid}.{name}"] = draw(st.sampled_from([0, 1, 2, 3]))
                vals = attribute_values(aspec)
                if "range" in aspec:
                    points = draw(
                        st.lists(st.sampled_from(vals), min_size=1, max_size=2, unique=True)
                    )
                    party["values"][f"{iid}.{name}"] = {
                        p: draw(st.sampled_from(VALUES)) for p in points
                    }
                else:
                    party["values"][f"{iid}.{name}"] = {
                        v: draw(st.sampled_from(VALUES)) for v in vals
                    }
        if not any(party["weights"].values()):
            first = next(iter(party["weights"]))
            party["weights"][first] = 1
        parties.append(party)
    ids = [p["id"] for p in parties]
    red_lines = []
    for k in range(draw(st.integers(1, 5))):

        def leaf() -> rules.Expr:
            roll = draw(st.integers(0, 9))
            if roll < 6 or not plain:
                spec = draw(st.sampled_from(attributed))
                if roll == 0:
                    option = draw(st.sampled_from([o["id"] for o in spec["options"]]))
                    return rules.Cmp(
                        spec["id"], draw(st.sampled_from(["==", "!="])), rules.Value(option)
                    )
                return _attribute_leaf(draw, spec["id"], spec["attributes"])
            return draw(leaves(plain, ids))

        parts = [leaf() for _ in range(draw(st.integers(1, 2)))]
        tree = (
            parts[0]
            if len(parts) == 1
            else draw(st.sampled_from([rules.And(tuple(parts)), rules.Or(tuple(parts))]))
        )
        red_lines.append(
            {"id": f"r{k}", "party": draw(st.sampled_from(ids)), "rule": rules.to_text(tree)}
        )
    data = {
        "format": "zopa/1",
        "id": "random",
        "issues": [*attributed, *plain],
        "parties": parties,
        "red_lines": red_lines,
    }
    import json

    from zopa.load import parse_scenario

    return parse_scenario(json.dumps(data))
