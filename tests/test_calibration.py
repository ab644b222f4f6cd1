"""Calibration: the parameter space, the pooled posterior, the fit, parameter recovery, posterior runs."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import escalation
from escalation import RunError, run_study
from escalation.calibration.corpus import Corpus, LogPosterior
from escalation.calibration.diagnostics import split_rhat
from escalation.calibration.fit import fit, load_posterior
from escalation.calibration.space import FreeParameter, free_parameters
from escalation.calibration.synthetic import simulate_record
from escalation.cli import main
from escalation.parameters import parse_prior
from escalation.stats import parameter_interval

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "scenarios" / "history" / "us_iran_2019_2020_timeline.yaml"
SEEDED = ROOT / "scenarios" / "us_iran_2020.yaml"
TWO = ["united_states.rationality", "iran.rationality"]
PROPERTY = settings(max_examples=60, deadline=None)


@cache
def synthetic_base() -> escalation.Scenario:
    """The seeded actors with no history, 120 days, and no perception noise (the record is complete)."""
    common = escalation.load_scenario(ROOT / "scenarios" / "common" / "us_iran.yaml")
    return common.with_overrides({"horizon_days": 120, "parameters": {"perception_noise": 0}})


# ------------------------------------------------------------------ the parameter space
SUPPORTS = [
    ("lognorm(s=0.5, scale=2)", 0.0, 100.0),  # a bounded positive parameter: logit on (0, 100)
    ("lognorm(s=0.8, scale=0.05)", 0.0, math.inf),  # a half-line: log
    ("beta(a=1, b=20)", 0.0, 1.0),  # a share: logit on (0, 1)
    ("norm(loc=1, scale=2)", -math.inf, math.inf),  # the real line: identity
]


@pytest.mark.parametrize(("prior", "low", "high"), SUPPORTS)
def test_the_prior_on_the_unconstrained_scale_is_a_density(prior, low, high):
    """The Jacobian is right: exp(log_prior(u)) integrates to the prior mass inside the support."""
    p = FreeParameter("x", parse_prior(prior), low, high, 1.0, ("s",))
    mass, _ = integrate.quad(lambda u: math.exp(p.log_prior(np.array([u]))[0]), -30, 30, limit=400)
    dist = p.frozen()
    expected = dist.cdf(high) - dist.cdf(low)
    assert mass == pytest.approx(expected, rel=1e-4)


@PROPERTY
@given(index=st.integers(0, len(SUPPORTS) - 1), share=st.floats(0.001, 0.999))
def test_transforms_round_trip(index, share):
    prior, low, high = SUPPORTS[index]
    p = FreeParameter("x", parse_prior(prior), low, high, 1.0, ("s",))
    x = float(p.frozen().ppf(share))
    if not low < x < high:
        return
    assert float(p.to_x(p.to_u(np.array([x])))[0]) == pytest.approx(x, rel=1e-9, abs=1e-12)


def test_default_free_parameters_are_globals_and_strategic_actors():
    scenario = escalation.load_scenario(RECORD)
    names = [p.name for p in free_parameters([scenario])]
    assert "inertia" in names and "iran.rationality" in names and "kataib_hezbollah.control" in names
    assert not any(n.startswith("iraq.") for n in names)  # a host makes no choices
    assert not any(n.startswith("rocket_attack.") for n in names)  # action parameters stay put
    assert "united_states.host_pressure" not in names  # its prior is fixed


def test_patterns_choose_parameters_and_unknown_patterns_fail():
    scenario = escalation.load_scenario(RECORD)
    chosen = [p.name for p in free_parameters([scenario], ["*.rationality", "rocket_attack.killed_mean"])]
    assert chosen == [
        "united_states.rationality",
        "iran.rationality",
        "kataib_hezbollah.rationality",
        "other_militias.rationality",
        "rocket_attack.killed_mean",
    ]
    with pytest.raises(RunError, match="matches no free parameter"):
        free_parameters([scenario], ["iran.ratonality"])


# ------------------------------------------------------------------ the posterior
def test_the_vectorised_posterior_equals_point_by_point_evaluation():
    corpus = Corpus([RECORD])
    posterior = LogPosterior(corpus, free_parameters(corpus.scenarios, [*TWO, "inertia"]))
    points = np.random.default_rng(4).normal(0.3, 0.5, size=(5, 3))
    together = posterior(points)
    one_by_one = np.array([posterior(point[None])[0] for point in points])
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12)
    values = posterior.values(points[:1])
    direct = escalation.loglik(RECORD, parameters={k: v for k, v in values.items()}).total
    prior, logliks = posterior.parts(points[:1])
    assert logliks[0, 0] == pytest.approx(direct, rel=1e-12)
    assert together[0] == pytest.approx(direct + prior[0], rel=1e-12)


def test_a_corpus_refuses_repeated_names_and_records_without_a_timeline():
    with pytest.raises(RunError, match="repeated"):
        Corpus([RECORD, RECORD])
    with pytest.raises(RunError, match="no timeline"):
        Corpus([ROOT / "scenarios" / "common" / "us_iran.yaml"])


def test_split_rhat_flags_chains_that_disagree():
    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(400, 8, 1))
    stuck = mixed + np.arange(8)[None, :, None]  # every walker in its own place
    assert split_rhat(mixed)[0] == pytest.approx(1.0, abs=0.02)
    assert split_rhat(stuck)[0] > 1.5


# ------------------------------------------------------------------ the fit
def small_fit(seed: int, out=None):
    return fit([RECORD], params=TWO, steps=60, walkers=8, draws=100, starts=2, seed=seed, out=out)


def test_a_fit_is_deterministic_for_a_seed_and_improves_on_its_start(tmp_path):
    first, again, other = small_fit(3, out=tmp_path / "fit"), small_fit(3), small_fit(4)
    pd.testing.assert_frame_equal(first.draws, again.draws)
    assert first.map == again.map
    assert not first.draws.equals(other.draws)
    assert sum(first.loglik_map.values()) > sum(first.loglik_judgement.values())
    saved = json.loads((tmp_path / "fit" / "fit.json").read_text())
    assert saved["map"] == pytest.approx(first.map)
    assert {p["parameter"] for p in saved["parameters"]} == set(TWO)
    for key in ("mean", "sd", "q2.5", "q97.5", "rhat", "ess", "prior", "informed"):
        assert key in saved["parameters"][0]
    assert set(saved["informed"]) | set(saved["prior_only"]) == set(TWO)
    pd.testing.assert_frame_equal(load_posterior(tmp_path / "fit"), first.draws)
    for name in ("marginals.png", "surprise.png", "surprise.csv", "posterior.parquet"):
        assert (tmp_path / "fit" / name).stat().st_size > 0


def test_fit_rejects_too_few_walkers():
    with pytest.raises(RunError, match="walkers"):
        fit([RECORD], params=TWO, walkers=2, steps=10)


@pytest.mark.slow
def test_parameter_recovery_from_simulated_records():
    """Records simulated from known parameters: the 95% posterior intervals hold the truth.

    Twelve independent records of 120 days each, two free parameters: 24 intervals. With true
    95% coverage, at most 19 of 24 hold the truth with probability 0.0075 (binomial), so the
    test fails a calibrated fit less than 1% of the time, and an over-confident one often.
    """
    truth = {"united_states.rationality": 1.2, "iran.rationality": 3.0}
    held = 0
    for seed in range(12):
        record = simulate_record(synthetic_base(), truth, seed=100 + seed)
        result = fit([record], params=TWO, steps=300, walkers=8, draws=400, starts=1, seed=seed)
        table = result.parameter_table().set_index("parameter")
        held += sum(table.loc[n, "q2.5"] <= v <= table.loc[n, "q97.5"] for n, v in truth.items())
    assert stats.binom.cdf(held, 24, 0.95) > 0.0075, f"only {held} of 24 intervals hold the truth"


# ------------------------------------------------------------------ runs with a posterior
def test_parameter_interval_adds_the_spread_between_draws():
    rng = np.random.default_rng(1)
    worlds = np.full(400, 50)
    same = rng.binomial(worlds, 0.3)
    spread = rng.binomial(worlds, rng.beta(6, 14, size=400))  # p(theta) has sd 0.1
    low, high, between = parameter_interval(same, worlds)
    mc_low, mc_high = stats.binomtest(int(same.sum()), int(worlds.sum())).proportion_ci(method="wilson")
    assert between < 0.01
    assert high - low == pytest.approx(mc_high - mc_low, rel=0.1)  # no spread: Monte Carlo error only
    low, high, between = parameter_interval(spread, worlds)
    assert between == pytest.approx(0.1, abs=0.015)
    assert low == pytest.approx(stats.beta(6, 14).ppf(0.025), abs=0.03)
    assert high == pytest.approx(stats.beta(6, 14).ppf(0.975), abs=0.03)
    assert all(math.isnan(v) for v in parameter_interval([1], [1]))


def test_a_run_with_a_posterior_reports_both_intervals_and_is_reproducible(tmp_path):
    draws = pd.DataFrame({"iran.rationality": [0.8, 1.5, 3.0, 6.0], "ignored.name": [1, 2, 3, 4]})
    kwargs = {"runs": 2_000, "seed": 2, "block_size": 500}
    one = run_study(SEEDED, posterior=draws, **kwargs)
    two = run_study(SEEDED, posterior=draws, executor="processes", workers=2, **kwargs)
    assert one.outcome_table().equals(two.outcome_table())
    table = one.outcome_table()
    assert one.parameter_draws == 4
    assert (table["ci_low_total"] <= table["ci_low"] + 1e-12).all()
    assert (table["ci_high_total"] >= table["ci_high"] - 1e-12).all()
    assert one.meta["posterior"] == {
        "draws": 4,
        "parameters": ["iran.rationality"],
        "held": [],
        "ignored": ["ignored.name"],
    }
    data = one.to_json()
    assert data["parameter_draws"] == 4 and "ci_low_total" in data["outcomes"]["war"]
    assert "with parameters" in one.format_table()
    saved = one.save(tmp_path)
    assert escalation.Results.load(saved.parent).outcome_table().equals(table)
    plain = run_study(SEEDED, posterior=False, **kwargs)
    assert plain.parameter_draws == 0 and "ci_low_total" not in plain.to_json()["outcomes"]["war"]
    assert "parameter uncertainty is not included" in plain.format_table()


@pytest.mark.parametrize(
    ("runs", "footer"),
    [
        (2_000, "parameters: 4 posterior draws, about 500 worlds each; the second interval includes"),
        (30, "parameters: 3 of 4 posterior draws, about 10 worlds each; the second interval includes"),
        (10, "parameters: 1 of 4 posterior draws, about 10 worlds each; too few draws for the interval"),
    ],
)
def test_the_table_says_how_many_posterior_draws_the_worlds_used(runs, footer):
    """Ten consecutive worlds share a draw: a small study uses only some draws, and one draw gives no interval."""
    draws = pd.DataFrame({"iran.rationality": [0.8, 1.5, 3.0, 6.0]})
    results = run_study(SEEDED, posterior=draws, runs=runs, seed=2, block_size=500)
    assert footer in results.format_table()
    assert results.outcome_table()["ci_low_total"].isna().all() == (runs == 10)
    assert ("n/a" in results.format_table()) == (runs == 10) and "nan" not in results.format_table()


def test_posterior_errors_are_one_line(tmp_path, capsys):
    with pytest.raises(RunError, match="not both"):
        run_study(SEEDED, runs=10, posterior=pd.DataFrame({"iran.rationality": [1.0]}), parameters={})
    with pytest.raises(RunError, match="no parameter of scenario"):
        run_study(SEEDED, runs=10, posterior=pd.DataFrame({"x.y": [1.0]}))
    assert main(["run", str(SEEDED), "--runs", "10", "--posterior", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "posterior.parquet" in err


def test_fit_command_writes_its_folder_and_prints_the_table(tmp_path, capsys):
    out = tmp_path / "fit"
    args = ["fit", str(RECORD), "--params", ",".join(TWO), "--steps", "40", "--walkers", "6", "--draws", "50"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "iran.rationality" in printed and "total" in printed
    assert (out / "posterior.parquet").is_file()
    assert main([*args, "--quiet", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["corpus"] == ["us_iran_2019_2020"] and set(data["map"]) == set(TWO)
    assert main(["fit", str(RECORD), "--params", "nothing.here", "--quiet"]) == 2
    assert "matches no free parameter" in capsys.readouterr().err


# ------------------------------------------------------------------ baselines
def test_baselines_score_the_record_with_the_models_observation_model():
    import dataclasses

    from escalation.calibration.baselines import _act_probabilities, acts_loglik, baseline_table, model_acts_loglik
    from escalation.likelihood import RecordLikelihood
    from escalation.scenario.schema import RecordRule

    seeded = escalation.load_scenario(RECORD)
    complete = dataclasses.replace(seeded, record=(RecordRule(recorded_from="use_of_force"),))
    record = RecordLikelihood(complete)
    structure = record.compiled.structure
    # uniform by hand: a documented act log(acts recorded alike / size); a quiet day log(1 - recorded acts / size)
    expected = 0.0
    for (actor, level, _, alike), _ in zip(record._entries, record.entries, strict=True):
        size = int(structure.menu_size[actor])
        recorded = int((structure.action_rung[structure.menus[actor, :size]] >= level).sum())
        expected += math.log(alike / size) if alike else math.log1p(-recorded / size)
    assert acts_loglik(record, _act_probabilities(record, "uniform", 0.0)) == pytest.approx(expected, rel=1e-12)
    # the model's acts part is the table's, without casualty terms
    table = escalation.loglik(complete).table
    assert model_acts_loglik(record) == pytest.approx(table["logp_act"].sum(), rel=1e-12)
    # each rule gets its best epsilon: no grid value does better
    best = baseline_table([RecordLikelihood(seeded)])
    hold = best["always_hold"]
    for epsilon in (0.001, 0.01, 0.3):
        score = acts_loglik(
            RecordLikelihood(seeded), _act_probabilities(RecordLikelihood(seeded), "always_hold", epsilon)
        )
        assert score <= hold["total"] + 1e-9
    assert best["uniform"]["epsilon"] is None and 0 < hold["epsilon"] < 0.5


def test_fit_reports_baselines_and_leave_one_out_scores():
    c1 = ROOT / "scenarios" / "episodes" / "c1_t4_drone_2018.yaml"
    result = fit([RECORD, c1], params=["iran.rationality"], steps=20, walkers=4, draws=20, starts=1, leave_one_out=True)
    acts = result.checks["acts_loglik"]
    assert set(acts) == {"model_judgement", "model_map", "uniform", "always_hold", "tit_for_tat"}
    assert acts["model_map"]["total"] >= acts["model_judgement"]["total"] - 1e-6  # the MAP fits the acts too
    loo = result.checks["leave_one_out"]["records"]
    assert set(loo) == {"us_iran_2019_2020", "c1_t4_drone_2018"}
    assert all(np.isfinite(s["loglik"]) and s["acts_loglik"] >= s["loglik"] - 1e-9 for s in loo.values())
    assert json.loads(json.dumps(result.to_json()))["checks"]["leave_one_out"]["total"] == pytest.approx(
        sum(s["loglik"] for s in loo.values())
    )


# ------------------------------------------------------------------ ablation and predictive checks
def test_ablation_refits_without_each_mechanism_and_reports_its_gain():
    """A fitted mechanism is switched off, one the corpus has off is tried on: gains are with minus without."""
    from escalation.calibration.ablation import mechanism_gains, neutral_values, trial_parameters
    from escalation.calibration.fit import find_map
    from escalation.mechanisms import campaign, preparation

    corpus = Corpus([RECORD])
    free = free_parameters(corpus.scenarios, ["other_militias.campaign_value", *TWO])
    strategic = ("united_states", "iran", "kataib_hezbollah", "other_militias")
    assert neutral_values(corpus, preparation) == {f"{a}.preparation_days": 0.0 for a in strategic}
    trial = trial_parameters(corpus, preparation)  # the seeded actors have no preparation time
    assert [p.name for p in trial] == [f"{a}.preparation_days" for a in strategic]
    assert all(p.value == preparation.TRIAL["preparation_days"] and not p.prior.fixed for p in trial)
    assert trial_parameters(corpus, campaign) == []  # the militias' campaign is on
    posterior = LogPosterior(corpus, free)
    map_u, _ = find_map(posterior, np.array([[p.to_u(p.value) for p in free]]))
    loglik_map = {corpus.names[0]: float(posterior.parts(map_u)[1][0, 0])}
    gains = mechanism_gains(corpus, free, map_u, loglik_map)
    assert gains["campaign"]["switched"] == "off" and gains["preparation"]["switched"] == "on"
    assert gains["campaign"]["parameters"] == ["other_militias.campaign_value"]
    assert gains["preparation"]["parameters"] == [p.name for p in trial]
    record = corpus.records[0]
    for gain in gains.values():
        sign = 1.0 if gain["switched"] == "off" else -1.0
        assert gain["loglik_gain"] == pytest.approx(sign * (loglik_map[corpus.names[0]] - gain["loglik_changed"]))
        assert gain["aic_gain"] == pytest.approx(gain["loglik_gain"] - len(gain["parameters"]))
        # the refitted model's likelihood is the record's at its own MAP
        assert float(record.totals(gain["map_changed"])[0]) == pytest.approx(gain["loglik_changed"], rel=1e-9)
    off, on = gains["campaign"], gains["preparation"]
    assert off["values"] == {"other_militias.campaign_value": 0.0}
    assert off["map_changed"]["other_militias.campaign_value"] == 0.0
    assert on["values"] == {p.name: preparation.TRIAL["preparation_days"] for p in trial}
    assert all(on["map_changed"][p.name] > 0 for p in trial)


def _hand_counted_militia_facts(scenario: escalation.Scenario) -> tuple[int, int, int]:
    """Militia uses of force after the first documented day: (acts, lethal acts, deaths), counted by hand."""
    trigger = scenario.timeline[0].date
    force = scenario.ladder.level(scenario.parameters.force_from)
    militias = {a.id for a in scenario.actors if a.kind == "militia"}
    acts = [
        e
        for e in scenario.timeline
        if e.date > trigger and e.actor in militias and scenario.ladder.level(scenario.action(e.action).rung) >= force
    ]
    return len(acts), sum((e.killed or 0) > 0 for e in acts), sum(e.killed or 0 for e in acts)


def test_predictive_checks_read_the_record_as_documented_and_repeat_for_a_seed():
    from escalation.calibration.predictive import STATISTICS, predictive_checks

    corpus = Corpus([RECORD])
    table = predictive_checks(corpus, None, n_draws=20, worlds_per_draw=5, seed=4).set_index("statistic")
    assert list(table.index) == list(STATISTICS)
    acts, lethal, deaths = _hand_counted_militia_facts(corpus.scenarios[0])
    assert acts >= 10 and lethal == 2  # K-1 (A05) and Camp Taji (A25)
    assert table.loc["militia_lethal_share", "record"] == pytest.approx(lethal / acts)
    assert table.loc["deaths_per_militia_attack", "record"] == pytest.approx(deaths / acts)
    assert table.loc["warned_lethal_share", "record"] == 0.0  # A16 killed no one
    # the AFP count: 22 attacks from 1 October 2019 to 11 March 2020, prorated to the days after A01
    assert 0.1 < table.loc["militia_attacks_per_day", "record"] < 0.25
    for name in ("militia_lethal_share", "warned_lethal_share", "answer_after_deaths", "answer_after_none"):
        simulated = np.asarray(table.loc[name, "simulated"])
        assert ((simulated >= 0) & (simulated <= 1)).all()
    again = predictive_checks(corpus, None, n_draws=20, worlds_per_draw=5, seed=4).set_index("statistic")
    pd.testing.assert_frame_equal(table.drop(columns="simulated"), again.drop(columns="simulated"))


def _fit_folder(folder: Path, draws: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    draws.to_parquet(folder / "posterior.parquet", index=False)
    return folder


def test_a_scenario_can_carry_its_posterior(tmp_path, capsys):
    """``parameters_from`` gives every study of the scenario its draws; the hash follows the content, not the path."""
    draws = pd.DataFrame({"iran.rationality": [0.8, 1.5, 3.0, 6.0], "kataib_hezbollah.control": [0.2, 0.4, 0.6, 0.8]})
    scenarios = []
    for place in ("a", "b"):
        _fit_folder(tmp_path / place / "fit", draws)
        path = tmp_path / place / "with_posterior.yaml"
        path.write_text(f"extends: {SEEDED}\nname: with_posterior\nparameters_from: fit\n", encoding="utf-8")
        scenarios.append(escalation.load_scenario(path))
    one, other = scenarios
    assert one.parameters_from == str((tmp_path / "a" / "fit").resolve())
    assert one.hash == other.hash  # same draws in another folder
    kwargs = {"runs": 1_000, "seed": 3, "block_size": 250}
    carried = run_study(one, **kwargs)
    explicit = run_study(escalation.load_scenario(SEEDED), posterior=draws, **kwargs)
    assert carried.parameter_draws == 4 and carried.outcome_table().equals(explicit.outcome_table())
    judgement = run_study(one, posterior=False, **kwargs)
    assert judgement.parameter_draws == 0
    own = run_study(SEEDED, posterior=False, **kwargs)
    assert judgement.outcome_table()["count"].tolist() == own.outcome_table()["count"].tolist()
    # precision stopping works with draws too: blocks take their slice of the cycle
    precise = run_study(one, precision=0.2, block_size=100)
    assert precise.parameter_draws == 4 and precise.runs == 100
    # the written scenario reads back equal, and the CLI can switch the posterior off
    assert escalation.load_scenario(one.to_dict()) == one
    assert main(["run", str(tmp_path / "a" / "with_posterior.yaml"), "--runs", "200", "--no-posterior", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parameter_draws"] == 0
    # one traced world takes draw seed mod n
    from escalation.trace import run_trace

    assert run_trace(one, seed=5).draw == 1 and run_trace(one, seed=5, posterior=False).draw is None
    # a missing posterior is one line naming the file, line and field
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"extends: {SEEDED}\nname: broken\nparameters_from: nowhere\n", encoding="utf-8")
    with pytest.raises(escalation.ScenarioError, match=r"broken.yaml:3: parameters_from: no posterior at 'nowhere'"):
        escalation.load_scenario(broken)


def test_a_sweep_holds_the_swept_parameter_out_of_the_posterior(tmp_path):
    from escalation.sweep import sweep

    draws = pd.DataFrame({"iran.rationality": [0.5, 1.0, 2.0, 4.0], "kataib_hezbollah.control": [0.1, 0.9, 0.5, 0.3]})
    _fit_folder(tmp_path / "fit", draws)
    path = tmp_path / "with_posterior.yaml"
    path.write_text(f"extends: {SEEDED}\nname: with_posterior\nparameters_from: fit\n", encoding="utf-8")
    table = sweep(path, "actors.kataib_hezbollah.control", [0.0, 1.0], runs=2_000, seed=1)
    # the militias act on Iran's judgement or on their own: the swept value shows in the outcomes
    low, high = (table[table["value"] == v].set_index("outcome")["p"] for v in (0.0, 1.0))
    assert (low - high).abs().max() > 0.02


def test_the_fit_tables_in_the_docs_are_the_shipped_fits():
    """docs/model.md §10 states only what the shipped fit computed (python -m escalation.calibration.report)."""
    from escalation.calibration.report import BEGIN, END, fit_markdown, load_fit_json, surprise_markdown

    folder = ROOT / "scenarios" / "fits" / "us_iran_2018_2023"
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    shown = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    assert shown == fit_markdown(load_fit_json(folder)) + "\n" + surprise_markdown(folder), (
        "docs/model.md's fit tables are stale: python -m escalation.calibration.report docs/model.md "
        "scenarios/fits/us_iran_2018_2023"
    )


def test_the_shipped_posterior_is_the_seeded_scenarios_and_within_the_bounds():
    seeded = escalation.load_scenario(SEEDED)
    assert Path(seeded.parameters_from) == (ROOT / "scenarios" / "fits" / "us_iran_2018_2023").resolve()
    draws = load_posterior(seeded.parameters_from)
    fit_json = json.loads((Path(seeded.parameters_from) / "fit.json").read_text(encoding="utf-8"))
    assert list(draws.columns) == fit_json["settings"]["free"] and len(draws) == fit_json["settings"]["draws"]
    # every draw is a valid parameter vector of the seeded scenario
    from escalation.model.compiled import CompiledScenario, world_parameters
    from escalation.parameters import parameter_names

    known = set(parameter_names(seeded))
    columns = {c: draws[c].to_numpy() for c in draws.columns if c in known}
    assert len(columns) >= 40
    world_parameters(CompiledScenario.from_scenario(seeded), len(draws), columns)


def test_a_variant_that_changes_a_fitted_parameter_keeps_its_value():
    """The posterior serves the parameters a variant leaves as the fit found them; one it changes is held."""
    base = escalation.load_scenario(SEEDED)
    leash = base.with_overrides({"name": "tight_leash", "actors": {"kataib_hezbollah": {"control": 0.95}}})
    options = {"runs": 2_000, "seed": 1, "block_size": 500}
    held = run_study(leash, **options)
    assert held.meta["posterior"]["held"] == ["kataib_hezbollah.control"]
    assert "kataib_hezbollah.control" not in held.meta["posterior"]["parameters"]
    assert run_study(base, **options).meta["posterior"]["held"] == []
    # every world of the variant has the variant's value: the same as giving it explicitly to each world
    draws = load_posterior(base.parameters_from).drop(columns=["kataib_hezbollah.control"])
    explicit = run_study(leash, posterior=draws, **options)
    assert held.outcome_table()["count"].tolist() == explicit.outcome_table()["count"].tolist()
