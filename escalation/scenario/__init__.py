"""Scenario files: safe loading, validation, typed objects and writing back."""

from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import (
    Action,
    Actor,
    Condition,
    Effect,
    Event,
    OutcomeRule,
    Parameters,
    RedLine,
    Scenario,
)
from escalation.scenario.writer import scenario_to_yaml, write_scenario

__all__ = [
    "Action",
    "Actor",
    "Condition",
    "Effect",
    "Event",
    "OutcomeRule",
    "Parameters",
    "RedLine",
    "Scenario",
    "load_scenario",
    "scenario_to_yaml",
    "write_scenario",
]
