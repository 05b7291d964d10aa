"""Server-rendered pages: board, why no deal, what-if, deal space, timeline, edit, ...

Every page takes the same query parameters — ``draft``, ``as_of`` and ``w``
(the what-if overrides as JSON) — so a URL is a shareable view of one
question.  Pages lay out results of :mod:`zopa.web.service` and phrase them
with :mod:`zopa.report.explain`; they compute nothing themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from zopa.load import ScenarioError
from zopa.model import UNIT, WEIGHT, Distribution
from zopa.report import explain
from zopa.web import service
from zopa.web.workspace import BadName, NotFound
from zopa.whatif import Overrides, WhatIfError, thresholds

HERE = Path(__file__).parent
PAGE_SOLVER_SECONDS = 20.0
# the stability view makes one engine call per state with a deal that no earlier optimum
# settles (37 on the built-in scenario, about 5 s on a quiet machine): a longer allowance
STABILITY_PAGE_SECONDS = 60.0
FRONTIER_POINTS = 5_000  # the exact frontier of two parties of the built-in has up to about 1,300
VIEWS = (
    ("board", "Board"),
    ("why", "Why no deal"),
    ("bridges", "Bridges"),
    ("whatif", "What-if"),
    ("space", "Deal space"),
    ("timeline", "Timeline"),
    ("forecast", "Forecast"),
    ("fair", "Fair division"),
    ("stability", "Stability"),
    ("jobs", "Simulation & long jobs"),
    ("edit", "Edit"),
)

#: the jobs page's tournament settings: 2**4 = 16 short runs on the built-in scenario
#: (well under a minute), where the CLI's defaults (3 strategies, 100 rounds: 81 runs of
#: about 12 s each) would run into the job time limit
PAGE_TOURNAMENT = {"strategies": "boulware,linear", "repeats": 1, "rounds": 10}

CONCEPT_NAMES = {
    "utilitarian": "Utilitarian",
    "egalitarian": "Egalitarian",
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai–Smorodinsky",
}

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["u"] = lambda x: "—" if x is None else f"{x:.3f}"
router = APIRouter(include_in_schema=False)


class PageError(Exception):
    def __init__(self, status: int, title: str, lines: list[str]) -> None:
        super().__init__(title)
        self.status, self.title, self.lines = status, title, lines


def _overrides(text: str | None) -> Overrides:
    if not text:
        return Overrides()
    try:
        return Overrides.model_validate(json.loads(text))
    except (ValueError, ValidationError) as err:
        raise PageError(422, "The what-if in this address is not valid", [str(err)]) from None
    except RecursionError:  # json's decoder recurses once per level of nesting
        message = "The what-if in this address is not valid"
        raise PageError(422, message, ["nested too deeply"]) from None


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PageError(422, "Not a date", [f"as_of={text[:40]!r}: use YYYY-MM-DD"]) from None


def _context(request: Request, name: str) -> service.Context:
    q = request.query_params
    try:
        return service.context(
            request.app.state.catalogue,
            name,
            q.get("draft") or None,
            _date(q.get("as_of")),
            _overrides(q.get("w")),
        )
    except (NotFound, BadName) as err:
        raise PageError(404, "No such scenario", [str(err)]) from None
    except ScenarioError as err:
        raise PageError(
            422,
            f"Scenario {name} is not valid",
            [str(d) for d in err.diagnostics],
        ) from None
    except WhatIfError as err:
        raise PageError(422, "The what-if does not fit this scenario", err.problems) from None
    except service.UnknownDraft as err:
        raise PageError(422, "No such draft", [str(err)]) from None


def _url(name: str, view: str, request: Request, **changes: Any) -> str:
    """A page address that keeps the current draft, date and what-if unless changed."""
    params = {k: request.query_params.get(k) for k in ("draft", "as_of", "w")}
    params.update(changes)
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"/s/{name}/{view}" + (f"?{urlencode(kept)}" if kept else "")


def _w(overrides: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in overrides.items() if v}, separators=(",", ":"))


def _merged(
    ctx: service.Context,
    drop: list[str] | None = None,
    thresholds: dict[str, Any] | None = None,
    formulas: dict[str, list[dict[str, Any]]] | None = None,
) -> str:
    """The current what-if plus more dropped red lines, moved thresholds or new formulas
    put on the table, as ``w``."""
    o = ctx.overrides.model_dump(mode="json")
    o["drop"] = sorted(set(o["drop"]) | set(drop or []))
    o["thresholds"] = {**o["thresholds"], **(thresholds or {})}
    for ident in o["drop"]:
        o["thresholds"].pop(ident, None)
    for issue, added in (formulas or {}).items():
        kept = o["formulas"].setdefault(issue, [])
        kept.extend(f for f in added if f not in kept)
    return _w(o)


async def _render(
    request: Request,
    name: str,
    view: str,
    build: Any,
    template: str | None = None,
    seconds: float = PAGE_SOLVER_SECONDS,
) -> Response:
    from zopa.web.api import ApiError, run_limited

    try:
        ctx = await run_in_threadpool(_context, request, name)
        data = await run_limited(request, lambda: build(ctx), seconds)
    except PageError as err:
        return _error_page(request, name, err)
    except ApiError as err:  # busy, or past the wall-clock limit
        return _error_page(request, name, PageError(err.status, "Not computed", [err.message]))
    return templates.TemplateResponse(
        request,
        template or f"{view}.html",
        {
            "name": name,
            "view": view,
            "views": VIEWS,
            "ctx": ctx,
            "problem": ctx.problem,
            "explain": explain,
            "url": lambda v, **kw: _url(name, v, request, **kw),
            "w": _w,
            "merged": lambda **kw: _merged(ctx, **kw),
            "label": lambda issue_id, value: _label(ctx, issue_id, value),
            "concept_names": CONCEPT_NAMES,
            "departures": ctx.departures,
            "sourced_url": _url(name, view, request, w=""),
            "point_estimate": service.point_estimate(ctx.scenario).get("point_estimate"),
            **data,
        },
    )


def _formula_text(scenario: Any, issue_id: str, formula: dict[str, Any]) -> str:
    """A new formula of the what-if, in words (it fitted the scenario: apply checked it)."""
    issue = scenario.issue(issue_id)
    combo = tuple(attr.index_of(formula[n]) for n, attr in issue.attribute_list())
    return f"{issue.title or issue.id}: {issue.combo_text(combo)}"


def _label(ctx: service.Context, issue_id: str, value: Any) -> str:
    issue = ctx.problem.issues[ctx.problem.issue_index[issue_id]]
    k = issue.index_of(value)
    return issue.label(k) if k is not None else str(value)


def _error_page(request: Request, name: str | None, err: PageError) -> Response:
    return templates.TemplateResponse(
        request,
        "error.html",
        {"name": name, "title": err.title, "lines": err.lines, "views": VIEWS, "view": None},
        status_code=err.status,
    )


# --------------------------------------------------------------------------- pages


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    catalogue = request.app.state.catalogue
    return templates.TemplateResponse(
        request,
        "index.html",
        {
            "entries": catalogue.entries(),
            "workspace": str(catalogue.workspace),
            "views": VIEWS,
            "view": None,
            "name": None,
        },
    )


@router.get("/s/{name}")
async def scenario_home(name: str) -> Response:
    return RedirectResponse(f"/s/{name}/board", status_code=307)


def _status(row: Any, problem: Any, blocking: set[str]) -> str:
    """agreed / blocking / open at a glance, from the stances and the blockers."""
    veto = [problem.parties[p].id for p in problem.veto_parties]
    if row.issue in blocking or row.violated:
        return "blocking"
    if veto and all(row.positions.get(p) == "agreed" for p in veto):
        return "agreed"
    return "open"


def _date_picker(ctx: service.Context) -> dict[str, Any]:
    """The dates the as-of slider steps through, and the one shown."""
    dates = service.dates_of(ctx.scenario)
    as_of = ctx.problem.as_of
    index = max((k for k, d in enumerate(dates) if as_of and d <= as_of), default=0)
    return {"dates": [d.isoformat() for d in dates], "date_index": index}


@router.get("/s/{name}/board", response_class=HTMLResponse)
async def board_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        board = service.board_of(ctx)
        result = service.blockers_of(ctx, time_limit=PAGE_SOLVER_SECONDS)
        blocking = set(result.blocking_issues)
        return {
            "board": board,
            "blockers": result,
            "status": {row.issue: _status(row, ctx.problem, blocking) for row in board.rows},
            **_date_picker(ctx),
        }

    return await _render(request, name, "board", build)


@router.get("/s/{name}/why", response_class=HTMLResponse)
async def why_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        result = service.blockers_of(ctx, time_limit=PAGE_SOLVER_SECONDS)
        return {"blockers": result, "sources": {s.id: s for s in ctx.problem.sources_shown()}}

    return await _render(request, name, "why", build)


@router.get("/s/{name}/bridges", response_class=HTMLResponse)
async def bridges_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        result = service.bridges_of(ctx, time_limit=PAGE_SOLVER_SECONDS)
        # a formula can be tried (put on the table) only if no party values its issue as a
        # whole: such a party states no value for it, and a what-if never guesses one
        whole = {
            i.id: [
                p.label
                for p in ctx.scenario.parties
                if p.issue_weight(i.id) > 0 and not p.by_attribute(i.id)
            ]
            for i in ctx.scenario.issues
            if i.attributed
        }
        fewest = [
            (s, _merged(ctx, formulas={i: [s.package[i]] for i in s.issues}))
            for s in result.fewest_sets[:5]
            if s.issues and not any(whole[i] for i in s.issues)
        ]
        return {
            "bridges": result,
            "valued_whole": whole,
            "fewest": fewest,
            **_date_picker(ctx),
        }

    return await _render(request, name, "bridges", build)


def _whatif_results(ctx: service.Context) -> dict[str, Any]:
    result = service.blockers_of(ctx, time_limit=PAGE_SOLVER_SECONDS)
    solutions = service.solutions_of(ctx, time_limit=PAGE_SOLVER_SECONDS)
    amendment = service.amendment_of(ctx, PAGE_SOLVER_SECONDS)
    return {"blockers": result, "solutions": solutions, "amendment": amendment}


def _number_text(x: float) -> str:
    return f"{x:.10g}"


def describe(d: Distribution) -> str:
    """A distribution in words for a label: ``uniform 14–22``, ``normal 0.5 ± 0.1``."""
    xs = [_number_text(x) for x in d.params]
    if d.kind == "normal":
        return f"normal {xs[0]} ± {xs[1]}"
    if d.kind == "beta":
        return f"beta({xs[0]}, {xs[1]})" + (f" on {xs[2]}–{xs[3]}" if len(xs) == 4 else "")
    return f"{d.kind} {'–'.join(xs)}"


def slider(x: float | Distribution, valid: tuple[float, float], override: float | None) -> dict:
    """A what-if slider for a weight or a reservation, which may be a distribution.

    A distribution's slider starts at its mean (the number every point
    analysis uses), labelled as such; the default sits on the slider's grid,
    so an untouched slider is never sent as an override.
    """
    mean = x.mean(valid) if isinstance(x, Distribution) else float(x)
    step = 0.5 if valid == WEIGHT and (mean >= 1 or mean == 0) else 0.01
    on_grid = math.isclose(mean / step, round(mean / step), abs_tol=1e-9)
    # a distribution's mean goes to the nearest step; a number off the grid gets step="any"
    # (the browser would snap it otherwise, and the untouched slider would read as a change)
    default = round(round(mean / step) * step, 2) if isinstance(x, Distribution) else mean
    step_attr = _number_text(step) if on_grid or isinstance(x, Distribution) else "any"
    top = valid[1] if math.isfinite(valid[1]) else max(10.0, default * 2)
    return {
        "default": _number_text(default),
        "value": _number_text(default if override is None else override),
        "max": _number_text(top),
        "step": step_attr,
        "mean_of": describe(x) if isinstance(x, Distribution) else None,
    }


@router.get("/s/{name}/whatif", response_class=HTMLResponse)
async def whatif_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        sourced = ctx.sourced
        o = ctx.overrides
        moved = {t.red_line: t for t in thresholds(ctx.scenario)}
        return {
            **_whatif_results(ctx),
            "overrides": o,
            "red_lines": [
                (r, r.in_force(ctx.problem.as_of), r.id not in o.drop, _red_line_shown(ctx, r))
                for r in sourced.red_lines
            ],
            "movable": [(t, moved.get(t.red_line)) for t in thresholds(sourced)],
            "parties": sourced.parties,
            "labels": {p.id: p.label for p in sourced.parties},
            "reservation_sliders": {
                p.id: slider(p.reservation, UNIT, o.reservations.get(p.id)) for p in sourced.parties
            },
            "weight_sliders": {
                p.id: {
                    i: slider(w, WEIGHT, o.weights.get(p.id, {}).get(i))
                    for i, w in p.weights.items()
                }
                for p in sourced.parties
            },
            "changed_parties": {p.id: p for p in ctx.scenario.parties},
            "issues": sourced.issues,
            "formulas": [
                (issue_id, formula, _formula_text(sourced, issue_id, formula))
                for issue_id, added in o.formulas.items()
                for formula in added
            ],
        }

    return await _render(request, name, "whatif", build)


@router.get("/s/{name}/fragment/results", response_class=HTMLResponse)
async def whatif_results(request: Request, name: str) -> Response:
    return await _render(request, name, "whatif", _whatif_results, "_results.html")


@router.get("/s/{name}/space", response_class=HTMLResponse)
async def space_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        from zopa.report.charts import figure_json, frontier_figure, shared_options

        problem = ctx.problem
        ids = [p.id for p in problem.parties]
        veto = [problem.parties[p].id for p in problem.veto_parties] or ids
        q = request.query_params
        x = q.get("x") if q.get("x") in ids else veto[0]
        rest = [p for p in veto if p != x] or [p for p in ids if p != x]
        y = q.get("y") if q.get("y") in ids and q.get("y") != x else rest[0]
        others = [p for p in ids if p not in (x, y)]
        colour = q.get("colour") if q.get("colour") in others else None
        if q.get("colour") is None and others:
            colour = others[0]
        result = service.frontier_of(ctx, [x, y], FRONTIER_POINTS, PAGE_SOLVER_SECONDS)
        solutions = service.solutions_of(ctx, time_limit=PAGE_SOLVER_SECONDS)
        marks = {k: s.to_json() for k, s in solutions.solutions.items()}
        draft_mark = _draft_mark(ctx)
        if draft_mark:
            marks = {"draft": draft_mark, **marks}
        robust = _robust_mark(request, name, ctx)
        if robust:
            marks[robust.pop("name")] = robust
        conflicting: list[str] = []
        if not len(result.vectors):
            blockers = service.blockers_of(ctx, time_limit=PAGE_SOLVER_SECONDS)
            conflicting = sorted({c.id for k in blockers.conflicts for c in k.constraints})
        fig = frontier_figure(problem, result, x, y, colour, marks)
        shown = [p["package"] for p in result.points(problem)]
        shown += [m["package"] for m in marks.values() if m.get("package")]
        return {
            "figure": figure_json(fig),
            "shared": shared_options(problem, shown) if len(shown) > 1 else [],
            "robust": robust,
            "frontier": result,
            "x": x,
            "y": y,
            "colour": colour,
            "parties": problem.parties,  # options show each party's name, keep its id as value
            "others": others,
            "conflicting": conflicting,
            "drop_all": _w({**ctx.overrides.model_dump(), "drop": conflicting}),
        }

    return await _render(request, name, "space", build)


def _red_line_shown(ctx: service.Context, red: Any) -> Any:
    """A red line as the record stood on the analysis date: its party's reported words and
    reason then in force (the template falls back on the rule when no words are recorded)."""
    return red.view(ctx.problem.as_of, ctx.sourced.source_dates())


def _robust_mark(request: Request, name: str, ctx: service.Context) -> dict[str, Any] | None:
    """The robust package of the newest finished Monte Carlo job on this very view, if any."""
    from zopa.problem import SCALE

    for job in request.app.state.jobs.list():
        p = job.params
        same = (
            job.kind == "montecarlo"
            and job.result is not None
            and p.get("name") == name
            and p.get("draft") == (ctx.draft.id if ctx.draft else None)
            and p.get("as_of") == (request.query_params.get("as_of") or None)
            and _nonempty(p.get("overrides") or {})
            == _nonempty(ctx.overrides.model_dump(mode="json"))
        )
        robust = (job.result or {}).get("robust_package", {}) if same else {}
        package = robust.get("package")
        if package:
            indices = ctx.problem.package_indices(package)
            utils = ctx.problem.utility(indices)  # type: ignore[arg-type]
            samples = job.result.get("samples")
            rate = f"{100 * robust['p_accepted']:.1f} %"
            return {
                # the name says how often it was accepted: 0 % is a fact worth seeing
                "name": f"robust package (accepted in {rate} of {samples:,} samples)",
                "p_accepted": robust["p_accepted"],
                "samples": samples,
                "utilities": {q.id: utils[k] / SCALE for k, q in enumerate(ctx.problem.parties)},
                "package": package,
            }
    return None


def _nonempty(overrides: dict[str, Any]) -> dict[str, Any]:
    return overrides if any(overrides.values()) else {}


def _draft_mark(ctx: service.Context) -> dict[str, Any] | None:
    """The draft's utilities, when it settles every issue (a partial draft has none)."""
    if ctx.draft is None:
        return None
    package = ctx.problem.package_indices(ctx.draft.package)
    if any(k is None for k in package):
        return None
    utils = ctx.problem.utility(package)  # type: ignore[arg-type]
    from zopa.problem import SCALE

    return {
        "utilities": {p.id: utils[k] / SCALE for k, p in enumerate(ctx.problem.parties)},
        "package": ctx.draft.package,
    }


@router.get("/s/{name}/timeline", response_class=HTMLResponse)
async def timeline_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        from zopa.report.charts import figure_json, timeline_figure

        entries = service.timeline_of(ctx, PAGE_SOLVER_SECONDS)
        return {"entries": entries, "figure": figure_json(timeline_figure(entries))}

    return await _render(request, name, "timeline", build)


MODEL_SENTENCES = (
    (
        "compromise",
        "Compromise",
        "The mean of the positions, each weighted by capability × salience; in tests on EU "
        "legislation it was as accurate as any model tried.",
    ),
    (
        "median",
        "Weighted median",
        "The position with at most half the total weight on either side, which wins every "
        "pairwise vote; it jumps when a pivotal actor changes side.",
    ),
    (
        "bdm",
        "Expected utility",
        "Bueno de Mesquita's model as reconstructed by Scholz, Calbert and Smith (2011): in "
        "rounds, actors challenge, compromise with or give in to one another; the forecast "
        "is the weighted median after the last round.",
    ),
)


@router.get("/s/{name}/forecast", response_class=HTMLResponse)
async def forecast_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        from zopa.models.bdm import VARIANTS
        from zopa.models.forecast import show
        from zopa.report.charts import figure_json, forecast_rounds_figure, sensitivity_figure

        names = {p.id: p.label for p in ctx.scenario.parties}  # actors are the parties
        issues, left_out = [], []
        for f in service.forecasts_of(ctx):
            if f.left_out:
                left_out.append(
                    {"title": ctx.scenario.issue(f.issue).title or f.issue, "why": f.left_out}
                )
                continue
            doc = f.to_json()
            models = []
            for key, label, sentence in MODEL_SENTENCES:
                sens = doc[key].get("sensitivity")
                models.append(
                    {
                        "key": key,
                        "label": label,
                        "sentence": sentence,
                        "forecast": show(f.forecasts[key].value),
                        "low": show(sens["low"]) if sens else None,
                        "high": show(sens["high"]) if sens else None,
                        "p10": show(sens["p10"]) if sens else None,
                        "p90": show(sens["p90"]) if sens else None,
                        "runs": sens["samples"] if sens else None,
                    }
                )
            bdm_doc = doc["bdm"]
            issue = ctx.scenario.issue(f.issue)
            label_of = {key: label for key, label, _ in MODEL_SENTENCES}
            issues.append(
                {
                    "id": f.issue,
                    "title": issue.title or f.issue,
                    "unit": f.unit,
                    "actors": [
                        {
                            "id": a.id,
                            "name": names.get(a.id, a.id),
                            "capability": show(a.capability),
                            "position": show(a.position),
                            "salience": show(a.salience),
                            "assumed": ", ".join(a.assumed),
                        }
                        for a in f.actors
                    ],
                    "models": models,
                    "bdm": bdm_doc,
                    "reading": VARIANTS[bdm_doc["variant"]],
                    "by_variant": {
                        k: {x: show(y) for x, y in v.items()}
                        for k, v in bdm_doc["sensitivity"]["by_variant"].items()
                    },
                    "sensitivity": bdm_doc["sensitivity"],
                    "rounds_figure": figure_json(forecast_rounds_figure(bdm_doc, f.unit)),
                    "spread_figure": figure_json(
                        sensitivity_figure(
                            {label_of[k]: doc[k]["sensitivity"] for k in label_of}, f.unit
                        )
                    ),
                }
            )
        return {"issues": issues, "left_out": left_out}

    return await _render(request, name, "forecast", build)


@router.get("/s/{name}/fair", response_class=HTMLResponse)
async def fair_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        from zopa.commands import OptionError
        from zopa.report.charts import fair_figure, figure_json

        parties = ctx.scenario.parties
        labels = {p.id: p.label for p in parties}
        q = request.query_params
        a, b = q.get("a"), q.get("b")
        chosen = [a, b] if a and b else None
        division = error = figure = None
        if chosen is None and len(parties) != 2:  # the page asks; `zopa fair` would refuse
            error = f"Choose two of the {len(parties)} parties to divide the points between."
        else:
            try:
                division = service.fair_of(ctx, chosen)
            except OptionError as err:  # the words `zopa fair` uses
                error = err.message
        rows = []
        if division is not None:
            a, b = division.parties
            titles = {i.id: i.title or i.id for i in ctx.scenario.issues}
            figure = figure_json(fair_figure(division, titles, labels))
            for issue in division.issues:
                pa, pb = division.points[issue]
                fa, fb = division.fractions(issue)
                rows.append((issue, titles[issue], float(pa), float(pb), float(fa), float(fb)))
        return {
            "division": division,
            "error": error,
            "a": a,
            "b": b,
            "parties": parties,
            "labels": labels,
            "rows": rows,
            "figure": figure,
        }

    return await _render(request, name, "fair", build)


@router.get("/s/{name}/stability", response_class=HTMLResponse)
async def stability_page(request: Request, name: str) -> Response:
    def build(ctx: service.Context) -> dict[str, Any]:
        from zopa.gmcr.stability import NAMES
        from zopa.gmcr.standoff import RULES
        from zopa.report import stability as words

        asked = request.query_params.get("outcome")
        outcome = asked if asked in RULES else "nash"
        result = service.stability_of(ctx, outcome, time_limit=PAGE_SOLVER_SECONDS)
        derived = result.standoff.model is not None
        return {
            "run": result,
            "paragraphs": words.standoff_words(result),
            "graph": words.state_graph(result) if derived else None,
            "counts": [
                (NAMES[c], len(result.stability.equilibria(c))) for c in result.stability.concepts
            ]
            if derived
            else [],
            "outcome": outcome,
            "rules": [(r, words.RULE_WORDS[r]) for r in RULES],
        }

    return await _render(request, name, "stability", build, seconds=STABILITY_PAGE_SECONDS)


@router.get("/s/{name}/jobs", response_class=HTMLResponse)
async def jobs_page(request: Request, name: str) -> Response:
    kinds = list(request.app.state.jobs.kinds)

    def build(ctx: service.Context) -> dict[str, Any]:
        from zopa.simulate.core import protocol_names, strategy_names

        return {
            "kinds": kinds,
            "protocols": protocol_names(),
            "strategies": strategy_names(),
            "chosen": request.query_params.get("kind", kinds[0]),
            "tournament_defaults": PAGE_TOURNAMENT,
        }

    return await _render(request, name, "jobs", build)


@router.get("/s/{name}/edit", response_class=HTMLResponse)
async def edit_page(request: Request, name: str) -> Response:
    catalogue = request.app.state.catalogue
    try:
        entry = catalogue.entry(name)
        version = request.query_params.get("version")
        text = catalogue.version_text(name, version) if version else catalogue.text(name)
        diagnostics = [] if version else await run_in_threadpool(catalogue.diagnostics, name)
    except (NotFound, BadName) as err:
        return _error_page(request, name, PageError(404, "No such scenario", [str(err)]))
    except ScenarioError as err:
        return _error_page(
            request, name, PageError(422, "Cannot read", [str(d) for d in err.diagnostics])
        )
    return templates.TemplateResponse(
        request,
        "edit.html",
        {
            "name": name,
            "view": "edit",
            "views": VIEWS,
            "kind": entry.kind,
            "invalid": entry.invalid,
            "diagnostics": diagnostics,
            "text": text,
            "version": version,
            "versions": catalogue.versions(name)[:20],
            "newer_invalid": catalogue.newer_invalid_draft(name),
            "revision": catalogue.revision(name),
            "url": lambda v, **kw: _url(name, v, request, **kw),
            "departures": [],
        },
    )
