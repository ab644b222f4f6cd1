"""Mesa's conventions: the model's DataCollector, its reporters, and ``mesa.batch_run`` over the model.

The reporters are recomputed here from the model's arrays (``rungs``, the crisis peak after the
replayed history, the agents' grievances), independently of :mod:`escalation.model.reporters`.
"""

from __future__ import annotations

import pickle

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runner_helpers import seeded_scenario, write_scenario_file

from escalation import EscalationModel, Scenario, batch_run
from escalation.model.model import TILE_WORLDS

HORIZON = 12
SEEDS = st.integers(0, 2**32 - 1)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return seeded_scenario(HORIZON)


@pytest.fixture(scope="module")
def scenario_file(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory):
    return write_scenario_file(scenario, tmp_path_factory.mktemp("scenario"))


def columns(scenario: Scenario) -> list[str]:
    """The reporter columns the model's DataCollector should have, written out from the scenario."""
    strategic = [a.id for a in scenario.actors if a.strategic]
    force = scenario.parameters.force_from
    peaks = [t.id for t in scenario.ladder.thresholds]
    return [
        "day",
        *(f"peak:{name}" for name in peaks + ([force] if force not in peaks else [])),
        f"today:{force}",
        *(f"acted:{a}" for a in strategic),
        *(f"grievance:{a}" for a in strategic),
    ]


def expected_row(model: EscalationModel, history_peak: np.ndarray, day: int, grievance: np.ndarray) -> dict:
    """Every reporter of ``day`` (1-based) recomputed from the model's arrays."""
    scenario = model.crisis
    ladder = scenario.ladder
    rungs = model.rungs[:, :day, :]
    peak = np.maximum(history_peak, rungs.max(axis=(0, 1)))
    today = rungs[:, day - 1, :]
    force = scenario.parameters.force_from
    row: dict = {"day": day}
    for threshold in ladder.thresholds:
        row[f"peak:{threshold.id}"] = np.mean(peak >= ladder.level(threshold.at))
    row[f"peak:{force}"] = np.mean(peak >= ladder.level(force))
    row[f"today:{force}"] = np.mean(today.max(axis=0) >= ladder.level(force))
    for i, actor in enumerate(scenario.actors):
        if actor.strategic:
            row[f"acted:{actor.id}"] = np.mean(today[i] != 0)
            row[f"grievance:{actor.id}"] = grievance[i].max(axis=0).mean()
    return row


@settings(max_examples=15, deadline=None)
@given(seed=SEEDS, n_worlds=st.integers(1, 2 * TILE_WORLDS + 3), days=st.integers(1, HORIZON))
def test_each_days_row_is_what_the_models_arrays_say(scenario: Scenario, seed: int, n_worlds: int, days: int) -> None:
    model = EscalationModel(scenario, n_worlds=n_worlds, rng=seed)
    history_peak = model.crisis_peak.copy()
    grievances = []
    for _ in range(days):
        model.step()
        grievances.append(np.stack([agent.grievance for agent in model.actors]))  # (actor, toward, world)
    table = model.datacollector.get_model_vars_dataframe()
    assert table.columns.tolist() == columns(scenario)
    assert len(table) == days
    for day, grievance in enumerate(grievances, start=1):
        expected = expected_row(model, history_peak, day, grievance)
        got = table.iloc[day - 1].to_dict()
        assert got.keys() == expected.keys()
        for name, value in expected.items():
            assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-12), (day, name)


def test_shares_lie_in_0_1_and_peaks_never_fall(scenario: Scenario) -> None:
    model = EscalationModel(scenario, n_worlds=200, rng=5)
    while model.running:
        model.step()
    table = model.datacollector.get_model_vars_dataframe()
    shares = table[[c for c in table if c.split(":")[0] in ("peak", "today", "acted")]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    peaks = table[[c for c in table if c.startswith("peak:")]]
    assert (peaks.diff().dropna() >= 0).all().all()
    assert (table[[c for c in table if c.startswith("grievance:")]] >= 0).all().all()
    assert table["day"].tolist() == list(range(1, HORIZON + 1))


def test_run_collects_nothing_and_a_collect_after_it_gives_the_final_state(scenario: Scenario) -> None:
    stepped = EscalationModel(scenario, n_worlds=50, rng=9)
    while stepped.running:
        stepped.step()
    model = EscalationModel(scenario, n_worlds=50, rng=9)
    model.step()
    model.step()
    model.run()
    assert model.datacollector.get_model_vars_dataframe()["day"].tolist() == [1, 2]
    model.datacollector.collect(model)
    final = model.datacollector.get_model_vars_dataframe().iloc[-1]
    pd.testing.assert_series_equal(final, stepped.datacollector.get_model_vars_dataframe().iloc[-1], check_names=False)


def test_the_model_takes_a_scenario_file_and_its_collector_pickles(scenario: Scenario, scenario_file) -> None:
    from_file = EscalationModel(str(scenario_file), n_worlds=40, rng=3).run()
    from_scenario = EscalationModel(scenario, n_worlds=40, rng=3).run()
    np.testing.assert_array_equal(from_file.rungs, from_scenario.rungs)
    collector = pickle.loads(pickle.dumps(from_file.datacollector))
    assert list(collector.model_reporters) == columns(scenario)


def test_mesa_batch_run_runs_the_model_to_its_horizon(scenario: Scenario, scenario_file) -> None:
    """Mesa's own batch_run, called as any Mesa model is: one row per run, the crisis's last day."""
    rows = mesa.batch_run(
        EscalationModel, parameters={"scenario": str(scenario_file), "n_worlds": [10, 30]}, display_progress=False
    )
    table = pd.DataFrame(rows)
    assert len(table) == 2 and set(table["n_worlds"]) == {10, 30}
    assert set(columns(scenario)) <= set(table.columns)
    assert (table["day"] == HORIZON).all()


def test_batch_run_returns_the_final_day_of_every_run(scenario: Scenario, scenario_file) -> None:
    rows = batch_run({"scenario": str(scenario_file), "n_worlds": [10, 70]}, rng=[1, 2, 1])
    table = pd.DataFrame(rows)
    assert len(table) == 2 * 3
    assert set(columns(scenario)) <= set(table.columns)
    assert (table["day"] == HORIZON).all()
    # the same seed gives the same row, and another seed another
    by_run = table.drop(columns=["RunId", "iteration"]).groupby(["n_worlds", "rng"])
    assert (by_run.nunique() == 1).all().all()
    first, second = (table[(table["n_worlds"] == 70) & (table["rng"] == seed)].iloc[0] for seed in (1, 2))
    assert any(first[name] != second[name] for name in columns(scenario))
    # and the row is the one a model stepped by hand collects on its last day
    model = EscalationModel(scenario, n_worlds=70, rng=2)
    while model.running:
        model.step()
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    for name in columns(scenario):
        assert second[name] == last[name], name


def test_batch_run_every_day_and_for_some_days(scenario_file) -> None:
    daily = batch_run({"scenario": str(scenario_file), "n_worlds": 20}, rng=4, data_collection_period=1)
    assert [row["day"] for row in daily] == list(range(1, HORIZON + 1))
    limited = batch_run({"scenario": str(scenario_file), "n_worlds": 20}, rng=4, days=4)
    assert [row["day"] for row in limited] == [4]
    same = ("RunId", "Step")  # Mesa's labels; Step differs between Mesa versions
    assert {k: v for k, v in limited[0].items() if k not in same} == {
        k: v for k, v in daily[3].items() if k not in same
    }


def test_batch_run_takes_seeds_only_as_its_argument(scenario_file) -> None:
    with pytest.raises(TypeError, match="rng argument"):
        batch_run({"scenario": str(scenario_file), "rng": 1}, rng=1)
    with pytest.raises(ValueError, match="at least one seed"):
        batch_run({"scenario": str(scenario_file)}, rng=[])
    with pytest.raises(ValueError, match="days must be at least 1"):
        batch_run({"scenario": str(scenario_file)}, rng=1, days=0)
