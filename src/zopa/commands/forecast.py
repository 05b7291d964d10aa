"""``zopa forecast``: its options and their defaults, the issue it forecasts and who takes
part — checked once for both shells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zopa.commands.defaults import (
    FORECAST_MODEL,
    FORECAST_Q,
    FORECAST_ROUNDS,
    FORECAST_SAMPLES,
    FORECAST_SEED,
)
from zopa.commands.errors import OptionError
from zopa.model import Scenario


@dataclass(frozen=True)
class ForecastOptions:
    """The options of ``zopa forecast`` after :func:`options` checked them."""

    rounds: int = FORECAST_ROUNDS
    q: float = FORECAST_Q
    variant: str | None = None
    sensitivity: bool = True
    samples: int = FORECAST_SAMPLES
    seed: int = FORECAST_SEED

    def key(self) -> list[Any]:
        return [self.rounds, self.q, self.variant, self.sensitivity, self.samples, self.seed]

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`zopa.models.forecast.run` and ``forecasts_for``."""
        return {
            "variant": self.variant,
            "sensitivity": self.sensitivity,
            "samples": self.samples,
            "seed": self.seed,
        }


def options(
    model: str | None = FORECAST_MODEL,
    rounds: int | None = None,
    q: float | None = None,
    variant: str | None = None,
    sensitivity: bool = True,
    samples: int | None = None,
    seed: int | None = None,
) -> ForecastOptions:
    """The forecast options, checked; ``None`` is an option not given (its default).

    ``model`` None stands for every model (``/api/forecasts``, the forecasts of
    ``zopa analyze``): then the expected-utility options apply to its bdm row.
    """
    from zopa.models import bdm
    from zopa.models import sensitivity as sens
    from zopa.models.forecast import MODELS

    if model is not None and model not in MODELS:
        raise OptionError("model", f"{model[:40]!r} is not one of {', '.join(MODELS)}")
    if model not in (None, "bdm"):
        for name, value in (("rounds", rounds), ("q", q), ("variant", variant)):
            if value is not None:
                raise OptionError(name, "applies to the model bdm only")
    rounds = FORECAST_ROUNDS if rounds is None else rounds
    q = FORECAST_Q if q is None else q
    samples = FORECAST_SAMPLES if samples is None else samples
    seed = FORECAST_SEED if seed is None else seed
    if not 1 <= rounds <= bdm.MAX_ROUNDS:
        raise OptionError("rounds", f"give a number from 1 to {bdm.MAX_ROUNDS:,}")
    if not 0 <= q <= 1:
        raise OptionError("q", "Q is a probability, between 0 and 1")
    if variant is not None and variant not in bdm.VARIANTS:
        known = ", ".join(bdm.VARIANTS)
        raise OptionError("variant", f"{variant[:40]!r} is not one of {known}")
    if not 1 <= samples <= sens.MAX_SAMPLES:
        raise OptionError("samples", f"give a number from 1 to {sens.MAX_SAMPLES:,}")
    if seed < 0:
        raise OptionError("seed", "give a number 0 or more")
    return ForecastOptions(rounds, q, variant, sensitivity, samples, seed)


def numeric_issue(scenario: Scenario, issue: str | None) -> str:
    """``issue``, checked to be a numeric issue of the scenario; may be left out when the
    scenario has exactly one."""
    numeric = [i.id for i in scenario.issues if i.numeric]
    listed = ", ".join(numeric) or "none"
    if issue is None:
        if len(numeric) == 1:
            return numeric[0]
        message = (
            f"name the numeric issue to forecast (numeric issues of {scenario.id!r}: {listed})"
        )
        raise OptionError("issue", message, "unknown_issue")
    if issue not in {i.id for i in scenario.issues}:
        raise OptionError(
            "issue", f"no issue {issue[:80]!r} (numeric issues: {listed})", "unknown_issue"
        )
    if issue not in numeric:
        message = (
            f"{issue!r} is categorical; forecasting needs a numeric issue "
            f"(numeric issues: {listed})"
        )
        raise OptionError("issue", message, "unknown_issue")
    return issue


def actors(scenario: Scenario, issue: str) -> list[Any]:
    """The parties with a position or values on ``issue``, as forecasting actors."""
    from zopa.models.forecast import actors_from_scenario

    cast = actors_from_scenario(scenario, issue)
    if not cast:
        message = f"no party has a position or values on issue {issue!r}"
        raise OptionError("issue", message, "no_actors")
    return cast
