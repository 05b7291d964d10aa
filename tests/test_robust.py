"""The robust package (zopa.uncertainty.robust) against brute force.

On small random uncertain scenarios every package is enumerated and its
acceptance counted over every sample on the sample's own problem; the
reported package must reach the maximum count, with the documented tie-break.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import brute
from tests.cli import zopa
from tests.test_uncertainty import two_lines, uncertain_scenarios
from zopa.model import Scenario
from zopa.problem import Problem
from zopa.uncertainty import Serial, montecarlo
from zopa.uncertainty.evaluate import model_for
from zopa.uncertainty.robust import robust_package
from zopa.uncertainty.sampling import draw
from zopa.uncertainty.tables import Tables


def _brute_counts(scenario: Scenario, job: object, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every package, and in how many samples every veto party accepts it."""
    m = model_for(job)  # type: ignore[arg-type]
    x = draw(m.qs, m.job.seed, 0, n)
    tables, firm = Tables(m.base, m.qs, x), m.firm(x)
    X = brute.packages(m.base)
    counts = np.zeros(len(X), dtype=np.int64)
    for s in range(n):
        problem = Problem(scenario, None, m.realisation(x, s, tables, firm))
        counts += problem.agreement_mask(X)
    return X, counts


def _check(scenario: Scenario, n: int, seed: int, time_limit: float | None = None) -> None:
    extra = {} if time_limit is None else {"robust_time_limit": time_limit}
    result = montecarlo(scenario, n, seed, draft="d", nash=False, executor=Serial(), **extra)
    X, counts = _brute_counts(scenario, result.model.job, n)
    best = int(counts.max())
    r = result.robust
    assert r is not None
    doc = result.to_json()["robust_package"]
    assert r.deal_samples == result.total.deals
    assert r.bound >= best
    if r.optimal:
        assert r.method == "exact" and r.accepted == best == r.bound
    else:
        assert r.method in (
            "best found within the time limit",
            f"best of {len(result.pool)} candidates",
        )
    if r.package is None:
        assert len(result.pool) == 0 and best == 0
        return
    index = {tuple(int(v) for v in p): k for k, p in enumerate(X)}
    assert counts[index[r.package]] == r.accepted  # the reported count is the package's own
    assert doc["p_accepted"] == r.accepted / n
    assert doc["optimal"] == r.optimal and doc["method"] == r.method
    if not r.optimal:
        return
    # ties: the first candidate reaching the maximum, else the smallest package (issue order)
    from_pool = [tuple(int(v) for v in p) for p in result.pool if counts[index[tuple(p)]] == best]
    if best == 0:
        assert r.package == tuple(int(v) for v in result.pool[0])
    elif from_pool:
        assert r.package == from_pool[0]
    else:
        assert r.package == min(tuple(int(v) for v in p) for p in X[counts == best])
    # without candidates the tie-break is the smallest package covering the most samples
    none = np.zeros((0, X.shape[1]), dtype=np.int64)
    alone = robust_package(result.model.job, result.total.deal_samples, none, none[:, 0])
    assert alone.accepted == best and alone.optimal
    if best:
        assert alone.package == min(tuple(int(v) for v in p) for p in X[counts == best])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uncertain_scenarios(), st.integers(0, 1000))
def test_robust_package_is_the_brute_force_maximum(scenario: Scenario, seed: int) -> None:
    _check(scenario, 20, seed)


def test_a_stopped_solver_keeps_the_best_it_knows() -> None:
    s = two_lines(floor="{uniform: [10, 90]}", qfirm=", firmness: 0.5")
    _check(s, 200, 3, time_limit=0.0)  # nothing solved: the best candidate stands
    result = montecarlo(s, 200, 3, draft="d", nash=False, executor=Serial())
    X, counts = _brute_counts(s, result.model.job, 200)
    index = {tuple(int(v) for v in p): k for k, p in enumerate(X)}
    none = np.zeros((0, 2), dtype=np.int64)
    for limit in (0.0, 1e-4, 1e-3):  # in deterministic time: the same answer on every run
        r = robust_package(result.model.job, result.total.deal_samples, none, none[:, 0], limit)
        assert r.bound >= int(counts.max())
        if r.package is None:
            assert r.method == "best of 0 candidates" and not r.optimal
        else:
            assert counts[index[r.package]] == r.accepted
            assert r.optimal == (r.method == "exact")
            assert r.accepted == counts.max() or not r.optimal


def test_built_in_command_reports_the_exact_robust_package(tmp_path: Path) -> None:
    """On the built-in with Russia's territory and NATO lines set aside: as reviewed, the two
    sides' territory and NATO lines are all on record (firmness 1), so no sample has a deal."""
    from ruamel.yaml import YAML

    from zopa.load import builtin_path

    data = YAML(typ="safe").load(builtin_path("ukraine-2025").read_text(encoding="utf-8"))
    aside = {"russia-territory-donbas-guard", "russia-nato-exclusion"}
    data["red_lines"] = [r for r in data["red_lines"] if r["id"] not in aside]
    relaxed = tmp_path / "relaxed.json"
    relaxed.write_text(json.dumps(data, default=str), encoding="utf-8")
    run = zopa(
        "montecarlo", str(relaxed), "-n", "1000", "--seed", "0", "--processes", "1", "--json"
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    robust = doc["robust_package"]
    assert robust["method"] == "exact" and robust["optimal"] is True
    assert robust["deal_samples"] == round(doc["p_deal"]["estimate"] * 1000) > 0
    assert robust["p_accepted"] == robust["p_upper_bound"] <= doc["p_deal"]["estimate"]
    assert robust["package"] is not None and robust["candidates"] > 0
