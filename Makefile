# Two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench fuzz clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project definition changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/zopa analyze

# lint-imports: the layers of src/zopa/ and no import cycles (contracts in pyproject.toml).
lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

# Debian's Chromium: the browser tests (Playwright) and static chart export (kaleido) drive
# /usr/bin/chromium; `playwright install` cannot download a browser here.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-deps:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# In parallel, one process per core (pytest-xdist); tests that share a costly fixture (the
# browser) carry an xdist_group mark and run in one process (--dist loadgroup, in pyproject.toml).
test: lint system-deps
	$(BIN)/python -m pytest -n auto

# The standing fuzz suite (not part of `make test`, which runs a seeded slice of it):
# FUZZ generated and mutated inputs through check, analyze and the web API; see README.md.
FUZZ ?= 10000
fuzz: $(VENV)/.test-installed
	ZOPA_FUZZ=$(FUZZ) $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider -q -x

# Benchmarks beside NegMAS 0.16 (installed into bench/.venv-negmas); see bench/README.md.
bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .hypothesis
