"""Figures: the data behind each one, and that each renders headless to a non-empty PNG."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from escalation import load_scenario, run_study
from escalation.cli import build_parser, main
from escalation.errors import RunError
from escalation.model import EscalationModel
from escalation.plots import (
    HOW_TO_READ,
    KINDS,
    casualty_data,
    casualty_outcome_data,
    casualty_summary,
    crisis_peak_data,
    documented_peak,
    draw_ladder,
    draw_outcomes,
    history_data,
    ladder_data,
    ladder_quantiles,
    outcome_colours,
    outcome_data,
    peak_data,
    plot_all,
    plot_outcomes,
    reached_data,
    realised_rung,
    save_figure,
    timing_data,
)
from escalation.plots.style import share_label
from escalation.results import Results
from escalation.stats import histogram_quantiles

SEEDED = Path(__file__).resolve().parent.parent / "scenarios" / "us_iran_2020.yaml"
K1 = SEEDED.with_name("us_iran_2020_k1.yaml")
HORIZON = 30
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SEEDED).with_overrides({"horizon_days": HORIZON})


@pytest.fixture(scope="module")
def study(scenario) -> Results:
    return run_study(scenario, runs=2000, block_size=1000, seed=1)


@pytest.fixture(scope="module")
def other_study() -> Results:
    return run_study(load_scenario(K1).with_overrides({"horizon_days": HORIZON}), runs=2000, block_size=1000, seed=1)


@pytest.fixture(scope="module")
def saved(study, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("study")
    study.save(folder)
    return folder


def assert_png(path: Path) -> None:
    data = Path(path).read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 5_000


# ---------------------------------------------------------------------- labels
def test_share_labels_never_round_to_a_misleading_value():
    assert share_label(0.0, 0) == "0"
    assert share_label(1 / 20_000, 1) == "<0.1%"
    assert share_label(19_999 / 20_000, 19_999, 20_000) == ">99.9%"
    assert share_label(1.0, 20_000, 20_000) == "100.0%"
    assert share_label(0.25, 500, 2000) == "25.0%"


# ---------------------------------------------------------------------- outcomes
def test_outcome_data_is_one_row_per_study_and_outcome(study, other_study):
    data = outcome_data([study, other_study], labels=["a", "b"])
    assert len(data) == 2 * len(study.outcome_names)
    assert set(data["study"]) == {"a", "b"}
    for _, rows in data.groupby("study"):
        assert rows["p"].sum() == pytest.approx(1.0)
        assert rows["count"].sum() == rows["runs"].iloc[0]
    assert (data["ci_low"] <= data["p"]).all() and (data["p"] <= data["ci_high"]).all()
    with pytest.raises(ValueError, match="labels"):
        outcome_data([study, other_study], labels=["only one"])


def test_outcome_colours_are_fixed_per_name():
    colours = outcome_colours(["war", "novel", "mutual_restraint", "other"])
    assert colours["war"] == outcome_colours(["unresolved", "war"])["war"]
    assert len(set(colours.values())) == 4


def test_outcome_value_labels_sit_above_the_interval(study):
    fig = study.plot_outcomes()
    ax = fig.axes[0]
    table = study.outcome_table()
    labels = list(ax.texts)
    assert len(labels) == len(table)
    # above the wider of the two intervals (the study carries the seeded scenario's posterior)
    tops = np.fmax(table["ci_high"], table["ci_high_total"]) if "ci_high_total" in table else table["ci_high"]
    for text, high in zip(labels, tops, strict=True):
        assert text.xy[1] == pytest.approx(high)
        assert text.get_va() == "bottom"
    assert study.scenario.title in ax.get_title(loc="left")
    assert ax.get_ylim()[1] > tops.max()


def test_outcome_labels_carry_the_interval_and_rare_outcomes_get_a_log_panel(study):
    fig = study.plot_outcomes()
    table = study.outcome_table()
    bars = fig.axes[0]
    for text, row in zip(bars.texts, table.itertuples(), strict=True):
        value, interval = text.get_text().split("\n")
        low, high = (float(x.rstrip("%")) / 100 for x in interval.strip("[]").split(", "))
        assert low == pytest.approx(row.ci_low, abs=0.006) and high == pytest.approx(row.ci_high, abs=0.006)
        if row.count:
            assert float(value.rstrip("%")) / 100 == pytest.approx(row.p, abs=0.0006)
    assert (table["p"] < 0.05).any()  # war is rare in the seeded scenario: the log panel is drawn
    assert len(fig.axes) == 2 and fig.axes[1].get_xscale() == "log"
    caption = fig._supxlabel.get_text().replace("\n", " ")
    for rule in study.scenario.outcomes:
        assert " ".join(rule.description.split())[:40] in caption


def test_an_outcome_figure_without_rare_outcomes_has_one_panel(study):
    data = outcome_data(study)
    common = data.assign(p=0.5, ci_low=0.45, ci_high=0.55).drop(columns=["ci_low_total", "ci_high_total"])
    assert len(draw_outcomes(common).axes) == 1


def test_several_studies_side_by_side(study, other_study, tmp_path):
    fig = plot_outcomes([study, other_study], labels=["after Soleimani", "after K-1"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["after Soleimani", "after K-1"]
    assert study.scenario.name in ax.get_title(loc="left") and other_study.scenario.name in ax.get_title(loc="left")
    assert_png(save_figure(fig, tmp_path / "compare.png"))


# ---------------------------------------------------------------------- ladder
def test_ladder_shares_sum_to_one_per_actor_and_day(study):
    data = ladder_data(study)
    strategic = [a.id for a in study.scenario.actors if a.strategic]
    assert list(dict.fromkeys(data["actor"])) == strategic
    assert len(data) == len(strategic) * HORIZON * len(study.scenario.ladder.rungs)
    sums = data.groupby(["actor", "day"])["share"].sum()
    assert np.allclose(sums, 1.0)
    counts = data.groupby(["actor", "day"])["count"].sum()
    assert (counts == study.runs).all()
    assert data["day"].min() == 1 and data["day"].max() == HORIZON


def test_ladder_data_works_from_aggregates_only(study):
    # no per-replicate rows exist for an in-memory study: the figure uses rung_counts alone
    assert study.path is None
    us = ladder_data(study, actors=["united_states"])
    index = [a.id for a in study.scenario.actors].index("united_states")
    grid = us.pivot(index="day", columns="level", values="count").to_numpy()
    assert (grid == study.summary.rung_counts[index]).all()
    with pytest.raises(ValueError, match="unknown actor"):
        ladder_data(study, actors=["atlantis"])


def test_ladder_quantile_lines_stay_on_the_ladder(study):
    q = ladder_quantiles(study)
    top = study.scenario.ladder.top
    for column in ("q05", "q50", "q95"):
        assert q[column].between(0, top).all()
    assert (q["q05"] <= q["q50"]).all() and (q["q50"] <= q["q95"]).all()
    counts = study.summary.rung_counts
    ids = [a.id for a in study.scenario.actors]
    for row in q.sample(40, random_state=0).itertuples():
        expected = histogram_quantiles(counts[ids.index(row.actor), row.day - 1], (0.05, 0.5, 0.95))
        assert [row.q05, row.q50, row.q95] == expected


def test_reached_shares_are_the_counts_at_or_above_each_firebreak(study):
    data = reached_data(study)
    counts = study.summary.reached_counts
    ids = [a.id for a in study.scenario.actors]
    for (actor, _threshold), rows in data.groupby(["actor", "threshold"]):
        assert (np.diff(rows["share"]) >= 0).all()  # reached stays reached
        level = rows["level"].iloc[0]
        expected = counts[ids.index(actor), :, level:].sum(axis=1) / study.runs
        np.testing.assert_allclose(rows["share"], expected)
        assert ((rows["ci_low"] <= rows["share"]) & (rows["share"] <= rows["ci_high"])).all()
    # a higher firebreak is never reached more often than a lower one
    for (_actor, _day), rows in data.groupby(["actor", "day"]):
        assert (np.diff(rows.sort_values("level")["share"]) <= 1e-12).all()
    # only the firebreaks each actor's menu can reach
    militia = data[data["actor"] == "kataib_hezbollah"]
    assert "interstate_war" not in set(militia["threshold"])


def test_crisis_peak_starts_where_the_history_left_it_and_never_falls(study):
    fan = crisis_peak_data(study)
    history = history_data(study.scenario)
    replayed = history[history["phase"] == "replayed"]["level"].max()
    assert list(fan["day"]) == list(range(HORIZON + 1))
    assert (fan.loc[0, ["q05", "q50", "q95"]] == replayed).all()
    assert fan.loc[0, "p_above_history"] == 0
    for column in ("q05", "q25", "q50", "q75", "q95", "p_above_history"):
        assert (np.diff(fan[column]) >= 0).all(), column
    assert (fan["q05"] <= fan["q50"]).all() and (fan["q50"] <= fan["q95"]).all()
    path = documented_peak(history)
    assert (np.diff(path["level"]) >= 0).all() and path["level"].iloc[-1] == history["level"].max()
    assert path["day"].is_unique


def test_history_points_are_the_timelines_realised_rungs(scenario):
    history = history_data(scenario)
    # the model's own replay of the whole timeline gives every event's realised rung
    everything = scenario.with_overrides({"start_after": scenario.timeline[-1].id})
    replay = {row["event"]: row["rung"] for row in EscalationModel(everything, n_worlds=1, rng=0).history_rows}
    events = {e.id: e for e in scenario.timeline}
    for row in history.itertuples():
        assert row.level == replay[row.event], row.event
        assert row.level == realised_rung(scenario, events[row.event])
    ladder = scenario.ladder
    by_id = history.set_index("event")
    assert by_id.loc["A05", "level"] == ladder.level("proxy_lethal")  # the K-1 attack killed one
    assert by_id.loc["A01", "level"] == ladder.level("proxy_harassment")  # killed no one
    assert by_id.loc["A10", "day"] == 0  # the branch event
    assert by_id.loc["A10", "phase"] == "replayed"


def test_history_splits_at_the_branch_and_keeps_the_horizon(scenario):
    history = history_data(scenario)
    replayed = history[history["phase"] == "replayed"]
    documented = history[history["phase"] == "documented"]
    assert list(replayed["event"]) == [e.id for e in scenario.replayed_events()]
    assert (replayed["day"] <= 0).all()
    assert documented["day"].between(1, HORIZON).all()
    after = [e for e in scenario.timeline if e.date >= scenario.start_date]
    within = [e.id for e in after if (e.date - scenario.start_date).days < HORIZON]
    assert list(documented["event"]) == within
    assert len(within) < len(after)  # the 30-day horizon leaves the March events out
    for row in history.itertuples():
        assert (row.date - scenario.start_date).days + 1 == row.day


def test_history_is_empty_without_a_branch(scenario):
    assert history_data(scenario.with_overrides({"start_after": None})).empty


# ---------------------------------------------------------------------- peak
def test_peak_data(study):
    data = peak_data(study)
    assert list(data["level"]) == list(range(len(study.scenario.ladder.rungs)))
    assert list(data["rung_name"]) == [r.name for r in study.scenario.ladder.rungs]
    assert data["share"].sum() == pytest.approx(1.0)
    assert data["count"].sum() == study.runs
    assert data["share_at_least"].iloc[0] == pytest.approx(1.0)
    assert (np.diff(data["share_at_least"]) <= 1e-12).all()
    assert (data["ci_low"] <= data["share"]).all() and (data["share"] <= data["ci_high"]).all()
    # the crisis peak counts the replayed history too: never below the simulated days' peak
    assert data["crisis_count"].sum() == data["history_count"].sum() == study.runs
    assert (data["crisis_share_at_least"] >= data["share_at_least"] - 1e-12).all()
    history = int(np.flatnonzero(data["history_count"]).max())
    assert data["crisis_count"].iloc[:history].sum() == 0  # nothing below where the history left the crisis


# ---------------------------------------------------------------------- timing
def test_settle_curves_are_monotone_and_end_at_the_share_settled(study):
    data = timing_data(study)
    summary = study.summary
    for index, name in enumerate(study.outcome_names):
        rows = data[data["outcome"] == name]
        assert rows["day"].tolist() == list(range(1, summary.settle_day.shape[1]))
        assert (np.diff(rows["share"]) >= 0).all()
        settled = summary.settle_day[index, 1:].sum()
        assert rows["share"].iloc[-1] == pytest.approx(settled / study.runs)
        assert rows["settles"].iloc[0] == (settled > 0)
        assert (rows["outcome_count"] == summary.outcome[index]).all()
        if settled:
            assert rows["share_of_outcome"].iloc[-1] == pytest.approx(settled / summary.outcome[index])
    remainder = data[data["outcome"] == study.outcome_names[-1]]
    assert not remainder["settles"].any()  # the remainder outcome never settles
    with pytest.raises(ValueError, match="of must be"):
        study.plot_timing(of="sometimes")


# ---------------------------------------------------------------------- casualties
def test_casualty_curves(study):
    data = casualty_data(study)
    killed = study.summary.killed
    with_deaths = [a.id for a in study.scenario.actors if killed[a.id][1:].sum() > 0]
    assert list(dict.fromkeys(data["actor"])) == with_deaths
    assert "iraq" not in with_deaths  # actors that suffered no deaths are left out
    for actor, rows in data.groupby("actor"):
        hist = killed[actor]
        assert rows["deaths"].iloc[0] == 1
        assert rows["share_at_least"].iloc[0] == pytest.approx(hist[1:].sum() / study.runs)
        assert (np.diff(rows["share_at_least"]) < 0).all()
        assert rows["share_at_least"].iloc[-1] == 0
        assert rows["deaths"].iloc[-1] == np.flatnonzero(hist).max() + 1
        # each listed k carries the exact P(deaths >= k)
        for k, share in zip(rows["deaths"], rows["share_at_least"], strict=True):
            assert share == pytest.approx(hist[k:].sum() / study.runs)
        assert ((rows["ci_low"] <= rows["share_at_least"]) & (rows["share_at_least"] <= rows["ci_high"])).all()
    summary = casualty_summary(study).set_index("actor")
    assert list(summary.index) == with_deaths
    assert (summary["p50"] <= summary["p95"]).all() and (summary["p95"] <= summary["max"]).all()


def test_casualties_by_outcome_add_up_to_each_actors_deaths(study):
    data = casualty_outcome_data(study)
    summary = study.summary
    for actor, rows in data.groupby("actor"):
        overall = (summary.killed[actor] * np.arange(summary.killed[actor].size)).sum() / study.runs
        assert (rows["worlds"] * rows["mean"]).sum() / study.runs == pytest.approx(overall)
        assert ((rows["p05"] <= rows["p50"]) & (rows["p50"] <= rows["p95"])).all()
    assert set(data["outcome"]) <= set(study.outcome_names)
    fig = study.plot_casualties()
    assert len(fig.axes) == 2 and fig.axes[1].get_title(loc="left") == "by outcome"


def test_casualty_curves_by_side(study):
    by_side = study.summary.killed_by_side
    data = casualty_data(study, by="side")
    assert set(data["side"]) == {side for side, hist in by_side.items() if hist[1:].sum() > 0}
    for side, rows in data.groupby("side"):
        hist = by_side[side]
        for k, share in zip(rows["deaths"], rows["share_at_least"], strict=True):
            assert share == pytest.approx(hist[k:].sum() / study.runs)
    # a side suffers at least as often as any one of its actors
    summary = casualty_summary(study, by="side").set_index("side")
    actors = casualty_summary(study).set_index("actor")
    for actor in study.scenario.actors:
        if actor.id in actors.index:
            assert summary.loc[actor.side, "p_any"] >= actors.loc[actor.id, "p_any"] - 1e-12
    fig = study.plot_casualties(by="side")
    assert "side" in fig.axes[0].get_title(loc="left")
    with pytest.raises(ValueError, match="by must be"):
        casualty_data(study, by="party")


def test_casualty_figure_without_any_deaths(study, tmp_path):
    quiet = Results(
        scenario=study.scenario,
        summary=study.summary + study.summary,
        meta=study.meta,
    )
    for actor in quiet.summary.killed:
        quiet.summary.killed[actor] = np.array([quiet.runs])
    for side in quiet.summary.killed_by_side:
        quiet.summary.killed_by_side[side] = np.array([quiet.runs])
    for actor in quiet.summary.killed_by_outcome:
        quiet.summary.killed_by_outcome[actor] = quiet.summary.outcome[:, None].copy()
    assert casualty_data(quiet).empty and casualty_outcome_data(quiet).empty
    fig = quiet.plot_casualties()
    assert any("no deaths" in t.get_text() for t in fig.axes[0].texts)
    assert_png(save_figure(fig, tmp_path / "none.png"))


# ---------------------------------------------------------------------- rendering
@pytest.mark.parametrize("kind", KINDS)
def test_every_figure_renders_to_png(study, kind, tmp_path):
    fig = getattr(study, f"plot_{kind}")()
    assert isinstance(fig, Figure)
    assert_png(save_figure(fig, tmp_path / f"{kind}.png"))


@pytest.mark.parametrize("kind", ["outcomes", "peak", "timing", "casualties"])
def test_figures_draw_into_given_axes(study, kind):
    fig = Figure()
    ax = fig.add_subplot()
    assert getattr(study, f"plot_{kind}")(ax=ax) is fig
    assert len(fig.axes) == 1
    assert ax.has_data()


def panel_titles(fig: Figure) -> list[str]:
    return [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]


def test_ladder_draws_into_given_figure_and_chosen_actors(study):
    fig = Figure()
    assert study.plot_ladder(actors=["united_states", "iran"], fig=fig) is fig
    crisis, *actors = panel_titles(fig)
    assert crisis.startswith("Highest rung of the crisis so far") and actors == ["United States", "Iran"]


def test_ladder_draws_the_documented_crisis_and_first_crossings(study):
    fig = study.plot_ladder()
    scenario = study.scenario
    crisis, *actors = fig.axes
    assert len(actors) == sum(a.strategic for a in scenario.actors)
    history = history_data(scenario)
    path = documented_peak(history)
    steps = [line for line in crisis.get_lines() if line.get_color() == "black" and len(line.get_xdata()) > 2]
    assert len(steps) == 1
    assert list(steps[0].get_ydata()[: len(path)]) == list(path["level"])
    names = [t.get_text() for t in crisis.get_yticklabels()]
    assert names[-1].startswith(scenario.ladder.rungs[-1].name)
    # a diamond on the US panel for each firebreak the real United States crossed after the branch
    us = history[(history["actor"] == "united_states") & (history["phase"] == "documented")]
    reached = reached_data(study, ["united_states"])
    levels = reached.groupby("threshold")["level"].first()
    first_days = sorted(int(us[us["level"] >= level]["day"].min()) for level in levels if (us["level"] >= level).any())
    diamonds = [line for line in actors[0].get_lines() if line.get_marker() == "D"]
    assert sorted(int(line.get_xdata()[0]) for line in diamonds) == first_days
    legend = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    assert "documented crisis" in legend and any(text.startswith("replayed history") for text in legend)


def test_ladder_without_history(study):
    scenario = study.scenario.with_overrides({"start_after": None})
    fig = draw_ladder(reached_data(study), crisis_peak_data(study), history_data(scenario), ladder=scenario.ladder)
    legend = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    assert not any(text.startswith("replayed history") for text in legend)


def test_every_figure_says_how_to_read_it():
    assert set(HOW_TO_READ) == set(KINDS)
    assert all(len(text) > 60 for text in HOW_TO_READ.values())


def test_plot_all_writes_every_figure(study, tmp_path):
    paths = study.plot_all(tmp_path / "figs")
    assert [p.name for p in paths] == [f"{kind}.png" for kind in KINDS]
    for path in paths:
        assert_png(path)
    assert plot_all(study, tmp_path / "svg", fmt="svg")[0].read_text().lstrip().startswith("<?xml")


def test_plotting_leaves_no_pyplot_figures_open(study, tmp_path):
    study.plot_all(tmp_path)
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


def test_save_figure_rejects_unknown_formats(study, tmp_path):
    with pytest.raises(RunError, match="cannot write"):
        save_figure(study.plot_peak(), tmp_path / "peak.doc")


# ---------------------------------------------------------------------- command line
def test_cli_knows_every_figure():
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    kind = next(a for a in commands.choices["plot"]._actions if a.dest == "kind")
    assert set(kind.choices) == {*KINDS, "all"}


def test_cli_plot_all(saved, tmp_path, capsys):
    out = tmp_path / "figures"
    assert main(["plot", str(saved), "--kind", "all", "-o", str(out)]) == 0
    for kind in KINDS:
        assert_png(out / f"{kind}.png")
    assert capsys.readouterr().out.count("figure written to") == len(KINDS)


def test_cli_plot_one_kind(saved, tmp_path):
    target = tmp_path / "ladder.png"
    assert main(["plot", str(saved), "--kind", "ladder", "-o", str(target)]) == 0
    assert_png(target)
    assert main(["plot", str(saved)]) == 0  # default: the outcome figure, into the results folder
    assert_png(saved / "outcomes.png")
    assert main(["plot", str(saved), "--kind", "peak", "-o", str(tmp_path)]) == 0  # a folder gets <kind>.png
    assert_png(tmp_path / "peak.png")


@pytest.mark.parametrize(
    "args",
    [
        ["plot", "{missing}"],
        ["plot", "{empty}"],
        ["plot", "{saved}", "-o", "{tmp}/figure.doc"],
        ["plot", "{saved}", "--kind", "all", "-o", "{file}"],
    ],
)
def test_cli_plot_errors_exit_2_with_one_line(saved, tmp_path, capsys, args):
    (tmp_path / "empty").mkdir()
    (tmp_path / "taken.png").write_bytes(b"x")
    values = {
        "missing": tmp_path / "nowhere",
        "empty": tmp_path / "empty",
        "saved": saved,
        "tmp": tmp_path,
        "file": tmp_path / "taken.png",
    }
    assert main([a.format(**values) for a in args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_cli_plot_rejects_unknown_kind(saved, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["plot", str(saved), "--kind", "pie"])
    assert exit_info.value.code == 2


def test_run_plot_option_still_writes_the_outcome_figure(tmp_path, capsys):
    target = tmp_path / "outcomes.png"
    code = main(["run", str(SEEDED), "--runs", "1000", "--block-size", "1000", "--quiet", "--plot", str(target)])
    assert code == 0
    assert_png(target)
    assert f"figure written to {target}" in capsys.readouterr().out


def test_loaded_results_plot_the_same_data(study, saved):
    loaded = Results.load(saved)
    pd.testing.assert_frame_equal(ladder_data(loaded), ladder_data(study))
    pd.testing.assert_frame_equal(history_data(loaded.scenario), history_data(study.scenario))
    pd.testing.assert_frame_equal(casualty_data(loaded), casualty_data(study))
