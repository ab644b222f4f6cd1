"""Outcome classification on hand-built rung arrays, and the per-replicate summaries.

The scenario is the small one of ``helpers.small_scenario_data`` (actors s1, s2, m1, h; rungs
r0-r5; force from r3; 30 days; outcomes war / proxy_attrition / mutual_restraint / unresolved,
the middle two over the final 7 days), so nothing depends on the seeded scenario's rules.

Settle days follow docs/model.md ("settle_day"): the maximum over the matched rule's conditions
of - for ``below``, the day after the last violation in the whole period (1 if never); for
``at_least`` with ``final_days``, 1; for ``at_least`` over the whole period, the first day met.
"""

from __future__ import annotations

import numpy as np
import pytest
import strategies as sst
from helpers import small_scenario_data
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from escalation import EscalationModel, Scenario, load_scenario
from escalation.outcomes import classify, day_counts, summarise_block

ACTORS = ("s1", "s2", "m1", "h")
HORIZON = 30


def rungs_with(*acts: tuple[str, int, int], horizon: int = HORIZON) -> np.ndarray:
    """A one-world rung array, all status quo except ``(actor, day (1-based), rung)`` acts."""
    rungs = np.zeros((len(ACTORS), horizon, 1), dtype=np.int8)
    for actor, day, rung in acts:
        rungs[ACTORS.index(actor), day - 1, 0] = rung
    return rungs


def outcome_of(scenario: Scenario, rungs: np.ndarray) -> tuple[str, int]:
    outcome, settle = classify(scenario, rungs)
    assert outcome.shape == settle.shape == (rungs.shape[2],)
    return scenario.outcomes[int(outcome[0])].name, int(settle[0])


CASES = {
    "quiet": ((), ("mutual_restraint", 1)),
    "statements only": ((("s1", 5, 1), ("m1", 29, 2)), ("mutual_restraint", 1)),
    "militia attacks in the final week": ((("m1", 28, 3),), ("proxy_attrition", 1)),
    "militia attacks on the first day of the window": ((("m1", 24, 3),), ("proxy_attrition", 1)),
    "militia attack just before the window": ((("m1", 23, 4),), ("mutual_restraint", 24)),
    "state force early, militia late": ((("s1", 10, 4), ("m1", 30, 3)), ("proxy_attrition", 11)),
    "state force early, then quiet": ((("s1", 20, 4),), ("mutual_restraint", 21)),
    "state force on the last day before the window": ((("s2", 23, 3),), ("mutual_restraint", 24)),
    "state force inside the window": ((("s1", 27, 4), ("m1", 28, 3)), ("unresolved", -1)),
    "state force on the last day": ((("s2", 30, 3),), ("unresolved", -1)),
    "war wins over proxy attrition": ((("s2", 3, 5), ("m1", 28, 3)), ("war", 3)),
    "war on the last day": ((("s1", 30, 5),), ("war", 30)),
    "first war day counts": ((("s1", 12, 5), ("s2", 7, 5)), ("war", 7)),
    "host escalation counts for conditions on every actor": ((("h", 2, 5),), ("war", 2)),
    "host force is ignored by conditions naming actors": ((("h", 29, 4),), ("mutual_restraint", 1)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_built_trajectory(small: Scenario, case: str) -> None:
    acts, expected = CASES[case]
    assert outcome_of(small, rungs_with(*acts)) == expected


def test_worlds_are_classified_independently(small: Scenario) -> None:
    names = sorted(CASES)
    stacked = np.concatenate([rungs_with(*CASES[name][0]) for name in names], axis=2)
    outcome, settle = classify(small, stacked)
    got = [(small.outcomes[int(o)].name, int(s)) for o, s in zip(outcome, settle, strict=True)]
    assert got == [CASES[name][1] for name in names]


def scenario_with_outcomes(outcomes: dict, horizon: int = HORIZON) -> Scenario:
    data = small_scenario_data(horizon_days=horizon)
    data["outcomes"] = outcomes
    return load_scenario(data)


def test_first_matching_rule_wins() -> None:
    scenario = scenario_with_outcomes(
        {
            "first": {"when": [{"at_least": "r2"}]},
            "second": {"when": [{"at_least": "r2"}]},
            "broader": {"when": [{"at_least": "r1"}]},
            "rest": {},
        }
    )
    assert outcome_of(scenario, rungs_with(("s1", 4, 2))) == ("first", 4)
    assert outcome_of(scenario, rungs_with(("s1", 4, 1))) == ("broader", 4)
    assert outcome_of(scenario, rungs_with()) == ("rest", -1)


def test_all_conditions_of_a_rule_must_hold() -> None:
    scenario = scenario_with_outcomes(
        {
            "both": {"when": [{"actors": ["s1"], "at_least": "r3"}, {"actors": ["s2"], "at_least": "r3"}]},
            "rest": {},
        }
    )
    assert outcome_of(scenario, rungs_with(("s1", 3, 3))) == ("rest", -1)
    # settles when the later of the two conditions is first met
    assert outcome_of(scenario, rungs_with(("s1", 3, 3), ("s2", 9, 4))) == ("both", 9)


def test_thresholds_are_levels() -> None:
    scenario = scenario_with_outcomes({"forceful": {"when": [{"at_least": "force"}]}, "rest": {}})
    assert outcome_of(scenario, rungs_with(("s2", 6, 3))) == ("forceful", 6)  # force starts at r3
    assert outcome_of(scenario, rungs_with(("s2", 6, 2))) == ("rest", -1)


def test_window_longer_than_the_horizon_is_the_whole_period() -> None:
    scenario = scenario_with_outcomes({"calm": {"when": [{"final_days": 50, "below": "r3"}]}, "rest": {}}, horizon=10)
    assert outcome_of(scenario, rungs_with(("s1", 1, 3), horizon=10)) == ("rest", -1)
    assert outcome_of(scenario, rungs_with(("s1", 1, 2), horizon=10)) == ("calm", 1)


# ------------------------------------------------------------------------------ reference
def reference_classify(scenario: Scenario, rungs: np.ndarray) -> tuple[list[int], list[int]]:
    """Plain-Python reading of the documented rules, world by world."""
    ids = [a.id for a in scenario.actors]
    n_actors, horizon, n_worlds = rungs.shape
    outcomes, settles = [], []
    for w in range(n_worlds):
        chosen = len(scenario.outcomes) - 1, -1
        for index, rule in enumerate(scenario.outcomes[:-1]):
            holds, since = True, 1
            for c in rule.when:
                rows = [ids.index(a) for a in c.actors] if c.actors else range(n_actors)
                peak = [max(int(rungs[i, d, w]) for i in rows) for d in range(horizon)]
                first = 0 if c.final_days is None else max(horizon - c.final_days, 0)
                if c.below is not None:
                    level = scenario.ladder.level(c.below)
                    holds &= all(p < level for p in peak[first:])
                    since = max(since, max((d + 1 for d in range(horizon) if peak[d] >= level), default=0) + 1)
                else:
                    level = scenario.ladder.level(c.at_least)
                    met = [d + 1 for d in range(first, horizon) if peak[d] >= level]
                    holds &= bool(met)
                    if met and c.final_days is None:
                        since = max(since, met[0])
            if holds:
                chosen = index, since
                break
        outcomes.append(chosen[0])
        settles.append(chosen[1])
    return outcomes, settles


@st.composite
def scenario_and_rungs(draw: st.DrawFn) -> tuple[Scenario, np.ndarray]:
    scenario = load_scenario(draw(sst.small_scenario_data(for_runs=False)))
    shape = (len(scenario.actors), scenario.horizon_days, draw(st.integers(1, 6)))
    rungs = draw(arrays(np.int8, shape, elements=st.integers(0, len(scenario.ladder.rungs) - 1)))
    return scenario, rungs


@settings(max_examples=80, deadline=None)
@given(scenario_and_rungs())
def test_classify_matches_the_documented_rules(case: tuple[Scenario, np.ndarray]) -> None:
    scenario, rungs = case
    outcome, settle = classify(scenario, rungs)
    expected_outcome, expected_settle = reference_classify(scenario, rungs)
    assert outcome.tolist() == expected_outcome
    assert settle.tolist() == expected_settle
    matched = outcome < len(scenario.outcomes) - 1
    # a matched rule has held since some day of the simulated period
    assert ((settle >= 1) & (settle <= scenario.horizon_days))[matched].all()
    assert (settle[~matched] == -1).all()


# ------------------------------------------------------------------------------ summaries
@pytest.fixture(scope="module")
def finished(small: Scenario) -> EscalationModel:
    return EscalationModel(small, n_worlds=300, rng=2024).run()


def test_summarise_block_columns(finished: EscalationModel) -> None:
    scenario = finished.crisis
    columns = summarise_block(finished)
    outcome, settle = classify(scenario, finished.rungs)
    n = finished.n_worlds
    assert all(values.shape == (n,) for values in columns.values())
    np.testing.assert_array_equal(columns["outcome"], outcome)
    np.testing.assert_array_equal(columns["settle_day"], settle)
    np.testing.assert_array_equal(columns["crossings"], finished.crossings)
    peak_by_day = finished.rungs.max(axis=0)
    np.testing.assert_array_equal(columns["peak_rung"], peak_by_day.max(axis=0))
    escalated = columns["peak_rung"] > 0
    # the peak day is the first day at the peak (0 when nothing happened)
    days = columns["peak_day"]
    assert (days[~escalated] == 0).all()
    worlds = np.flatnonzero(escalated)
    assert (peak_by_day[days[worlds] - 1, worlds] == columns["peak_rung"][worlds]).all()
    for w in worlds[:50]:
        assert (peak_by_day[: days[w] - 1, w] < columns["peak_rung"][w]).all()
    for i, actor in enumerate(scenario.actors):
        np.testing.assert_array_equal(columns[f"killed_{actor.id}"], finished.killed_suffered[i])


def test_day_counts(finished: EscalationModel) -> None:
    """Each count against a plain numpy reading of the run's rungs."""
    counts = day_counts(finished)
    rungs = finished.rungs
    n_actors, horizon, n_worlds = rungs.shape
    n_rungs = len(finished.crisis.ladder.rungs)
    assert counts.rungs.shape == counts.reached.shape == (n_actors, horizon, n_rungs)
    assert counts.crisis_peak.shape == (horizon + 1, n_rungs)
    assert (counts.rungs.sum(axis=2) == n_worlds).all() and (counts.reached.sum(axis=2) == n_worlds).all()
    assert (counts.crisis_peak.sum(axis=1) == n_worlds).all()
    highest = np.maximum.accumulate(rungs, axis=1)
    crisis = np.maximum(np.maximum.accumulate(rungs.max(axis=0), axis=0), finished.history_peak)
    np.testing.assert_array_equal(counts.crisis_peak[0], np.bincount(finished.history_peak, minlength=n_rungs))
    for d in (0, horizon // 2, horizon - 1):
        np.testing.assert_array_equal(counts.crisis_peak[d + 1], np.bincount(crisis[d], minlength=n_rungs))
        for i in range(n_actors):
            np.testing.assert_array_equal(counts.rungs[i, d], np.bincount(rungs[i, d], minlength=n_rungs))
            np.testing.assert_array_equal(counts.reached[i, d], np.bincount(highest[i, d], minlength=n_rungs))
    # the crisis peak never falls, and ends where the history and the simulated days put it
    np.testing.assert_array_equal(crisis[-1], finished.crisis_peak)


def test_paths_into_restraint_split_each_restraint_outcome_by_its_settle_day(small: Scenario) -> None:
    """Each restraint outcome (all conditions ``below``) splits into worlds that held from day 1 and worlds
    that held after a breach, counted against the study's own per-replicate rows; outcomes with an
    ``at_least`` condition (war, proxy attrition) and the remainder have no paths."""
    from escalation import run_study

    results = run_study(small, runs=600, seed=3, block_size=200, posterior=False)
    rows = results.replicates()
    table = results.path_table()
    assert set(table["outcome"]) == {"mutual_restraint"}
    restraint = rows[rows["outcome"] == "mutual_restraint"]
    assert 0 < len(restraint) < len(rows)
    by_path = table.set_index("path")
    assert by_path.loc["throughout", "count"] == (restraint["settle_day"] == 1).sum()
    assert by_path.loc["after_exchange", "count"] == (restraint["settle_day"] > 1).sum()
    assert by_path["count"].sum() == len(restraint)
    assert np.isclose(by_path["share_of_outcome"].sum(), 1.0)
    assert ((table["ci_low"] <= table["p"]) & (table["p"] <= table["ci_high"])).all()
    paths = results.to_json()["paths"]["mutual_restraint"]
    assert paths["throughout"]["count"] == by_path.loc["throughout", "count"]
    assert "mutual_restraint by path: held throughout" in results.format_table()
