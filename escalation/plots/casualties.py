"""Casualties by side: how many deaths each actor suffered, across replicates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter, PercentFormatter

from escalation.plots.data import casualty_data, casualty_summary
from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    actor_colour,
    clean_spines,
    edge_label,
    figure_and_axes,
    set_title,
    share_label,
    study_line,
)

if TYPE_CHECKING:
    from escalation.results import Results


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


def plot_casualties(results: Results, by: str = "actor", ax: Axes | None = None) -> Figure:
    """Distribution of deaths suffered per actor (or per side), as complementary cumulative curves."""
    scenario = results.scenario
    return draw_casualties(
        casualty_data(results, by),
        casualty_summary(results, by),
        actor_order=[a.id for a in scenario.actors],
        title=study_line([scenario.title or scenario.name], [results.runs]),
        horizon_days=scenario.horizon_days,
        ax=ax,
    )
