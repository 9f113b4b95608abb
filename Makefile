# `make run` and `make test` are the two commands a newcomer needs; everything else is set up by them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench mutate clean browser postgresql prometheus bytecode

# The web console's GOV.UK Frontend assets and axe-core, at the versions in package-lock.json.
NODE_STAMP := node_modules/.installed
# The browser the web tests drive (Playwright from PyPI never downloads one here).
CHROMIUM   := /usr/bin/chromium
APT_GET    := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

# Installing prints pages of packaging chatter: it goes to a log, shown only if the install fails.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (log: $(VENV)/setup.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@{ $(BIN)/pip install --upgrade pip && $(BIN)/pip install -e '.[test]'; } > $(VENV)/setup.log 2>&1 \
		|| { tail -n 40 $(VENV)/setup.log; echo "setup failed: see $(VENV)/setup.log"; exit 1; }
	@touch $(STAMP)

setup: $(STAMP)

# Recipes are not echoed (@): what they print is only what needs reading, errors included.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && $(APT_GET) npm) || \
		{ echo "npm is needed for the web console's assets: install it with 'apt-get install npm'"; exit 1; }
	@echo "Installing the web console's assets (npm ci)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

browser:
	@test -x $(CHROMIUM) || (apt-get update -qq && $(APT_GET) chromium) || \
		{ echo "the browser tests need Debian's chromium at $(CHROMIUM): install it with 'apt-get install chromium'"; exit 1; }

# The workflow sandbox imports a case workflow's module afresh for every case it runs: with the
# bytecode written once here, that is a load, not a compile (even where PYTHONDONTWRITEBYTECODE is set).
bytecode: setup
	@$(BIN)/python -m compileall -q -j 0 domain workflows activities records infra cases cli web public_site bench tests *.py

run: setup $(NODE_STAMP) bytecode
	@$(BIN)/python -m infra.devstack

test: setup $(NODE_STAMP) browser postgresql prometheus bytecode
	$(BIN)/python -m pytest

# Tests start their own PostgreSQL server (tests/postgres.py) from Debian's package.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && $(APT_GET) postgresql)

# The alert tests check the rules with promtool and run a real Prometheus (tests/test_alerts.py).
prometheus:
	@command -v promtool >/dev/null && command -v prometheus >/dev/null || \
		(apt-get update -qq && $(APT_GET) prometheus) || \
		{ echo "the alert tests need Debian's Prometheus (promtool, prometheus): install it with 'apt-get install prometheus'"; exit 1; }

# 250 parked cases keep it under 10 minutes on 2 cores; `$(BIN)/python -m bench.run` parks 5,000.
bench: setup $(NODE_STAMP) bytecode
	$(BIN)/python -m bench.run --quick

# Mutation testing of the domain (docs/mutation.md): a tool to run when the domain changes, not part of `make test`.
mutate: setup
	$(BIN)/pip install --quiet 'mutmut>=3.3,<4'
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) .pytest_cache node_modules test-artifacts mutants
