"""`pytest --heavy`: the long variants of the fault and model-based tests (see README, Tests).

Without it, `make test` runs the same tests at a size that keeps it quick (200 random case histories
on the stage rules instead of 5,000, fewer end to end)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--heavy", action="store_true", help="run the heavy variants of the fault and model-based tests")


@pytest.fixture(scope="session")
def heavy(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--heavy"))


def is_heavy(config: pytest.Config) -> bool:
    return bool(config.getoption("--heavy"))
