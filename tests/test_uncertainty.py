"""Uncertain scenarios and the Monte Carlo analysis (zopa.uncertainty).

* the format: distributions, thresholds and firmness load, check and average;
* exactness: every sample's answer equals brute force on that sample's problem;
* closed forms: P(deal) of simple scenarios lies in the reported interval;
* determinism: the same seed gives the same JSON for any worker count.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import brute
from tests.cli import zopa
from tests.strategies import scenarios
from zopa import rules
from zopa.load import ScenarioError, parse_scenario
from zopa.model import Distribution, Scenario
from zopa.problem import SCALE, Problem
from zopa.uncertainty import Processes, montecarlo
from zopa.uncertainty.aggregate import wilson
from zopa.uncertainty.evaluate import Job, analyse, model_for
from zopa.uncertainty.sampling import Quantity, draw
from zopa.uncertainty.tables import Tables

TWO_LINES = """
format: zopa/1
id: two-lines
issues:
  - {{id: x, range: {{min: 0, max: 100, step: 10}}}}
  - {{id: y, options: [a, b]}}
parties:
  - {{id: p, weights: {{x: 1, y: 1}}, values: {{x: {{0: 0, 100: 1}}, y: {{a: 1, b: 0}}}}}}
  - {{id: q, weights: {{x: 1, y: 1}}, values: {{x: {{0: 1, 100: 0}}, y: {{a: 0, b: 1}}}}}}
red_lines:
  - {{id: p-floor, party: p, rule: "x >= floor", thresholds: {{floor: {floor}}}{pfirm}}}
  - {{id: q-cap, party: q, rule: "x <= 30"{qfirm}}}
drafts:
  - {{id: d, package: {{x: 20}}}}
"""


def two_lines(floor: str = "{uniform: [10, 90]}", pfirm: str = "", qfirm: str = "") -> Scenario:
    return parse_scenario(TWO_LINES.format(floor=floor, pfirm=pfirm, qfirm=qfirm))


# --------------------------------------------------------------------------- the format


def test_distributions_load_and_average() -> None:
    d = Distribution.model_validate({"triangular": [700000, 800000, 900000]})
    assert d.mean((0, 1e6)) == 800000
    assert Distribution.model_validate({"uniform": [0.2, 0.4]}).mean((0, 1)) == 0.3
    assert Distribution.model_validate({"beta": [2, 6]}).mean((0, 1)) == 0.25
    assert Distribution.model_validate({"beta": [1, 1, 10, 30]}).mean((0, 100)) == 20
    # a normal truncated to [0, 1] around 0.9 has its mean pulled below 0.9
    n = Distribution.model_validate({"normal": [0.9, 0.2]})
    assert 0.7 < n.mean((0, 1)) < 0.9
    assert n.mean((-math.inf, math.inf)) == 0.9


def test_point_analyses_use_means_and_firm_red_lines() -> None:
    s = two_lines(floor="{uniform: [20, 40]}", qfirm=", firmness: 0.4")
    problem = Problem(s)
    assert [r.id for r, _ in problem.red_lines] == ["p-floor"]  # firmness 0.4 < 0.5 left out
    ((_, bound),) = problem.red_lines
    assert bound == rules.Member(0, frozenset(range(3, 11)))  # x >= 30, the mean
    assert s.uncertain and not s.point_estimate().parties[0].uncertain


def test_uncertain_weights_average_to_the_point_table() -> None:
    text = TWO_LINES.format(floor="{uniform: [10, 90]}", pfirm="", qfirm="").replace(
        "weights: {x: 1, y: 1}, values: {x: {0: 0",
        "weights: {x: {uniform: [0, 2]}, y: 1}, values: {x: {0: 0",
        1,
    )
    s = parse_scenario(text)
    plain = parse_scenario(TWO_LINES.format(floor="{uniform: [10, 90]}", pfirm="", qfirm=""))
    assert (Problem(s).tables == Problem(plain).tables).all()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("{uniform: [90, 10]}", "uniform [90, 10]: lo is above hi"),
        ("{normal: [50, 0]}", "normal [50, 0]: the standard deviation must be greater than 0"),
        (
            "{uniform: [10, 200]}",
            "uniform [10, 200] reaches outside [0, 100]: the range of issue 'x'",
        ),
        ("{unifrom: [1, 2]}", "unknown distribution 'unifrom'; did you mean 'uniform'?"),
        ("{uniform: [1, 2], normal: [1, 1]}", "exactly one of uniform, triangular, normal, beta"),
        ("{triangular: [1, 2]}", "triangular takes [lo, mode, hi], got 2 numbers"),
    ],
)
def test_bad_distributions_are_reported(edit: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(TWO_LINES.format(floor=edit, pfirm="", qfirm=""), "s.yaml")
    assert any(message in d.message for d in err.value.diagnostics), err.value.diagnostics


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("x >= flor", "expected a number after '>=', found 'flor' (this red line's thresholds"),
        ("x == floor", "threshold 'floor' needs an order comparison"),
        ("y == floor or x >= floor", "threshold 'floor' is compared with categorical issue 'y'"),
        ("y == a", "threshold 'floor' is not used in the rule"),
    ],
)
def test_bad_threshold_uses_are_reported(rule: str, message: str) -> None:
    text = TWO_LINES.format(floor="{uniform: [10, 90]}", pfirm="", qfirm="")
    text = text.replace('rule: "x >= floor"', f'rule: "{rule}"')
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "s.yaml")
    assert any(message in d.message for d in err.value.diagnostics), err.value.diagnostics


def test_threshold_named_like_an_option_is_a_clash() -> None:
    text = TWO_LINES.format(floor="{uniform: [10, 90]}", pfirm="", qfirm="")
    text = text.replace(
        'rule: "x >= floor", thresholds: {floor:', 'rule: "x >= a or y == a", thresholds: {a:'
    )
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "s.yaml")
    assert any(
        "both an option of issue 'y' and a threshold" in d.message for d in err.value.diagnostics
    )


def test_threshold_rules_print_and_parse_back() -> None:
    expr = rules.parse("army_cap >= ukraine_floor and not (x < cap-2)")
    assert rules.parse(rules.to_text(expr)) == expr


# --------------------------------------------------------------------------- closed forms


def _assert_in_interval(result: Any, exact: float) -> None:
    lo, hi = result["ci95"] if "ci95" in result else result["p_deal"]["ci95"]
    assert lo <= exact <= hi, (lo, exact, hi)


def test_uniform_threshold_against_a_fixed_one_is_a_ratio_of_lengths() -> None:
    # a deal iff floor <= 30: P = (30 − 10) / (90 − 10) = 1/4
    doc = montecarlo(two_lines(), 4000, seed=11).to_json()
    _assert_in_interval(doc, 0.25)
    assert doc["p_blocking_issue"]["x"] == pytest.approx(1 - doc["p_deal"]["estimate"])


def test_firmness_of_the_only_conflicting_red_line() -> None:
    doc = montecarlo(two_lines("{uniform: [60, 90]}", pfirm=", firmness: 0.3"), 4000, seed=5)
    doc = doc.to_json()
    _assert_in_interval(doc, 0.7)
    assert doc["p_red_line_in_conflict"]["p-floor"] == doc["p_red_line_in_conflict"]["q-cap"]


def test_independent_uncertainties_multiply() -> None:
    # floor <= 30 with probability 1/4, and q's cap is real with probability 0.5
    doc = montecarlo(two_lines(qfirm=", firmness: 0.5"), 4000, seed=3).to_json()
    _assert_in_interval(doc, 1 - 0.5 * 0.75)


def test_draft_acceptance_is_the_chance_the_draft_leaves_an_acceptable_package() -> None:
    # the draft fixes x = 20: q accepts (x <= 30); p accepts iff floor <= 20: 10/80
    doc = montecarlo(two_lines(), 4000, seed=2).to_json()
    assert doc["draft_acceptance"]["q"] == 1.0
    k = round(doc["draft_acceptance"]["p"] * 4000)
    lo, hi = wilson(k, 4000)
    assert lo <= 0.125 <= hi


def test_wilson_interval_matches_the_formula() -> None:
    lo, hi = wilson(25, 100)
    assert lo == pytest.approx(0.1754, abs=1e-4) and hi == pytest.approx(0.3430, abs=1e-4)
    assert wilson(0, 50)[0] == 0.0 and wilson(50, 50)[1] == 1.0


# --------------------------------------------------------------------------- the sampler


def _unit(kind: str, params: list[float]) -> Quantity:
    return Quantity(
        "threshold", "r", (kind,), Distribution.model_validate({kind: params}), (0.0, 1.0)
    )


SAMPLER_QS = [
    *[_unit("uniform", [0, 1]) for _ in range(6)],
    _unit("triangular", [0, 0.2, 1]),  # mean 0.4, variance (1 + 0.04 − 0.2) / 18
    _unit("beta", [2, 6]),  # mean 0.25, variance 12 / (64 · 9)
    Quantity("firmness", "r", (), None, (0.0, 1.0), 0.3),  # Bernoulli(0.3)
]
SAMPLER_MOMENTS = [*[(0.5, 1 / 12)] * 6, (0.4, 0.84 / 18), (0.25, 12 / 576), (0.3, 0.21)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_sampler_draws_are_independent_and_distributed_as_written(seed: int) -> None:
    """Over 20,000 samples every column has its distribution's mean (|z| < 5), the uniform
    columns pass Kolmogorov–Smirnov (√n·D < 2.5), and neighbouring samples and columns are
    uncorrelated (|z| < 5).  The old sampler (one PCG64 jumped 2⁶⁴ steps per sample) was off
    by up to 12.6 standard errors in the means and had √n·D up to 7."""
    n = 20_000
    x = draw(SAMPLER_QS, seed, 0, n)
    for k, (mean, var) in enumerate(SAMPLER_MOMENTS):
        z = (x[:, k].mean() - mean) / math.sqrt(var / n)
        assert abs(z) < 5, (k, z)
    u = np.sort(x[:, :6], axis=0)
    i = np.arange(1, n + 1)[:, None]
    ks = math.sqrt(n) * np.maximum(i / n - u, u - (i - 1) / n).max(axis=0)
    assert (ks < 2.5).all(), ks
    centred = (x - x.mean(axis=0)) / x.std(axis=0)
    lag = (centred[1:] * centred[:-1]).mean(axis=0) * math.sqrt(n)  # sample i against i + 1
    assert (np.abs(lag) < 5).all(), lag
    cross = (centred.T @ centred) / n * math.sqrt(n)  # column against column
    assert (np.abs(cross[np.triu_indices(len(SAMPLER_QS), 1)]) < 5).all()


def test_each_sample_reads_its_own_philox_stream() -> None:
    from zopa.uncertainty.sampling import stream

    x = draw(SAMPLER_QS, 5, 100, 140)
    for row in range(40):
        gen = stream(5, 100 + row)
        u = gen.random(len(SAMPLER_QS))
        assert x[row, :6].tolist() == u[:6].tolist()
        assert x[row, 7] == gen.beta(2, 6)
        assert x[row, 8] == float(u[8] < 0.3)
    assert draw(SAMPLER_QS, 5, 117, 125).tobytes() == x[17:25].tobytes()  # any chunking


def test_p_deal_intervals_cover_the_exact_value_across_seeds() -> None:
    # two_lines(): P(deal) = 1/4 exactly.  A 95 % interval misses in 1 seed of 20 on
    # average; more than 2 misses of 10 has probability about 1 %.  The old sampler's
    # correlated streams missed in 6 of these 10 seeds.
    s = two_lines()
    intervals = {
        seed: montecarlo(s, 10_000, seed=seed, nash=False).to_json()["p_deal"]["ci95"]
        for seed in range(10)
    }
    misses = {seed: ci for seed, ci in intervals.items() if not ci[0] <= 0.25 <= ci[1]}
    assert len(misses) <= 2, misses


# --------------------------------------------------------------------------- exact per sample


@st.composite
def uncertain_scenarios(draw_: Any) -> Scenario:
    base = draw_(scenarios(max_red_lines=4, max_parties=3))
    data = base.model_dump(exclude_none=True)
    for party in data["parties"]:
        for issue in party["weights"]:
            if draw_(st.booleans()):
                w = party["weights"][issue]
                party["weights"][issue] = {"uniform": [0, 2 * w + 1]}
        if draw_(st.booleans()):
            party["reservation"] = {"triangular": [0, 0.3, 0.6]}
    for red in data["red_lines"]:
        red["firmness"] = draw_(st.sampled_from([1, 1, 0.5, 0.8]))
    numeric = [i for i in data["issues"] if "range" in i]
    if numeric:
        issue = numeric[0]
        lo, hi = issue["range"]["min"], issue["range"]["max"]
        op = draw_(st.sampled_from([">=", "<", "<=", ">"]))
        data["red_lines"].append(
            {
                "id": "th",
                "party": data["parties"][0]["id"],
                "rule": f"{issue['id']} {op} t",
                "thresholds": {"t": {"uniform": [lo, hi]}},
                "firmness": 0.9,
            }
        )
    data["drafts"] = [{"id": "d", "package": {data["issues"][0]["id"]: _first(data["issues"][0])}}]
    return Scenario.model_validate(data)


def _first(issue: dict[str, Any]) -> Any:
    return issue["range"]["min"] if "range" in issue else issue["options"][0]["id"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uncertain_scenarios(), st.integers(0, 1000))
def test_each_sample_is_analysed_exactly(scenario: Scenario, seed: int) -> None:
    """Deal, conflicts, blocking issues, Nash product and draft acceptance of every sample
    agree with brute force on the sample's own problem."""
    n = 12
    job = Job(scenario, None, "d", seed, n)
    result = analyse(job, 0, n)
    m = model_for(job)
    x = draw(m.qs, seed, 0, n)
    tables, firm = Tables(m.base, m.qs, x), m.firm(x)
    deals, blocking, red = 0, np.zeros(m.base.n_issues, int), Counter()
    accepted = np.zeros(len(m.base.parties), int)
    products = []
    for s in range(n):
        problem = Problem(scenario, None, m.realisation(x, s, tables, firm))
        muses, _ = brute.muses_and_mcses(problem)
        deals += not muses
        names = {c for mus in muses for c in mus}
        red.update(names)
        by_id = {c.id: c for c in problem.constraints}
        for i in {i for c in names for i in by_id[c].issues}:
            blocking[i] += 1
        if not muses:
            values = brute.solution_values(problem)
            products.append(values["nash"])
        accepted += _brute_acceptance(problem, m.fixed)
    assert result.deals == deals
    assert result.blocking.tolist() == blocking.tolist()
    ids = [m.lines[k].red.id for k in m.veto_lines]
    assert result.red_in_conflict.tolist() == [red[r] for r in ids]
    assert result.reservation_in_conflict.tolist() == [
        red[f"{p.id}:reservation"] for p in m.base.parties
    ]
    assert result.draft_accepted.tolist() == accepted.tolist()
    got = []
    for s, package, utils, proven in sorted(result.nash):
        assert proven
        problem = Problem(scenario, None, m.realisation(x, s, tables, firm))
        assert problem.agreement_mask(np.array([package]))[0]
        V = problem.veto_parties
        got.append(
            math.prod(Fraction(utils[p] - int(problem.reservations[p]), SCALE) for p in V)
            if V
            else None
        )
    assert got == products  # the exact Nash product of every sample with a deal


def _brute_acceptance(problem: Problem, fixed: list[int | None]) -> np.ndarray:
    X = brute.packages(problem)
    keep = np.ones(len(X), dtype=bool)
    for i, k in enumerate(fixed):
        if k is not None:
            keep &= X[:, i] == k
    X = X[keep]
    U = problem.utilities(X)
    out = np.zeros(len(problem.parties), dtype=int)
    for p, party in enumerate(problem.parties):
        ok = U[:, p] >= problem.reservations[p]
        for red, bound in problem.red_lines:
            if red.party == party.id:
                ok &= rules.evaluate_many(bound, X, U)
        out[p] = int(ok.any())
    return out


# --------------------------------------------------------------------------- determinism


def _canonical(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True)


@pytest.fixture(scope="module")
def serial_run() -> str:
    return _canonical(montecarlo(two_lines(qfirm=", firmness: 0.5"), 1500, seed=7).to_json())


def test_same_seed_same_result_for_any_batching(serial_run: str) -> None:
    from zopa.uncertainty import executors

    s = two_lines(qfirm=", firmness: 0.5")
    original = executors.batches
    try:
        executors.batches = lambda n, w, target=500: original(n, w, target=37)  # type: ignore[assignment]
        import zopa.uncertainty as mc

        mc.batches = executors.batches  # the name montecarlo() uses
        assert _canonical(montecarlo(s, 1500, seed=7).to_json()) == serial_run
    finally:
        executors.batches = original
        mc.batches = original
    assert _canonical(montecarlo(s, 1500, seed=8).to_json()) != serial_run


def test_process_pool_equals_serial(serial_run: str) -> None:
    pool = Processes(2)
    try:
        doc = montecarlo(two_lines(qfirm=", firmness: 0.5"), 1500, seed=7, executor=pool)
    finally:
        pool.close()
    assert _canonical(doc.to_json()) == serial_run


def test_dask_cluster_of_two_workers_equals_serial(serial_run: str) -> None:
    pytest.importorskip("distributed", reason="the test extra installs dask[distributed]")
    from zopa.uncertainty import Dask

    cluster = Dask(workers=2)
    try:
        assert cluster.workers == 2
        doc = montecarlo(two_lines(qfirm=", firmness: 0.5"), 1500, seed=7, executor=cluster)
    finally:
        cluster.close()
    assert _canonical(doc.to_json()) == serial_run


# --------------------------------------------------------------------------- the command


def test_command_prints_one_json_document(tmp_path: Any) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TWO_LINES.format(floor="{uniform: [10, 90]}", pfirm="", qfirm=""))
    run = zopa("montecarlo", str(path), "-n", "400", "--seed", "4", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    for key in (
        "samples",
        "seed",
        "p_deal",
        "p_blocking_issue",
        "p_red_line_in_conflict",
        "nash_options",
        "robust_package",
        "draft_acceptance",
    ):
        assert key in doc
    assert doc["samples"] == 400 and doc["seed"] == 4
    assert doc["robust_package"]["method"] == "exact" and doc["robust_package"]["optimal"]
    # the robust package is accepted at least as often as a deal exists in some sample
    assert doc["robust_package"]["p_accepted"] <= doc["p_deal"]["estimate"] + 1e-12


def test_point_analyses_say_they_use_means(tmp_path: Any) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TWO_LINES.format(floor="{uniform: [10, 90]}", pfirm="", qfirm=""))
    run = zopa("blockers", str(path), "--json")
    assert json.loads(run.stdout)["point_estimate"] == "means; firmness >= 0.5"
    run = zopa("blockers", str(path))
    assert "point analysis" in run.stdout


@pytest.mark.parametrize(
    "args",
    [["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], ["-n", "0"], ["--seed", "-1"]],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    run = zopa("montecarlo", *args)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr


def test_dask_options_without_dask_exit_2() -> None:
    hide = "import sys; sys.modules['dask'] = None; sys.modules['dask.distributed'] = None; "
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            hide + "from zopa.cli import main; main(['montecarlo', '--workers', '2'])",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "pip install 'zopa[dask]'" in run.stderr and "Traceback" not in run.stderr


def test_command_on_an_existing_cluster_equals_the_serial_command(tmp_path: Any) -> None:
    pytest.importorskip("distributed", reason="the test extra installs dask[distributed]")
    from dask.distributed import LocalCluster

    path = tmp_path / "s.yaml"
    path.write_text(TWO_LINES.format(floor="{uniform: [10, 90]}", pfirm="", qfirm=""))
    common = ["montecarlo", str(path), "-n", "800", "--seed", "9", "--json"]
    serial = zopa(*common, "--processes", "1")
    assert serial.returncode == 0, serial.stderr
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = zopa(*common, "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == serial.stdout


@pytest.mark.parametrize("args", [["--draft", "us-28-point"], ["--as-of", "2025-11-20"]])
def test_command_on_an_early_draft_of_the_built_in(args: list[str]) -> None:
    # as of 20 Nov 2025 the red line `ukraine-army-800k` (threshold `ukraine_floor`) is not yet
    # in force; binding it anyway crashed with "expected a number after '>='"
    run = zopa("montecarlo", *args, "-n", "30", "--seed", "1", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["samples"] == 30 and doc["as_of"] == "2025-11-20"
    lo, hi = doc["p_deal"]["ci95"]
    assert 0 <= lo <= doc["p_deal"]["estimate"] <= hi <= 1
    conflicts = doc["p_red_line_in_conflict"]
    assert "ukraine-army-800k" not in conflicts  # not yet in force: it was first reported later
    assert "russia-territory-four-regions" in conflicts
    for table in (doc["p_blocking_issue"], conflicts, doc["draft_acceptance"]):
        assert table and all(0 <= p <= 1 for p in table.values())
