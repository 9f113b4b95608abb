# `make run` and `make test` are the two commands a newcomer needs; everything else is set up by them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench clean

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

test: setup
	$(BIN)/python -m pytest

# 250 parked cases keep it under 10 minutes on 2 cores; `$(BIN)/python -m bench.run` parks 5,000.
bench: setup
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) .pytest_cache
