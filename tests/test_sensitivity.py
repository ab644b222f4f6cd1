"""Global sensitivity (Sobol, Morris), prior sampling per world and the discover command."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import SEEDED_PATH

from escalation import RunError, load_scenario, run_study
from escalation.cli import main
from escalation.sensitivity import NOISE, PEAK, parameter_ranges, sensitivity

PARAMS = ["fear_steepness", "iran.rationality", "kataib_hezbollah.control"]


@pytest.fixture(scope="module")
def short():
    """The seeded scenario over 30 days: quick worlds, still every outcome."""
    return load_scenario(SEEDED_PATH).with_overrides({"horizon_days": 30})


@pytest.fixture(scope="module")
def sobol(short):
    return sensitivity(short, params=PARAMS, n=256, replicates=4, seed=3)


def test_sobol_table_has_every_parameter_output_and_the_noise_floor(sobol, short):
    outputs = [rule.name for rule in short.outcomes] + [PEAK]
    assert sobol.meta["outputs"] == outputs
    assert sobol.meta["design_points"] == 256 * (len(PARAMS) + 1 + 2) and sobol.meta["worlds"] == 4 * 256 * 6
    assert set(sobol.table["parameter"]) == {*PARAMS, NOISE}
    assert len(sobol.table) == (len(PARAMS) + 1) * len(outputs)
    assert list(sobol.table.columns[:6]) == ["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"]
    records = sobol.to_json()["indices"]
    assert {"parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf"} <= set(records[0])
    json.dumps(sobol.to_json(), allow_nan=False)  # strict JSON: null where an index cannot be computed


def test_the_dominant_parameter_stands_above_the_noise_floor_and_the_dummy_does_not(sobol):
    """fear_steepness drives the peak rung (ST 0.46 over all 49 parameters of the full horizon);
    the dummy input's S1 is zero within its interval."""
    ranked = sobol.ranked(PEAK)
    assert ranked["parameter"].iloc[0] == "fear_steepness"
    assert bool(ranked["above_noise"].iloc[0])
    floor = sobol.noise_floor().loc[PEAK]
    assert abs(floor["S1"]) <= 2 * floor["S1_conf"] + 0.02


def test_same_seed_same_indices_whatever_the_workers(short, sobol):
    again = sensitivity(short, params=PARAMS, n=256, replicates=4, seed=3, executor="processes", workers=2)
    pd.testing.assert_frame_equal(again.table, sobol.table)


def test_morris_ranks_the_same_leader(short):
    result = sensitivity(short, method="morris", params=PARAMS, n=60, replicates=4, seed=1)
    assert list(result.table.columns[:5]) == ["parameter", "outcome", "mu_star", "mu_star_conf", "sigma"]
    assert result.meta["design_points"] == 60 * (len(PARAMS) + 2)
    assert result.ranked(PEAK)["parameter"].iloc[0] == "fear_steepness"
    assert (result.table["mu_star"].dropna() >= 0).all()


def test_ranges_come_from_the_posterior_prior_or_bounds_and_can_be_given(short):
    posterior = parameter_ranges(short, ["iran.rationality"])
    prior = parameter_ranges(short, ["iran.rationality"], "prior")
    assert posterior["source"].iloc[0] == "posterior" and prior["source"].iloc[0] == "prior"
    assert (posterior[["low", "high"]].to_numpy() != prior[["low", "high"]].to_numpy()).all()
    given = parameter_ranges(short, ["iran.*"], "prior", {"iran.rationality": (0.5, 3.0)})
    row = given.set_index("parameter").loc["iran.rationality"]
    assert (row["low"], row["high"], row["source"]) == (0.5, 3.0, "given")
    bounded = parameter_ranges(short, ["kataib_hezbollah.control"], "bounds")
    assert tuple(bounded.iloc[0][["low", "high"]]) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n": 100}, "power of two"),
        ({"method": "fast"}, "method must be"),
        ({"replicates": 0}, "replicates"),
        ({"params": ["nothing.*"]}, "matches no free parameter"),
        ({"overrides": {"iran.rationality": (3.0, 1.0)}}, "needs low < high"),
        ({"overrides": {"inertia": (0.1, 1.0)}, "params": ["iran.*"]}, "not a parameter of the design"),
    ],
)
def test_bad_options_are_one_line_run_errors(short, options, message):
    with pytest.raises(RunError, match=message):
        sensitivity(short, **{"params": PARAMS, "n": 8, **options})


def test_sensitivity_command_writes_table_json_and_figures(tmp_path, capsys):
    out = tmp_path / "sens"
    args = ["sensitivity", str(SEEDED_PATH), "--params", "iran.rationality,fear_steepness", "--n", "16"]
    assert main([*args, "--replicates", "2", "--quiet", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "noise floor" in text and "fear_steepness" in text
    assert {p.name for p in out.iterdir()} >= {"indices.csv", "indices.json", "sobol-peak_rung.png", "sobol-war.png"}
    assert json.loads((out / "indices.json").read_text())["meta"]["n"] == 16
    assert main([*args, "--range", "iran.rationality=1:x"]) == 2
    assert "NAME=LOW:HIGH" in capsys.readouterr().err


def test_prior_sampling_gives_every_world_its_own_draw_within_bounds(short):
    results = run_study(short, runs=600, block_size=200, seed=5, sample_priors=["iran.*", "inertia"])
    rows = results.replicates()
    columns = [c for c in rows.columns if c.startswith("param:")]
    assert "param:iran.rationality" in columns and "param:inertia" in columns and "param:fear_steepness" not in columns
    assert rows["param:iran.rationality"].nunique() == 600
    assert (rows["param:iran.fear"] > 0).all()
    again = run_study(
        short, runs=600, block_size=200, seed=5, sample_priors=["iran.*", "inertia"], executor="processes", workers=2
    )
    pd.testing.assert_frame_equal(again.replicates(), rows)
    assert "drew its own values of" in results.format_table()
    with pytest.raises(RunError, match="one of per-world parameters"):
        run_study(short, runs=10, sample_priors=True, posterior=SEEDED_PATH.parent / "fits" / "us_iran_2018_2023")


def test_prior_draws_follow_the_prior(short):
    """Each world's inertia is a draw of its prior restricted to its bounds: a KS test at the 1% level."""
    from scipy import stats

    from escalation.calibration.space import free_parameters

    spec = next(p for p in free_parameters([short]) if p.name == "inertia")
    values = run_study(short, runs=2000, seed=2, sample_priors=["inertia"]).replicates()["param:inertia"]
    prior = spec.frozen()
    mass = prior.cdf(spec.high) - prior.cdf(spec.low)
    truncated_cdf = lambda x: (prior.cdf(x) - prior.cdf(spec.low)) / mass  # noqa: E731
    assert stats.kstest(values, truncated_cdf).pvalue > 0.01


def test_discover_finds_the_region_of_an_outcome(tmp_path, capsys, short):
    out = tmp_path / "study"
    scenario = tmp_path / "short.yaml"
    from escalation import write_scenario

    write_scenario(short, scenario)
    assert main(["run", str(scenario), "--runs", "3000", "--sample-priors", "iran.rationality,fear_steepness",
                 "--out", str(out), "--quiet", "--seed", "4"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["discover", str(out), "--outcome", "mutual_restraint", "--out", str(tmp_path / "d"), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {"prim", "cart"} <= set(found)
    assert {p.name for p in (tmp_path / "d").iterdir()} == {"prim.json", "cart.json", "peeling.png", "box.png"}
    assert main(["discover", str(out), "--outcome", "peace"]) == 2
    assert "--outcome 'peace'" in capsys.readouterr().err
    plain = tmp_path / "plain"
    assert main(["run", str(scenario), "--runs", "50", "--no-posterior", "--out", str(plain), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["discover", str(plain), "--outcome", "war"]) == 2
    assert "kept no per-world parameters" in capsys.readouterr().err
