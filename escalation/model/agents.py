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


def sample_choices(weights: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Index of the option each world picks, by inverting the cumulative distribution.

    ``weights`` (``(n_worlds, n_options)``, non-negative) need not be normalised.
    """
    cumulative = np.cumsum(weights, axis=1)
    picks = (cumulative <= uniforms[:, None] * cumulative[:, -1:]).sum(axis=1)
    return np.minimum(picks, weights.shape[1] - 1)


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
            model.crisis.ladder.level(spec.red_line.respond_at_least) if spec.red_line is not None else -1
        )
        self.adversaries = np.flatnonzero(compiled.adversary[index])
        self.patron: ActorAgent | None = None
        self._static = {}

    @property
    def strategic(self) -> bool:
        """Whether this actor chooses actions (hosts only act in replayed history)."""
        return self.spec.strategic

    def _menu_terms(self, menu: np.ndarray, share: float, proxy_deniability: float) -> dict[str, np.ndarray]:
        """Per-action constants of the utility for ``menu``, computed once per menu and viewpoint."""
        key = (menu.tobytes(), share, proxy_deniability)
        if key not in self._static:
            compiled = self.model.compiled
            spec = self.spec
            rung = compiled.action_rung[menu]
            harm = share * compiled.nominal_harm[np.ix_(menu, self.adversaries)]  # (K, n_adversaries)
            fear = spec.fear * compiled.fear_curve[rung] * (1.0 - proxy_deniability)
            domestic = spec.domestic_pressure * (rung >= compiled.force_level) * (1.0 - proxy_deniability)
            # inertia: holding (the menu's bottom rung) is the default of a day without reason to act
            inertia = self.model.crisis.parameters.inertia * (rung == rung.min())
            # threshold cost by how many firebreaks the crisis has already broken (rows) and act (columns)
            already = np.arange(compiled.crossings_at.max() + 1)[:, None]
            newly = np.maximum(compiled.crossings_at[rung][None, :] - already, 0)
            self._static[key] = {
                "constant": inertia - (fear + domestic) - spec.reciprocity * (harm * harm).sum(axis=1),
                "harm_t": 2.0 * spec.reciprocity * harm.T,
                "threshold": spec.threshold_cost * (1.0 - proxy_deniability) * newly,
                "answers": (rung >= self.respond_level).astype(float),
                "host": (compiled.action_on_host_soil[menu] & (rung >= compiled.force_level)).astype(float),
                "any_host": bool((compiled.action_on_host_soil[menu] & (rung >= compiled.force_level)).any()),
                "restraint": (rung < compiled.force_level).astype(float),
            }
        return self._static[key]

    def utility(self, menu: np.ndarray, share: float = 1.0, proxy_deniability: float = 0.0) -> np.ndarray:
        """Utility of each action of ``menu`` for this actor in every world, shape ``(n_worlds, K)``.

        ``share`` is the fraction of an act's harm credited to this actor (1 for its own acts,
        ``1 - deniability`` when it judges its proxy's acts).
        """
        model = self.model
        spec = self.spec
        terms = self._menu_terms(menu, share, proxy_deniability)
        # 1. proportional reciprocity, -rho * sum_j (share * D_kj - G_j)^2, expanded so that the
        #    world-dependent part is one matrix product; 2. fear and 5. domestic pressure are constant
        grievance = self.grievance[self.adversaries]  # (n_adversaries, W)
        total = grievance.T @ terms["harm_t"] + terms["constant"]
        total -= spec.reciprocity * (grievance * grievance).sum(axis=0)[:, None]
        # 2. threshold cost: firebreaks this act would break for the first time in the crisis
        if spec.threshold_cost:
            total -= terms["threshold"][model.compiled.crossings_at[model.crisis_peak]]
        # 4. credibility: a crossed red line rewards an answer at or above the promised rung
        if spec.credibility and self.respond_level >= 0:
            total += np.outer(spec.credibility * self.red_line_pending, terms["answers"])
        # 5. host-nation pressure against force on the host's soil
        if terms["any_host"]:
            total -= np.outer(self.host_pressure, terms["host"])
        # 7. off-ramp: restraint is worth more when the other side has signalled it will return it
        if spec.restraint_value:
            total += np.outer(spec.restraint_value * self.expectation, terms["restraint"])
        return total

    def decide(self) -> None:
        """Choose today's action in every world (militias may follow their patron's judgement)."""
        rng = self.model.rng
        n = self.model.n_worlds
        scaled = self.spec.rationality * self.utility(self.menu)
        if self.patron is not None:
            # drawn even when control is 0, so that every value of control uses the same random streams
            follows = rng.random(n) < self.spec.control
            if follows.any():
                patron = self.patron
                deniability = self.spec.deniability
                directed = patron.spec.rationality * patron.utility(
                    self.menu, share=1.0 - deniability, proxy_deniability=deniability
                )
                scaled = np.where(follows[:, None], directed, scaled)
        weights = np.exp(scaled - scaled.max(axis=1, keepdims=True))
        picks = sample_choices(weights, rng.random(n))
        # 8. accidents: a military act slips one step up the menu with a small probability
        chosen_rung = self.model.compiled.action_rung[self.menu[picks]]
        slip = (rng.random(n) < self.model.crisis.parameters.accident_probability) & (
            chosen_rung >= self.model.compiled.accident_level
        )
        self.accident = slip & (picks < self.menu.size - 1)
        picks = picks + self.accident
        self.action = self.menu[picks]
