"""Shared fixtures: scenarios are loaded once per test session."""

from __future__ import annotations

import pytest
from helpers import AFTER_STRIKE_PATH, K1_PATH, SEEDED_PATH, seeded_with, small_scenario_data

from escalation import load_scenario
from escalation.scenario import Scenario


@pytest.fixture(scope="session")
def seeded() -> Scenario:
    """The seeded scenario, scenarios/us_iran_2020.yaml (branch after A10, 90 days)."""
    return load_scenario(SEEDED_PATH)


@pytest.fixture(scope="session")
def seeded_short() -> Scenario:
    """The seeded scenario with a 20-day horizon, for quick model runs."""
    return seeded_with(horizon_days=20)


@pytest.fixture(scope="session")
def small() -> Scenario:
    """The small hand-written scenario of ``helpers.small_scenario_data`` (30 days)."""
    return load_scenario(small_scenario_data())


def _variant(path):
    if not path.is_file():
        pytest.skip(f"{path.relative_to(path.parents[1])} does not exist yet")
    return load_scenario(path)


@pytest.fixture(scope="session")
def k1_variant() -> Scenario:
    """scenarios/us_iran_2020_k1.yaml: branch right after the K-1 attack (A05)."""
    return _variant(K1_PATH)


@pytest.fixture(scope="session")
def after_strike_variant() -> Scenario:
    """scenarios/us_iran_2020_after_strike.yaml: branch after Iran's strike and off-ramp (A17)."""
    return _variant(AFTER_STRIKE_PATH)
