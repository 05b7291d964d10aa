"""``zopa stability`` in words and tables (presentation only; the answers are in zopa.gmcr).

:func:`render` prints the text output at 80 columns; :func:`standoff_words` and
:func:`move_words` are the sentences the command and the web app share.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from zopa.gmcr.model import GraphModel, Unit
from zopa.gmcr.run import StabilityRun
from zopa.gmcr.stability import CONCEPTS, NAMES
from zopa.problem import SCALE

MAX_ROWS = 64  # state rows in the text table; larger models show their equilibria only
MAX_LISTED = 12  # states listed in one sentence


# --------------------------------------------------------------------------- words


def move_words(run: StabilityRun, mover: Unit | str, src: int, dst: int) -> str:
    """One move in words: who takes, drops (or sets aside, holds again) which options."""
    model = run.model
    name = mover if isinstance(mover, str) else who(run, mover)
    a, b = int(model.codes[src]), int(model.codes[dst])
    taken = [model.options[k] for k in range(model.m) if (b >> k & 1) and not (a >> k & 1)]
    dropped = [model.options[k] for k in range(model.m) if (a >> k & 1) and not (b >> k & 1)]
    aside = run.standoff is not None
    parts = []
    if taken:
        verb = "sets aside" if aside else "takes"
        parts.append(f"{verb} {_and([o.id for o in taken])}")
    if dropped:
        verb = "holds again" if aside else "drops"
        parts.append(f"{verb} {_and([o.id for o in dropped])}")
    return f"{name} {' and '.join(parts)}"


def who(run: StabilityRun, unit: Unit) -> str:
    """A mover by name: a decision maker's name, or a coalition's names joined by '+'."""
    return "+".join(run.model.dms[i].name for i in unit.members)


def state_words(run: StabilityRun, state: int) -> str:
    """A state as the options chosen, by decision maker."""
    model = run.model
    parts = []
    for i, dm in enumerate(model.dms):
        chosen = model.chosen(state, i)
        if chosen:
            parts.append(f"{dm.id}: {', '.join(chosen)}")
    if not parts:
        return "holding firm" if run.standoff is not None else "no option taken"
    return "; ".join(parts)


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _listed(model: GraphModel, states: list[int]) -> str:
    shown = ", ".join(model.text(s) for s in states[:MAX_LISTED])
    more = len(states) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "") if states else "none"


def _utilities(run: StabilityRun, state: int) -> str:
    so = run.standoff
    assert so is not None
    o = so.outcomes[state]
    parts = [
        f"{dm.name} {o.utilities[so.problem.party_index[dm.id]] / SCALE:.3f}"
        for dm in run.model.dms
    ]
    return ("deal: " if o.deal else "no deal: ") + ", ".join(parts)


def standoff_words(run: StabilityRun) -> list[str]:
    """The standoff in words: is holding firm stable, which concessions are equilibria,
    and which moves lead from the standoff to a deal."""
    so = run.standoff
    assert so is not None
    date = so.as_of.isoformat() if so.as_of else "with every red line in force"
    if so.feasible:
        return [f"A deal is possible as of {date}: there is no standoff to analyse."]
    model = run.model
    if not model.dms:
        return [
            f"No deal is possible as of {date}, but every conflict is between reservations: "
            "there is no red line to set aside."
        ]
    out = []
    held = "; ".join(f"{dm.name} {len(dm.options)}" for dm in model.dms)
    out.append(
        f"As of {date}, {len(model.dms)} parties hold {model.m} red lines that take part in "
        f"{_count(len(so.conflicts), 'conflict')} ({held}). A state says which of them are "
        f"set aside: {model.n:,} states, {so.deals:,} of which allow a deal. Each party ranks "
        f"the states by its utility in the {RULE_WORDS[so.rule]} of the packages acceptable "
        "under the red lines still held, or by its reservation when there is none "
        f"({so.engine_calls} engine calls; the other deal states reuse an optimum)."
    )
    if so.bystanders:
        out.append(
            f"{_and(so.bystanders)} {'has' if len(so.bystanders) == 1 else 'have'} no red line "
            "in a conflict, so no move to make."
        )
    out.append(_holding_firm(run))
    out.append(_ways_out(run))
    out.append(_concession_equilibria(run))
    return [p for p in out if p]


RULE_WORDS = {
    "nash": "Nash bargaining package",
    "utilitarian": "utilitarian package (largest total utility)",
    "egalitarian": "egalitarian package (largest smallest gain)",
    "kalai_smorodinsky": "Kalai–Smorodinsky package",
}


def _holding_firm(run: StabilityRun) -> str:
    model, result = run.model, run.stability
    start = 0
    stable_all = [c for c in result.concepts if result.stable(c)[start]]
    if len(stable_all) == len(result.concepts):
        return (
            "Holding firm is stable for everyone under every concept: no party gains by giving "
            "way on its own, or every gain would be punished."
        )
    groups: dict[tuple[str, ...], list[str]] = {}
    for c in result.concepts:
        if c not in stable_all:
            movers = tuple(who(run, u.unit) for u in result.per_unit if not u.stable[c][start])
            groups.setdefault(movers, []).append(NAMES[c])
    text = "Holding firm is "
    if stable_all:
        text += f"stable for everyone under {_and([NAMES[c] for c in stable_all])} only. "
    else:
        text += "not stable for everyone under any concept. "
    every = len(groups) == 1 and not stable_all
    for movers, concepts in groups.items():
        under = "every concept" if every else _and(concepts)
        verb = "has" if len(movers) == 1 else "have"
        text += f"Under {under}, {_and(list(movers))} {verb} a move that pays and is not deterred. "
    for u in result.per_unit:
        targets = [int(t) for t in u.improvements.targets(start)]
        if targets:
            best = max(targets, key=lambda t: (model.ranks[u.unit.members[0], t], -t))
            text += (
                f"{who(run, u.unit)}'s best such move: it "
                f"{_move_tail(run, u.unit, start, best)} ({_gain(run, u, start, best)}). "
            )
    return text.strip()


def _move_tail(run: StabilityRun, unit: Unit, src: int, dst: int) -> str:
    words = move_words(run, unit, src, dst)
    return words[len(who(run, unit)) + 1 :]


def _gain(run: StabilityRun, u: Any, src: int, dst: int) -> str:
    so = run.standoff
    if so is None:
        return "an improvement"
    k = so.problem.party_index[run.model.dms[u.unit.members[0]].id]
    before = so.outcomes[src].utilities[k] / SCALE
    after = so.outcomes[dst].utilities[k] / SCALE
    deal = "a deal" if so.outcomes[dst].deal else "no deal"
    return f"utility {before:.3f} → {after:.3f}, {deal}"


def _concession_equilibria(run: StabilityRun) -> str:
    result = run.stability
    so = run.standoff
    counts = []
    for c in result.concepts:
        eq = [s for s in result.equilibria(c) if s != 0]
        deals = sum(so.outcomes[s].deal for s in eq) if so else 0
        counts.append(f"{NAMES[c]} {len(eq):,}" + (f" ({deals:,} with a deal)" if so else ""))
    return "Concession states that are equilibria: " + ", ".join(counts) + "."


def fewest_concessions(run: StabilityRun, limit: int = 6) -> tuple[int, list[int]]:
    """The equilibria (under any concept) other than the start with the fewest options
    taken: their number of options and up to ``limit`` of them."""
    result, model = run.stability, run.model
    eq = sorted({s for c in result.concepts for s in result.equilibria(c) if s != 0})
    if not eq:
        return 0, []
    fewest = min(int(model.codes[s]).bit_count() for s in eq)
    return fewest, [s for s in eq if int(model.codes[s]).bit_count() == fewest][:limit]


def concession_words(run: StabilityRun, state: int) -> str:
    """A concession state: who sets aside what, the concepts it is an equilibrium under."""
    result = run.stability
    moves = [
        move_words(run, run.model.dms[i].name, 0, _only(run, state, i))
        for i in range(len(run.model.dms))
        if run.model.chosen(state, i)
    ]
    concepts = [NAMES[c] for c in result.concepts if result.stable(c)[state]]
    under = "every concept" if len(concepts) == len(result.concepts) else ", ".join(concepts)
    tail = f"; {_utilities(run, state)}" if run.standoff is not None else ""
    return f"{'; '.join(moves)} — an equilibrium under {under}{tail}"


def _only(run: StabilityRun, state: int, dm: int) -> int:
    """The state with only ``dm``'s options of ``state`` taken (for describing its part)."""
    mask = run.model.dm_mask(dm)
    code = int(run.model.codes[state]) & mask
    return int(run.model.lookup[code]) if run.model.lookup[code] >= 0 else state


def _ways_out(run: StabilityRun) -> str:
    evo = run.evolution
    so = run.standoff
    if evo is None or so is None:
        return ""
    result = run.stability
    reach = evo.reachable()
    deals = [s for s in reach if so.outcomes[s].deal]
    if not deals:
        return (
            "From the standoff no sequence of unilateral improvements (no party twice in a row) "
            "reaches a deal: every way out needs a party to give way at a loss, or together."
        )
    nearest = min(int(evo.steps[s]) for s in deals)
    first = sorted((s for s in deals if int(evo.steps[s]) == nearest), key=lambda s: s)[:3]
    text = (
        f"From the standoff, {_count(len(deals), 'deal state')} can be reached by unilateral "
        "improvements "
        f"(each move better for the party making it, no party twice in a row); the nearest "
        f"{'take' if len(deals) > 1 else 'takes'} {_count(nearest, 'move')}: "
    )
    paths = []
    for s in first:
        steps = evo.path(s)
        said = ", then ".join(
            move_words(run, result.units[st.mover], st.src, st.dst) for st in steps
        )
        paths.append(f"{said} ({_utilities(run, s)})")
    text += "; or ".join(paths) + "."
    reached = []
    for c in result.concepts:
        eq = [s for s in result.equilibria(c) if evo.steps[s] >= 0]
        reached.append(f"{NAMES[c]} {len(eq):,}")
    text += " Equilibria reachable this way: " + ", ".join(reached) + "."
    return text


# --------------------------------------------------------------------------- text output


def render(console: Any, run: StabilityRun) -> None:
    """The text output of ``zopa stability`` at the console's width (80 columns by default)."""
    if run.standoff is not None:
        _render_standoff(console, run)
        return
    model = run.model
    title = model.title or model.id
    console.print(f"{title} ({model.id}): {model.n:,} states, {len(model.dms)} decision makers")
    for dm in model.dms:
        names = ", ".join(model.options[k].id for k in dm.options)
        console.print(f"  {dm.id} ({dm.name}): {names}", soft_wrap=False)
    if run.coalitions:
        console.print(
            "Coalitions: " + ", ".join(u.id for u in run.stability.units if len(u.members) > 1)
        )
    console.print()
    _state_table(console, run)
    _equilibria(console, run)
    _effects(console, run)
    _status_quo(console, run)
    _inverse(console, run)
    _missing(console, run)


def _wrap(console: Any, text: str, indent: str = "", later: str | None = None) -> None:
    width = min(getattr(console, "width", 80) or 80, 80)
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=later if later is not None else indent,
        break_on_hyphens=False,  # ids such as russia-army-ceiling stay whole
        break_long_words=False,
    )
    for line in lines:
        console.print(line, soft_wrap=True)


def _state_table(console: Any, run: StabilityRun) -> None:
    """One row per state: its Y/N string, the options each DM has chosen, and one mark per
    mover and concept; columns are cut to fit 80 characters (the JSON has everything)."""
    model, result = run.model, run.stability
    rows = list(range(model.n))
    if model.n > MAX_ROWS:
        some = np.zeros(model.n, dtype=bool)
        for c in result.concepts:
            some |= result.stable(c)
        marked = [int(s) for s in np.nonzero(some)[0]]
        rows = marked[:MAX_ROWS]
        _wrap(
            console,
            f"{model.n:,} states: the table shows {len(rows):,} of the {len(marked):,} that are "
            "an equilibrium under some concept (--json lists every state).",
        )
    marks_width = sum(max(len(NAMES[c]), len(result.units)) + 2 for c in result.concepts)
    needed = len(str(model.n)) + 2 + max(model.m, 5) + 2 + marks_width
    named = needed + 8 * len(model.dms) <= 80  # room for the options each DM has chosen
    dms = list(range(len(model.dms))) if named else []
    head = ["#", "State"] + [model.dms[i].id for i in dms] + [NAMES[c] for c in result.concepts]
    body = []
    for s in rows:
        chosen = [", ".join(model.chosen(s, i)) or "–" for i in dms]
        marks = [
            "".join("✓" if u.stable[c][s] else "·" for u in result.per_unit)
            for c in result.concepts
        ]
        body.append([str(s + 1), model.text(s), *chosen, *marks])
    widths = [max(len(r[k]) for r in [head, *body]) for k in range(len(head))]
    dm_cols = range(2, 2 + len(dms))
    fixed = sum(w for k, w in enumerate(widths) if k not in dm_cols) + 2 * (len(head) - 1)
    room = max(6 * len(dms), 80 - fixed)
    while sum(widths[k] for k in dm_cols) > room:  # cut the widest option column by one
        widest = max(dm_cols, key=lambda k: widths[k])
        widths[widest] -= 1
    for row in [head, *body]:
        cells = [_cut(text, widths[k]) for k, text in enumerate(row)]
        line = "  ".join(
            cell.rjust(widths[k]) if k == 0 else cell.ljust(widths[k])
            for k, cell in enumerate(cells)
        )
        console.print(line.rstrip(), soft_wrap=True)
    movers = ", ".join(u.id for u in result.units)
    _wrap(
        console,
        f"One mark per mover ({movers}): ✓ stable, · not. A state stable for every mover is an "
        "equilibrium.",
    )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _equilibria(console: Any, run: StabilityRun) -> None:
    model, result = run.model, run.stability
    console.print()
    console.print("Equilibria")
    for c in result.concepts:
        _wrap(console, f"{NAMES[c]:<8} {_listed(model, result.equilibria(c))}", "  ")


def _effects(console: Any, run: StabilityRun) -> None:
    model = run.model
    for e in run.effects:
        name = "+".join(model.dms[i].id for i in e.members)
        console.print()
        console.print(f"Coalition {name} (moving as one; a move must be better for every member)")
        for c in CONCEPTS:
            if c not in e.breaks:
                continue
            broken, added = e.breaks[c], e.adds[c]
            _wrap(
                console,
                f"{NAMES[c]:<8} breaks {_listed(model, broken)}; adds {_listed(model, added)}",
                "  ",
            )


def _status_quo(console: Any, run: StabilityRun) -> None:
    evo = run.evolution
    if evo is None:
        return
    model, result = run.model, run.stability
    reach = evo.reachable()
    console.print()
    _wrap(
        console,
        f"From {model.text(evo.start)}: {_count(len(reach) - 1, 'other state')} can be reached by "
        "unilateral improvements (each move better for the mover, no mover twice in a row).",
    )
    reached = sorted(
        {s for c in result.concepts for s in result.equilibria(c) if evo.steps[s] >= 0}
    )
    for shown, s in enumerate(reached):
        if shown >= MAX_LISTED:
            console.print("  ...")
            break
        concepts = [NAMES[c] for c in result.concepts if result.stable(c)[s]]
        steps = evo.path(s)
        if not steps:
            said = "already there"
        else:
            said = ", then ".join(
                f"{move_words(run, result.units[st.mover], st.src, st.dst)} "
                f"({model.text(st.src)} → {model.text(st.dst)})"
                for st in steps
            )
        _wrap(console, f"{model.text(s)} ({', '.join(concepts)}): {said}.", "  ")


def _inverse(console: Any, run: StabilityRun) -> None:
    inv = run.inverse
    if inv is None:
        return
    model = run.model
    v = model.dms[inv.vary].id
    console.print()
    _wrap(
        console,
        f"Inverse: of the {_rankings(inv.rankings, model.n)} strict rankings of {v}'s "
        f"{model.n} states (the "
        f"others' preferences as given), {model.text(inv.state)} is an equilibrium in:",
    )
    for c in ("nash", "gmr", "smr", "seq"):
        if c in inv.counts:
            share = inv.counts[c] / inv.rankings
            console.print(f"  {NAMES[c]:<8} {big(inv.counts[c])} ({share:.1%})")
        else:
            _wrap(console, f"{NAMES[c]:<8} not counted: {inv.missing.get(c, '')}", "  ")
    for line in inv.conditions:
        _wrap(console, line, "  ")


def _rankings(k: int, n: int) -> str:
    text = big(k)
    return f"{n}! ({text})" if text.startswith("about") else text


def big(k: int) -> str:
    """An exact count, or four significant digits and a power of ten when it is very long
    (the JSON keeps it exact)."""
    digits = str(abs(k))
    if len(digits) <= 21:
        return f"{k:,}"
    exponent = len(digits) - 1
    lead = round(int(digits[:5]) / 10)  # four significant digits, rounded
    if lead == 10_000:  # 9.9996 rounds up to 10.000
        lead, exponent = 1_000, exponent + 1
    text = str(lead)
    return f"about {'-' if k < 0 else ''}{text[0]}.{text[1:]} × 10^{exponent}"


def _missing(console: Any, run: StabilityRun) -> None:
    for concept, why in run.stability.missing.items():
        console.print()
        _wrap(console, f"{NAMES[concept]} was not computed: {why}.")


def _render_standoff(console: Any, run: StabilityRun) -> None:
    so = run.standoff
    assert so is not None
    _wrap(console, f"The standoff in {so.scenario.title or so.scenario.id}")
    for paragraph in standoff_words(run):
        console.print()
        _wrap(console, paragraph)
    if so.model is None:
        return
    fewest, states = fewest_concessions(run)
    if states:
        console.print()
        _wrap(console, f"The equilibria with the fewest red lines set aside ({fewest}):")
        for k, state in enumerate(states, 1):
            _wrap(console, f"{k}. {concession_words(run, state)}.", "  ", "     ")
    unproven = [k for k, o in enumerate(so.outcomes) if not o.optimal]
    if unproven:
        console.print()
        _wrap(
            console,
            f"The outcome of {_count(len(unproven), 'state')} is the best package the engine "
            "found within its limits, not a proven optimum, so the rankings built on it may "
            "differ from the exact ones (unproven_states in --json).",
        )
    _effects(console, run)
    _status_quo_note(console, run)
    _inverse(console, run)
    console.print()
    _wrap(console, "--json lists every state, its outcome and its stability.")
    _missing(console, run)


def _status_quo_note(console: Any, run: StabilityRun) -> None:
    """The standoff's words cover the status quo; another start (--from) is shown as for a
    model."""
    if run.evolution is not None and run.evolution.start != 0:
        _status_quo(console, run)


def _count(k: int, noun: str) -> str:
    return f"{k:,} {noun}{'' if k == 1 else 's'}"


# --------------------------------------------------------------------------- the state graph

PALETTE = ("#0b5cad", "#b35900", "#7a3ea8", "#1a7f37", "#b42318", "#5b6770", "#0e7c86")
MAX_GRAPH_STATES = 40


def state_graph(run: StabilityRun) -> dict[str, Any]:
    """The states worth drawing, laid out in columns by how many options are taken: the
    start, the states reachable from it by unilateral improvements (nearest first) and the
    equilibria with the fewest options taken; edges are the improvements between them."""
    model, result, evo = run.model, run.stability, run.evolution
    chosen: list[int] = []
    if evo is not None:
        near = sorted(evo.reachable(), key=lambda s: (int(evo.steps[s]), s))
        chosen += near[:MAX_GRAPH_STATES]
    _, fewest = fewest_concessions(run)
    chosen += [s for s in fewest if s not in chosen]
    chosen += [s for s in minimal_deals(run)[:MAX_GRAPH_STATES] if s not in chosen]
    columns: dict[int, list[int]] = {}
    for s in chosen:
        columns.setdefault(int(model.codes[s]).bit_count(), []).append(s)
    order = sorted(columns)
    dx, dy, pad = 130, 78, 40
    at: dict[int, tuple[float, float]] = {}
    for k, col in enumerate(order):
        for j, s in enumerate(sorted(columns[col])):
            at[s] = (pad + k * dx, pad + j * dy)
    start = evo.start if evo is not None else None
    nodes = []
    for k, s in enumerate(chosen, 1):
        concepts = [c for c in result.concepts if result.stable(c)[s]]
        deal = run.standoff.outcomes[s].deal if run.standoff is not None else None
        x, y = at[s]
        nodes.append(
            {
                "state": model.text(s),
                "key": k,
                "x": x,
                "y": y,
                "start": s == start,
                "deal": deal,
                "equilibrium": concepts,
                "equilibrium_names": [NAMES[c] for c in concepts],
                "nash": "nash" in concepts,
                "words": state_words(run, s),
                "outcome": _utilities(run, s) if run.standoff is not None else "",
                "steps": int(evo.steps[s]) if evo is not None and evo.steps[s] >= 0 else None,
            }
        )
    key = {s: n["key"] for s, n in zip(chosen, nodes, strict=True)}
    colours = {u.unit.id: PALETTE[k % len(PALETTE)] for k, u in enumerate(result.per_unit)}
    edges = []
    for u in result.per_unit:
        for a in chosen:
            for b in u.improvements.targets(a):
                if int(b) in at:
                    edges.append(_edge(run, u.unit, a, int(b), at, key, colours[u.unit.id]))
    width = pad * 2 + (len(order) - 1) * dx
    height = pad * 2 + (max((len(c) for c in columns.values()), default=1) - 1) * dy
    return {
        "nodes": nodes,
        "edges": edges,
        "width": max(width, 200),
        "height": max(height, 120),
        "movers": [
            {"name": who(run, u.unit), "colour": colours[u.unit.id]} for u in result.per_unit
        ],
        "columns": [{"x": pad + k * dx, "taken": col} for k, col in enumerate(order)],
    }


def minimal_deals(run: StabilityRun) -> list[int]:
    """Deal states that stop being deals if any one red line set aside is held again: the
    concessions of ``zopa blockers``, as states (standoffs only)."""
    so, model = run.standoff, run.model
    if so is None or so.model is None:
        return []
    out = []
    for s in range(model.n):
        if not so.outcomes[s].deal:
            continue
        code = int(model.codes[s])
        bits = [1 << k for k in range(model.m) if code >> k & 1]
        if all(not so.outcomes[int(model.lookup[code & ~b])].deal for b in bits):
            out.append(s)
    return sorted(out, key=lambda s: (int(model.codes[s]).bit_count(), s))


def _edge(
    run: StabilityRun,
    unit: Unit,
    a: int,
    b: int,
    at: dict[int, tuple[float, float]],
    key: dict[int, int],
    colour: str,
) -> dict[str, Any]:
    """An arrow from circle to circle (radius 18), bent a little so that moves both ways
    between two states do not overlap."""
    (x1, y1), (x2, y2) = at[a], at[b]
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1.0)
    ux, uy = dx / length, dy / length
    sx, sy, ex, ey = x1 + 20 * ux, y1 + 20 * uy, x2 - 24 * ux, y2 - 24 * uy
    cx, cy = (sx + ex) / 2 - 14 * uy, (sy + ey) / 2 + 14 * ux  # a bend to the left
    return {
        "from": key[a],
        "to": key[b],
        "mover": who(run, unit),
        "colour": colour,
        "path": f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}",
        "words": move_words(run, unit, a, b),
    }
