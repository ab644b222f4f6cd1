"""The agent-based escalation model (Mesa), compiled and vectorised over replicate worlds.

Names load on first use: :class:`Simulation` (the worlds without Mesa) does not import Mesa.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from escalation.model.agents import ActorAgent
    from escalation.model.compiled import CompiledScenario, world_parameters
    from escalation.model.model import EscalationModel
    from escalation.model.simulation import Simulation

_HOMES = {
    "ActorAgent": "escalation.model.agents",
    "CompiledScenario": "escalation.model.compiled",
    "world_parameters": "escalation.model.compiled",
    "EscalationModel": "escalation.model.model",
    "Simulation": "escalation.model.simulation",
}

__all__ = ["ActorAgent", "CompiledScenario", "EscalationModel", "Simulation", "world_parameters"]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
