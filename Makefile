# `make run` and `make test` are the two commands a newcomer needs; everything else is set up by them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench mutate clean postgresql

# Installing prints pages of packaging chatter: it goes to a log, shown only if the install fails.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (log: $(VENV)/setup.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@{ $(BIN)/pip install --upgrade pip && $(BIN)/pip install -e '.[test]'; } > $(VENV)/setup.log 2>&1 \
		|| { tail -n 40 $(VENV)/setup.log; echo "setup failed: see $(VENV)/setup.log"; exit 1; }
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python -m infra.devstack

test: setup postgresql
	$(BIN)/python -m pytest

# Tests start their own PostgreSQL server (tests/postgres.py) from Debian's package.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

bench: setup
	$(BIN)/python -m bench.run

# Mutation testing of the domain (docs/mutation.md): a tool to run when the domain changes, not part of `make test`.
mutate: setup
	$(BIN)/pip install --quiet 'mutmut>=3.3,<4'
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) .pytest_cache mutants
