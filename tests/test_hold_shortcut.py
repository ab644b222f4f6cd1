"""The sampler's unscored decision for act 0 (``kernel.hold_is_certain``) against the scored logit draw.

The kernel decides many draws for act 0 from a bound on how far any other act's utility can
lead act 0's, without scoring the menu. It must never decide a draw that the scored draw
would decide otherwise: for random scenarios, parameter vectors across the registry's bounds
and random states, every draw it decides is checked against the exact logit draw, with
uniforms placed on either side of act 0's probability.
"""

from __future__ import annotations

import numba
import numpy as np
import strategies as sst
from helpers import seeded_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation import load_scenario
from escalation.model import Simulation, kernel
from escalation.parameters import scenario_parameters

# uniforms as multiples of act 0's probability: on both sides of it, closer than the bound's margin
NEAR = np.array([0.0, 0.1, 0.5, 0.9, 0.99, 0.999999, 1.0 - 1e-12, 1.0, 1.0 + 1e-12, 1.000001, 1.01, 1.5])


@numba.njit
def decided_draws(s, p, state, scratch, near, uniforms):
    """``(decided, wrong)``: draws ``hold_is_certain`` decided, and those the scored draw does not give act 0.

    Every strategic actor of every world is judged by itself and, for a proxy, by its patron,
    each with readiness (the full menu) and without (the acts below force).
    """
    s = kernel.borrow_structure(s)
    p = kernel.borrow_worlds(p)
    state = kernel.borrow_state(state)
    scratch = kernel.borrow_scratch(scratch)
    decided, wrong = 0, 0
    restricted = np.empty(scratch.probability.size)
    for w in range(state.peak.size):
        for actor in s.strategic:
            size = s.menu_size[actor]
            for slot in range(2):
                judge = actor if slot == 0 else s.patron[actor]
                if judge < 0:
                    continue
                kernel.scale_grievances(s, p, state, w, judge, scratch.answered[judge])
                kernel.scored(s, p, state, w, actor, judge, scratch.utility, scratch.answered[judge])
                rationality = p.actor[w, judge, kernel.RATIONALITY]
                kernel.probabilities(scratch.utility, rationality, size, scratch.probability, kernel.SAMPLING_CUTOFF)
                restricted[:size] = scratch.probability[:size]
                kernel.restrict(restricted, size, s.menu_below_force[actor])
                for i in range(near.size + uniforms.shape[1]):
                    u = near[i] * scratch.probability[0] if i < near.size else uniforms[w, i - near.size]
                    if u >= 1.0 or not kernel.hold_is_certain(s, p, state, w, actor, judge, u):
                        continue
                    decided += 1
                    if kernel.pick(scratch.probability, size, u) != 0 or kernel.pick(restricted, size, u) != 0:
                        wrong += 1
    return decided, wrong


def _per_world_values(scenario, n_worlds: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every parameter of ``scenario`` drawn per world across its bounds: 0, the low end, log-uniform, the high end."""
    values = {}
    for parameter in scenario_parameters(scenario):
        spec = parameter.spec
        low = max(spec.low, 1e-3) if spec.low_open or spec.low == 0.0 else spec.low
        high = min(spec.high, max(100.0, 10 * low))
        draws = np.exp(rng.uniform(np.log(low), np.log(high), n_worlds))
        pick = rng.random(n_worlds)
        draws[pick < 0.15] = spec.low if not spec.low_open else low
        draws[(pick >= 0.15) & (pick < 0.25)] = parameter.value if spec.contains(parameter.value) else low
        draws[pick > 0.95] = spec.high if spec.high <= 1000.0 else high
        values[parameter.name] = draws
    return values


def _random_state(simulation: Simulation, rng: np.random.Generator) -> None:
    """Overwrite the worlds' state with random values of every kind the day can leave."""
    state, n_worlds = simulation.state, simulation.n_worlds
    n_actions = simulation.compiled.structure.action_rung.size
    n_levels = simulation.compiled.structure.crossings_at.size
    scale = 10.0 ** rng.uniform(-3.0, 3.0, (n_worlds, 1, 1))
    state.grievance[:] = rng.exponential(1.0, state.grievance.shape) * scale * (rng.random(state.grievance.shape) < 0.7)
    state.pending[:] = rng.random(state.pending.shape) * (rng.random(state.pending.shape) < 0.5)
    state.belief[:] = rng.random(state.belief.shape) * (rng.random(state.belief.shape) < 0.5)
    state.host[:] = rng.exponential(1.0, state.host.shape) * (rng.random(state.host.shape) < 0.3)
    state.order[:] = rng.integers(0, 3, state.order.shape)
    state.ceasefire[:] = rng.random(n_worlds) < 0.3
    state.last[:] = rng.integers(-1, n_actions, state.last.shape)
    state.since[:] = rng.integers(0, 3, state.since.shape)
    state.respond[:] = rng.integers(-1, n_levels, state.respond.shape)
    state.lost[:] = rng.random(state.lost.shape) * (rng.random(state.lost.shape) < 0.3)
    state.peak[:] = rng.integers(0, n_levels, n_worlds)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=sst.small_scenario_data() | sst.varied_seeded_data(horizon_days=10, for_runs=True) | st.just(seeded_data()),
    seed=st.integers(0, 2**32 - 1),
)
def test_an_unscored_decision_for_act_0_is_the_scored_draw(data, seed: int) -> None:
    scenario = load_scenario(data)
    rng = np.random.default_rng(seed)
    n_worlds = 64
    simulation = Simulation(scenario, n_worlds, rng, parameters=_per_world_values(scenario, n_worlds, rng))
    _random_state(simulation, rng)
    decided, wrong = decided_draws(
        simulation.compiled.structure,
        simulation.worlds,
        simulation.state,
        simulation.scratch,
        NEAR,
        rng.random((n_worlds, 16)),
    )
    assert wrong == 0, f"{wrong} of {decided} unscored decisions differ from the scored draw"


def test_the_unscored_decision_takes_most_quiet_draws_of_the_seeded_scenario() -> None:
    """It is worth its bound: on the seeded scenario's simulated days it decides most draws that go to act 0."""
    simulation = Simulation(load_scenario(seeded_data()), 256, 11)
    simulation.simulate(10)
    rng = np.random.default_rng(5)
    decided, wrong = decided_draws(
        simulation.compiled.structure,
        simulation.worlds,
        simulation.state,
        simulation.scratch,
        np.empty(0),
        rng.random((simulation.n_worlds, 64)),
    )
    assert wrong == 0
    judged = sum(1 + (simulation.compiled.structure.patron[a] >= 0) for a in simulation.compiled.structure.strategic)
    share = decided / (simulation.n_worlds * 64 * judged)
    assert share > 0.4, f"decided {share:.2f} of draws"
