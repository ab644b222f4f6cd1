"""escalation: agent-based simulation of escalation crises with honest Monte Carlo uncertainty.

Names are imported on first use (PEP 562), so ``import escalation`` and the scenario layer
stay light: the model (mesa, numba), results (pandas) and plots load only when asked for.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from escalation.errors import EscalationError, RunError, ScenarioError
from escalation.version import __version__

_LAZY = {
    "Backtest": "escalation.backtesting",
    "backtest": "escalation.backtesting",
    "batch_run": "escalation.model.batch",
    "Comparison": "escalation.comparison",
    "compare": "escalation.comparison",
    "EscalationModel": "escalation.model",
    "Likelihood": "escalation.likelihood",
    "loglik": "escalation.likelihood",
    "Results": "escalation.results",
    "run_study": "escalation.runner",
    "Scenario": "escalation.scenario",
    "load_scenario": "escalation.scenario",
    "scenario_to_yaml": "escalation.scenario",
    "Simulation": "escalation.model",
    "write_scenario": "escalation.scenario",
    "Trace": "escalation.trace",
    "run_trace": "escalation.trace",
}

__all__ = [
    "Backtest",
    "Comparison",
    "EscalationError",
    "EscalationModel",
    "Likelihood",
    "Results",
    "RunError",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "Trace",
    "__version__",
    "backtest",
    "batch_run",
    "compare",
    "load_scenario",
    "loglik",
    "run_study",
    "run_trace",
    "scenario_to_yaml",
    "sweep",
    "write_scenario",
]

if TYPE_CHECKING:
    from escalation.backtesting import Backtest, backtest
    from escalation.comparison import Comparison, compare
    from escalation.likelihood import Likelihood, loglik
    from escalation.model import EscalationModel, Simulation
    from escalation.model.batch import batch_run
    from escalation.results import Results
    from escalation.runner import run_study
    from escalation.scenario import Scenario, load_scenario, scenario_to_yaml, write_scenario
    from escalation.sweep import sweep
    from escalation.trace import Trace, run_trace


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'escalation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"sweep"})


class _Package(types.ModuleType):
    """``escalation.sweep`` is the function, even once the module of the same name is imported."""

    @property
    def sweep(self) -> Any:
        from escalation.sweep import sweep

        return sweep

    @sweep.setter
    def sweep(self, module: types.ModuleType) -> None:  # the import system binds the submodule here
        pass


sys.modules[__name__].__class__ = _Package
