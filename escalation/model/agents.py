"""Actors as Mesa agents whose state is a vector over independent replicate worlds.

An :class:`ActorAgent` owns its rows of the model's state: its grievance toward every other
actor, its red-line obligation, its off-ramp belief and the host-nation pressure on it, each
an array over the model's worlds (views into :class:`escalation.model.kernel.State`). What
changes them each day is written once, per mechanism, in :mod:`escalation.mechanisms`, and
applied to every agent in every world by the compiled day of :mod:`escalation.model.kernel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from escalation.scenario.schema import Actor

if TYPE_CHECKING:
    from escalation.model.model import EscalationModel


class ActorAgent(mesa.Agent):
    """One party to the crisis, in every world of the model at once."""

    model: EscalationModel

    def __init__(self, model: EscalationModel, spec: Actor, index: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.index = index
        structure = model.compiled.structure
        self.menu = structure.menus[index, : structure.menu_size[index]]
        self.patron: ActorAgent | None = None

    @property
    def strategic(self) -> bool:
        """Whether this actor chooses actions (hosts only act in replayed history)."""
        return self.spec.strategic

    def choice_probabilities(self, by_patron: bool = False) -> np.ndarray:
        """Today's probability of each act of the menu in every world, ``(n_worlds, menu size)``.

        ``by_patron``: as the militia's patron would choose for it (the other branch of proxy control).
        """
        from escalation.model import kernel

        judge = self.patron.index if by_patron and self.patron is not None else self.index
        model = self.model
        return kernel.choice_probabilities(model.compiled.structure, model.worlds, model.state, self.index, judge)

    @property
    def grievance(self) -> np.ndarray:
        """Grievance toward each actor, shape ``(n_actors, n_worlds)`` (harm units, >= 0)."""
        return self.model.state.grievance[:, self.index, :].T

    @property
    def red_line_pending(self) -> np.ndarray:
        """Red-line obligation in each world, 0..1 (1 = just crossed, unanswered)."""
        return self.model.state.pending[:, self.index]

    @property
    def red_line_active(self) -> np.ndarray:
        """Whether the actor's red line has been declared, per world."""
        return self.model.state.active[:, self.index]

    @property
    def offramp_belief(self) -> np.ndarray:
        """Belief that restraint will be returned (off-ramp signal), per world, 0..1."""
        return self.model.state.belief[:, self.index]

    @property
    def host_pressure(self) -> np.ndarray:
        """Host-nation pressure against force on its soil, per world (utility)."""
        return self.model.state.host[:, self.index]
