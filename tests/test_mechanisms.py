"""The mechanisms the record demanded: preparation, proportionality, breach of an off-ramp, campaign.

Each is checked as plain functions (properties with hypothesis) and inside the model, where
its effect on a known state can be computed by hand.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from escalation import mechanisms
from escalation.mechanisms import accidents, campaign, casualties, offramp_breach, preparation, proportionality
from escalation.model import EscalationModel, kernel
from escalation.scenario.schema import Event

PROBABILITIES = arrays(np.float64, st.integers(1, 12), elements=st.floats(0.0, 1.0)).filter(lambda p: p.sum() > 0)


def _normalised(p: np.ndarray) -> np.ndarray:
    return p / p.sum()


@given(p=PROBABILITIES, below=st.integers(0, 12), ready=st.floats(0.0, 1.0))
def test_readiness_mixture_is_a_distribution_and_its_two_branches(p: np.ndarray, below: int, ready: float) -> None:
    p = _normalised(p)
    below = min(below, p.size)
    mixed, restricted = p.copy(), p.copy()
    preparation.mix(mixed, p.size, below, ready)
    preparation.restrict(restricted, p.size, below)
    assert np.all(mixed >= 0) and mixed.sum() == pytest.approx(1.0)
    assert np.all(restricted >= 0) and restricted.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(mixed, ready * p + (1 - ready) * restricted, atol=1e-12)
    if p[:below].sum() > 0:  # an unready day never picks force
        assert np.all(restricted[below:] == 0)
        np.testing.assert_allclose(restricted[:below], p[:below] / p[:below].sum())
    else:  # nothing below force can be chosen: readiness changes nothing
        np.testing.assert_array_equal(restricted, p)


@given(days=st.floats(0.0, 365.0), more=st.floats(0.01, 100.0))
def test_readiness_is_a_probability_that_falls_with_preparation_time(days: float, more: float) -> None:
    assert preparation.readiness(0.0) == 1.0
    h = preparation.readiness(days)
    assert 0.0 < h <= 1.0
    assert preparation.readiness(days + more) <= h
    if days > 0:
        assert h == pytest.approx(1 - np.exp(-1 / days))


@given(harm=st.floats(0.0, 1e4), lam=st.floats(0.0, 1.0), more=st.floats(1e-3, 1e3))
def test_proportionality_scale_is_increasing_and_spans_absolute_to_logarithm(harm, lam, more) -> None:
    assert proportionality.scaled(harm, 1.0) == harm
    assert proportionality.scaled(harm, 0.0) == pytest.approx(np.log1p(harm))
    assert proportionality.scaled(0.0, lam) == 0.0
    assert proportionality.scaled(harm + more, lam) > proportionality.scaled(harm, lam)
    # continuous at lam -> 0
    assert proportionality.scaled(harm, 1e-9) == pytest.approx(np.log1p(harm), rel=1e-6, abs=1e-9)


def test_relative_proportionality_answers_a_small_provocation_as_readily_as_a_large_one() -> None:
    """In ratios (0), answering 5 with 10 costs what answering 50 with 100 does; absolutely, far less."""
    gap = lambda d, g, lam: (proportionality.scaled(d, lam) - proportionality.scaled(g, lam)) ** 2  # noqa: E731
    assert gap(10, 5, 1.0) == pytest.approx(gap(55, 50, 1.0))
    assert gap(10, 5, 1.0) < gap(100, 50, 1.0)
    ratio_small, ratio_large = gap(9, 4, 0.0), gap(99, 49, 0.0)  # (1 + x) doubles in both
    assert ratio_small == pytest.approx(ratio_large)


@given(belief=st.floats(0.0, 1.0), fragility=st.floats(0.0, 1.0))
def test_breach_weakens_the_belief_only_on_a_day_of_deaths(belief: float, fragility: float) -> None:
    assert offramp_breach.breached(belief, fragility, False) == belief
    assert offramp_breach.breached(belief, fragility, True) == pytest.approx(belief * (1 - fragility))


def _event(id_: str, actor: str, action: str, target: str | None, killed: int = 0, **fields) -> Event:
    import datetime as dt

    return Event(id=id_, date=dt.date(2020, 1, 1), actor=actor, action=action, target=target, killed=killed, **fields)


@pytest.mark.parametrize("fragility", [0.0, 0.3, 1.0])
def test_deaths_by_a_proxy_after_an_offramp_weaken_the_belief(seeded, fragility: float) -> None:
    """Iran signals an off-ramp; a militia attack then kills two Americans: the US belief loses ``fragility``."""
    model = EscalationModel(seeded, n_worlds=3, rng=0, parameters={"united_states.offramp_fragility": fragility})
    us = model.compiled.actor_index["united_states"]
    model.apply_event(_event("X1", "iran", "offramp_statement", "united_states"))
    assert np.all(model.state.belief[:, us] == 1.0)
    model.apply_event(_event("X2", "other_militias", "rocket_attack", "united_states", killed=2, wounded=0))
    np.testing.assert_allclose(model.state.belief[:, us], 1.0 - fragility)
    model.apply_event(_event("X3", "other_militias", "rocket_attack", "united_states", killed=0, wounded=0))
    np.testing.assert_allclose(model.state.belief[:, us], 1.0 - fragility)  # no deaths: no breach


@settings(max_examples=10, deadline=None)
@given(value=st.floats(0.0, 5.0))
def test_campaign_raises_the_least_act_of_force_by_its_value(seeded, value: float) -> None:
    """Logit odds of harassment fire against holding grow by exp(rationality * campaign_value)."""
    actor = "other_militias"
    base = EscalationModel(seeded, n_worlds=1, rng=0, parameters={f"{actor}.campaign_value": 0.0})
    more = EscalationModel(seeded, n_worlds=1, rng=0, parameters={f"{actor}.campaign_value": value})
    i = base.compiled.actor_index[actor]
    structure = base.compiled.structure
    menu = [seeded.actions[k].id for k in structure.menus[i, : structure.menu_size[i]]]
    least = menu[int(structure.menu_below_force[i])]
    assert least == "rocket_attack@united_states"
    p0 = kernel.choice_probabilities(structure, base.worlds, base.state, i, i)[0]
    p1 = kernel.choice_probabilities(structure, more.worlds, more.state, i, i)[0]
    rationality = base.worlds.actor[0, i, kernel.ACTOR_NAMES.index("rationality")]
    shift = np.log(p1 / p0) - np.log(p1[0] / p0[0])  # relative to holding
    expected = np.where(np.array(menu) == least, rationality * value, 0.0)
    np.testing.assert_allclose(shift, expected, atol=1e-9)
    assert campaign.campaign_term(value, 2, 2) == value and campaign.campaign_term(value, 1, 2) == 0.0


def test_an_unready_actor_never_uses_force(seeded) -> None:
    """With a year's preparation, Iran strikes on its first day only in the rare ready worlds.

    Proportionality in harm units: Iran, ready every day, then answers the killing of
    Soleimani on the first day in almost every world.
    """
    model = EscalationModel(
        dataclasses.replace(seeded, horizon_days=1),
        n_worlds=2_000,
        rng=3,
        parameters={"iran.preparation_days": 365.0, "proportionality": 1.0},
        detail=True,
    )
    iran = model.compiled.actor_index["iran"]
    ready = model.worlds.ready[0, iran]
    assert ready == pytest.approx(1 - np.exp(-1 / 365))
    model.run()
    share = (model.rungs[iran, 0] >= model.compiled.force_level).mean()
    # only ready worlds (about 0.27%) can strike: far below the unconstrained share
    assert share <= 0.01
    ready_every_day = {"iran.preparation_days": 0.0, "proportionality": 1.0}
    free = EscalationModel(
        dataclasses.replace(seeded, horizon_days=1), n_worlds=2_000, rng=3, parameters=ready_every_day
    )
    free.run()
    assert (free.rungs[iran, 0] >= model.compiled.force_level).mean() > 0.05


# ================================================================ draws from uniforms
@settings(deadline=None)  # scipy's first use of the negative binomial is slow
@given(
    uniform=st.floats(0.0, 1.0, exclude_max=True),
    mean=st.floats(0.01, 500.0),
    dispersion=st.floats(0.05, 200.0),
)
def test_casualty_count_inverts_the_negative_binomial(uniform: float, mean: float, dispersion: float) -> None:
    """The count is the smallest k with P(K <= k) > u, scipy's quantile, up to rounding at a step."""
    from scipy import stats

    k = casualties.draw(uniform, mean, dispersion)
    law = stats.nbinom(dispersion, dispersion / (dispersion + mean))
    assert law.cdf(k) >= uniform - 1e-9
    assert k == 0 or law.cdf(k - 1) <= uniform + 1e-9


@settings(deadline=None, max_examples=200)
@given(
    uniform=st.floats(0.0, 1.0, exclude_max=True),
    mean=st.floats(0.01, 1e6),
    dispersion=st.floats(0.01, 1000.0),
)
def test_casualty_counts_anywhere_in_the_parameter_bounds_invert_the_negative_binomial(
    uniform: float, mean: float, dispersion: float
) -> None:
    """Over the whole declared range of means and shapes (long tails and huge means included) the count
    is scipy's quantile, up to 1e-9 in the distribution function (counts reach 10^8 and beyond)."""
    from scipy import stats

    k = casualties.draw(uniform, mean, dispersion)
    law = stats.nbinom(dispersion, dispersion / (dispersion + mean))
    assert law.cdf(k) >= uniform - 1e-9
    assert k == 0 or law.cdf(k - 1) <= uniform + 1e-9


@pytest.mark.parametrize(("uniform", "mean", "dispersion"), [(0.99, 669819.0, 0.01), (0.999, 1e6, 0.01)])
def test_casualty_counts_in_the_tens_of_millions_are_the_exact_quantile(uniform, mean, dispersion) -> None:
    """Counts near 10^7-10^8 (a long tail): two lgammas near 3e8 used to cancel to 1e-7 and miss the quantile."""
    from scipy import stats

    k = casualties.draw(uniform, mean, dispersion)
    law = stats.nbinom(dispersion, dispersion / (dispersion + mean))
    assert k > 10**7
    assert law.cdf(k) >= uniform - 1e-12 and law.cdf(k - 1) < uniform


def test_casualty_counts_of_a_huge_mean_centre_on_it() -> None:
    """P(0) underflows for mean 10^6 and shape 200: the draws still centre on the mean, in order."""
    draws = np.array([casualties.draw(u, 1e6, 200.0) for u in (0.1, 0.5, 0.9)])
    sd = np.sqrt(1e6 + 1e12 / 200.0)
    assert (np.diff(draws) > 0).all() and abs(draws[1] - 1e6) < 0.1 * sd
    assert casualties.draw(0.3, 0.0, 1.0) == 0


def test_casualty_counts_past_the_walk_match_the_walk() -> None:
    """Where the walk stops (WALK_STEPS) the search takes over: counts on both sides of it are scipy's."""
    from scipy import stats

    mean, dispersion = 300.0, 2.0
    law = stats.nbinom(dispersion, dispersion / (dispersion + mean))
    for k in range(casualties.WALK_STEPS - 3, casualties.WALK_STEPS + 4):
        uniform = 0.5 * (law.cdf(k - 1) + law.cdf(k))  # the middle of count k's step
        assert casualties.draw(uniform, mean, dispersion) == k


def test_box_muller_draws_are_standard_normal() -> None:
    """50,000 draws from a fixed seed: Kolmogorov-Smirnov against N(0, 1) at level 0.001."""
    from scipy import stats

    pairs = np.random.default_rng(7).random((50_000, 2))
    normals = np.array([accidents.standard_normal(a, b) for a, b in pairs])
    assert stats.kstest(normals, "norm").pvalue > 0.001


def test_a_world_changed_alone_leaves_the_other_worlds_untouched(seeded_short) -> None:
    """Common random numbers: every world draws the same uniforms for the same day, actor and purpose,
    so giving one world of a tile other parameters changes nothing in the others."""
    n = 2 * kernel.DRAWS_PER_ACTOR + 5
    base = EscalationModel(seeded_short, n_worlds=n, rng=11).run()
    rationality = np.full(n, base.worlds.actor[0, 1, kernel.ACTOR_NAMES.index("rationality")])
    rationality[3] *= 4.0
    fear = np.full(n, base.worlds.actor[0, 0, kernel.ACTOR_NAMES.index("fear")])
    fear[3] = 0.0
    changed = EscalationModel(seeded_short, n_worlds=n, rng=11, parameters={
        "iran.rationality": rationality, "united_states.fear": fear}).run()  # fmt: skip
    others = np.arange(n) != 3
    np.testing.assert_array_equal(base.rungs[:, :, others], changed.rungs[:, :, others])
    np.testing.assert_array_equal(base.killed_suffered[:, others], changed.killed_suffered[:, others])
    assert not np.array_equal(base.rungs[:, :, 3], changed.rungs[:, :, 3])


# --- the ceilings the sampler's unscored decision for act 0 reads (kernel.hold_is_certain)

_AMOUNTS = st.floats(0.0, 1e3)
_FACTORS = st.floats(0.0, 1.0)


@given(reciprocity=_AMOUNTS, hold=_AMOUNTS, act=_AMOUNTS, top=_AMOUNTS, share=_FACTORS)
def test_lead_of_reciprocity_bounds_the_difference_of_the_terms(reciprocity, hold, act, top, share) -> None:
    grievance = share * top  # anywhere in [0, top]
    base, slope = mechanisms.grievance.lead_of_reciprocity(reciprocity, hold, act)
    term = mechanisms.grievance.reciprocity_term
    lead = term(reciprocity, mechanisms.grievance.squared_gap(1.0, act, grievance)) - term(
        reciprocity, mechanisms.grievance.squared_gap(1.0, hold, grievance)
    )
    assert slope >= 0.0
    assert lead <= base + slope * top + 1e-9 * (1.0 + reciprocity * (hold + act + top) ** 2)


@given(
    values=st.tuples(_AMOUNTS, _AMOUNTS, _FACTORS, _FACTORS),
    rung=st.integers(0, 12),
    level=st.integers(-1, 12),
    force=st.integers(1, 12),
    crossings=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    act=st.integers(0, 5),
    last=st.integers(-1, 5),
    since=st.sampled_from([0.0, 1.0, 2.0, np.inf]),
    flag=st.booleans(),
)
def test_no_changing_term_exceeds_its_ceiling(values, rung, level, force, crossings, act, last, since, flag) -> None:
    """Each term the state changes, for any act, is at most the ceiling its mechanism declares."""
    value, state, deniability, belief = values
    by_act, already = crossings
    m = mechanisms
    pairs = {
        "firebreak": (
            m.fear.firebreak_term(value, deniability, by_act, already),
            m.fear.firebreak_ceiling(value, deniability, 3),
        ),
        "credibility": (
            m.red_lines.credibility_term(value, belief, rung, level),
            m.red_lines.credibility_ceiling(value, belief, level),
        ),
        "host": (m.pressure.host_term(state, flag, rung, force), m.pressure.host_ceiling(state)),
        "restraint": (m.offramp.restraint_term(value, belief, rung, force), m.offramp.restraint_ceiling(value, belief)),
        "order": (m.orders.order_term(value, state, rung, force), m.orders.order_ceiling(value, state)),
        "ceasefire": (
            m.ceasefire.ceasefire_term(value, flag, rung, force, deniability),
            m.ceasefire.ceasefire_ceiling(value, flag, deniability),
        ),
        "persistence": (
            m.persistence.persistence_term(value, act, last, since, rung, force),
            m.persistence.persistence_ceiling(value, last, since),
        ),
    }
    assert not [name for name, (term, ceiling) in pairs.items() if term > ceiling]
