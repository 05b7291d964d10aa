"""One core function per command, called by both shells: the ``zopa`` command and the web app.

A shell parses what the user gave (options, a request body), calls the
function here, and presents the result (text, ``--json``, a page, a JSON
response).  What a command decides — its defaults, which inputs it accepts,
what it says about the ones it refuses — is decided here once, so that
``zopa fair`` and ``POST /api/fair`` (say) agree.  A refused input raises
:class:`OptionError`, naming the option: the CLI prints
``zopa: error: --OPTION: message`` and exits 2, the API answers 422 with the
error's ``code`` and ``OPTION: message``.

* :mod:`zopa.commands.parties` — the parties a command is about (``--parties``);
* :mod:`zopa.commands.fair` — ``zopa fair`` (Adjusted Winner on a scenario);
* :mod:`zopa.commands.forecast` — the issue ``zopa forecast`` forecasts;
* :mod:`zopa.commands.simulation` — ``zopa simulate`` and ``zopa tournament``:
  their settings and defaults, the checks before a run, the run itself.

The layer sits above the engine, the classic models and the simulations, and
below the reports and the two shells (see docs/explanation/architecture.md).
"""

from __future__ import annotations

from zopa.commands.errors import OptionError

__all__ = ["OptionError"]
