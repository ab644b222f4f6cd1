"""Parameter sweeps: structure, common random numbers, errors and the figure."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import escalation
from escalation import RunError, ScenarioError
from escalation.plots import outcome_colours
from escalation.sweep import COLUMNS, plot_sweep, sweep, variant

SEEDED_PATH = Path(__file__).resolve().parents[1] / "scenarios" / "us_iran_2020.yaml"
FIELD = "actors.kataib_hezbollah.control"
VALUES = [0.0, 0.5, 1.0]
RUNS = 600


@pytest.fixture(scope="module")
def seeded() -> escalation.Scenario:
    return escalation.load_scenario(SEEDED_PATH)


@pytest.fixture(scope="module")
def seeded_short(seeded) -> escalation.Scenario:
    """The seeded scenario over 20 days, for quick studies."""
    return seeded.with_overrides({"horizon_days": 20})


@pytest.fixture(scope="module")
def table(seeded_short) -> pd.DataFrame:
    return sweep(seeded_short, FIELD, VALUES, runs=RUNS, seed=3, block_size=250)


def test_exported_from_the_package():
    assert escalation.sweep is sweep
    assert "sweep" in escalation.__all__
    assert sys.modules["escalation.sweep"].plot_sweep is plot_sweep


def test_table_structure(table, seeded_short):
    outcomes = [rule.name for rule in seeded_short.outcomes]
    assert list(table.columns) == COLUMNS
    assert len(table) == len(VALUES) * len(outcomes)
    assert list(table["value"].unique()) == VALUES
    for _, rows in table.groupby("value", sort=False):
        assert list(rows["outcome"]) == outcomes
    assert (table["runs"] == RUNS).all()
    assert table.attrs["field"] == FIELD
    assert table.attrs["seed"] == 3
    assert table.attrs["scenario"] == seeded_short.name


def test_probabilities_are_consistent(table):
    sums = table.groupby("value")["p"].sum()
    assert np.allclose(sums, 1.0)
    assert (table.groupby("value")["count"].sum() == RUNS).all()
    assert np.allclose(table["p"], table["count"] / table["runs"])
    assert ((table["ci_low"] <= table["p"]) & (table["p"] <= table["ci_high"])).all()
    assert ((table["ci_low"] >= 0) & (table["ci_high"] <= 1)).all()


def test_each_value_is_the_study_of_its_variant(table, seeded_short):
    """Common random numbers: a sweep point is exactly run_study of the variant with the same seed."""
    expected = escalation.run_study(variant(seeded_short, FIELD, 0.5), runs=RUNS, seed=3, block_size=250)
    point = table[table["value"] == 0.5].reset_index(drop=True)
    assert point["count"].tolist() == expected.outcome_table()["count"].tolist()


def test_same_seed_gives_the_same_table(table, seeded_short):
    again = sweep(seeded_short, FIELD, VALUES, runs=RUNS, seed=3, block_size=250)
    pd.testing.assert_frame_equal(table, again)


def test_executor_does_not_change_the_numbers(seeded_short):
    serial = sweep(seeded_short, "parameters.telegraph_factor", [0.1, 0.9], runs=300, seed=5, block_size=100)
    pooled = sweep(
        seeded_short,
        "parameters.telegraph_factor",
        [0.1, 0.9],
        runs=300,
        seed=5,
        block_size=100,
        executor="processes",
        workers=2,
    )
    pd.testing.assert_frame_equal(serial, pooled)


def test_full_control_lowers_war_against_none(seeded):
    """The seeded militia obeys a patron that fears war: full control cannot make war likelier.

    War at any time (under way at the horizon or ended) in 20,000 replicates at each value
    (about 1% of worlds, so fewer replicates leave the test without power): Fisher's exact
    test at level 0.001, so a model in which control does not lower war fails with chance
    below 0.1%. (Common random numbers correlate the two samples positively, which only
    makes the test conservative.)
    """
    from scipy import stats

    # the judgement values with proportionality in harm units: a regime in which war is not rare
    judged = dataclasses.replace(seeded.with_overrides({"parameters": {"proportionality": 1.0}}), parameters_from=None)
    runs = 20_000
    out = sweep(judged, FIELD, [0.0, 1.0], runs=runs, seed=11)
    wars = out[out["outcome"].isin(["war", "war_ended"])].groupby("value")["count"].sum()
    table = [[wars[1.0], runs - wars[1.0]], [wars[0.0], runs - wars[0.0]]]
    assert stats.fisher_exact(table, alternative="less").pvalue < 0.001


def test_integer_fields_take_whole_numbers(seeded_short):
    scenario = variant(seeded_short, "timeline.A05.killed", 3.0)
    assert next(e for e in scenario.timeline if e.id == "A05").killed == 3
    assert variant(seeded_short, "horizon_days", np.int64(15)).horizon_days == 15
    assert variant(seeded_short, "parameters.telegraph_factor", np.float64(0.3)).parameters.telegraph_factor == 0.3


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("actors.kataib_hezbolah.control", "did you mean 'kataib_hezbollah'"),
        ("actors.kataib_hezbollah.contrl", "did you mean 'control'"),
        ("parameters", "is a section"),
        ("parameters.force_from", "not a numeric field"),
        ("parameters.telegraph_factor.x", "is a single value"),
        ("", "not a dotted field path"),
        ("actors..control", "not a dotted field path"),
    ],
)
def test_bad_field_is_a_one_line_run_error(seeded_short, field, message):
    with pytest.raises(RunError, match=message) as info:
        sweep(seeded_short, field, [0.5], runs=10)
    assert "\n" not in str(info.value)


def test_out_of_range_value_is_a_scenario_error(seeded_short):
    with pytest.raises(ScenarioError, match=r"control=1\.5: actors\.kataib_hezbollah\.control: must be at most 1"):
        sweep(seeded_short, FIELD, [0.5, 1.5], runs=10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": []}, "at least one value"),
        ({"values": ["high"]}, "values must be numbers"),
        ({"values": [float("nan")]}, "finite"),
        ({"runs": 0}, "runs must be at least 1"),
    ],
)
def test_bad_arguments(seeded_short, kwargs, message):
    args = {"values": [0.5], "runs": 10} | kwargs
    with pytest.raises(RunError, match=message):
        sweep(seeded_short, FIELD, **args)


def test_accepts_a_path():
    out = sweep(SEEDED_PATH, "horizon_days", [5], runs=50)
    assert out.attrs["scenario"] == "us_iran_2020"
    assert out["count"].sum() == 50


def outcome_lines(ax):
    """The outcome curves of a sweep figure (not the line marking the scenario's value)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_figure_renders(table, tmp_path):
    fig = plot_sweep(table)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [line.get_label() for line in outcome_lines(ax)] == [o.replace("_", " ") for o in table["outcome"].unique()]
    restraint = next(line for line in outcome_lines(ax) if line.get_label() == "mutual restraint")
    assert restraint.get_color() == outcome_colours(["mutual_restraint"])["mutual_restraint"]
    assert fig.axes[-1].get_xlabel() == FIELD
    path = tmp_path / "sweep.png"
    fig.savefig(path)
    assert path.stat().st_size > 0


def test_figure_colours_outcomes_as_every_other_figure(table):
    renamed = table.replace({"outcome": {"proxy_attrition": "stalemate", "unresolved": "drift"}})
    every = list(dict.fromkeys(renamed["outcome"]))
    ax = plot_sweep(renamed).axes[0]
    colours = {line.get_label(): line.get_color() for line in outcome_lines(ax)}
    assert colours == {o.replace("_", " "): c for o, c in outcome_colours(every).items()}


def test_figure_on_given_axes_with_chosen_outcomes(table):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_sweep(table, outcomes=["war"], ax=ax) is fig
    assert [line.get_label() for line in outcome_lines(ax)] == ["war"]
    with pytest.raises(RunError, match="no outcome 'peace'"):
        plot_sweep(table, outcomes=["peace"])
    with pytest.raises(RunError, match="lacks column"):
        plot_sweep(table.drop(columns="ci_low"))


SWEEPABLE = [  # the fields docs/howto-sweep.md lists, with two values and the scenario they act in
    ("parameters.telegraph_factor", (0.01, 0.5), "us_iran_2020.yaml"),
    ("parameters.accident_probability", (0.0, 0.2), "us_iran_2020.yaml"),
    ("actors.united_states.casualty_sensitivity", (0.5, 8.0), "us_iran_2020.yaml"),
    ("actors.iran.restraint_value", (0.0, 20.0), "us_iran_2020.yaml"),
    ("actors.iran.rationality", (1.0, 4.0), "us_iran_2020.yaml"),
    ("actors.kataib_hezbollah.control", (0.0, 1.0), "us_iran_2020.yaml"),
    ("actions.missile_strike.killed_mean", (1.0, 200.0), "us_iran_2020.yaml"),
    ("actions.rocket_attack.killed_mean", (0.05, 0.5), "us_iran_2020.yaml"),
    ("timeline.A16.killed", (0, 30), "us_iran_2020_after_strike.yaml"),
    ("horizon_days", (30, 60), "us_iran_2020.yaml"),
]


def test_the_documented_sweepable_fields_are_the_listed_ones():
    text = (Path(__file__).resolve().parents[1] / "docs" / "howto-sweep.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z_.A-Z0-9]+)` \|", text.split("## Which fields can be swept")[1], re.MULTILINE)
    assert listed == [field for field, _, _ in SWEEPABLE]


def test_every_field_the_pages_sweep_by_name_is_listed(seeded_short):
    """The command reference's named parameters and every ``--param NAME=`` of the pages are in the list."""
    from escalation.sweep import field_of

    root = Path(__file__).resolve().parents[1]
    cli = (root / "docs" / "cli.md").read_text(encoding="utf-8").split("## `escalation sweep`")[1].split("\n## ")[0]
    option = next(line for line in cli.splitlines() if line.startswith("| `--param"))
    names = set(re.findall(r"`([\w.]+)`", option.split("|")[2]))
    for page in ("docs/howto-sweep.md", "docs/cli.md", "README.md"):
        names |= set(re.findall(r"--param ([a-z][\w.]*)=", (root / page).read_text(encoding="utf-8")))
    assert len(names) >= 5
    assert {field_of(seeded_short, name) for name in names} <= {field for field, _, _ in SWEEPABLE}


def test_a_rungs_event_scales_are_documentation(seeded_short):
    """The how-to names goldstein and mid as fields no simulation reads: sweeping one leaves every world alike."""
    worlds = [
        escalation.run_study(variant(seeded_short, "ladder.rungs.war.goldstein", g), runs=300, seed=3).replicates()
        for g in (-10.0, 0.0)
    ]
    pd.testing.assert_frame_equal(*worlds)


def test_a_host_offers_no_parameter(seeded_short):
    """A host never chooses, so none of its parameters could change a world: none is offered to sweep by name."""
    from escalation.parameters import scenario_parameters

    hosts = {a.id for a in seeded_short.actors if a.kind == "host"}
    assert hosts
    assert not [p.name for p in scenario_parameters(seeded_short) if p.name.split(".")[0] in hosts]


@pytest.mark.parametrize(("field", "values", "file"), SWEEPABLE, ids=[f for f, _, _ in SWEEPABLE])
def test_every_sweepable_field_changes_the_model(field, values, file):
    """Two values of the field, the same seed and worlds: the rung of some actor on some day differs."""
    scenario = escalation.load_scenario(SEEDED_PATH.parent / file)
    runs = [
        escalation.run_study(variant(scenario, field, value), runs=2_000, seed=3, hold=_held(field)) for value in values
    ]
    first, second = (r.summary for r in runs)
    differs = first.rung_counts.shape != second.rung_counts.shape or not np.array_equal(
        first.rung_counts, second.rung_counts
    )
    assert differs, f"{field}: {values[0]} and {values[1]} gave the same worlds"


def _held(field: str) -> tuple[str, ...]:
    from escalation.sweep import _parameter_of

    return _parameter_of(field)


def test_parameter_names_sweep_their_fields_and_the_scenario_value_is_marked(seeded_short, table):
    from escalation.sweep import field_of

    assert field_of(seeded_short, "iran.rationality") == "actors.iran.rationality"
    assert field_of(seeded_short, "telegraph_factor") == "parameters.telegraph_factor"
    assert field_of(seeded_short, "rocket_attack.killed_mean") == "actions.rocket_attack.killed_mean"
    with pytest.raises(RunError, match=r"did you mean 'iran\.rationality'"):
        field_of(seeded_short, "iran.rationalty")
    by_name = sweep(seeded_short, "kataib_hezbollah.control", VALUES, runs=RUNS, seed=3, block_size=250)
    pd.testing.assert_frame_equal(by_name, table)  # same field, same seed: the same numbers
    assert table.attrs["current"] == seeded_short.actor("kataib_hezbollah").control
    ax = plot_sweep(table).axes[0]
    marks = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    assert [tuple(line.get_xdata()) for line in marks] == [(table.attrs["current"],) * 2]


def test_rare_outcomes_get_a_logarithmic_panel(table):
    rare = table.assign(p=np.where(table["outcome"] == "war", 0.004, table["p"]))
    rare["ci_high"] = np.maximum(rare["ci_high"], rare["p"])
    fig = plot_sweep(rare)
    assert [ax.get_yscale() for ax in fig.axes] == ["linear", "log"]
    common = table[table["outcome"] != "war"].assign(p=0.3)
    assert [ax.get_yscale() for ax in plot_sweep(common).axes] == ["linear"]


def test_a_grid_sweep_matches_one_field_sweeps_and_draws_a_heat_map(seeded_short, tmp_path):
    from escalation.sweep import plot_sweep_grid, sweep_grid

    grid = sweep_grid(
        seeded_short, (FIELD, [0.2, 0.8]), ("telegraph_factor", [0.1, 0.5]), runs=RUNS, seed=3, block_size=250
    )
    assert len(grid) == 4 * len(seeded_short.outcomes)
    assert (grid.groupby(["x", "y"])["count"].sum() == RUNS).all()
    # a cell is the one-field sweep of the variant with the other field's value: common random numbers
    cell = grid[(grid["x"] == 0.8) & (grid["y"] == 0.1)]
    one = sweep(variant(seeded_short, "telegraph_factor", 0.1), FIELD, [0.8], runs=RUNS, seed=3, block_size=250)
    np.testing.assert_array_equal(cell["count"].to_numpy(), one["count"].to_numpy())
    fig = plot_sweep_grid(grid, "mutual_restraint")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 4 and all("%" in t for t in texts)
    fig.savefig(tmp_path / "grid.png")
    with pytest.raises(RunError, match="the same"):
        sweep_grid(seeded_short, (FIELD, [0.2]), ("kataib_hezbollah.control", [0.5]), runs=10)
    with pytest.raises(RunError, match="no outcome 'peace'"):
        plot_sweep_grid(grid, "peace")


def test_sweep_command_one_and_two_parameters(tmp_path, capsys):
    from escalation.cli import main

    path = str(SEEDED_PATH)
    assert main(["sweep", path, "--param", "iran.rationality=1,2", "--runs", "200", "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["meta"]["field"] == "actors.iran.rationality" and len(one["rows"]) == 2 * 4
    figure = tmp_path / "grid.png"
    args = ["--param", "iran.rationality=1,2", "--param", "telegraph_factor=0.1,0.3", "--runs", "100"]
    assert main(["sweep", path, *args, "--plot", str(figure), "--outcome", "war"]) == 0
    out = capsys.readouterr().out
    assert "actors.iran.rationality" in out and "parameters.telegraph_factor" in out and figure.stat().st_size > 0
    for bad, message in [
        (["--param", "iran.rationality=x"], "expected NAME=V1,V2"),
        (["--param", "a=1", "--param", "b=1", "--param", "c=1"], "one --param"),
        (["--param", "iran.rationality=1", "--outcome", "peace"], "--outcome 'peace'"),
    ]:
        assert main(["sweep", path, *bad, "--runs", "10"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
