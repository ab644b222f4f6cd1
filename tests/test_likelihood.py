"""The likelihood of a documented timeline: the same probabilities the sampler draws from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from helpers import SEEDED_PATH, seeded_data, small_scenario_data, write
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from escalation import ScenarioError, load_scenario
from escalation.cli import main
from escalation.likelihood import loglik, poisson_binomial_logpmf
from escalation.model import EscalationModel, kernel
from escalation.scenario.schema import RecordRule

# proxy control, accidents, unready days and a relative scale of proportionality large enough
# that the mixtures and the slips show in the counts
MIXED = {
    "accident_probability": 0.2,
    "proportionality": 0.4,
    "iran.preparation_days": 3.0,
    "united_states.preparation_days": 1.5,
    "kataib_hezbollah.preparation_days": 2.0,
    "kataib_hezbollah.control": 0.5,
    "other_militias.control": 0.5,
}


def test_sampled_acts_follow_the_likelihood_probabilities(seeded) -> None:
    """In one replayed state, 200,000 worlds' first-day acts match ``act_probabilities`` (chi-square).

    Fixed seed; each actor's test has level 0.001, so a correct kernel fails with chance < 0.4%.
    """
    worlds = 200_000
    model = EscalationModel(seeded, n_worlds=worlds, rng=7, parameters=MIXED, detail=True)
    structure = model.compiled.structure
    expected = {
        actor: kernel.act_probabilities(structure, model.worlds, model.state, model.scratch, actor)[0]
        for actor in structure.strategic
    }
    model.step()
    for actor, probabilities in expected.items():
        menu = structure.menus[actor, : structure.menu_size[actor]]
        taken = model.log_action[actor, 0]
        observed = np.array([(taken == act).sum() for act in menu])
        assert observed.sum() == worlds
        keep = probabilities * worlds >= 5  # chi-square needs expected counts of at least 5
        rest = observed[~keep].sum()
        expected_counts = np.append(probabilities[keep], probabilities[~keep].sum()) * worlds
        counts = np.append(observed[keep], rest)
        if expected_counts[-1] < 5:  # fold a tiny remainder into the largest cell
            counts[np.argmax(expected_counts[:-1])] += counts[-1]
            expected_counts[np.argmax(expected_counts[:-1])] += expected_counts[-1]
            counts, expected_counts = counts[:-1], expected_counts[:-1]
        assert rest <= max(10, 10 * probabilities[~keep].sum() * worlds)
        if counts.size > 1:
            result = stats.chisquare(counts, expected_counts * counts.sum() / expected_counts.sum())
            assert result.pvalue > 0.001, (actor, counts, expected_counts)


def test_sampled_casualties_follow_the_likelihood_distribution(seeded) -> None:
    """Deaths drawn for the US strikes on Kataib Hezbollah match the negative-binomial pmf scored."""
    from escalation.likelihood import _negative_binomial_logpmf

    model = EscalationModel(seeded, n_worlds=1, rng=0)
    k = model.compiled.action_index["strike_kataib_hezbollah"]
    mean, shape = model.worlds.killed_mean[:, k], model.worlds.dispersion[:, k]
    rng = np.random.default_rng(3)
    draws = rng.negative_binomial(shape[0], shape[0] / (shape[0] + mean[0]), 100_000)
    bins = [(0, 4), (5, 9), (10, 19), (20, 39), (40, 10_000)]
    expected = np.array([np.exp(_negative_binomial_logpmf(b, mean, shape))[0] for b in bins])
    observed = np.array([((draws >= lo) & (draws <= hi)).sum() for lo, hi in bins])
    assert expected.sum() == pytest.approx(1.0, abs=1e-9)
    assert stats.chisquare(observed, expected * observed.sum()).pvalue > 0.001


def test_seeded_timeline_scores_and_explains(seeded) -> None:
    result = loglik(seeded)
    table = result.table
    assert np.isfinite(result.total) and result.total < 0
    events = table[table["kind"] == "event"].set_index("id")
    assert set(events.index) == {e.id for e in seeded.timeline}
    notes = events["note"]
    assert "host" in notes["A13"]
    assert "menu" in notes["A18"]
    assert "target" in notes["A02"]
    assert "below" in notes["A04"]
    scored = events[~notes.str.startswith("not scored")]
    assert (scored["logp"] <= 0).all()
    np.testing.assert_allclose(scored["logp"], scored["logp_act"] + scored["logp_casualties"])
    assert {"A05", "A06", "A10", "A16", "A26"} <= set(scored.index)
    assert (table["kind"] == "count").sum() == 1
    parts = result.part("event") + result.part("quiet") + result.part("count")
    assert result.total == pytest.approx(parts)


def test_an_act_is_scored_as_what_an_observer_records(seeded) -> None:
    """K-1 (A05, one killed) may have been a routine salvo that killed or a heavy salvo: both count.

    By hand: Kataib Hezbollah's act probabilities in the state at the start of 27 December
    (history replayed to A04, then the quiet days), and the negative-binomial pmf of one
    killed and six wounded under each salvo's means.
    """
    from escalation.likelihood import _negative_binomial_logpmf_exact

    table = loglik(seeded).table.set_index("id")
    alike_note = "recorded alike: rocket_attack@united_states or lethal_rocket_attack@united_states"
    assert table.loc["A05", "note"] == alike_note
    model = EscalationModel(dataclasses.replace(seeded, start_after="A04"), n_worlds=1, rng=0)
    kernel.end_of_days(model.worlds, model.state, (dt.date(2019, 12, 27) - dt.date(2019, 12, 14)).days)
    structure, compiled = model.compiled.structure, model.compiled
    kh = compiled.actor_index["kataib_hezbollah"]
    menu = [seeded.actions[k].id for k in structure.menus[kh, : structure.menu_size[kh]]]
    probabilities = kernel.act_probabilities(structure, model.worlds, model.state, model.scratch, kh)[0]
    p = dict(zip(menu, probabilities, strict=True))
    salvos = ("rocket_attack@united_states", "lethal_rocket_attack@united_states")
    alike = sum(p[a] for a in salvos)
    of_kind = alike + p["embassy_assault@united_states"]  # within the count rule: P(act | an act of force)
    assert table.loc["A05", "logp_act"] == pytest.approx(np.log(alike / of_kind), rel=1e-9)

    def counts(action: str) -> float:
        k = compiled.action_index[action]
        mean = lambda m: np.array([m[0, k]])  # noqa: E731
        shape = np.array([model.worlds.dispersion[0, k]])
        return float(
            _negative_binomial_logpmf_exact(np.array([1]), mean(model.worlds.killed_mean), shape)[0]
            + _negative_binomial_logpmf_exact(np.array([6]), mean(model.worlds.wounded_mean), shape)[0]
        )

    mixed = sum(p[a] * np.exp(counts(a)) for a in salvos) / alike
    assert table.loc["A05", "logp_casualties"] == pytest.approx(np.log(mixed), rel=1e-9)


def test_share_scales_each_recorded_act(seeded) -> None:
    """A record that keeps half the acts costs exactly log(1/2) per scored act (the replay is unchanged)."""
    complete = loglik(dataclasses.replace(seeded, record=(RecordRule(recorded_from="use_of_force"),)))
    half = loglik(dataclasses.replace(seeded, record=(RecordRule(recorded_from="use_of_force", share=0.5),)))
    a, b = (r.table[r.table["kind"] == "event"].dropna(subset=["logp"]) for r in (complete, half))
    np.testing.assert_allclose(b["logp_act"].to_numpy(), a["logp_act"].to_numpy() + np.log(0.5))
    quiet_a, quiet_b = (r.table.loc[r.table["kind"] == "quiet", "logp"].to_numpy() for r in (complete, half))
    assert (quiet_b >= quiet_a - 1e-12).all()  # fewer recorded acts: a quiet day is likelier


def test_count_term_is_a_distribution_over_counts(seeded) -> None:
    """Over every possible count the count rule's probabilities sum to one."""
    record = seeded.record
    totals = []
    for count in range(0, 61):
        rules = tuple(dataclasses.replace(r, count=count) if r.count is not None else r for r in record)
        table = loglik(dataclasses.replace(seeded, record=rules)).table
        totals.append(table.loc[table["kind"] == "count", "logp"].iloc[0])
    assert np.exp(totals).sum() == pytest.approx(1.0, abs=1e-6)


def test_per_world_parameters_give_per_world_totals(seeded) -> None:
    scalar = loglik(seeded)
    same = loglik(seeded, parameters={"iran.rationality": np.full(3, seeded.actor("iran").rationality)})
    np.testing.assert_array_equal(same.total, np.full(3, scalar.total))
    varied = loglik(seeded, parameters={"iran.rationality": np.array([0.5, 2.0, 4.0])})
    assert varied.total.shape == (3,)
    assert len(set(varied.total)) == 3
    assert varied.table["world"].nunique() == 3


@settings(max_examples=60, deadline=None)
# chances of 0 or at least 1e-300: scipy's binomial reference overflows on subnormal chances
@given(st.lists(st.just(0.0) | st.floats(1e-300, 1.0), min_size=0, max_size=25))
def test_poisson_binomial_sums_to_one_and_matches_binomial(chances: list[float]) -> None:
    trials = np.array(chances, dtype=float).reshape(-1, 1)
    pmf = np.exp([poisson_binomial_logpmf(n, trials)[0] for n in range(len(chances) + 2)])
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert pmf[-1] == 0.0  # more successes than trials
    if chances:
        equal = np.full((len(chances), 1), chances[0])
        expected = stats.binom.pmf(np.arange(len(chances) + 1), len(chances), chances[0])
        got = np.exp([poisson_binomial_logpmf(n, equal)[0] for n in range(len(chances) + 1)])
        np.testing.assert_allclose(got, expected, atol=1e-12)


def test_record_rules_round_trip(seeded) -> None:
    again = load_scenario(seeded.to_dict())
    assert again.record == seeded.record
    assert len(seeded.record) == 3 and seeded.record[1].count == 22


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"actors": ["iraq"]}, "makes no choices"),
        ({"actors": ["nobody"]}, "unknown actor 'nobody'"),
        ({"share": 0}, "greater than 0"),
        ({"recorded_from": "usage_of_force"}, "did you mean 'use_of_force'"),
        ({"from": "2020-02-01", "until": "2020-01-01"}, "ends before it starts"),
        ({"actors": ["iran"], "from": "2020-01-01"}, "already covered by record[0]"),
    ],
)
def test_bad_record_rule_is_one_line_naming_file_and_line(tmp_path: Path, rule: dict, message: str) -> None:
    data = seeded_data()
    data["record"] = [{"actors": ["iran"]}, rule]
    text = json.dumps(data)  # JSON is YAML: a file with real line numbers
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert message in str(error.value)
    assert str(error.value).startswith(f"{path}:")
    assert "record[1]" in str(error.value)


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loglik", str(SEEDED_PATH), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"total", "events", "quiet_days_logp"} <= set(data)
    assert {"id", "actor", "action", "logp"} <= set(data["events"][0])
    assert data["total"] == pytest.approx(loglik(SEEDED_PATH).total)


def test_cli_table_and_no_timeline_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loglik", str(SEEDED_PATH)]) == 0
    out = capsys.readouterr().out
    assert "total log-likelihood" in out and "A10" in out
    data = small_scenario_data()
    data["timeline"] = {}
    data.pop("start_after", None)
    path = write(tmp_path / "bare.yaml", json.dumps(data))
    assert main(["loglik", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "no timeline" in err


def test_quiet_centuries_pass_in_one_step_with_the_same_scores(seeded) -> None:
    """A documented act a century before the record adds one replay step, not 43,000 days,
    and stepping across quiet days at once scores exactly as stepping day by day."""
    from escalation.likelihood import RecordLikelihood

    first = seeded.timeline[0]
    early = dataclasses.replace(first, id="EARLY", date=dt.date(1901, 1, 1))
    record = tuple(dataclasses.replace(r, start=r.start or dt.date(2019, 10, 1)) for r in seeded.record)
    scenario = dataclasses.replace(seeded, timeline=(early, *seeded.timeline), record=record)
    record_likelihood = RecordLikelihood(scenario)
    steps = record_likelihood._days
    span = (seeded.timeline[-1].date - early.date).days
    assert span > 43_000
    assert len(steps) < 400 and steps[:-1, 2].sum() == span + 1

    # the same replay with every quiet day its own step
    daily = []
    for row, following in itertools.pairwise(steps):
        daily.append((row[0], row[1], 1))
        daily += [(following[0], following[1], 1)] * int(row[2] - 1)
    daily.append(tuple(steps[-1]))
    parameters = {"iran.rationality": np.array([0.7, 1.5])}
    at_once = record_likelihood.contributions(parameters)
    record_likelihood._days = np.array(daily, dtype=np.int64)
    by_day = record_likelihood.contributions(parameters)
    assert len(daily) > 43_000
    np.testing.assert_allclose(at_once[0], by_day[0], rtol=1e-12)
    np.testing.assert_allclose(at_once[1], by_day[1], rtol=1e-12)
    for index, counted in at_once[2].items():
        np.testing.assert_allclose(counted, by_day[2][index], rtol=1e-12)
    assert np.isfinite(record_likelihood.totals(parameters)).all()
