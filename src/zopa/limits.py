"""The limits on what zopa reads, in one place (documented in docs/reference/limits.md).

Each limit is checked before the data reaches a parser or a solver that could
be slow, run out of memory or overflow on it, and a file that passes one is
refused with a message naming the limit.  They sit far above any real
negotiation: the built-in scenario is 135 KB with about 6,000 values, 28
issues and 4 parties.
"""

from __future__ import annotations

# Files
MAX_FILE_BYTES = 10 * 1024 * 1024  # a scenario or settings file (YAML or JSON)
MAX_WEB_BYTES = 1_000_000  # a scenario sent to, or kept by, the web app
MAX_INTEROP_BYTES = 50 * 1024 * 1024  # a GENIUS XML or GeniusWeb JSON file

# The YAML or JSON structure
MAX_DEPTH = 100  # mappings and lists inside each other
MAX_VALUES = 500_000  # keys, values and list items, YAML aliases expanded

# Numbers (64-bit arithmetic in the solvers; doubles in the forecasting models)
MAX_INTEGER = 2**63 - 1  # any integer written in a file
MAX_MAGNITUDE = 10**15  # a number the model uses (weights, ranges, thresholds...)
EXACT_DIGITS = 15  # significant digits a double always holds exactly

# The model and the rule language
MAX_OPTIONS = 10_000  # options of one issue (listed, or a numeric range's grid)
MAX_RULE_DEPTH = 100  # 'not' and '(' levels inside one rule
MAX_RULE_DIGITS = 100  # digits of one number in a rule

# Other inputs
MAX_TERMS = 1_000  # zopa audit --terms: each term is one more scan of every text
MAX_ACTORS = 200  # zopa forecast: actors (a table's rows, or a scenario's parties)
# bdm's sensitivity analysis: samples x actors^3 (its vote tensor, per round); 200 samples
# of 50 actors take about 24 CPU seconds (bench/robust_bench.py, a loaded machine)
MAX_BDM_CELLS = 25_000_000

# Work (each of these is a usage error beyond, exit 2)
MAX_SAMPLES = 1_000_000  # zopa montecarlo -n (10,000 built-in samples take about 5 s)
MAX_REPEATS = 1_000  # zopa tournament --repeats
