"""Properties of the choice rule and of model runs that hold for any valid scenario and seed.

Nothing here depends on the seeded scenario's calibration: assertions are structural
(shapes, ranges, conservation, determinism) or statistical with a fixed seed and a stated
tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import strategies as sst
from helpers import seeded_data, small_scenario_data
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from escalation import EscalationModel, Scenario, ScenarioError, load_scenario
from escalation.mechanisms import choice, preparation
from escalation.model import Simulation, kernel
from escalation.model.model import TILE_WORLDS

SLOW_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = st.integers(0, 2**32 - 1)
# The values Generator.random() returns, but 0.0: multiples of 2**-53 in (0, 1).
GENERATOR_UNIFORMS = st.integers(1, 2**53 - 1).map(lambda k: k / 2**53)


# ================================================================================ logit choice
# The choice mechanism's own functions (the kernel compiles these same functions), row by row.
def logit_probabilities(utility: np.ndarray, rationality: float, cutoff: float = -np.inf) -> np.ndarray:
    out = np.empty_like(utility)
    for row, target in zip(utility, out, strict=True):
        choice.probabilities(row, rationality, row.size, target, cutoff)
    return out


def sample_choices(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    return np.array([choice.pick(p, p.size, u) for p, u in zip(probabilities, uniforms, strict=True)], dtype=np.int64)


@st.composite
def utility_matrices(draw: st.DrawFn, elements: st.SearchStrategy[float] | None = None) -> np.ndarray:
    shape = (draw(st.integers(1, 6)), draw(st.integers(1, 8)))
    if elements is None:
        elements = st.floats(allow_nan=False, allow_infinity=False)
    return draw(arrays(np.float64, shape, elements=elements))


RATIONALITY = st.floats(min_value=0.0, exclude_min=True, allow_nan=False, allow_infinity=False)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@settings(max_examples=300, deadline=None)
@given(utility=utility_matrices(), rationality=RATIONALITY)
def test_logit_probabilities_are_a_distribution(utility: np.ndarray, rationality: float) -> None:
    probabilities = logit_probabilities(utility, rationality)
    assert probabilities.shape == utility.shape
    assert np.isfinite(probabilities).all()
    assert (probabilities >= 0).all() and (probabilities <= 1).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-12 * utility.shape[1])


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@settings(max_examples=200, deadline=None)
@given(utility=utility_matrices(), rationality=RATIONALITY)
def test_logit_probabilities_follow_utility_order(utility: np.ndarray, rationality: float) -> None:
    probabilities = logit_probabilities(utility, rationality)
    for u, p in zip(utility, probabilities, strict=True):
        order = np.argsort(u, kind="stable")
        assert (np.diff(p[order]) >= 0).all()  # better options are never less likely
        assert p[np.argmax(u)] == p.max()
        assert p.max() >= 1.0 / u.size - 1e-12


@settings(max_examples=100, deadline=None)
@given(
    utility=utility_matrices(st.floats(-50.0, 50.0)),
    rationality=st.floats(0.01, 1.0),
    shift=st.floats(-1e3, 1e3),
)
def test_logit_probabilities_match_softmax_and_ignore_shifts(
    utility: np.ndarray, rationality: float, shift: float
) -> None:
    weights = np.exp(rationality * utility)
    expected = weights / weights.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logit_probabilities(utility, rationality), expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(logit_probabilities(utility + shift, rationality), expected, rtol=1e-7, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(utility=utility_matrices(st.floats(-1e3, 1e3)), rationality=st.floats(0.0, 50.0))
def test_sampling_cutoff_changes_probabilities_only_below_what_a_draw_resolves(
    utility: np.ndarray, rationality: float
) -> None:
    """The sampler's cutoff drops options below exp(-40) of the best: no probability moves by 1e-16."""
    exact = logit_probabilities(utility, rationality)
    cut = logit_probabilities(utility, rationality, choice.SAMPLING_CUTOFF)
    np.testing.assert_allclose(cut, exact, rtol=0, atol=1e-16 * utility.shape[1])
    assert np.all((cut == 0) <= (exact < 5e-18))


@st.composite
def choice_days(draw: st.DrawFn) -> tuple[np.ndarray, float, float, int, bool]:
    """A menu's utilities (act 0 often the best), rationality, the pick's uniform, acts below force, readiness."""
    size = draw(st.integers(1, 12))
    utility = np.array(draw(st.lists(st.floats(-1e3, 1e3), min_size=size, max_size=size)))
    if draw(st.booleans()):
        utility[0] = utility.max() + draw(st.floats(0.0, 20.0))
    rationality = draw(st.floats(0.0, 50.0, exclude_min=True))
    uniform = draw(GENERATOR_UNIFORMS | st.just(0.0) | st.floats(0.0, 1.0, exclude_max=True))
    return utility, rationality, uniform, draw(st.integers(0, size)), draw(st.booleans())


def exact_pick(utility: np.ndarray, rationality: float, uniform: float, below: int, ready: bool) -> tuple[int, float]:
    """The sampler's exact path: (the act it picks, act 0's probability), readiness applied."""
    probability = np.empty_like(utility)
    choice.probabilities(utility, rationality, utility.size, probability, choice.SAMPLING_CUTOFF)
    if not ready:
        preparation.restrict(probability, utility.size, below)
    return choice.pick(probability, utility.size, uniform), float(probability[0])


@settings(max_examples=500, deadline=None)
@given(day=choice_days())
def test_a_certain_first_act_is_the_act_the_exact_path_picks(day: tuple[np.ndarray, float, float, int, bool]) -> None:
    """The sampler's shortcut never decides a draw the exact logit would decide otherwise."""
    utility, rationality, uniform, below, ready = day
    picked, first = exact_pick(utility, rationality, uniform, below, ready)
    if choice.surely_first(choice.largest_lead(utility, utility.size), rationality, utility.size, uniform):
        assert picked == 0
        assert uniform < first


@settings(max_examples=200, deadline=None)
@given(gap=st.floats(0.0, 30.0), rationality=st.floats(0.01, 50.0), size=st.integers(2, 12), share=st.floats(0.0, 1.0))
def test_surely_first_up_to_its_bound(gap: float, rationality: float, size: int, share: float) -> None:
    """Every other act at the second-best utility: the bound is act 0's probability itself, less the margin."""
    utility = np.full(size, -gap)
    utility[0] = 0.0
    _, first = exact_pick(utility, rationality, 0.0, size, True)
    uniform = share * first
    certain = choice.surely_first(choice.largest_lead(utility, size), rationality, size, uniform)
    assert certain == (uniform < first * (1.0 - 2 * choice.FIRST_MARGIN)) or abs(uniform / first - 1.0) < 1e-8


def test_logit_extremes() -> None:
    equal = np.zeros((3, 4))
    np.testing.assert_array_equal(logit_probabilities(equal, 5.0), np.full((3, 4), 0.25))
    sharp = logit_probabilities(np.array([[0.0, 1.0, -1e300]]), 1e6)
    np.testing.assert_array_equal(sharp, [[0.0, 1.0, 0.0]])


@st.composite
def distributions(draw: st.DrawFn, max_options: int = 8) -> np.ndarray:
    """A probability vector with at least one positive entry; some entries may be exactly zero."""
    k = draw(st.integers(1, max_options))
    weights = np.array(draw(st.lists(st.floats(0.0, 1.0) | st.just(0.0), min_size=k, max_size=k)))
    assume(weights.sum() > 1e-6)
    return weights / weights.sum()


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(distributions(), min_size=1, max_size=5).filter(lambda rows: len({r.size for r in rows}) == 1),
    uniforms=st.lists(GENERATOR_UNIFORMS, min_size=5, max_size=5),
)
def test_sample_choices_in_range_and_never_impossible(rows: list[np.ndarray], uniforms: list[float]) -> None:
    probabilities = np.vstack(rows)
    u = np.array(uniforms[: len(rows)])
    picks = sample_choices(probabilities, u)
    assert picks.shape == (len(rows),)
    assert np.issubdtype(picks.dtype, np.integer)
    assert ((picks >= 0) & (picks < probabilities.shape[1])).all()
    assert (probabilities[np.arange(len(rows)), picks] > 0).all()


@settings(max_examples=30, deadline=None)
@given(p=distributions(max_options=6))
def test_sample_choices_frequencies_match_probabilities(p: np.ndarray) -> None:
    """With 100 000 fixed-seed uniforms each option's count is within 5 binomial sigmas (+1) of N*p."""
    n = 100_000
    uniforms = np.random.default_rng(20200103).random(n)
    picks = sample_choices(np.broadcast_to(p, (n, p.size)), uniforms)
    counts = np.bincount(picks, minlength=p.size)
    tolerance = 5.0 * np.sqrt(n * p * (1.0 - p)) + 1.0
    assert (np.abs(counts - n * p) <= tolerance).all(), (counts, n * p)
    assert (counts[p == 0] == 0).all()


def test_sample_choices_zero_uniform_never_picks_impossible_option() -> None:
    assert sample_choices(np.array([[0.0, 1.0]]), np.array([0.0]))[0] == 1


# ================================================================================ model runs
def run(scenario: Scenario, n_worlds: int, seed: int, detail: bool = False) -> EscalationModel:
    return EscalationModel(scenario, n_worlds=n_worlds, rng=seed, detail=detail).run()


def run_from_start(
    scenario: Scenario, n_worlds: int, seed: int, detail: bool = False
) -> tuple[EscalationModel, np.ndarray]:
    """A finished model and its crisis peak at the start of the simulated period (after replay)."""
    model = EscalationModel(scenario, n_worlds=n_worlds, rng=seed, detail=detail)
    start_peak = model.crisis_peak.copy()
    return model.run(), start_peak


def check_invariants(model: EscalationModel, start_peak: np.ndarray) -> None:
    """Structural facts about a finished model that started the simulated period at ``start_peak``."""
    scenario = model.crisis
    compiled = model.compiled
    n_actors, horizon, n = len(scenario.actors), scenario.horizon_days, model.n_worlds
    assert model.day == horizon and not model.running
    # rungs stay on the ladder
    assert model.rungs.shape == (n_actors, horizon, n)
    assert model.rungs.min() >= 0 and model.rungs.max() < len(scenario.ladder.rungs)
    # actors that do not choose (hosts) stand still in simulation
    for i, actor in enumerate(scenario.actors):
        if not actor.strategic:
            assert (model.rungs[i] == 0).all()
    # casualties are counts
    assert model.killed_suffered.shape == (n_actors, n) and (model.killed_suffered >= 0).all()
    # firebreaks crossed in simulation: from the peak of history to the peak reached since
    peak = np.maximum(start_peak, model.rungs.max(axis=(0, 1)))
    np.testing.assert_array_equal(model.crossings, compiled.crossings_at[peak] - compiled.crossings_at[start_peak])
    assert (model.crossings >= 0).all() and (model.crossings <= len(scenario.ladder.thresholds)).all()
    np.testing.assert_array_equal(model.crisis_peak, peak)
    # agent state stays meaningful
    for agent in model.actors:
        assert agent.grievance.shape == (n_actors, n)
        assert np.isfinite(agent.grievance).all() and (agent.grievance >= 0).all()
        assert ((agent.red_line_pending >= 0) & (agent.red_line_pending <= 1)).all()
        assert ((agent.offramp_belief >= 0) & (agent.offramp_belief <= 1)).all()
        assert np.isfinite(agent.host_pressure).all()


def check_detail(model: EscalationModel) -> None:
    """Facts linking the detailed log to the summary arrays."""
    compiled = model.compiled
    strategic = [a.index for a in model.actors if a.strategic]
    for agent in model.actors:
        i = agent.index
        actions = model.log_action[i]
        if i not in strategic:
            assert (actions == -1).all()
            continue
        assert np.isin(actions, agent.menu).all()
        np.testing.assert_array_equal(model.log_target[i], compiled.action_target[actions])
        # the realised rung is the action's, or its lethal rung when it killed
        lethal = compiled.action_lethal_rung[actions]
        expected = np.where((model.log_killed[i] > 0) & (lethal >= 0), lethal, compiled.action_rung[actions])
        np.testing.assert_array_equal(model.rungs[i], expected)
        assert (model.log_killed[i] >= 0).all() and (model.log_wounded[i] >= 0).all()
        # no casualties from acts that expect none
        none_expected = model.worlds.killed_mean[np.arange(actions.shape[-1])[None, :], actions] == 0
        assert (model.log_killed[i][none_expected] == 0).all()
        # accidents only where a military act slipped (the slipped-to act is at least as high)
        slipped = model.log_accident[i]
        assert (compiled.action_rung[actions][slipped] >= compiled.accident_level).all()
        assert np.isfinite(model.log_grievance[i]).all() and (model.log_grievance[i] >= 0).all()
    # every death suffered by an actor was inflicted by another actor's act aimed at it (the loader
    # accepts an action aimed at its own user; such acts harm and count no one)
    for j in range(compiled.n_actors):
        others = np.arange(compiled.n_actors) != j
        aimed = np.where(model.log_target[others] == j, model.log_killed[others], 0).sum(axis=(0, 1))
        np.testing.assert_array_equal(model.killed_suffered[j], aimed)


@SLOW_SETTINGS
@given(data=sst.small_scenario_data(), n_worlds=st.integers(1, 200), seed=SEEDS)
def test_random_scenarios_keep_invariants(data: dict, n_worlds: int, seed: int) -> None:
    model, start_peak = run_from_start(load_scenario(data), n_worlds, seed, detail=True)
    check_invariants(model, start_peak)
    check_detail(model)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=sst.varied_seeded_data(horizon_days=15, for_runs=True), n_worlds=st.integers(1, 200), seed=SEEDS)
def test_varied_seeded_scenario_keeps_invariants(data: dict, n_worlds: int, seed: int) -> None:
    model, start_peak = run_from_start(load_scenario(data), n_worlds, seed, detail=True)
    check_invariants(model, start_peak)
    check_detail(model)


@settings(max_examples=15, deadline=None)
@given(n_worlds=st.integers(1, 200), seed=SEEDS)
def test_seeded_scenario_keeps_invariants(seeded_short: Scenario, n_worlds: int, seed: int) -> None:
    check_invariants(*run_from_start(seeded_short, n_worlds, seed))


def state(model: EscalationModel) -> dict[str, object]:
    """Everything a run produces, for equality checks."""
    out: dict[str, object] = {
        "rungs": model.rungs,
        "killed": model.killed_suffered,
        "crossings": model.crossings,
        "history": model.history_rows,
    }
    for agent in model.actors:
        out[f"grievance_{agent.spec.id}"] = agent.grievance
        out[f"pending_{agent.spec.id}"] = agent.red_line_pending
    if model.detail:
        for name in ("log_action", "log_target", "log_killed", "log_wounded", "log_accident", "log_grievance"):
            out[name] = getattr(model, name)
    return out


def assert_same(a: dict[str, object], b: dict[str, object]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            assert a[key] == b[key], key


@SLOW_SETTINGS
@given(data=sst.small_scenario_data(), n_worlds=st.integers(1, 100), seed=SEEDS)
def test_same_seed_same_run(data: dict, n_worlds: int, seed: int) -> None:
    scenario = load_scenario(data)
    first = state(run(scenario, n_worlds, seed))
    assert_same(first, state(run(scenario, n_worlds, seed)))
    # a seed and a Generator made from it are the same source of randomness
    assert_same(first, state(EscalationModel(scenario, n_worlds, rng=np.random.default_rng(seed)).run()))


@settings(max_examples=10, deadline=None)
@given(seed=SEEDS, n_worlds=st.integers(1, 3 * TILE_WORLDS + 5))
def test_simulation_without_mesa_gives_the_numbers_of_the_mesa_model(
    seeded_short: Scenario, seed: int, n_worlds: int
) -> None:
    """Monte Carlo blocks run a Simulation; the Mesa model of the same seed draws the same numbers."""
    model = EscalationModel(seeded_short, n_worlds=n_worlds, rng=seed, detail=True).run()
    simulation = Simulation(seeded_short, n_worlds=n_worlds, rng=seed, detail=True).run()
    for name in ("rungs", "crisis_peak", "crossings", "killed_suffered", "history_peak"):
        np.testing.assert_array_equal(getattr(model, name), getattr(simulation, name), err_msg=name)
    for name in kernel.State._fields:
        np.testing.assert_array_equal(getattr(model.state, name), getattr(simulation.state, name), err_msg=name)
    for name in kernel.Log._fields:
        np.testing.assert_array_equal(getattr(model.log, name), getattr(simulation.log, name), err_msg=name)
    assert model.history_rows == simulation.history_rows


@settings(max_examples=10, deadline=None)
@given(seed=SEEDS, n_worlds=st.integers(1, 3 * TILE_WORLDS + 5), stepped=st.integers(0, 20))
def test_stepping_day_by_day_gives_the_numbers_of_a_run(
    seeded_short: Scenario, seed: int, n_worlds: int, stepped: int
) -> None:
    """Each tile of worlds draws from its own stream day by day, so one day at a time or all at once agree."""
    ran = run(seeded_short, n_worlds, seed, detail=True)
    model = EscalationModel(seeded_short, n_worlds=n_worlds, rng=seed, detail=True)
    for _ in range(stepped):  # some days one by one, then the rest in one pass
        model.step()
    assert_same(state(ran), state(model.run()))
    assert model.steps == ran.steps == seeded_short.horizon_days


@settings(max_examples=15, deadline=None)
@given(seed=SEEDS)
def test_single_world_run_is_reproducible(seeded: Scenario, seed: int) -> None:
    first = run(seeded, 1, seed, detail=True)
    second = run(seeded, 1, seed, detail=True)
    assert_same(state(first), state(second))
    assert first.rungs.shape == (len(seeded.actors), seeded.horizon_days, 1)


@settings(max_examples=15, deadline=None)
@given(a=SEEDS, b=SEEDS)
def test_different_seeds_differ(seeded_short: Scenario, a: int, b: int) -> None:
    assume(a != b)
    # 100 worlds x 20 days x 4 choosing actors: identical trajectories by chance are out of reach.
    assert not np.array_equal(run(seeded_short, 100, a).rungs, run(seeded_short, 100, b).rungs)


@settings(max_examples=20, deadline=None)
@given(seed=SEEDS, days=st.integers(0, 20), n_worlds=st.integers(1, 100))
def test_agent_choice_probabilities_on_a_live_model(seeded: Scenario, seed: int, days: int, n_worlds: int) -> None:
    model = EscalationModel(seeded, n_worlds=n_worlds, rng=seed)
    for _ in range(days):
        model.step()
    for agent in model.actors:
        if not agent.strategic:
            continue
        probabilities = agent.choice_probabilities()
        assert probabilities.shape == (n_worlds, agent.menu.size)
        assert np.isfinite(probabilities).all() and (probabilities >= 0).all()
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)
        if agent.patron is not None:  # the patron's judgement of its proxy's options
            p = agent.choice_probabilities(by_patron=True)
            assert p.shape == probabilities.shape
            np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)


def test_menus_are_ordered_by_rung(seeded: Scenario) -> None:
    model = EscalationModel(seeded, n_worlds=1, rng=0)
    for agent in model.actors:
        rungs = model.compiled.action_rung[agent.menu]
        assert (np.diff(rungs) >= 0).all()
        assert sorted(seeded.actions[k].id for k in agent.menu) == sorted(agent.spec.menu)


def test_model_rejects_zero_worlds(seeded: Scenario) -> None:
    with pytest.raises(ValueError, match="n_worlds"):
        EscalationModel(seeded, n_worlds=0, rng=0)


def test_stepping_past_the_horizon_changes_nothing(small: Scenario) -> None:
    model = run(small, 10, 3)
    before = state(model)
    model.step()
    assert_same(before, state(model))
    assert model.day == small.horizon_days and not model.running


# ================================================================================ casualty draws
@pytest.mark.parametrize(("telegraphed", "telegraph_factor"), [(False, 0.1), (True, 0.1), (True, 0.5)])
def test_casualty_draws_match_their_negative_binomial(telegraphed: bool, telegraph_factor: float) -> None:
    """s1 can only strike s2: deaths per strike are negative binomial with the realised mean.

    With a fixed seed and 6 000 strikes, the sample mean lies within 5 standard errors of the
    mean, and the share of strikes that kill nobody within 5 binomial sigmas of P(0).
    """
    data = small_scenario_data(horizon_days=30)
    data["actors"]["s1"]["menu"] = ["strike_s2"]
    data["actions"]["strike_s2"] |= {"killed_mean": 4.0, "dispersion": 0.8, "telegraphed": telegraphed}
    data["parameters"] |= {"accident_probability": 0.0, "telegraph_factor": telegraph_factor}
    model = run(load_scenario(data), 200, 424242, detail=True)
    killed = model.log_killed[0].ravel()
    assert (model.log_action[0] == model.compiled.action_index["strike_s2"]).all()
    mean = 4.0 * (telegraph_factor if telegraphed else 1.0)
    shape = 0.8
    n = killed.size
    variance = mean + mean**2 / shape
    assert abs(killed.mean() - mean) <= 5 * math.sqrt(variance / n)
    p_zero = (shape / (shape + mean)) ** shape
    assert abs((killed == 0).mean() - p_zero) <= 5 * math.sqrt(p_zero * (1 - p_zero) / n)
    # and s2 suffered exactly those deaths
    np.testing.assert_array_equal(model.killed_suffered[1], model.log_killed[0].sum(axis=0))


def test_accidents_happen_at_their_rate() -> None:
    """A military act slips to the next option of the menu with the stated daily probability.

    s1 chooses between a show of force and a strike; a chosen show of force is seen either as
    itself (no slip) or as a strike flagged as an accident. The slip rate among those choices is
    within 5 binomial sigmas of ``accident_probability`` (fixed seed).
    """
    data = small_scenario_data(horizon_days=30)
    data["actors"]["s1"]["menu"] = ["parade", "strike_s2"]
    data["parameters"] |= {"accident_probability": 0.05, "accidents_from": "r2", "inertia": 20.0}
    model = run(load_scenario(data), 200, 777, detail=True)
    chose_parade = ~model.log_accident[0] & (model.log_action[0] == model.compiled.action_index["parade"])
    slipped = model.log_accident[0]
    n = chose_parade.sum() + slipped.sum()
    assert n > 1000  # enough choices of the show of force for the test to have power
    rate = slipped.sum() / n
    assert abs(rate - 0.05) <= 5 * math.sqrt(0.05 * 0.95 / n)
    assert (model.log_action[0][slipped] == model.compiled.action_index["strike_s2"]).all()


# ================================================================================ known defects
def test_smallest_dispersion_runs_and_smaller_is_rejected() -> None:
    data = seeded_data()
    data["parameters"]["casualty_dispersion"] = 0.01
    data["horizon_days"] = 30
    check_invariants(*run_from_start(load_scenario(data), 200, 0))
    data["parameters"]["casualty_dispersion"] = 1e-300
    with pytest.raises(ScenarioError, match=r"parameters\.casualty_dispersion: must be at least 0\.01"):
        load_scenario(data)


def test_longest_ladder_rungs_stay_on_the_ladder() -> None:
    data = small_scenario_data(horizon_days=10)
    extra = 100 - len(data["ladder"]["rungs"])
    data["ladder"]["rungs"] |= {f"x{i}": {"name": f"x{i}"} for i in range(extra)}
    data["actions"]["top"] = {"rung": f"x{extra - 1}"}
    data["actors"]["s1"]["menu"] = ["top"]
    scenario = load_scenario(data)
    assert len(scenario.ladder.rungs) == 100
    check_invariants(*run_from_start(scenario, 5, 0))
    data["ladder"]["rungs"]["one_too_many"] = {"name": "one too many"}
    with pytest.raises(ScenarioError, match=r"ladder\.rungs: a ladder needs 2 to 100 rungs, got 101"):
        load_scenario(data)
