"""One core per command (zopa.commands): both shells take the same defaults and refuse the
same inputs with the same words — the CLI as ``zopa: error: --OPTION: message`` (exit 2),
the API as 422 with ``OPTION: message``."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli import zopa
from tests.webserver import DATA, running_server
from zopa.commands import OptionError, defaults
from zopa.commands.simulation import Settings, settings

EXAMPLE = str(DATA / "example.yaml")


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with (
        running_server(tmp_path_factory.mktemp("commands")) as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        yield client


def test_the_defaults_are_the_library_defaults() -> None:
    from zopa.simulate.run import simulate
    from zopa.web.api import SimulationSettings, TournamentSettings

    given = inspect.signature(simulate).parameters
    assert given["protocol"].default == defaults.SIMULATION_PROTOCOL
    assert given["rounds"].default == defaults.SIMULATION_ROUNDS
    assert given["seed"].default == defaults.SIMULATION_SEED
    assert given["discount"].default == defaults.SIMULATION_DISCOUNT
    for model in (SimulationSettings(), TournamentSettings()):  # the API's request bodies
        assert (model.protocol, model.rounds, model.seed, model.discount) == (
            Settings().protocol,
            Settings().rounds,
            Settings().seed,
            Settings().discount,
        )
    assert TournamentSettings().repeats == defaults.TOURNAMENT_REPEATS


def test_the_forecast_defaults_are_the_library_defaults() -> None:
    from zopa.models import sensitivity
    from zopa.models.forecast import forecasts_for
    from zopa.web.api import ForecastQuery

    given = inspect.signature(forecasts_for).parameters
    assert given["rounds"].default == defaults.FORECAST_ROUNDS
    assert given["q"].default == defaults.FORECAST_Q
    assert given["seed"].default == defaults.FORECAST_SEED
    assert sensitivity.SAMPLES == defaults.FORECAST_SAMPLES
    body = ForecastQuery()
    assert (body.model, body.samples, body.seed) == (
        defaults.FORECAST_MODEL,
        defaults.FORECAST_SAMPLES,
        defaults.FORECAST_SEED,
    )


def test_options_win_over_the_file_and_the_file_over_the_defaults(tmp_path: Path) -> None:
    from zopa.simulate.config import load_config

    path = tmp_path / "settings.yaml"
    path.write_text("protocol: single-text\nrounds: 7\nseed: 3\nstep: 0.2\n")
    config = load_config(str(path))
    chosen = settings(config, rounds=9)
    assert (chosen.protocol, chosen.rounds, chosen.seed, chosen.discount) == (
        "single-text",
        9,
        3,
        defaults.SIMULATION_DISCOUNT,
    )
    assert chosen.params["step"] == 0.2
    assert settings() == Settings()


def test_option_errors_name_the_option_in_each_shell() -> None:
    err = OptionError("time_limit", "give a number of seconds")
    assert err.for_cli() == "--time-limit: give a number of seconds"
    assert err.for_api() == "time_limit: give a number of seconds"
    assert OptionError(None, "rounds: too many").for_cli() == "rounds: too many"


# Each case: the command's arguments and the same request to the API.
SAME_REFUSALS = [
    pytest.param(
        ["fair", "ukraine-2025"], "/api/fair", {"scenario": "ukraine-2025"}, id="fair-no-parties"
    ),
    pytest.param(
        ["fair", EXAMPLE, "--parties", "a,zz"],
        "/api/fair",
        {"scenario": "example", "parties": ["a", "zz"]},
        id="fair-unknown-party",
    ),
    pytest.param(
        ["forecast", "ukraine-2025", "--issue", "territory"],
        "/api/forecast",
        {"scenario": "ukraine-2025", "issue": "territory"},
        id="forecast-categorical",
    ),
    pytest.param(
        ["forecast", EXAMPLE, "--issue", "army_cap", "--rounds", "3"],
        "/api/forecast",
        {"scenario": "example", "issue": "army_cap", "rounds": 3},
        id="forecast-bdm-option-with-another-model",
    ),
    pytest.param(
        ["forecast", EXAMPLE, "--issue", "nope"],
        "/api/forecast",
        {"scenario": "example", "issue": "nope"},
        id="forecast-unknown-issue",
    ),
    pytest.param(
        ["frontier", EXAMPLE, "--parties", "a,a"],
        "/api/frontier",
        {"scenario": "example", "parties": ["a", "a"]},
        id="frontier-party-twice",
    ),
    pytest.param(
        ["frontier", EXAMPLE, "--parties", "a,zz"],
        "/api/frontier",
        {"scenario": "example", "parties": ["a", "zz"]},
        id="frontier-unknown-party",
    ),
    pytest.param(
        ["simulate", EXAMPLE, "--protocol", "shouting"],
        "/api/jobs",
        {"kind": "simulate", "scenario": "example", "simulation": {"protocol": "shouting"}},
        id="simulate-unknown-protocol",
    ),
    pytest.param(
        ["simulate", EXAMPLE, "--strategy", "zz=linear"],
        "/api/jobs",
        {"kind": "simulate", "scenario": "example", "simulation": {"strategies": {"zz": "linear"}}},
        id="simulate-unknown-party",
    ),
    pytest.param(
        ["tournament", EXAMPLE, "--strategies", "linear,bolware"],
        "/api/jobs",
        {
            "kind": "tournament",
            "scenario": "example",
            "tournament": {"strategies": "linear,bolware"},
        },
        id="tournament-misspelt-strategy",
    ),
    pytest.param(
        ["tournament", EXAMPLE],
        "/api/jobs",
        {"kind": "tournament", "scenario": "example", "tournament": {"strategies": ""}},
        id="tournament-no-strategies",
    ),
]


@pytest.mark.parametrize(("args", "endpoint", "body"), SAME_REFUSALS)
def test_both_shells_refuse_with_the_same_words(
    http: httpx.Client, args: list[str], endpoint: str, body: dict
) -> None:
    cli = zopa(*args)
    r = http.post(endpoint, json=body)
    assert cli.returncode == 2, cli.stdout + cli.stderr
    assert r.status_code == 422, r.text
    said = cli.stderr.removeprefix("zopa: error: ").rstrip("\n")
    message = r.json()["message"]
    assert said == (f"--{message}" if said.startswith("--") else message)
