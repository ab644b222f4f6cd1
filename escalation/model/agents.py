"""Actors as Mesa agents whose state is a vector over independent replicate worlds.

An :class:`ActorAgent` holds, for each of the model's ``n_worlds`` worlds, its grievance
toward every other actor, its pending red-line obligation, its expectation that restraint
will be returned, and the host-nation pressure on it. Each simulated day it scores every
action on its menu with the utility of ``docs/model.md`` ("Submodels") and picks one by a
logit (quantal-response) choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from escalation.scenario.schema import Actor

if TYPE_CHECKING:
    from escalation.model.model import EscalationModel


def logit_probabilities(utility: np.ndarray, rationality: float) -> np.ndarray:
    """Quantal-response choice probabilities, row-wise ``softmax(rationality * utility)``.

    ``utility`` has shape ``(n_worlds, n_options)``; every row of the result sums to one.
    """
    scaled = rationality * (utility - utility.max(axis=1, keepdims=True))
    weights = np.exp(scaled)
    return weights / weights.sum(axis=1, keepdims=True)


def sample_choices(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Index of the option each world picks, by inverting the cumulative distribution."""
    cumulative = np.cumsum(probabilities, axis=1)
    picks = (cumulative < uniforms[:, None] * cumulative[:, -1:]).sum(axis=1)
    return np.minimum(picks, probabilities.shape[1] - 1)


class ActorAgent(mesa.Agent):
    """One party to the crisis, in every world of the model at once."""

    model: EscalationModel

    def __init__(self, model: EscalationModel, spec: Actor, index: int) -> None:
        super().__init__(model)
        compiled = model.compiled
        n = model.n_worlds
        self.spec = spec
        self.index = index
        self.menu = np.array([compiled.action_index[a] for a in spec.menu], dtype=np.int64)
        if self.menu.size:
            self.menu = self.menu[np.argsort(compiled.action_rung[self.menu], kind="stable")]
        self.decay = 0.5 ** (1.0 / spec.grievance_half_life)
        self.grievance = np.zeros((compiled.n_actors, n))
        self.red_line_active = np.full(n, spec.red_line is not None and spec.red_line.active)
        self.red_line_pending = np.zeros(n)
        self.expectation = np.zeros(n)
        self.host_pressure = np.full(n, spec.host_pressure)
        self.action = np.full(n, -1, dtype=np.int64)
        self.respond_level = (
            model.scenario.ladder.level(spec.red_line.respond_at_least) if spec.red_line is not None else -1
        )
        self.adversaries = np.flatnonzero(compiled.adversary[index])
        self.patron: ActorAgent | None = None
        self._static = {}

    @property
    def strategic(self) -> bool:
        """Whether this actor chooses actions (hosts only act in replayed history)."""
        return self.spec.strategic

    def static_utility(self, menu: np.ndarray, proxy_deniability: float = 0.0) -> np.ndarray:
        """Utility terms that do not change during a run: fear and domestic pressure, shape ``(K,)``.

        ``proxy_deniability`` scales fear down when this actor judges a proxy's act that is only
        partly attributed to it.
        """
        key = (menu.tobytes(), proxy_deniability)
        if key not in self._static:
            compiled = self.model.compiled
            rung = compiled.action_rung[menu]
            fear = self.spec.fear * compiled.fear_curve[rung] * (1.0 - proxy_deniability)
            domestic = self.spec.domestic_pressure * (rung >= compiled.force_level)
            self._static[key] = -(fear + domestic)
        return self._static[key]

    def utility(self, menu: np.ndarray, share: float = 1.0, proxy_deniability: float = 0.0) -> np.ndarray:
        """Utility of each action of ``menu`` for this actor in every world, shape ``(n_worlds, K)``.

        ``share`` is the fraction of an act's harm credited to this actor (1 for its own acts,
        ``1 - deniability`` when it judges its proxy's acts).
        """
        model = self.model
        compiled = model.compiled
        spec = self.spec
        rung = compiled.action_rung[menu]
        total = np.broadcast_to(self.static_utility(menu, proxy_deniability), (model.n_worlds, menu.size)).copy()
        # 1. proportional reciprocity: the act's harm should match the grievance held
        if spec.reciprocity:
            for j in self.adversaries:
                gap = share * compiled.nominal_harm[menu, j][None, :] - self.grievance[j][:, None]
                total -= spec.reciprocity * gap * gap
        # 2. threshold cost: firebreaks this act would break for the first time in the crisis
        if spec.threshold_cost:
            newly = compiled.crossings_at[rung][None, :] - compiled.crossings_at[model.crisis_peak][:, None]
            total -= spec.threshold_cost * (1.0 - proxy_deniability) * np.maximum(newly, 0)
        # 4. credibility: a crossed red line rewards an answer at or above the promised rung
        if spec.credibility and self.respond_level >= 0:
            total += spec.credibility * self.red_line_pending[:, None] * (rung >= self.respond_level)[None, :]
        # 5. host-nation pressure against force on the host's soil
        host = compiled.action_on_host_soil[menu] & (rung >= compiled.force_level)
        if host.any():
            total -= self.host_pressure[:, None] * host[None, :]
        # 7. off-ramp: restraint is worth more when the other side has signalled it will return it
        if spec.restraint_value:
            total += spec.restraint_value * self.expectation[:, None] * (rung < compiled.force_level)[None, :]
        return total

    def decide(self) -> None:
        """Choose today's action in every world (militias may follow their patron's judgement)."""
        rng = self.model.rng
        n = self.model.n_worlds
        own = logit_probabilities(self.utility(self.menu), self.spec.rationality)
        probabilities = own
        if self.patron is not None and self.spec.control > 0:
            patron = self.patron
            share = 1.0 - self.spec.deniability
            directed = logit_probabilities(
                patron.utility(self.menu, share=share, proxy_deniability=self.spec.deniability),
                patron.spec.rationality,
            )
            follows = rng.random(n) < self.spec.control
            probabilities = np.where(follows[:, None], directed, own)
        picks = sample_choices(probabilities, rng.random(n))
        # 8. accidents: a military act slips one step up the menu with a small probability
        chosen_rung = self.model.compiled.action_rung[self.menu[picks]]
        slip = (rng.random(n) < self.model.scenario.parameters.accident_probability) & (
            chosen_rung >= self.model.compiled.accident_level
        )
        self.accident = slip & (picks < self.menu.size - 1)
        picks = picks + self.accident
        self.action = self.menu[picks]
