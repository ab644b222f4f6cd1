"""A scenario turned into the arrays the compiled model steps with, and per-world parameters.

:class:`CompiledScenario` is computed once per scenario, is read-only afterwards, and pickles
cheaply so that worker processes can rebuild models without re-reading files.
:func:`world_parameters` gives every world its own parameter vector: the scenario's values,
with any parameter replaced by an array over worlds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from escalation.mechanisms import accidents, alliances, casualties, fear, grievance, preparation
from escalation.mechanisms.orders import ORDERS
from escalation.model.kernel import (
    ACTION_NAMES,
    ACTOR_NAMES,
    EV_CEASEFIRE,
    EV_COMMANDERS,
    EV_DAMAGE,
    EV_DECLARES,
    EV_OFFRAMP,
    EV_ORDER,
    EV_ORDER_DAYS,
    EV_VOW,
    EVENT_FIELDS,
    GLOBAL_NAMES,
    Structure,
    Worlds,
    fixed_terms,
)
from escalation.parameters import registry, split_name
from escalation.scenario.relations import adversary_matrix, ally_matrix
from escalation.scenario.schema import Event, Scenario
from escalation.scenario.templates import expanded_id

ParameterValues = Mapping[str, Any]  # full name -> array of shape (n_worlds,) or a number; or a DataFrame


@dataclass(frozen=True)
class CompiledScenario:
    """Numeric view of a :class:`Scenario` (indices follow ``scenario.actors`` / ``scenario.actions``)."""

    scenario: Scenario
    structure: Structure
    n_actors: int
    n_rungs: int
    force_level: int
    accident_level: int
    crossings_at: np.ndarray  # (n_rungs,) firebreaks at or below each level
    action_rung: np.ndarray  # (n_actions,)
    action_lethal_rung: np.ndarray  # (n_actions,), -1 where none
    action_target: np.ndarray  # (n_actions,), -1 where none
    victims: np.ndarray  # (n_actions, n_actors) bool: target or co-victim
    telegraphed: np.ndarray  # (n_actions,) float, 1 where telegraphed
    dispersion: np.ndarray  # (n_actions,) the action's own shape, NaN where it uses the global one
    globals: np.ndarray  # (n_global,) scenario values, registry order
    actor_values: np.ndarray  # (n_actors, n_actor_params)
    action_values: np.ndarray  # (n_actions, n_action_params)
    actor_index: dict[str, int]
    action_index: dict[str, int]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> CompiledScenario:
        ladder = scenario.ladder
        params = scenario.parameters
        actors = scenario.actors
        actions = scenario.actions
        n = len(actors)
        actor_index = {a.id: i for i, a in enumerate(actors)}
        action_index = {a.id: i for i, a in enumerate(actions)}

        def level_or(name: str | None) -> int:
            return -1 if name is None else ladder.level(name)

        action_rung = np.array([ladder.level(a.rung) for a in actions], dtype=np.int64)
        target = np.array([actor_index[a.target] if a.target else -1 for a in actions], dtype=np.int64)
        co_victims = np.zeros((len(actions), n), dtype=bool)
        for k, action in enumerate(actions):
            co_victims[k, [actor_index[v] for v in action.also_harms]] = True
        victims = co_victims.copy()
        victims[target >= 0, target[target >= 0]] = True
        adversary = np.array(adversary_matrix(actors), dtype=bool)
        allied = np.array(ally_matrix(actors), dtype=bool).reshape(n, n)
        menus = np.full((n, max([len(a.menu) for a in actors] + [1])), -1, dtype=np.int64)
        for i, actor in enumerate(actors):
            menu = np.array([action_index[a] for a in actor.menu], dtype=np.int64)
            menus[i, : menu.size] = menu[np.argsort(action_rung[menu], kind="stable")] if menu.size else menu
        menu_size = np.array([len(a.menu) for a in actors], dtype=np.int64)
        adversaries = np.full((n, n), -1, dtype=np.int64)
        for i in range(n):
            found = np.flatnonzero(adversary[i])
            adversaries[i, : found.size] = found
        slip_to = np.full(menus.shape, -1, dtype=np.int64)
        for i in range(n):
            menu = menus[i, : menu_size[i]]
            slip_to[i, : menu.size] = accidents.slip_destinations(target[menu], victims[menu])
        structure = Structure(
            action_rung=action_rung,
            lethal_rung=np.array([level_or(a.lethal_rung) for a in actions], dtype=np.int64),
            action_target=target,
            co_victims=co_victims,
            has_victims=victims.any(axis=1),
            on_host_soil=np.array([a.on_host_soil for a in actions], dtype=bool),
            offramp=np.array([a.signal == "offramp" for a in actions], dtype=bool),
            ceasefire=np.array([a.signal == "ceasefire" for a in actions], dtype=bool),
            declares=np.array([a.declares_red_line for a in actions], dtype=bool),
            orders=np.array([ORDERS.get(a.orders or "", 0) for a in actions], dtype=np.int64),
            order_days=np.array([float(a.for_days or 0) for a in actions]),
            menus=menus,
            menu_size=menu_size,
            menu_below_force=np.array(
                [(action_rung[menus[i, : menu_size[i]]] < ladder.level(params.force_from)).sum() for i in range(n)],
                dtype=np.int64,
            ),
            slip_to=slip_to,
            lowest_rung=np.array([action_rung[menus[i, 0]] if menu_size[i] else 0 for i in range(n)], dtype=np.int64),
            adversary=adversary,
            adversaries=adversaries,
            n_adversaries=adversary.sum(axis=1).astype(np.int64),
            allies=allied,
            n_allies=allied.sum(axis=1).astype(np.int64),
            patron=np.array([actor_index[a.patron] if a.patron else -1 for a in actors], dtype=np.int64),
            is_state=np.array([a.kind == "state" for a in actors], dtype=bool),
            strategic=np.array([i for i, a in enumerate(actors) if a.strategic], dtype=np.int64),
            has_red_line=np.array([a.red_line is not None for a in actors], dtype=bool),
            red_line_killed=np.array([a.red_line.killed_at_least if a.red_line else 0 for a in actors], dtype=np.int64),
            vows=np.array([level_or(a.vows) for a in actions], dtype=np.int64),
            kills_commanders=np.array([a.kills_commanders for a in actions], dtype=bool),
            respond_level=np.array(
                [ladder.level(a.red_line.respond_at_least) if a.red_line else -1 for a in actors], dtype=np.int64
            ),
            crossings_at=np.array(ladder.thresholds_at_or_below(), dtype=np.int64),
            force_level=ladder.level(params.force_from),
            accident_level=ladder.level(params.accidents_from),
        )
        return cls(
            scenario=scenario,
            structure=structure,
            n_actors=n,
            n_rungs=len(ladder.rungs),
            force_level=structure.force_level,
            accident_level=structure.accident_level,
            crossings_at=structure.crossings_at,
            action_rung=action_rung,
            action_lethal_rung=structure.lethal_rung,
            action_target=target,
            victims=victims,
            telegraphed=np.array([float(a.telegraphed) for a in actions]),
            dispersion=np.array([np.nan if a.dispersion is None else a.dispersion for a in actions]),
            globals=np.array([params.values[name] for name in GLOBAL_NAMES]),
            actor_values=np.array([[a.values[name] for name in ACTOR_NAMES] for a in actors]).reshape(n, -1),
            action_values=np.array([[a.values[name] for name in ACTION_NAMES] for a in actions]).reshape(
                len(actions), -1
            ),
            actor_index=actor_index,
            action_index=action_index,
        )

    def event_fields(self, event: Event) -> np.ndarray:
        """What a documented event adds to its act, as the compiled replay reads it (``EVENT_FIELDS``)."""
        fields = np.zeros(EVENT_FIELDS)
        fields[EV_DECLARES] = event.declares_red_line
        fields[EV_OFFRAMP] = event.signal == "offramp"
        fields[EV_ORDER] = ORDERS.get(event.orders or "", 0)
        fields[EV_ORDER_DAYS] = event.for_days or 0
        fields[EV_CEASEFIRE] = event.signal == "ceasefire"
        fields[EV_DAMAGE] = event.damage
        fields[EV_VOW] = self.scenario.ladder.level(event.vows) + 1 if event.vows else 0
        fields[EV_COMMANDERS] = event.kills_commanders
        return fields

    def event_action(self, event: Event) -> int:
        """Index of the action an event takes: its own, or its template's expansion against its target."""
        found = self.action_index.get(event.action)
        return found if found is not None else self.action_index[expanded_id(event.action, event.target or "")]


def _columns(values: ParameterValues | None) -> dict[str, Any]:
    if values is None:
        return {}
    if hasattr(values, "columns") and hasattr(values, "to_numpy"):  # a pandas DataFrame
        return {str(c): values[c].to_numpy() for c in values.columns}
    return dict(values)


def world_parameters(compiled: CompiledScenario, n_worlds: int, values: ParameterValues | None = None) -> Worlds:
    """Every world's parameter vector and what follows from it.

    ``values`` maps full parameter names (``telegraph_factor``, ``iran.rationality``,
    ``rocket_attack.killed_mean``) to a number or an array of shape ``(n_worlds,)``; a
    DataFrame with one column per name works too. Unnamed parameters keep the scenario's value.
    Raises :class:`ValueError` for an unknown name, a wrong shape or a value outside the bounds.
    """
    return derive(compiled, *parameter_tables(compiled, n_worlds, values))


def parameter_tables(
    compiled: CompiledScenario, n_worlds: int, values: ParameterValues | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every world's parameter values, checked: ``(global (W, n), actor (W, actors, n), action (W, actions, n))``.

    ``values`` as for :func:`world_parameters`, which derives the rest from these tables.
    Raises :class:`ValueError` for an unknown name, a wrong shape or a value outside the bounds.
    """
    scenario = compiled.scenario
    reg = registry()
    g = np.repeat(compiled.globals[None, :], n_worlds, axis=0)
    a = np.repeat(compiled.actor_values[None], n_worlds, axis=0)
    x = np.repeat(compiled.action_values[None], n_worlds, axis=0)
    for name, given in _columns(values).items():
        try:
            owner, owner_id, field = split_name(scenario, name)
        except KeyError:
            raise ValueError(f"parameters: {name!r} is not a parameter of scenario {scenario.name!r}") from None
        array = np.asarray(given, dtype=float)
        if array.ndim == 0:
            array = np.full(n_worlds, float(array))
        if array.shape != (n_worlds,):
            raise ValueError(f"parameters: {name!r} needs shape ({n_worlds},), got {array.shape}")
        spec = reg.of(owner)[field]
        if not np.isfinite(array).all() or not spec.contains(array).all():
            raise ValueError(f"parameters: {name!r} must lie in {spec.bounds_text()}")
        if owner == "global":
            g[:, GLOBAL_NAMES.index(field)] = array
        elif owner == "actor":
            a[:, compiled.actor_index[owner_id], ACTOR_NAMES.index(field)] = array
        else:  # every action named by it: a template's expansions share its parameters
            owned = [i for i, action in enumerate(scenario.actions) if action.parameter_owner == owner_id]
            x[:, owned, ACTION_NAMES.index(field)] = array[:, None]
    return g, a, x


def derive(compiled: CompiledScenario, g: np.ndarray, a: np.ndarray, x: np.ndarray) -> Worlds:
    """The derived per-world arrays (decay factors, fear curve, nominal harm, realised casualty means)."""

    def col(table: np.ndarray, names: tuple[str, ...], name: str) -> np.ndarray:
        return table[..., names.index(name)]

    top = max(compiled.n_rungs - 1, 1)
    levels = np.arange(compiled.n_rungs, dtype=float)
    killed_mean = col(x, ACTION_NAMES, "killed_mean")
    wounded_mean = col(x, ACTION_NAMES, "wounded_mean")
    nominal = (
        casualties.harm(
            col(x, ACTION_NAMES, "harm_base")[:, :, None],
            col(a, ACTOR_NAMES, "casualty_sensitivity")[:, None, :],
            col(x, ACTION_NAMES, "target_value")[:, :, None],
            killed_mean[:, :, None],
            wounded_mean[:, :, None],
            col(g, GLOBAL_NAMES, "wound_weight")[:, None, None],
        )
        * compiled.victims[None]
    )
    telegraph = col(g, GLOBAL_NAMES, "telegraph_factor")[:, None]
    own = compiled.dispersion[None, :]
    worlds = Worlds(
        globals=np.ascontiguousarray(g),
        actor=np.ascontiguousarray(a),
        action=np.ascontiguousarray(x),
        decay=grievance.decay_factor(col(a, ACTOR_NAMES, "grievance_half_life")),
        signal_decay=grievance.decay_factor(col(g, GLOBAL_NAMES, "signal_half_life")),
        ready=preparation.readiness(col(a, ACTOR_NAMES, "preparation_days")),
        restraint=alliances.pressure_on(col(a, ACTOR_NAMES, "ally_restraint"), compiled.structure.allies),
        fear_curve=fear.fear_curve(col(g, GLOBAL_NAMES, "fear_steepness")[:, None], levels[None, :], top),
        nominal=np.ascontiguousarray(nominal),
        killed_mean=casualties.realised_mean(killed_mean, compiled.telegraphed[None], telegraph),
        wounded_mean=casualties.realised_mean(wounded_mean, compiled.telegraphed[None], telegraph),
        dispersion=np.where(np.isnan(own), col(g, GLOBAL_NAMES, "casualty_dispersion")[:, None], own),
        standing=np.empty((0, 0, 0, 0)),
        answers=np.empty((0, 0, 0, 0, 0)),
        lead=np.empty((0, 0, 0, 0, 0)),
    )
    standing, answers, lead = fixed_terms(compiled.structure, worlds)
    return worlds._replace(standing=standing, answers=answers, lead=lead)
