"""The defaults of the commands, in one place for both shells and their help texts.

Plain constants (no imports), so that the command line can show them in
``--help`` without loading the engine.  ``tests/test_commands.py`` checks that
they are also the defaults of the library functions underneath.
"""

from __future__ import annotations

SIMULATION_PROTOCOL = "alternating"
SIMULATION_ROUNDS = 100
SIMULATION_SEED = 0
SIMULATION_DISCOUNT = 1.0
TOURNAMENT_REPEATS = 1

FORECAST_MODEL = "compromise"
FORECAST_ROUNDS = 10
FORECAST_Q = 1.0
FORECAST_SAMPLES = 200  # draws of the sensitivity analysis
FORECAST_SEED = 0
