"""The escalation model: a Mesa model that steps many independent worlds at once.

Every actor is a Mesa agent whose state is an array over ``n_worlds`` replicate worlds, so
a Monte Carlo block of ten thousand worlds costs about as many Python-level operations as a
single world. A single interactive run is simply a model with ``n_worlds=1``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import mesa
import numpy as np

from escalation.model.agents import ActorAgent
from escalation.model.compiled import CompiledScenario
from escalation.scenario.schema import Event, Scenario


@dataclass
class Act:
    """One actor's act on one day, in every world (arrays of shape ``(n_worlds,)``)."""

    actor: int
    action: np.ndarray
    killed: np.ndarray
    wounded: np.ndarray
    accident: np.ndarray
    target: np.ndarray | None = None
    perceived_killed: np.ndarray | None = None
    perceived_wounded: np.ndarray | None = None
    noisy: bool = True


class EscalationModel(mesa.Model):
    """A Mesa model of one scenario in ``n_worlds`` independent worlds.

    Parameters
    ----------
    scenario:
        A validated :class:`~escalation.scenario.Scenario` (or its :class:`CompiledScenario`).
    n_worlds:
        Number of independent replicate worlds stepped together (>= 1).
    rng:
        The only source of randomness: a ``numpy.random.Generator`` (or a seed for one).
    detail:
        Keep per-day actions, targets and casualties of every world (for traces and tests).
    """

    def __init__(
        self,
        scenario: Scenario | CompiledScenario,
        n_worlds: int = 1,
        rng: np.random.Generator | int | None = None,
        *,
        detail: bool = False,
    ) -> None:
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        super().__init__(rng=rng)
        if n_worlds < 1:
            raise ValueError("n_worlds must be at least 1")
        self.compiled = scenario if isinstance(scenario, CompiledScenario) else CompiledScenario.from_scenario(scenario)
        self.crisis = self.compiled.scenario  # not `scenario`: Mesa >= 3.5 reserves that name
        self.n_worlds = n_worlds
        self.detail = detail
        compiled = self.compiled
        n = n_worlds
        self.crisis_peak = np.zeros(n, dtype=np.int64)
        self.actors = [ActorAgent(self, spec, i) for i, spec in enumerate(self.crisis.actors)]
        for agent in self.actors:
            if agent.spec.patron is not None:
                agent.patron = self.actors[compiled.actor_index[agent.spec.patron]]
        self.strategic = self.agents.select(lambda a: a.strategic)
        self._sensitivity = np.array([a.casualty_sensitivity for a in self.crisis.actors])
        self.history_rows: list[dict] = []
        self.replay_history()
        horizon = self.crisis.horizon_days
        self.day = 0
        self.rungs = np.zeros((compiled.n_actors, horizon, n), dtype=np.int8)
        self.killed_suffered = np.zeros((compiled.n_actors, n), dtype=np.int64)
        self.crossings = np.zeros(n, dtype=np.int64)
        if detail:
            shape = (compiled.n_actors, horizon, n)
            self.log_action = np.full(shape, -1, dtype=np.int64)
            self.log_target = np.full(shape, -1, dtype=np.int64)
            self.log_killed = np.zeros(shape, dtype=np.int64)
            self.log_wounded = np.zeros(shape, dtype=np.int64)
            self.log_accident = np.zeros(shape, dtype=bool)
            self.log_grievance = np.zeros((compiled.n_actors, horizon, n))

    # ------------------------------------------------------------------ history
    def replay_history(self) -> None:
        """Replay the documented timeline up to ``start_after`` into the actors' state.

        Days pass between events (grievances and signals decay), and each event goes through
        the same resolution as a simulated act, with its documented casualties and no noise.
        """
        events = self.crisis.replayed_events()
        if not events:
            return
        n = self.n_worlds
        day = events[0].date
        for event in events:
            while day < event.date:
                self._end_of_day()
                day += dt.timedelta(days=1)
            act = self._event_act(event, n)
            self._resolve([act], event=event)
            actor = self.crisis.actors[self.compiled.actor_index[event.actor]]
            self.history_rows.append(
                {
                    "event": event.id,
                    "date": event.date,
                    "actor": actor.id,
                    "action": event.action,
                    "target": event.target,
                    "rung": int(self._realised_rung(act)[0]),
                    "killed": event.killed,
                    "wounded": event.wounded,
                    "grievance": float(self.actors[self.compiled.actor_index[actor.id]].grievance[:, 0].max()),
                }
            )
        self._end_of_day()

    def _event_act(self, event: Event, n: int) -> Act:
        compiled = self.compiled
        k = compiled.action_index[event.action]
        target = compiled.actor_index[event.target] if event.target else compiled.action_target[k]

        def full(value: int | None) -> np.ndarray:
            return np.full(n, value or 0, dtype=np.int64)

        perceived_k = event.perceived_killed if event.perceived_killed is not None else event.killed
        perceived_w = event.perceived_wounded if event.perceived_wounded is not None else event.wounded
        return Act(
            actor=compiled.actor_index[event.actor],
            action=np.full(n, k, dtype=np.int64),
            killed=full(event.killed),
            wounded=full(event.wounded),
            accident=np.zeros(n, dtype=bool),
            target=np.full(n, target, dtype=np.int64),
            perceived_killed=full(perceived_k),
            perceived_wounded=full(perceived_w),
            noisy=False,
        )

    # ------------------------------------------------------------------ simulation
    @property
    def date(self) -> dt.date | None:
        """Calendar date of the last simulated day (``None`` for scenarios without history)."""
        start = self.crisis.start_date
        return None if start is None or self.day == 0 else start + dt.timedelta(days=self.day - 1)

    def step(self) -> None:
        """Simulate one day in every world: all strategic actors choose, then acts resolve."""
        if self.day >= self.crisis.horizon_days:
            self.running = False
            return
        self.strategic.do("decide")
        acts = [self._sample_act(agent) for agent in self.strategic]
        before = self.crisis_peak.copy()
        self._resolve(acts)
        compiled = self.compiled
        self.crossings += compiled.crossings_at[self.crisis_peak] - compiled.crossings_at[before]
        for act in acts:
            self.rungs[act.actor, self.day] = self._realised_rung(act)
            if self.detail:
                d = self.day
                self.log_action[act.actor, d] = act.action
                self.log_target[act.actor, d] = compiled.action_target[act.action]
                self.log_killed[act.actor, d] = act.killed
                self.log_wounded[act.actor, d] = act.wounded
                self.log_accident[act.actor, d] = act.accident
        if self.detail:
            for agent in self.actors:
                self.log_grievance[agent.index, self.day] = agent.grievance.max(axis=0)
        self._end_of_day()
        self.day += 1
        if self.day >= self.crisis.horizon_days:
            self.running = False

    def release(self) -> None:
        """Free the model's memory now; the model cannot be used afterwards.

        A Mesa model refers to itself (its wrapped ``step``) and to its agents, which refer back
        to it, so it is only reclaimed by Python's occasional cycle collection; Mesa before 3.4
        also keeps every model in a class-level ``Agent._ids`` table. Long Monte Carlo runs,
        which build one model per block, call this once a block is summarised.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)
        for agent in self.actors:
            agent.__dict__.clear()
        self.__dict__.clear()

    def run(self) -> EscalationModel:
        """Step until the horizon; returns ``self`` for chaining."""
        while self.running:
            self.step()
        return self

    def _sample_act(self, agent: ActorAgent) -> Act:
        compiled = self.compiled
        action = agent.action
        killed = self._casualties(compiled.action_killed_mean[action], compiled.action_dispersion[action])
        wounded = self._casualties(compiled.action_wounded_mean[action], compiled.action_dispersion[action])
        return Act(actor=agent.index, action=action, killed=killed, wounded=wounded, accident=agent.accident)

    def _casualties(self, mean: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
        """Negative-binomial casualty counts with the given means (drawn only where mean > 0)."""
        out = np.zeros(self.n_worlds, dtype=np.int64)
        live = mean > 0
        if live.any():
            shape = dispersion[live]
            out[live] = self.rng.negative_binomial(shape, shape / (shape + mean[live]))
        return out

    def _realised_rung(self, act: Act) -> np.ndarray:
        compiled = self.compiled
        rung = compiled.action_rung[act.action]
        lethal = compiled.action_lethal_rung[act.action]
        return np.where((act.killed > 0) & (lethal >= 0), lethal, rung)

    # ------------------------------------------------------------------ resolution
    def _resolve(self, acts: list[Act], event: Event | None = None) -> None:
        """Apply a day's acts: harm and grievance, discharge, red lines, signals, pressures."""
        compiled = self.compiled
        params = self.crisis.parameters
        specs = self.crisis.actors
        n_actors = compiled.n_actors
        increase = np.zeros((n_actors, n_actors, self.n_worlds))
        discharge = np.zeros((n_actors, n_actors, self.n_worlds))
        # acts of one day are simultaneous: red lines crossed and signals sent today take effect
        # after every act of the day has been read, so no act answers another of the same day
        crossed_lines: list[tuple[ActorAgent, np.ndarray]] = []
        force_seen = np.zeros((n_actors, self.n_worlds), dtype=bool)
        offramp_seen = np.zeros((n_actors, self.n_worlds), dtype=bool)
        for act in acts:
            i = act.actor
            agent = self.actors[i]
            spec = specs[i]
            k = act.action
            rung = self._realised_rung(act)
            target = compiled.action_target[k] if act.target is None else act.target
            proxy_share = 1.0 - spec.deniability
            patron = compiled.actor_index[spec.patron] if spec.patron else -1
            # only worlds where the act harms someone need the harm arithmetic
            active = np.flatnonzero((target >= 0) | compiled.action_has_co_victims[k])
            if active.size:
                ka, ta = k[active], target[active]
                killed = act.killed[active]
                seen_killed = killed if act.perceived_killed is None else act.perceived_killed[active]
                seen_wounded = (act.wounded if act.perceived_wounded is None else act.perceived_wounded)[active]
                casualties = np.log1p(seen_killed) + params.wound_weight * np.log1p(seen_wounded)
                if act.noisy and params.perception_noise > 0:
                    sigma = params.perception_noise
                    noise = np.exp(sigma * self.rng.standard_normal(active.size) - 0.5 * sigma**2)
                else:
                    noise = np.ones(active.size)
                for j in range(n_actors):
                    if j == i:
                        continue
                    hit = (ta == j) | compiled.action_co_victims[ka, j]
                    if not hit.any():
                        continue
                    worlds = active[hit]
                    kh = ka[hit]
                    victim = specs[j]
                    harm = (
                        compiled.action_harm_base[kh]
                        + self._sensitivity[j] * compiled.action_target_value[kh] * casualties[hit]
                    )
                    harm *= noise[hit]
                    nominal = compiled.nominal_harm[kh, j]
                    increase[j, i, worlds] += harm
                    discharge[i, j, worlds] += nominal
                    if patron >= 0:
                        increase[j, patron, worlds] += proxy_share * harm
                        discharge[patron, j, worlds] += proxy_share * nominal
                    if victim.patron is not None:
                        increase[compiled.actor_index[victim.patron], i, worlds] += victim.solidarity * harm
                    if compiled.adversary[j, i] and victim.red_line is not None:
                        victim_agent = self.actors[j]
                        known_dead = seen_killed[hit] >= victim.red_line.killed_at_least
                        crossed_lines.append((victim_agent, worlds[known_dead]))
                    if event is None:
                        self.killed_suffered[j, worlds] += np.where(ta[hit] == j, killed[hit], 0)
            if agent.respond_level >= 0:
                agent.red_line_pending = np.where(rung >= agent.respond_level, 0.0, agent.red_line_pending)
            declares = compiled.action_declares_red_line[k] | (event is not None and event.declares_red_line)
            if spec.red_line is not None:
                agent.red_line_active = agent.red_line_active | declares
            offramp = compiled.action_offramp[k] | (event is not None and event.signal == "offramp")
            force = (rung >= compiled.force_level) & (spec.kind == "state")
            force_seen[agent.adversaries] |= force
            offramp_seen[agent.adversaries] |= offramp
            self.crisis_peak = np.maximum(self.crisis_peak, rung)
        for victim_agent, worlds in crossed_lines:
            active_line = victim_agent.red_line_active[worlds]
            victim_agent.red_line_pending[worlds[active_line]] = 1.0
        for agent in self.actors:
            if force_seen[agent.index].any() or offramp_seen[agent.index].any():
                agent.expectation = np.where(
                    force_seen[agent.index], 0.0, np.where(offramp_seen[agent.index], 1.0, agent.expectation)
                )
        if event is not None:
            for effect in event.effects:
                self.actors[compiled.actor_index[effect.actor]].host_pressure += effect.amount
        for agent in self.actors:
            agent.grievance = np.maximum(agent.grievance - discharge[agent.index], 0.0) + increase[agent.index]

    def _end_of_day(self) -> None:
        signal_decay = 0.5 ** (1.0 / self.crisis.parameters.signal_half_life)
        for agent in self.actors:
            agent.grievance *= agent.decay
            agent.red_line_pending *= agent.decay
            agent.expectation *= signal_decay
