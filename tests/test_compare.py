"""Comparing scenarios on the same worlds: paired differences, their intervals, the table, JSON, figure and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import AFTER_STRIKE_PATH, SEEDED_PATH, small_scenario_data, write
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib.figure import Figure

import escalation
from escalation import RunError, Scenario, load_scenario
from escalation.cli import main
from escalation.comparison import Comparison, compare, paired_difference
from escalation.plots.forest import forest_data, plot_comparison

RUNS = 2000  # worlds per scenario in the statistical tests (20 days: about 0.2 s a study)
BLOCK = 500


@pytest.fixture(scope="module")
def after_strike_short(after_strike_variant: Scenario) -> Scenario:
    """scenarios/us_iran_2020_after_strike.yaml over 20 days (the seeded one's actors and ladder)."""
    return after_strike_variant.with_overrides({"horizon_days": 20})


def restraint_window(scenario: Scenario, days: int) -> Scenario:
    """``scenario`` with mutual restraint judged over the final ``days`` days: the same worlds, classified anew."""
    when = scenario.to_dict()["outcomes"]["mutual_restraint"]["when"]
    when[0]["final_days"] = days
    return scenario.with_overrides({"name": f"restraint_{days}_days", "outcomes": {"mutual_restraint": {"when": when}}})


@pytest.fixture(scope="module")
def branches(seeded_short: Scenario, after_strike_short: Scenario) -> Comparison:
    """The seeded scenario, its after-strike branch and a narrower restraint window, 20 days each."""
    window = restraint_window(seeded_short, 18)
    return compare([seeded_short, after_strike_short, window], runs=RUNS, seed=3, block_size=BLOCK)


def half_width(table: pd.DataFrame, scenario: str, key: str = "outcome", name: str = "mutual_restraint") -> float:
    row = table[(table[key] == name) & (table["scenario"] == scenario)].iloc[0]
    return (row["ci_high"] - row["ci_low"]) / 2


# ---------------------------------------------------------------- the paired interval on its own


def test_paired_difference_is_the_t_interval_of_the_per_world_differences():
    from scipy import stats

    a = np.array([0, 1, 1, 0, 1, 1, 0, 1])
    b = np.array([1, 1, 0, 0, 1, 1, 1, 1])
    estimate, low, high, unpaired = paired_difference(a, b)
    d = b - a
    t = stats.t.ppf(0.975, d.size - 1)
    assert estimate == pytest.approx(b.mean() - a.mean(), abs=1e-15)
    assert (low, high) == pytest.approx(
        (d.mean() - t * d.std(ddof=1) / np.sqrt(8), d.mean() + t * d.std(ddof=1) / 8**0.5)
    )
    assert unpaired == pytest.approx(t * np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 8))


def test_paired_difference_needs_paired_arrays():
    with pytest.raises(ValueError, match="equal"):
        paired_difference(np.zeros(3), np.zeros(4))
    assert np.isnan(paired_difference(np.zeros(1), np.ones(1))[1:]).all()


def test_paired_interval_covers_the_true_difference_95_percent_of_the_time():
    """2,000 samples of 500 correlated pairs with a known difference (0.62 - 0.55): coverage 0.95 ± 0.02.

    The tolerance is four binomial standard deviations of the coverage of 2,000 intervals (0.0049).
    """
    rng = np.random.default_rng(11)
    repetitions, n = 2000, 500
    shared = rng.random((repetitions, n))  # a common cause, as a shared posterior draw or stream would be
    own = rng.random((repetitions, n))
    first = np.where(rng.random((repetitions, n)) < 0.7, shared, own) < 0.55
    second = np.where(rng.random((repetitions, n)) < 0.7, shared, own) < 0.62
    truth = 0.62 - 0.55
    covered = [
        low <= truth <= high for low, high in (paired_difference(a, b)[1:3] for a, b in zip(first, second, strict=True))
    ]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.02)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, st.integers(2, 60), elements=st.integers(0, 1000)),
    st.integers(0, 2**32 - 1),
)
def test_paired_difference_is_antisymmetric_and_contains_its_estimate(values, seed):
    other = np.random.default_rng(seed).permutation(values)
    estimate, low, high, unpaired = paired_difference(values, other)
    back = paired_difference(other, values)
    assert low <= estimate <= high
    assert back[0] == pytest.approx(-estimate) and back[3] == pytest.approx(unpaired)
    assert (back[1], back[2]) == pytest.approx((-high, -low))
    assert paired_difference(values, values)[:3] == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- scenarios on the same worlds


def test_exported_lazily_from_the_package():
    assert escalation.compare is compare
    assert escalation.Comparison is Comparison
    assert {"compare", "Comparison"} <= set(escalation.__all__)
    code = "import sys, escalation; print('escalation.comparison' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_differences_are_paired_world_by_world(seeded_short, after_strike_short, branches):
    """The estimates and intervals are those of world r of one study against world r of the other."""
    first = escalation.run_study(seeded_short, runs=RUNS, seed=3, block_size=BLOCK).replicates()
    other = escalation.run_study(after_strike_short, runs=RUNS, seed=3, block_size=BLOCK).replicates()
    name = after_strike_short.name
    for outcome in ("mutual_restraint", "unresolved"):
        expected = paired_difference(
            (first["outcome"] == outcome).to_numpy(int), (other["outcome"] == outcome).to_numpy(int)
        )
        row = branches.outcomes.set_index(["outcome", "scenario"]).loc[(outcome, name)]
        assert (row["diff"], row["ci_low"], row["ci_high"], row["unpaired_half_width"]) == pytest.approx(expected)
    deaths = [sum(rows[c] for c in rows if c.startswith("killed_")).to_numpy() for rows in (first, other)]
    row = branches.measures.set_index(["measure", "scenario"]).loc[("deaths", name)]
    assert (row["diff"], row["ci_low"], row["ci_high"]) == pytest.approx(paired_difference(*deaths)[:3])
    peak = branches.measures.set_index(["measure", "scenario"]).loc[("peak_rung", name)]
    assert peak["diff"] == pytest.approx(other["peak_rung"].mean() - first["peak_rung"].mean(), abs=1e-12)


def test_difference_of_probabilities_is_the_difference_of_the_shares(branches):
    p = branches.outcomes.pivot(index="outcome", columns="scenario", values="p")
    for scenario in branches.scenarios[1:]:
        rows = branches.outcomes[branches.outcomes["scenario"] == scenario].set_index("outcome")
        expected = p[scenario] - p[branches.reference]
        assert np.allclose(rows["diff"], expected.reindex(rows.index), atol=1e-12)
    assert branches.outcomes.groupby("scenario")["p"].sum().to_numpy() == pytest.approx(1.0)


def test_pairing_narrows_the_interval_where_the_worlds_agree(branches, seeded_short):
    """Judging restraint over the final 18 of 20 days instead of all 20 reclassifies the same worlds:
    few worlds change, so the paired interval is less than half the independent-samples one (measured:
    0.31-0.35 of it, seeds 3-5, 2,000 worlds). The after-strike branch simulates its days from another
    history, yet every world draws the same uniforms for the same day, actor and purpose, so its worlds
    stay correlated: the paired interval is about two thirds of the independent one (measured 0.63-0.67);
    the test asks for less than 0.8."""
    window, after = branches.scenarios[2], branches.scenarios[1]
    table = branches.outcomes.set_index("scenario")
    for name in ("mutual_restraint", "unresolved"):
        unpaired = table[table["outcome"] == name].loc[window, "unpaired_half_width"]
        assert half_width(branches.outcomes, window, name=name) < 0.5 * unpaired
        unpaired_after = table[table["outcome"] == name].loc[after, "unpaired_half_width"]
        assert half_width(branches.outcomes, after, name=name) < 0.8 * unpaired_after
    # the window leaves the simulation alone: peak rung and deaths do not differ in any world
    same = branches.measures[branches.measures["scenario"] == window]
    assert (same[["diff", "ci_low", "ci_high"]] == 0).all().all()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(2, 60))
def test_a_scenario_against_itself_differs_by_exactly_zero(seed, runs, seeded_short):
    short = seeded_short.with_overrides({"horizon_days": 8})
    comparison = compare([short, short], runs=runs, seed=seed, block_size=25)
    assert comparison.scenarios == [short.name, f"{short.name} (2)"]
    for table in (comparison.outcomes, comparison.measures):
        twin = table[table["scenario"] == comparison.scenarios[1]]
        assert (twin[["diff", "ci_low", "ci_high"]] == 0.0).all().all()


def test_worker_processes_give_the_serial_numbers(seeded_short, after_strike_short):
    serial = compare([seeded_short, after_strike_short], runs=200, seed=5, block_size=50)
    parallel = compare([seeded_short, after_strike_short], runs=200, seed=5, block_size=50, executor="processes",
                       workers=2)  # fmt: skip
    assert (parallel.meta["executor"], parallel.meta["workers"]) == ("processes", 2)
    pd.testing.assert_frame_equal(serial.outcomes, parallel.outcomes)
    pd.testing.assert_frame_equal(serial.measures, parallel.measures)


def test_other_horizons_and_actors_pair_on_what_they_share(small):
    with_guest = small_scenario_data(horizon_days=20)
    with_guest["name"] = "small_with_guest"
    with_guest["actors"]["g"] = {"kind": "host", "side": "g"}
    comparison = compare([small, load_scenario(with_guest)], runs=100, seed=1, block_size=50)
    assert list(dict.fromkeys(comparison.measures["measure"])) == [
        "peak_rung", "deaths", "deaths_s1", "deaths_s2", "deaths_m1", "deaths_h",
    ]  # fmt: skip
    assert comparison.outcomes["diff"].notna().sum() == len(small.outcomes)


def test_scenarios_that_do_not_pair_are_refused_before_running(small, seeded_short):
    with pytest.raises(RunError, match=r"same outcomes \(differ in: proxy_attrition, war_ended\)"):
        compare([seeded_short, small], runs=10)
    taller = small_scenario_data()
    taller["ladder"]["rungs"]["r6"] = {"name": "Rung 6"}
    with pytest.raises(RunError, match="different ladders"):
        compare([small, load_scenario(taller)], runs=10)
    with pytest.raises(RunError, match="at least two"):
        compare([small], runs=10)
    with pytest.raises(RunError, match="between 1 and 1,000,000"):
        compare([small, small], runs=0)
    with pytest.raises(TypeError, match="whole number"):
        compare([small, small], runs=10.0)
    with pytest.raises(RunError, match="2 labels for 3"):
        compare([small, small, small], runs=10, labels=["a", "b"])


# ---------------------------------------------------------------- JSON, table and figure


def test_json_has_the_documented_shape(branches):
    data = json.loads(json.dumps(branches.to_json(), allow_nan=False))
    names = branches.scenarios
    assert data["scenarios"] == names and data["reference"] == names[0]
    assert {"seed", "runs", "block_size", "scenario_hashes", "versions", "interval"} <= set(data)
    assert (data["seed"], data["runs"]) == (3, RUNS)
    assert list(data["scenario_hashes"]) == names
    assert data["versions"]["escalation"] == escalation.__version__
    assert list(data["outcomes"]) == ["war", "war_ended", "mutual_restraint", "unresolved"]
    for outcome in data["outcomes"].values():
        assert set(outcome) == {"p", "diff"}
        assert list(outcome["p"]) == names
        assert list(outcome["diff"]) == names[1:]
        for diff in outcome["diff"].values():
            assert set(diff) == {"estimate", "ci_low", "ci_high"}
            assert diff["ci_low"] <= diff["estimate"] <= diff["ci_high"]
    assert set(data["measures"]["deaths"]) == {"mean", "diff"}


def test_table_names_every_scenario_and_outcome(branches):
    text = branches.format_table()
    assert text.startswith(f"3 scenarios on the same {RUNS:,} worlds (seed 3")
    for name in (*branches.scenarios, "mutual_restraint", "peak_rung", "deaths_united_states", "unpaired ±"):
        assert name in text
    assert "zero in every world of every scenario: deaths_other_militias, deaths_iraq" in text


def test_forest_figure(branches):
    data = forest_data(branches)
    assert len(data) == 4 * 2 and set(data["scenario"]) == set(branches.scenarios[1:])
    row = branches.outcomes.set_index(["outcome", "scenario"]).loc[("mutual_restraint", branches.scenarios[1])]
    drawn = data.set_index(["outcome", "scenario"]).loc[("mutual_restraint", branches.scenarios[1])]
    assert drawn["diff"] == pytest.approx(100 * row["diff"])
    fig = plot_comparison(branches)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert any(list(line.get_xdata()) == [0.0, 0.0] for line in ax.get_lines())  # the zero line
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == len(data) and all(" pp [" in label for label in labels)
    assert "paired" in ax.get_title(loc="left")


# ---------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("compare")
    first = write(folder / "seeded.yaml", f"extends: {SEEDED_PATH}\nname: seeded_20\nhorizon_days: 20\n")
    other = write(folder / "after.yaml", f"extends: {AFTER_STRIKE_PATH}\nname: after_strike_20\nhorizon_days: 20\n")
    return first, other


def test_cli_json(files, tmp_path, capsys):
    figure = tmp_path / "forest.png"
    args = ["compare", *map(str, files), "--runs", "300", "--seed", "2", "--json", "--plot", str(figure)]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenarios"] == ["seeded_20", "after_strike_20"]
    assert set(data["outcomes"]["mutual_restraint"]["diff"]["after_strike_20"]) == {"estimate", "ci_low", "ci_high"}
    assert (data["runs"], data["seed"]) == (300, 2)
    assert figure.stat().st_size > 0


def test_cli_table(files, capsys):
    assert main(["compare", *map(str, files), "--runs", "100"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("2 scenarios on the same 100 worlds (seed 0")
    assert "after_strike_20" in out


def exit_code(argv: list[str]) -> int:
    """The exit status of the command, whether ``main`` returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as exit:
        return int(exit.code)


def one_line_error(capsys) -> str:
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--runs", "0"], "escalation compare: error: argument --runs: must be at least 1"),
        (["--runs", "many"], "escalation compare: error: argument --runs"),
        (["--runs", "2000000"], "escalation compare: error: runs must be between 1 and 1,000,000"),
        (["--seed", "-1"], "escalation compare: error: argument --seed"),
    ],
)
def test_cli_bad_options(files, capsys, argv, needle):
    assert exit_code(["compare", *map(str, files), *argv]) == 2
    assert one_line_error(capsys).startswith(needle)


def test_cli_bad_files(files, tmp_path, capsys):
    missing = tmp_path / "missing.yaml"
    assert main(["compare", str(files[0]), str(missing)]) == 2
    assert one_line_error(capsys).startswith(f"{missing}: no such file")
    broken = write(tmp_path / "broken.yaml", f"extends: {SEEDED_PATH}\nhorizon_days: -5\n")
    assert main(["compare", str(files[0]), str(broken)]) == 2
    assert one_line_error(capsys).startswith(f"{broken}:2: horizon_days:")
    assert main(["compare", str(files[0])]) == 2
    assert one_line_error(capsys) == "escalation compare: error: give at least two scenario files, got 1\n"
    small = write(tmp_path / "small.yaml", yaml.safe_dump(small_scenario_data(), sort_keys=False))
    assert main(["compare", str(files[0]), str(small)]) == 2
    assert one_line_error(capsys).startswith("escalation compare: error: small and seeded_20 do not define")
