"""Backtests: the scores, the observed record of the scenarios, the path checks, the JSON and the command."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import AFTER_STRIKE_PATH, K1_PATH, SCENARIOS, SEEDED_PATH, write
from hypothesis import given
from hypothesis import strategies as st

import escalation
from escalation import RunError, Scenario, ScenarioError, load_scenario
from escalation.backtesting import Backtest, backtest, scores
from escalation.backtesting.held_out import held_out_values
from escalation.backtesting.paths import answered_by_day, mid_quantile
from escalation.cli import main
from escalation.model.compiled import CompiledScenario
from escalation.model.model import EscalationModel
from escalation.outcomes import documented_outcome
from escalation.runner import run_study
from escalation.runner.blocks import block_rng
from escalation.scenario.schema import Observed, ObservedAnswer

EPISODES = sorted((SCENARIOS / "episodes").glob("*.yaml"))
O1 = SCENARIOS / "episodes" / "o1_global_hawk_2019.yaml"  # one simulated day
C6 = SCENARIOS / "episodes" / "c6_tanf_2022.yaml"  # eleven simulated days
C1 = SCENARIOS / "episodes" / "c1_t4_drone_2018.yaml"
SEED_EPISODES = SCENARIOS / "sources" / "calibration-episodes.yaml"
REQUIRED = {"file", "observed", "p_observed", "brier", "log_score", "brier_uniform", "brier_climatology",
            "brier_no_history"}  # fmt: skip


def short(path: Path, days: int = 20) -> Scenario:
    """A shipped scenario over ``days`` days (its own worlds, classified over a shorter horizon)."""
    return dataclasses.replace(load_scenario(path), horizon_days=days)


# ------------------------------------------------------------------ scores by hand
def test_brier_and_log_score_by_hand():
    assert scores.brier([0.7, 0.2, 0.1], 0) == pytest.approx(0.09 + 0.04 + 0.01)
    assert scores.brier([0.7, 0.2, 0.1], 1) == pytest.approx(0.49 + 0.64 + 0.01)
    assert scores.brier([0.0, 1.0], 0) == 2.0
    assert scores.log_score(0.5) == pytest.approx(-0.693147, abs=1e-6)
    assert scores.log_score(1.0) == 0.0 and scores.log_score(0.0) == -math.inf
    assert scores.uniform(4).tolist() == [0.25] * 4


def test_climatology_counts_the_other_records_with_half_a_case_per_class():
    observed = ["a", "a", "b"]
    forecasts = scores.climatology(observed, [["a", "b", "c"]] * 3)
    # record 0 sees a, b: (1 + 0.5, 1 + 0.5, 0 + 0.5) / (2 + 1.5)
    assert forecasts[0] == pytest.approx([1.5 / 3.5, 1.5 / 3.5, 0.5 / 3.5])
    # record 2 sees a, a
    assert forecasts[2] == pytest.approx([2.5 / 3.5, 0.5 / 3.5, 0.5 / 3.5])
    # a class a record does not have is not counted; a lone record gets the uniform forecast
    assert scores.climatology(["a", "z"], [["a", "b"], ["z", "a"]])[0] == pytest.approx([0.5, 0.5])
    assert scores.climatology(["a"], [["a", "b"]])[0] == pytest.approx([0.5, 0.5])


def test_mid_quantile_by_hand():
    answered = np.array([1, 3, 3, 4])  # worlds answered by days 1..4: delays 1, 2, 2, 4
    assert mid_quantile(answered, 2) == pytest.approx((1 + 3) / 8)
    assert mid_quantile(answered, 3) == pytest.approx((3 + 3) / 8)
    assert mid_quantile(answered, 0) == 0.0  # sooner than any simulated answer (a same-day one)
    assert mid_quantile(answered, 9) == 1.0
    assert math.isnan(mid_quantile(np.zeros(4, dtype=int), 2))


# ------------------------------------------------------------------ properties of the scores
def forecasts(min_classes: int = 2) -> st.SearchStrategy[tuple[np.ndarray, int]]:
    """A probability vector and an observed class index."""

    def build(weights: list[float], pick: int) -> tuple[np.ndarray, int]:
        p = np.asarray(weights) / sum(weights)
        return p, pick % len(p)

    weights = st.lists(st.floats(0.0, 1.0), min_size=min_classes, max_size=8).filter(lambda w: sum(w) > 1e-6)
    return st.builds(build, weights, st.integers(0, 100))


@given(forecasts())
def test_brier_lies_in_0_2_and_log_score_is_at_most_0(forecast):
    p, observed = forecast
    assert -1e-12 <= scores.brier(p, observed) <= 2.0 + 1e-12
    assert scores.log_score(float(p[observed])) <= 0.0


@given(st.integers(2, 8), st.integers(0, 100))
def test_a_perfect_forecast_scores_zero(n_classes, pick):
    observed = pick % n_classes
    certain = np.eye(n_classes)[observed]
    assert scores.brier(certain, observed) == 0.0 and scores.log_score(certain[observed]) == 0.0


@given(st.lists(st.sampled_from("abcd"), min_size=1, max_size=12), st.integers(0, 100), st.sampled_from("abcd"))
def test_leave_one_out_climatology_never_uses_the_record_itself(observed, pick, other):
    classes = [list("abcd")] * len(observed)
    i = pick % len(observed)
    before = scores.climatology(observed, classes)
    changed = scores.climatology([*observed[:i], other, *observed[i + 1 :]], classes)
    assert np.array_equal(before[i], changed[i])
    assert all(f.sum() == pytest.approx(1.0) and (f > 0).all() for f in before)


# ------------------------------------------------------------------ the observed record
def test_observed_describes_the_record_and_leaves_the_model_alone(seeded: Scenario):
    assert seeded.observed is not None and seeded.observed.outcome == "mutual_restraint"
    data = seeded.to_dict()
    assert data["observed"]["answers"][1] == {
        "provocation": "A10",
        "by": "iran",
        "answered": True,
        "answer": "A16",
        "delay_days": 5,
        "date": None,
        "at_least": None,
        "notes": 'Outcome summary, "Direct US-Iran exchange ended after one round each (A10 -> A16)".',
    }
    bare = load_scenario({k: v for k, v in data.items() if k != "observed"})
    assert bare.observed is None and bare.hash == seeded.hash and bare == seeded
    again = load_scenario(data)
    assert again.observed == seeded.observed


@pytest.mark.parametrize("path", [*EPISODES, SEEDED_PATH], ids=lambda p: p.stem)
def test_every_episode_says_what_happened_as_its_own_record_reads(path: Path):
    """The observed class is the one the outcome rules give the timeline's own path over the horizon."""
    scenario = load_scenario(path)
    assert scenario.observed is not None and scenario.start_after is not None
    assert scenario.observed.outcome == documented_outcome(scenario)[0]


def test_the_observed_answers_are_the_seeds_response_delays():
    """Every response delay of the source is in its episode (the host's diplomatic answer in C5
    excepted) and nothing else is; the source's "none" is an unanswered entry per named actor."""
    source = yaml.safe_load(SEED_EPISODES.read_text(encoding="utf-8"))["episodes"]
    for episode in source:
        delays = episode["outcome"].get("response_delays")
        if not delays:
            continue
        path = next(p for p in EPISODES if p.stem.startswith(episode["episode"].lower() + "_"))
        written = {(a.provocation, a.answer, a.delay_days) for a in load_scenario(path).observed.answers}
        expected = {(d["provocation"], d["answer"], d["delay_days"]) for d in delays} - {("C5-03", "C5-04", 0)}
        assert written == expected, path.name


@pytest.mark.parametrize(
    ("observed", "line", "field", "message"),
    [
        ("outcome: peace", 3, "observed.outcome", "'peace' is not an outcome of the scenario"),
        ("outcome: mutual_restrant", 3, "observed.outcome", "did you mean 'mutual_restraint'?"),
        ("outcom: mutual_restraint", 3, "observed.outcom", "unknown field (did you mean 'outcome'?)"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: A10, answer: A16, by: iran, delay_days: 4}", 5,
         "observed.answers[0].delay_days", "A16 came 5 days after the provocation, not 4"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: A10, answer: A16, by: united_states, "
         "delay_days: 5}", 5, "observed.answers[0].answer", "A16 is an act of 'iran', not of 'united_states'"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: A10, answer: A16, by: iraq, delay_days: 5}", 5,
         "observed.answers[0].by", "'iraq' is a host"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: A1O, answer: A16, by: iran, delay_days: 5}", 5,
         "observed.answers[0].provocation", "unknown event 'A1O'"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: a described attack, by: iran, answered: false}", 5,
         "observed.answers[0]", "needs its 'date'"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: A10, by: iran}", 5, "observed.answers[0]",
         "missing 'answer'"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: A10, by: iran, answered: false, delay_days: 2}", 5,
         "observed.answers[0].delay_days", "answered: false takes no answer and no delay"),
        ("outcome: mutual_restraint\n  answers:\n    - {provocation: A10, by: iran, answered: false, at_least: sky}", 5,
         "observed.answers[0].at_least", "unknown rung or threshold 'sky'"),
    ],
)  # fmt: skip
def test_a_bad_observed_section_is_a_one_line_error_at_its_line(tmp_path, observed, line, field, message):
    path = write(tmp_path / "variant.yaml", f"extends: {SEEDED_PATH}\nobserved:\n  {observed}\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert (error.value.file, error.value.line, error.value.path) == (str(path), line, field), str(error.value)
    assert message in str(error.value) and "\n" not in str(error.value)


# ------------------------------------------------------------------ path checks
def test_the_answer_curve_counts_each_worlds_first_act_at_the_level():
    """The per-day counts the check reads are each world's first act at or above the level, exactly."""
    scenario = short(K1_PATH, 15)
    results = run_study(scenario, runs=300, seed=2, block_size=300, posterior=False)
    level = scenario.ladder.level("use_of_force")
    curve = answered_by_day(results, "united_states", level)
    model = EscalationModel(CompiledScenario.from_scenario(scenario), 300, rng=block_rng(2, 0)).run()
    us = [a.id for a in scenario.actors].index("united_states")
    acted = model.rungs[us] >= level  # (days, worlds)
    first = np.where(acted.any(axis=0), acted.argmax(axis=0) + 1, 0)
    assert curve.tolist() == [int(((first >= 1) & (first <= d)).sum()) for d in range(1, 16)]
    assert 0 < curve[-1] < 300


@pytest.fixture(scope="module")
def branches() -> Backtest:
    """The seeded scenario and its two shipped branches over 20 days, 400 worlds each (with their posterior)."""
    scenarios = [short(SEEDED_PATH), short(K1_PATH), short(AFTER_STRIKE_PATH)]
    return backtest(scenarios, runs=400, seed=1)


def test_an_answer_is_checked_only_when_history_provokes_it_and_the_model_must_give_it(branches: Backtest):
    paths = branches.paths.set_index(["file", "provocation"])
    seeded, k1, after = "us_iran_2020", "us_iran_2020_k1", "us_iran_2020_after_strike"
    assert paths.loc[(seeded, "A05"), "reason"] == "the answer is part of the replayed history"
    assert paths.loc[(seeded, "A10"), "checked"] and paths.loc[(k1, "A05"), "checked"]
    assert paths.loc[(k1, "A10"), "reason"].startswith("the provocation comes after the branch")
    assert paths.loc[(seeded, "A25"), "reason"].startswith("the provocation comes after the branch")
    unanswered = paths.loc[(after, "A16")]  # the US answered Iran's strike with sanctions only
    assert unanswered["checked"] and unanswered["at_least"] == "direct_state_force"
    assert 0 <= unanswered["p_answer_low"] <= unanswered["p_answer"] <= unanswered["p_answer_high"] <= 1
    answered = paths.loc[(seeded, "A10")]
    assert 0 <= answered["delay_quantile"] <= 1 and answered["simulated_median_delay"] >= 1


def test_only_the_actors_first_act_within_the_horizon_is_checked():
    """After the K-1 branch the first US act of force is A06: A10 is not the answer to check, and
    over five days (28 Dec - 1 Jan) A10 comes after the horizon; a described provocation counts by its date."""
    answers = (
        ObservedAnswer("A05", "united_states", answer="A06", delay_days=2),
        ObservedAnswer("A05", "united_states", answer="A10", delay_days=7),
        ObservedAnswer("rockets before K-1", "united_states", answer="A06", delay_days=3, date=dt.date(2019, 12, 26)),
    )
    k1 = dataclasses.replace(load_scenario(K1_PATH), observed=Observed("mutual_restraint", answers))
    reasons = {days: backtest([dataclasses.replace(k1, horizon_days=days)], runs=50, posterior=False).paths["reason"]
               for days in (5, 10)}  # fmt: skip
    assert reasons[5].tolist() == ["", "the answer came after the horizon", ""]
    assert reasons[10].tolist() == ["", "A06 is the first act of united_states at this level after the branch, "
                                    "not the answer", ""]  # fmt: skip


def test_the_forecast_is_the_studys_and_its_score_follows(branches: Backtest):
    seeded = short(SEEDED_PATH)
    table = run_study(seeded, runs=400, seed=1).outcome_table().set_index("outcome")
    row = branches.table.set_index("file").loc["us_iran_2020"]
    assert row["p_observed"] == table.loc["mutual_restraint", "p"]
    given = branches.forecasts[branches.forecasts["file"] == "us_iran_2020"]
    assert row["brier"] == pytest.approx(((given["model"] - given["observed"]) ** 2).sum())
    assert row["log_score"] == pytest.approx(math.log(row["p_observed"]))
    assert row["brier_uniform"] == pytest.approx(0.75)  # four classes, one observed
    # every branch observed mutual restraint: the others' climatology is (2 + 0.5) / (2 + 2)
    assert row["p_observed_climatology"] == pytest.approx(2.5 / 4)
    assert row["p_observed_no_history"] != row["p_observed"]


def test_monte_carlo_error_covers_another_seed():
    """Two seeds' estimates of p_observed differ by less than 4 combined standard errors."""
    first, second = (backtest([short(SEEDED_PATH)], runs=2000, seed=s, posterior=False).table.iloc[0] for s in (5, 6))
    assert abs(first["p_observed"] - second["p_observed"]) < 4 * math.hypot(
        first["p_observed_se"], second["p_observed_se"]
    )
    assert first["p_observed_low"] <= first["p_observed"] <= first["p_observed_high"]


def test_held_out_values_never_see_the_held_out_record():
    """C1's values are fitted to O1's record alone: a different C1 record leaves them unchanged."""
    c1, o1 = load_scenario(C1), load_scenario(O1)
    changed = dataclasses.replace(c1, timeline=c1.timeline[:1], start_after=None)  # C1 without Israel's answers
    own, other = held_out_values([c1, o1], ["iran.rationality"])
    assert held_out_values([changed, o1], ["iran.rationality"])[0] == own
    assert set(own) == {"iran.rationality"} and own != {"iran.rationality": c1.actor("iran").rationality}
    assert held_out_values([changed, o1], ["iran.rationality"])[1] != other


def test_a_posterior_and_leave_one_out_exclude_each_other():
    with pytest.raises(RunError, match="not both"):
        backtest([O1, C6], runs=10, posterior=False, leave_one_out=True)


# ------------------------------------------------------------------ JSON, table, figure, command
def test_cli_json_has_the_documented_keys_and_writes_the_figure(tmp_path, capsys):
    figure = tmp_path / "reliability.png"
    assert main(["backtest", str(O1), str(C6), "--runs", "300", "--seed", "2", "--json", "--plot", str(figure)]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in records] == [str(O1), str(C6)]
    for record in records:
        assert set(record) >= REQUIRED
        assert record["observed"] == "mutual_restraint" and 0 <= record["p_observed"] <= 1
        assert record["seed"] == 2 and record["runs"] == 300 and len(record["scenario_hash"]) == 64
        assert set(record["probabilities"]) == {"model", "uniform", "climatology", "no_history"}
        assert all(isinstance(p["checked"], bool) for p in record["paths"])
    assert figure.stat().st_size > 0


def test_cli_table_names_every_score(capsys):
    assert main(["backtest", str(O1), str(C6), "--runs", "200", "--no-posterior"]) == 0
    out = capsys.readouterr().out
    for heading in ("probability of the observed outcome", "Brier score", "log score", "climatology", "no history"):
        assert heading in out
    assert "O1-01 -> none" in out and "C6-01 -> C6-04" in out and "scenario values (2)" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nowhere.yaml"], "nowhere.yaml: no such file"),
        ([str(SCENARIOS / "history" / "us_iran_2019_2020_timeline.yaml")],
         "escalation backtest: error: " + str(SCENARIOS / "history" / "us_iran_2019_2020_timeline.yaml")
         + ": the scenario has no 'observed:' section"),
        ([str(O1), "--posterior", "x", "--leave-one-out"], "not allowed with argument"),
        ([str(O1), "--leave-one-out", "iran.*,"], "escalation backtest: error: --leave-one-out"),
    ],
)  # fmt: skip
def test_cli_user_errors_are_one_line_and_exit_2(capsys, arguments, message):
    try:
        code = main(["backtest", *arguments, "--runs", "10"])
    except SystemExit as exit_:  # argparse's own errors exit from the parser
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_unknown_observed_outcome_is_the_loaders_error(tmp_path, capsys):
    path = write(tmp_path / "wrong.yaml", f"extends: {O1}\nobserved:\n  outcome: peace\n")
    assert main(["backtest", str(path), "--runs", "10"]) == 2
    assert capsys.readouterr().err.strip() == f"{path}:3: observed.outcome: 'peace' is not an outcome of the scenario"


def test_the_library_function_is_exported_lazily():
    assert escalation.backtest is backtest and escalation.Backtest is Backtest
