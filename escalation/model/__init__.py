"""The agent-based escalation model (Mesa), vectorised over replicate worlds."""

from escalation.model.agents import ActorAgent, logit_probabilities, sample_choices
from escalation.model.compiled import CompiledScenario, harm
from escalation.model.model import EscalationModel

__all__ = ["ActorAgent", "CompiledScenario", "EscalationModel", "harm", "logit_probabilities", "sample_choices"]
