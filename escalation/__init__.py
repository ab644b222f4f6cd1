"""escalation: agent-based simulation of escalation crises with honest Monte Carlo uncertainty."""

from escalation.errors import EscalationError, RunError, ScenarioError
from escalation.model import EscalationModel
from escalation.scenario import Scenario, load_scenario, scenario_to_yaml, write_scenario

__version__ = "0.1.0"

__all__ = [
    "EscalationError",
    "EscalationModel",
    "RunError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "scenario_to_yaml",
    "write_scenario",
]
