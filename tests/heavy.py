"""`pytest --heavy`: the long variants of the fault and model-based tests (see README, Tests).

Without it, `make test` runs the same tests at a size that keeps it quick (200 random case histories
on the stage rules instead of 5,000, fewer end to end)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--heavy", action="store_true", help="run the heavy variants of the fault and model-based tests")


@pytest.fixture(scope="session")
def heavy(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--heavy"))


def is_heavy(config: pytest.Config) -> bool:
    return bool(config.getoption("--heavy"))


def run_sequences(machine: type[RuleBasedStateMachine], config: pytest.Config, steps: int) -> None:
    """Run a model-based state machine: 200 sequences (derandomised, so a run repeats), 5,000 random ones with --heavy."""
    heavy = is_heavy(config)
    # Settings passed to the run, not set on the class: a class takes settings only once per process
    # (mutmut runs the tests several times in one).
    # Under `make mutate` a failure is all that is asked, not its smallest form: no shrinking there.
    phases = [Phase.explicit, Phase.generate] if "MUTANT_UNDER_TEST" in os.environ else list(Phase)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=5000 if heavy else 200, stateful_step_count=steps, deadline=None, derandomize=not heavy,
        suppress_health_check=[HealthCheck.too_slow], database=None, phases=phases,
    ))
