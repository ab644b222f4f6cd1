"""The agent-based escalation model (Mesa), compiled and vectorised over replicate worlds."""

from escalation.model.agents import ActorAgent
from escalation.model.compiled import CompiledScenario, world_parameters
from escalation.model.model import EscalationModel

__all__ = ["ActorAgent", "CompiledScenario", "EscalationModel", "world_parameters"]
