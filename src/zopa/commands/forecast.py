"""The issue ``zopa forecast`` forecasts, and who takes part (checked once for both shells)."""

from __future__ import annotations

from typing import Any

from zopa.commands.errors import OptionError
from zopa.model import Scenario


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
