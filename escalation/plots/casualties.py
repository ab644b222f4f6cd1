"""Casualties: how many deaths each actor suffered, across replicates and by outcome.

The left panel is each actor's complementary cumulative distribution of deaths (where its
long tail shows); the right panel splits the deaths by outcome, so a reader sees which
outcomes carry them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter, PercentFormatter

from escalation.plots.data import casualty_data, casualty_outcome_data, casualty_summary
from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    actor_colour,
    clean_spines,
    edge_label,
    figure_and_axes,
    new_figure,
    pretty,
    set_title,
    share_label,
    study_line,
)

if TYPE_CHECKING:
    from escalation.results import Results

HOW_TO_READ = (
    "Left: each curve is the share of worlds in which the actor suffered at least k deaths (read the "
    "median where it crosses 50%, the 95th percentile at 5%). Right: for each outcome, each actor's "
    "median deaths (dot), mean (bar) and 5th-95th percentile range (line)."
)


def draw_casualties(
    data: pd.DataFrame,
    summary: pd.DataFrame | None = None,
    *,
    actor_order: list[str] | None = None,
    title: str = "",
    horizon_days: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Share of replicates in which each actor (or side) suffered at least k deaths (log k).

    ``data`` is :func:`~escalation.plots.data.casualty_data` (by actor or by side);
    ``summary`` (optional, :func:`~escalation.plots.data.casualty_summary`, grouped the same
    way) adds the share with any deaths, the median and the 95th percentile to the legend.
    Shaded bands are pointwise 95% Wilson intervals. Where a curve crosses 50% lies the
    median, where it crosses 5% the 95th percentile. ``actor_order`` (the scenario's actor
    ids) fixes the colours: an actor, and a side named after an actor, keep that actor's colour.
    """
    fig, ax = figure_and_axes(ax, (8.6, 4.6))
    by = "side" if "side" in data.columns else "actor"
    groups = list(dict.fromkeys(data[by]))
    order = list(actor_order or [])
    order += [g for g in groups if g not in order]
    stats = summary.set_index(by) if summary is not None and len(summary) else None
    x_max = 1
    for group in groups:
        rows = data[data[by] == group]
        colour = actor_colour(order.index(group))
        name = rows[f"{by}_name"].iloc[0]
        label = name
        if stats is not None and group in stats.index:
            s = stats.loc[group]
            any_deaths = share_label(s["p_any"], 1)
            label = f"{name}: any deaths in {any_deaths}; median {s['p50']:.0f}, 95th pct {s['p95']:.0f}"
        ax.fill_between(rows["deaths"], rows["ci_low"], rows["ci_high"], step="post", color=colour, alpha=0.2, lw=0)
        ax.step(rows["deaths"], rows["share_at_least"], where="post", color=colour, linewidth=1.7, label=label)
        x_max = max(x_max, int(rows["deaths"].max()))
    if not groups:
        ax.text(0.5, 0.5, "no deaths in any replicate", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlim(1, 10)
    else:
        ax.set_xlim(1, x_max * 1.1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0, 1.02)
    for level, text in ((0.5, "50%: median"), (0.05, "5%: 95th percentile")):
        ax.axhline(level, color="#999999", linewidth=0.7, linestyle=(0, (2, 2)), zorder=0)
        edge_label(ax, text, level, fontsize=7, color="#666666", bbox=None)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(labelsize=SMALL_SIZE)
    ax.set_xlabel("deaths suffered, k (log scale)", fontsize=LABEL_SIZE)
    ax.set_ylabel("share of replicates with at least k deaths", fontsize=LABEL_SIZE)
    ax.grid(color="#eeeeee", linewidth=0.6, which="both")
    ax.set_axisbelow(True)
    if groups:
        ax.legend(fontsize=SMALL_SIZE, frameon=False, loc="upper right", bbox_to_anchor=(1, 0.98))
    period = f"{horizon_days} simulated days" if horizon_days else "the simulated period"
    who = "each side (all its actors together)" if by == "side" else "each actor"
    set_title(ax, f"Deaths suffered by {who} over {period}; those with none left out", title)
    clean_spines(ax)
    return fig


def draw_casualties_by_outcome(data: pd.DataFrame, *, actor_order: list[str] | None = None, ax: Axes) -> Figure:
    """Deaths per world by outcome: each actor's median (dot), mean (bar) and 5th-95th percentile range.

    ``data`` is :func:`~escalation.plots.data.casualty_outcome_data`. The deaths axis is
    linear up to 1 and logarithmic above, so that zero stays on it.
    """
    if data.empty:
        ax.text(0.5, 0.5, "no deaths in any outcome", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax.figure
    order = list(actor_order or [])
    order += [a for a in dict.fromkeys(data["actor"]) if a not in order]
    outcomes = list(dict.fromkeys(data["outcome"]))
    actors = [a for a in order if a in set(data["actor"])]
    step = 0.8 / max(len(actors), 1)
    for o, outcome in enumerate(outcomes):
        rows = data[data["outcome"] == outcome].set_index("actor")
        for k, actor in enumerate(actors):
            if actor not in rows.index:
                continue
            row = rows.loc[actor]
            y = o + (k - (len(actors) - 1) / 2) * step
            colour = actor_colour(order.index(actor))
            ax.hlines(y, row["p05"], row["p95"], color=colour, linewidth=1.6)
            ax.plot(row["p50"], y, "o", color=colour, markersize=5, markeredgecolor="black", markeredgewidth=0.5)
            ax.plot(row["mean"], y, "|", color="black", markersize=9)
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(0, max(float(data["p95"].max()) * 1.6, 10) if len(data) else 10)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    p_of = dict(zip(data["outcome"], data["outcome_p"], strict=False))
    labels = [f"{pretty(o)}\n({share_label(p_of[o], 1)} of worlds)" for o in outcomes]
    ax.set_yticks(range(len(outcomes)), labels, fontsize=SMALL_SIZE)
    ax.set_ylim(len(outcomes) - 0.5, -0.5)
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)
    ax.set_xlabel("deaths per world (median dot, mean bar, 5th-95th percentile line)", fontsize=LABEL_SIZE)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6, which="both")
    ax.set_title("by outcome", fontsize=LABEL_SIZE, loc="left")
    clean_spines(ax)
    return ax.figure


def plot_casualties(results: Results, by: str = "actor", ax: Axes | None = None) -> Figure:
    """Deaths suffered per actor (or per side) as complementary cumulative curves, and per actor by outcome.

    On a new figure (no ``ax``) the by-outcome panel stands to the right of the curves.
    """
    scenario = results.scenario
    order = [a.id for a in scenario.actors]
    by_outcome = ax is None and by == "actor"
    if by_outcome:
        fig = new_figure((14.0, 5.0))
        ax, right = fig.subplots(1, 2, width_ratios=[1.45, 1.0])
        draw_casualties_by_outcome(casualty_outcome_data(results), actor_order=order, ax=right)
    return draw_casualties(
        casualty_data(results, by),
        casualty_summary(results, by),
        actor_order=order,
        title=study_line([scenario.title or scenario.name], [results.runs]),
        horizon_days=scenario.horizon_days,
        ax=ax,
    )
