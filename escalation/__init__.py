"""escalation: agent-based simulation of escalation crises with honest Monte Carlo uncertainty."""

from escalation.errors import EscalationError, RunError, ScenarioError
from escalation.model import EscalationModel
from escalation.results import Results
from escalation.runner import run_study
from escalation.scenario import Scenario, load_scenario, scenario_to_yaml, write_scenario
from escalation.sweep import sweep
from escalation.trace import Trace, run_trace
from escalation.version import __version__

__all__ = [
    "EscalationError",
    "EscalationModel",
    "Results",
    "RunError",
    "Scenario",
    "ScenarioError",
    "Trace",
    "__version__",
    "load_scenario",
    "run_study",
    "run_trace",
    "scenario_to_yaml",
    "sweep",
    "write_scenario",
]
