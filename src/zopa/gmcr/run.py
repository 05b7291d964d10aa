"""``zopa stability``: the one core function behind the command and the web app.

:func:`run` loads a graph model (``zopa-gmcr/1``) or derives the standoff of a
scenario (``zopa/1``, :mod:`zopa.gmcr.standoff`), then computes stability under
every concept, the effect of each coalition asked for, the status-quo analysis
and, on request, the inverse counts; :meth:`StabilityRun.to_json` is the JSON
document described in docs/reference/stability.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zopa.gmcr.inverse import Inverse, inverse
from zopa.gmcr.model import GraphModel, code_text
from zopa.gmcr.stability import CONCEPTS, Stability, analyse
from zopa.gmcr.standoff import Standoff, standoff
from zopa.gmcr.status_quo import Evolution, evolve
from zopa.problem import SCALE

MAX_LISTED_MOVES = 250_000  # moves listed state by state in the JSON; beyond, only stability
MAX_PATHS = 1_000  # shortest paths listed to reachable equilibria, nearest first


class StabilityUsage(ValueError):
    """An argument that does not fit the model (a usage error, exit 2)."""


@dataclass
class CoalitionEffect:
    """What forming one coalition (alone) does to the equilibria of the model."""

    members: tuple[int, ...]
    breaks: dict[str, list[int]]
    adds: dict[str, list[int]]


@dataclass
class StabilityRun:
    model: GraphModel
    stability: Stability
    coalitions: list[tuple[int, ...]] = field(default_factory=list)
    effects: list[CoalitionEffect] = field(default_factory=list)
    evolution: Evolution | None = None
    inverse: Inverse | None = None
    standoff: Standoff | None = None
    point_estimate: bool = False  # an uncertain scenario, analysed at its means
    record_note: str | None = None  # a date outside the scenario's record (Scenario.record_note)

    @property
    def complete(self) -> bool:
        done = not self.stability.missing and (self.inverse is None or not self.inverse.missing)
        return done and (self.standoff is None or self.standoff.complete)

    def to_json(self) -> dict[str, Any]:
        return document(self)


def load(ref: str | None) -> tuple[GraphModel | Any, bool]:
    """A graph model when ``ref`` is a ``zopa-gmcr/1`` file, else the scenario it names (an
    uncertain one at its means); and whether it was uncertain."""
    from zopa.gmcr.format import load_model
    from zopa.load import load_scenario

    if names_model(ref):
        return load_model(ref), False  # type: ignore[arg-type]
    scenario = load_scenario(ref)
    if scenario.uncertain:
        return scenario.point_estimate(), True
    return scenario, False


def names_model(ref: str | None) -> bool:
    """Whether ``ref`` is a graph model file (not a built-in id, not a scenario)."""
    from zopa.load import builtin_ids

    return ref is not None and ref not in builtin_ids() and declares_model(Path(ref))


def declares_model(path: Path) -> bool:
    """Whether a file says ``format: zopa-gmcr/...`` (errors are left to the loader that
    will read it properly).

    Only a file that names the format at all is parsed, and then by the bounded
    reader every loader uses (:mod:`zopa.yamltree`): no input can crash or stall
    the sniffing.
    """
    if not path.is_file():
        return False
    from zopa import yamltree
    from zopa.fileio import read_bounded
    from zopa.limits import MAX_FILE_BYTES

    try:
        text = read_bounded(path, MAX_FILE_BYTES).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return _format_line(path)
    if not _MENTIONS_MODEL.search(text):
        return False
    try:
        data = yamltree.read(text)
    except yamltree.YamlError:  # the scenario loader reports it with a position
        return _format_line(path)
    return isinstance(data, dict) and str(data.get("format", "")).startswith("zopa-gmcr")


_MENTIONS_MODEL = re.compile(r"""format["']?\s*:\s*["']?zopa-gmcr""")


def _format_line(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:  # the head only, whatever the file
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return any(line.replace(" ", "").startswith("format:zopa-gmcr") for line in head.splitlines())


def run(
    ref: str | None = None,
    coalitions: list[list[str]] | None = None,
    start: str | None = None,
    inverse_state: str | None = None,
    vary: str | None = None,
    as_of: dt.date | None = None,
    draft: str | None = None,
    outcome: str = "nash",
    scenario: Any = None,
) -> StabilityRun:
    """Everything ``zopa stability`` reports for a graph model or a scenario's standoff.

    ``scenario``, when given, is the scenario ``ref`` names already loaded (the
    command line's what-if applied to it); it is analysed instead of reloading ``ref``.
    """
    if scenario is None:
        loaded, uncertain = load(ref)
    else:
        uncertain = scenario.uncertain
        loaded = scenario.point_estimate() if uncertain else scenario
    derived: Standoff | None = None
    if isinstance(loaded, GraphModel):
        if as_of is not None or draft is not None:
            raise StabilityUsage("--as-of and --draft apply to scenarios, not to graph models")
        model = loaded
    else:
        try:
            derived = standoff(loaded, as_of, draft, outcome)
        except KeyError as err:  # an unknown draft
            raise StabilityUsage(str(err.args[0])) from None
        if derived.model is None:  # a deal exists: nothing to analyse
            empty = StabilityRun(_empty_model(loaded.id), _empty(), standoff=derived)
            empty.point_estimate = uncertain
            empty.record_note = loaded.record_note(derived.as_of)
            return empty
        model = derived.model
    result = analyse_model(model, coalitions or [], start, inverse_state, vary, derived)
    result.point_estimate = uncertain
    if derived is not None:
        result.record_note = loaded.record_note(derived.as_of)
    return result


def run_problem(
    problem: Any,
    outcome: str = "nash",
    coalitions: list[list[str]] | None = None,
    start: str | None = None,
    time_limit: float | None = None,
) -> StabilityRun:
    """The standoff of a :class:`zopa.problem.Problem` (the web app's view of a scenario)."""
    from zopa.gmcr.standoff import derive

    derived = derive(problem, outcome, time_limit)
    if derived.model is None:
        return StabilityRun(_empty_model(problem.scenario.id), _empty(), standoff=derived)
    return analyse_model(derived.model, coalitions or [], start, None, None, derived)


def analyse_model(
    model: GraphModel,
    coalitions: list[list[str]],
    start: str | None = None,
    inverse_state: str | None = None,
    vary: str | None = None,
    derived: Standoff | None = None,
) -> StabilityRun:
    groups = _coalitions(model, coalitions)
    if inverse_state is not None and groups:
        raise StabilityUsage("--inverse varies one decision maker's ranking; drop --coalition")
    if vary is not None and inverse_state is None:
        raise StabilityUsage("--vary needs --inverse STATE")
    result = analyse(model, groups)
    effects = []
    if groups:
        alone = analyse(model)
        for group in groups:
            effects.append(_effect(model, alone, analyse(model, [group]), group))
    origin = _state(model, start, "--from") if start is not None else model.status_quo
    evolution = None
    if origin is not None:
        improvements = [u.improvements for u in result.per_unit]
        evolution = evolve(model.n, improvements, origin)
    inv = None
    if inverse_state is not None:
        if vary is None:
            raise StabilityUsage(
                "--inverse needs --vary DM (the decision maker whose ranking varies)"
            )
        ids = [d.id for d in model.dms]
        if vary not in ids:
            raise StabilityUsage(
                f"--vary: no decision maker {vary!r} (decision makers: {', '.join(ids)})"
            )
        inv = inverse(model, _state(model, inverse_state, "--inverse"), ids.index(vary))
    return StabilityRun(model, result, groups, effects, evolution, inv, derived)


def _coalitions(model: GraphModel, coalitions: list[list[str]]) -> list[tuple[int, ...]]:
    ids = [d.id for d in model.dms]
    out: list[tuple[int, ...]] = []
    used: set[int] = set()
    for group in coalitions:
        members = []
        for name in group:
            if name not in ids:
                raise StabilityUsage(
                    f"--coalition: no decision maker {name!r} (decision makers: {', '.join(ids)})"
                )
            members.append(ids.index(name))
        if len(set(members)) < 2:
            raise StabilityUsage("--coalition needs two or more different decision makers (A,B)")
        if used & set(members):
            raise StabilityUsage("a decision maker can be in one coalition only")
        used |= set(members)
        out.append(tuple(sorted(set(members))))
    return out


def _state(model: GraphModel, text: str, option: str) -> int:
    k = model.index(text)
    if k is None:
        names = ", ".join(o.id for o in model.options)
        if len(text) != model.m or any(ch not in "YN" for ch in text):
            raise StabilityUsage(
                f"{option}: {text!r} is not a state; write {model.m} letters Y or N, one per "
                f"option in order ({names})"
            )
        raise StabilityUsage(f"{option}: state {text} is infeasible")
    return k


def _effect(
    model: GraphModel, alone: Stability, joined: Stability, group: tuple[int, ...]
) -> CoalitionEffect:
    breaks, adds = {}, {}
    for concept in joined.concepts:
        before, after = set(alone.equilibria(concept)), set(joined.equilibria(concept))
        breaks[concept] = sorted(before - after)
        adds[concept] = sorted(after - before)
    return CoalitionEffect(group, breaks, adds)


def _empty_model(name: str) -> GraphModel:
    import numpy as np

    return GraphModel(name, None, (), (), np.zeros(1, dtype=np.int64), np.zeros((0, 1), np.int64))


def _empty() -> Stability:
    return Stability(_empty_model(""), [], [], {})


# --------------------------------------------------------------------------- JSON


def document(run: StabilityRun) -> dict[str, Any]:
    """The JSON document of ``zopa stability --json`` (keys may be added, never renamed)."""
    model, result = run.model, run.stability
    text = model.text
    units = result.units
    doc: dict[str, Any] = {
        "model": model.id,
        "title": model.title,
        "kind": "standoff" if run.standoff is not None else "model",
        "decision_makers": [
            {
                "id": d.id,
                "name": d.name,
                "options": [
                    {"id": model.options[k].id, "label": model.options[k].label} for k in d.options
                ],
            }
            for d in model.dms
        ],
        "options": [o.id for o in model.options],
        "movers": [u.id for u in units],
        "coalitions": [[model.dms[i].id for i in g] for g in run.coalitions],
        "complete": run.complete,
        "missing": dict(result.missing),
    }
    if run.standoff is not None:
        doc.update(_standoff_json(run.standoff))
        if run.standoff.model is None:
            doc.update({"states": [], "equilibria": {c: [] for c in CONCEPTS}})
            return doc
    texts = [code_text(int(c), model.m) for c in model.codes]
    listed = sum(u.moves.count for u in result.per_unit) <= MAX_LISTED_MOVES
    doc["moves_listed"] = listed
    doc["states"] = _states_json(run, texts, listed)
    doc["equilibria"] = {c: [text(s) for s in result.equilibria(c)] for c in CONCEPTS}
    if run.effects:
        doc["coalition_effects"] = [
            {
                "coalition": [model.dms[i].id for i in e.members],
                "breaks": {c: [text(s) for s in v] for c, v in e.breaks.items()},
                "adds": {c: [text(s) for s in v] for c, v in e.adds.items()},
            }
            for e in run.effects
        ]
    if run.evolution is not None:
        doc["status_quo"] = _evolution_json(run, run.evolution, texts)
    if run.inverse is not None:
        doc["inverse"] = _inverse_json(model, run.inverse)
    return doc


def _states_json(run: StabilityRun, texts: list[str], listed: bool) -> list[dict[str, Any]]:
    """One entry per state; the per-state lists come from precomputed arrays (a model can
    have a million states)."""
    model, result = run.model, run.stability
    positions = [_positions(r).tolist() for r in model.ranks]
    stable = {
        c: [(u.unit.id, u.stable[c].tolist()) for u in result.per_unit] for c in result.concepts
    }
    equilibrium = {c: result.stable(c).tolist() for c in result.concepts}
    out = []
    for s in range(model.n):
        entry: dict[str, Any] = {
            "state": texts[s],
            "number": s + 1,
            "chosen": {d.id: model.chosen(s, i) for i, d in enumerate(model.dms)},
            "rank": {d.id: positions[i][s] for i, d in enumerate(model.dms)},
        }
        if listed:
            entry["moves"] = {u.unit.id: _targets(u.moves, s, texts) for u in result.per_unit}
            entry["improvements"] = {
                u.unit.id: _targets(u.improvements, s, texts) for u in result.per_unit
            }
        entry["stable"] = {c: {uid: flags[s] for uid, flags in v} for c, v in stable.items()}
        entry["equilibrium"] = {c: flags[s] for c, flags in equilibrium.items()}
        if run.standoff is not None:
            o = run.standoff.outcomes[s]
            entry["deal"] = o.deal
            entry["utilities"] = {
                p.id: o.utilities[k] / SCALE for k, p in enumerate(run.standoff.problem.parties)
            }
            entry["package"] = run.standoff.package(s)
        out.append(entry)
    return out


def _targets(moves: Any, state: int, texts: list[str]) -> list[str]:
    return [texts[t] for t in moves.dst[moves.indptr[state] : moves.indptr[state + 1]].tolist()]


def _positions(ranks: Any) -> Any:
    """1 for the most preferred states, 2 for the next level, … (ties share a position)."""
    import numpy as np

    levels = np.unique(ranks)
    return len(levels) - np.searchsorted(levels, ranks)


def _evolution_json(run: StabilityRun, evo: Evolution, texts: list[str]) -> dict[str, Any]:
    """Reachable states as a shortest-path tree; paths to the nearest reachable equilibria
    and the improvements between reachable states, each list within MAX_LISTED_MOVES."""
    import numpy as np

    result = run.stability
    names = [u.id for u in result.units]
    steps_of = evo.steps.tolist()
    via = evo.via.tolist()

    def path(state: int) -> list[dict[str, Any]]:
        return [
            {"mover": names[st.mover], "from": texts[st.src], "to": texts[st.dst]}
            for st in evo.path(state)
        ]

    reachable = sorted(evo.reachable(), key=lambda s: (steps_of[s], s))
    reached = evo.steps >= 0
    equilibria = {c: [s for s in result.equilibria(c) if steps_of[s] >= 0] for c in result.concepts}
    wanted = sorted({s for v in equilibria.values() for s in v}, key=lambda s: (steps_of[s], s))
    out_of_reach = [reached[u.improvements.src] for u in result.per_unit]
    count = sum(int(m.sum()) for m in out_of_reach)
    edges = []
    if count <= MAX_LISTED_MOVES:
        for k, u in enumerate(result.per_unit):
            keep = np.nonzero(out_of_reach[k])[0]
            for a, b in zip(
                u.improvements.src[keep].tolist(), u.improvements.dst[keep].tolist(), strict=True
            ):
                edges.append({"mover": names[k], "from": texts[a], "to": texts[b]})
    return {
        "from": texts[evo.start],
        "reachable": [
            {
                "state": texts[s],
                "steps": steps_of[s],
                "via": None
                if s == evo.start
                else {"state": texts[via[s][0]], "mover": names[via[s][1]]},
            }
            for s in reachable
        ],
        "equilibria": {c: [texts[s] for s in v] for c, v in equilibria.items()},
        "paths": {texts[s]: path(s) for s in wanted[:MAX_PATHS]},
        "paths_complete": len(wanted) <= MAX_PATHS,
        "edges": edges,
        "edges_listed": count <= MAX_LISTED_MOVES,
    }


def _inverse_json(model: GraphModel, inv: Inverse) -> dict[str, Any]:
    return {
        "state": model.text(inv.state),
        "vary": [model.dms[inv.vary].id],
        "rankings": inv.rankings,
        "equilibrium_count": {c: inv.counts.get(c) for c in ("nash", "gmr", "smr", "seq")},
        "methods": inv.methods,
        "missing": inv.missing,
        "conditions": inv.conditions,
    }


def _standoff_json(so: Standoff) -> dict[str, Any]:
    return {
        "scenario": so.scenario.id,
        "as_of": so.as_of.isoformat() if so.as_of else None,
        "feasible": so.feasible,
        "outcome_rule": so.rule,
        "engine_calls": so.engine_calls,
        "deal_states": so.deals,
        "unproven_states": [
            code_text(int(so.model.codes[k]), so.model.m)
            for k, o in enumerate(so.outcomes)
            if not o.optimal
        ]
        if so.model is not None
        else [],
        "conflicts": so.conflicts,
        "bystanders": so.bystanders,
    }
