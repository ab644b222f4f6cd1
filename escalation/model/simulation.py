"""The worlds of one scenario and their compiled days, without Mesa.

A :class:`Simulation` holds ``n_worlds`` independent replicate worlds: their parameters, the
actors' state in each, the replayed documented history and the days the compiled kernel
(:mod:`escalation.model.kernel`) simulates. Monte Carlo blocks and the likelihood use it
directly; :class:`~escalation.model.EscalationModel` is the same simulation as a Mesa model,
with agents, a data collector and ``step``.

The worlds are simulated in tiles of ``TILE_WORLDS``, each with its own random stream drawn
from the simulation's generator. :meth:`Simulation.run` simulates a tile's remaining days in
one pass, while its few hundred kilobytes of state stay in the processor's cache;
:meth:`Simulation.simulate` can stop at any day (a Mesa step is one day of every tile). Each tile draws its
numbers day by day from its own stream either way, so stepping and running give the same
numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from escalation.mechanisms.casualties import realised_rung
from escalation.mechanisms.persistence import NONE
from escalation.model import kernel
from escalation.model.compiled import CompiledScenario, ParameterValues, world_parameters
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Event, Scenario

TILE_WORLDS = 32  # worlds simulated together from one random stream (a tile's state is ~0.5 MB)


class Tile(NamedTuple):
    """A slice of the worlds: views of their parameters, state and log, and their random stream."""

    worlds: kernel.Worlds
    state: kernel.State
    log: kernel.Log
    rng: np.random.Generator


class Simulation:
    """One scenario in ``n_worlds`` independent worlds, simulated by the compiled kernel.

    Parameters
    ----------
    scenario:
        A validated :class:`~escalation.scenario.Scenario` (or its :class:`CompiledScenario`), or
        the path of a scenario file.
    n_worlds:
        Number of independent replicate worlds simulated together (>= 1).
    rng:
        The only source of randomness: a ``numpy.random.Generator`` (or a seed for one). Each
        tile of ``TILE_WORLDS`` worlds draws from its own stream seeded from it.
    parameters:
        Per-world parameter values: full name -> array of shape ``(n_worlds,)`` (or a number),
        or a DataFrame with a column per name; unnamed parameters keep the scenario's value.
    detail:
        Keep per-day actions, targets and casualties of every world (for traces and tests).
    """

    _takes_mesa_draw = True  # False where mesa.Model.__init__ has taken it

    def __init__(
        self,
        scenario: Scenario | CompiledScenario | str | os.PathLike[str],
        n_worlds: int = 1,
        rng: np.random.Generator | int | None = None,
        *,
        parameters: ParameterValues | None = None,
        detail: bool = False,
    ) -> None:
        if n_worlds < 1:
            raise ValueError("n_worlds must be at least 1")
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        if self._takes_mesa_draw:
            # the draw mesa.Model takes to seed its stdlib random: a Simulation and an
            # EscalationModel of one seed simulate with the same numbers
            self.rng.integers(np.iinfo(np.int32).max)
        self.running = True
        if isinstance(scenario, (str, os.PathLike)):
            scenario = load_scenario(scenario)
        self.compiled = scenario if isinstance(scenario, CompiledScenario) else CompiledScenario.from_scenario(scenario)
        self.crisis = self.compiled.scenario  # not `scenario`: Mesa >= 3.5 reserves that name
        self.n_worlds = n_worlds
        self.detail = detail
        self.worlds = world_parameters(self.compiled, n_worlds, parameters)
        self.scratch = kernel.scratch(self.compiled.structure)
        self.state = self._initial_state()
        self.history_rows: list[dict] = []
        self.replay_history()
        self.state.crossings[:] = 0
        self.history_peak = self.state.peak.copy()  # the crisis's highest rung when the simulation starts
        self.day = 0
        self.log = self._empty_log()
        self.tiles = self._tiles()

    # ------------------------------------------------------------------ state
    def _initial_state(self) -> kernel.State:
        n, w = self.compiled.n_actors, self.n_worlds
        actors = self.crisis.actors
        return kernel.State(
            grievance=np.zeros((w, n, n)),
            pending=np.zeros((w, n)),
            active=np.repeat(np.array([a.red_line is not None and a.red_line.active for a in actors])[None], w, 0),
            belief=np.zeros((w, n)),
            host=np.ascontiguousarray(self.worlds.actor[:, :, kernel.ACTOR_NAMES.index("host_pressure")]),
            order=np.zeros((w, n)),
            ceasefire=np.zeros(w, dtype=bool),
            last=np.full((w, n), NONE, dtype=np.int64),
            since=np.full((w, n), np.inf),
            respond=np.repeat(self.compiled.structure.respond_level[None], w, 0),
            lost=np.zeros((w, n)),
            peak=np.zeros(w, dtype=np.int64),
            crossings=np.zeros(w, dtype=np.int64),
            killed=np.zeros((w, n), dtype=np.int64),
        )

    def _empty_log(self) -> kernel.Log:
        shape = (self.compiled.n_actors, self.crisis.horizon_days, self.n_worlds)
        kept = shape if self.detail else (0, 0, 0)
        return kernel.Log(
            rungs=np.zeros(shape, dtype=np.int8),
            action=np.full(kept, -1, dtype=np.int64),
            target=np.full(kept, -1, dtype=np.int64),
            killed=np.zeros(kept, dtype=np.int64),
            wounded=np.zeros(kept, dtype=np.int64),
            accident=np.zeros(kept, dtype=bool),
            grievance=np.zeros(kept),
        )

    def _tiles(self) -> list[Tile]:
        """The worlds in tiles of ``TILE_WORLDS``, each with its own stream seeded from the model's generator."""
        starts = range(0, self.n_worlds, TILE_WORLDS)
        root = np.random.SeedSequence(self.rng.integers(0, 2**63, size=2).tolist())
        tiles = []
        for start, seed in zip(starts, root.spawn(len(starts)), strict=True):
            part = slice(start, start + TILE_WORLDS)
            tiles.append(
                Tile(
                    kernel.Worlds(*(a[part] for a in self.worlds)),
                    kernel.State(*(a[part] for a in self.state)),
                    kernel.Log(*(a[:, :, part] for a in self.log)),
                    np.random.default_rng(seed),
                )
            )
        return tiles

    @property
    def rungs(self) -> np.ndarray:
        """Realised rung of each actor on each simulated day: ``(n_actors, horizon, n_worlds)`` int8."""
        return self.log.rungs

    @property
    def crisis_peak(self) -> np.ndarray:
        """Highest realised rung of the crisis so far, history included, per world."""
        return self.state.peak

    @property
    def crossings(self) -> np.ndarray:
        """Firebreaks crossed for the first time during the simulated period, per world."""
        return self.state.crossings

    @property
    def killed_suffered(self) -> np.ndarray:
        """Deaths each actor suffered as the target of simulated acts: ``(n_actors, n_worlds)``."""
        return self.state.killed.T

    def __getattr__(self, name: str) -> np.ndarray:
        # log_action, log_target, log_killed, log_wounded, log_accident, log_grievance (with detail)
        if name.startswith("log_") and "log" in self.__dict__:
            return getattr(self.__dict__["log"], name[4:])
        raise AttributeError(name)

    # ------------------------------------------------------------------ history
    def replay_history(self) -> None:
        """Replay the documented timeline up to ``start_after`` into the actors' state.

        Quiet days between events pass in one step (grievances and signals decay), and each
        event goes through the same resolution as a simulated act, with its documented
        (perceived) casualties and no noise.
        """
        events = self.crisis.replayed_events()
        if not events:
            return
        day = events[0].date
        for event in events:
            if event.date > day:
                kernel.end_of_days(self.worlds, self.state, (event.date - day).days)
                day = event.date
            self.apply_event(event)
        kernel.end_of_days(self.worlds, self.state, 1)

    def apply_event(self, event: Event) -> None:
        """Apply one documented event in every world, as recorded and without perception noise."""
        compiled = self.compiled
        k = compiled.event_action(event)
        actor = compiled.actor_index[event.actor]
        target = compiled.actor_index[event.target] if event.target else int(compiled.action_target[k])
        killed, wounded = event.killed or 0, event.wounded or 0
        seen_killed = event.perceived_killed if event.perceived_killed is not None else killed
        seen_wounded = event.perceived_wounded if event.perceived_wounded is not None else wounded
        kernel.replay_event(
            compiled.structure,
            self.worlds,
            self.state,
            self.scratch,
            actor,
            k,
            target,
            killed,
            wounded,
            seen_killed,
            seen_wounded,
            compiled.event_fields(event),
        )
        for effect in event.effects:
            self.state.host[:, compiled.actor_index[effect.actor]] += effect.amount
        self.history_rows.append(
            {
                "event": event.id,
                "date": event.date,
                "actor": event.actor,
                "action": self.crisis.actions[k].id,
                "target": event.target,
                "rung": realised_rung(int(compiled.action_rung[k]), int(compiled.action_lethal_rung[k]), killed),
                "killed": event.killed,
                "wounded": event.wounded,
                "grievance": float(self.state.grievance[0, actor].max()),
            }
        )

    # ------------------------------------------------------------------ simulation
    def run(self, check: Callable[[], None] | None = None) -> Simulation:
        """Simulate every remaining day, tile by tile; returns ``self`` for chaining.

        ``check`` is called before each tile (a few milliseconds of work): it may raise to
        abandon the run.
        """
        if self.running and self.day < self.crisis.horizon_days:
            self.simulate(self.crisis.horizon_days, check)
        self.running = False
        return self

    def simulate(self, last: int, check: Callable[[], None] | None = None) -> None:
        """Simulate days ``self.day`` to ``last - 1`` in every tile."""
        s, scratch, first, detail = self.compiled.structure, self.scratch, self.day, self.detail
        days, draws = last - first, kernel.draws_per_day(s)
        widest = self.tiles[0].state.peak.size  # the first tile is the largest
        drawn = np.empty(days * widest * draws)  # one buffer for every tile: no fresh pages per tile
        for tile in self.tiles:
            if check is not None:
                check()
            size = (days, tile.state.peak.size, draws)
            uniforms = drawn[: days * size[1] * draws].reshape(size)
            tile.rng.random(out=uniforms)  # day by day, world by world
            kernel.simulate_days(s, tile.worlds, tile.state, tile.log, scratch, first, last, detail, uniforms)
        self.day = last
        if self.day >= self.crisis.horizon_days:
            self.running = False

    def release(self) -> None:
        """Free the simulation's memory now; it cannot be used afterwards."""
        self.__dict__.clear()
