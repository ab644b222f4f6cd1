"""A scenario turned into the numeric arrays the vectorised model steps with.

Everything here is computed once per scenario, is read-only afterwards, and pickles cheaply
so that worker processes can rebuild models without re-reading files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escalation.scenario.schema import Action, Actor, Scenario


def harm(action: Action, victim: Actor, killed: float, wounded: float, wound_weight: float) -> float:
    """Harm units one act inflicts on ``victim``: a base for the act itself plus a casualty term.

    ``harm = harm_base + casualty_sensitivity * target_value * (log1p(killed) + wound_weight * log1p(wounded))``
    """
    casualties = np.log1p(killed) + wound_weight * np.log1p(wounded)
    return float(action.harm_base + victim.casualty_sensitivity * action.target_value * casualties)


@dataclass(frozen=True)
class CompiledScenario:
    """Numeric view of a :class:`Scenario` (indices follow ``scenario.actors`` / ``scenario.actions``)."""

    scenario: Scenario
    n_actors: int
    n_rungs: int
    force_level: int
    accident_level: int
    crossings_at: np.ndarray  # (n_rungs,) firebreaks at or below each level
    fear_curve: np.ndarray  # (n_rungs,) 0 at the bottom rung, 1 at the top
    action_rung: np.ndarray  # (n_actions,)
    action_lethal_rung: np.ndarray  # (n_actions,), -1 where none
    action_target: np.ndarray  # (n_actions,), -1 where none
    action_co_victims: np.ndarray  # (n_actions, n_actors) bool: harmed besides the target
    action_has_co_victims: np.ndarray  # (n_actions,) bool
    action_killed_mean: np.ndarray  # (n_actions,) as realised (telegraphed acts already reduced)
    action_wounded_mean: np.ndarray
    action_dispersion: np.ndarray
    action_harm_base: np.ndarray
    action_target_value: np.ndarray
    action_on_host_soil: np.ndarray  # bool
    action_offramp: np.ndarray  # bool
    action_declares_red_line: np.ndarray  # bool
    nominal_harm: np.ndarray  # (n_actions, n_actors): harm the act stands for, to each actor
    adversary: np.ndarray  # (n_actors, n_actors) bool
    actor_index: dict[str, int]
    action_index: dict[str, int]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> CompiledScenario:
        ladder = scenario.ladder
        params = scenario.parameters
        actors = scenario.actors
        actions = scenario.actions
        actor_index = {a.id: i for i, a in enumerate(actors)}
        action_index = {a.id: i for i, a in enumerate(actions)}
        n_rungs = len(ladder.rungs)
        levels = np.arange(n_rungs, dtype=float)
        steep = params.fear_steepness
        fear_curve = np.expm1(steep * levels / ladder.top) / np.expm1(steep)

        def level_or(name: str | None) -> int:
            return -1 if name is None else ladder.level(name)

        realised_factor = np.array([params.telegraph_factor if a.telegraphed else 1.0 for a in actions])
        nominal = np.zeros((len(actions), len(actors)))
        co_victims = np.zeros((len(actions), len(actors)), dtype=bool)
        for k, action in enumerate(actions):
            co_victims[k, [actor_index[v] for v in action.also_harms]] = True
            victims = ((action.target,) if action.target else ()) + action.also_harms
            for victim_id in victims:
                victim = actors[actor_index[victim_id]]
                nominal[k, actor_index[victim_id]] = harm(
                    action, victim, action.killed_mean, action.wounded_mean, params.wound_weight
                )
        adversary = np.array(
            [[a.strategic and b.strategic and a.side != b.side for b in actors] for a in actors], dtype=bool
        )
        return cls(
            scenario=scenario,
            n_actors=len(actors),
            n_rungs=n_rungs,
            force_level=ladder.level(params.force_from),
            accident_level=ladder.level(params.accidents_from),
            crossings_at=np.array(ladder.thresholds_at_or_below(), dtype=np.int64),
            fear_curve=fear_curve,
            action_rung=np.array([ladder.level(a.rung) for a in actions], dtype=np.int64),
            action_lethal_rung=np.array([level_or(a.lethal_rung) for a in actions], dtype=np.int64),
            action_target=np.array(
                [actor_index.get(a.target, -1) if a.target else -1 for a in actions], dtype=np.int64
            ),
            action_co_victims=co_victims,
            action_has_co_victims=co_victims.any(axis=1),
            action_killed_mean=np.array([a.killed_mean for a in actions]) * realised_factor,
            action_wounded_mean=np.array([a.wounded_mean for a in actions]) * realised_factor,
            action_dispersion=np.array(
                [a.dispersion if a.dispersion is not None else params.casualty_dispersion for a in actions]
            ),
            action_harm_base=np.array([a.harm_base for a in actions]),
            action_target_value=np.array([a.target_value for a in actions]),
            action_on_host_soil=np.array([a.on_host_soil for a in actions], dtype=bool),
            action_offramp=np.array([a.signal == "offramp" for a in actions], dtype=bool),
            action_declares_red_line=np.array([a.declares_red_line for a in actions], dtype=bool),
            nominal_harm=nominal,
            adversary=adversary,
            actor_index=actor_index,
            action_index=action_index,
        )
