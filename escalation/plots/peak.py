"""Peak rung: how high the crisis climbed in each replicate (highest rung of any actor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from escalation.ladder import Ladder
from escalation.plots.data import peak_data
from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    THRESHOLD_COLOUR,
    clean_spines,
    edge_label,
    figure_and_axes,
    rung_labels,
    set_title,
    share_label,
    study_line,
)

if TYPE_CHECKING:
    from escalation.results import Results

BAR_COLOUR = "#4c72b0"


def draw_peak(
    data: pd.DataFrame,
    *,
    ladder: Ladder,
    title: str = "",
    horizon_days: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars: share of replicates whose highest rung was each rung, with 95% intervals.

    ``data`` is :func:`~escalation.plots.data.peak_data`. Firebreaks are dashed lines between
    rungs, each labelled with the share of replicates that crossed it.
    """
    n_rungs = len(ladder.rungs)
    fig, ax = figure_and_axes(ax, (8.6, 0.34 * n_rungs + 2.0))
    levels = data["level"].to_numpy()
    share = data["share"].to_numpy()
    ax.barh(levels, share, height=0.7, color=BAR_COLOUR, edgecolor="black", linewidth=0.5, zorder=2)
    seen = data["count"].to_numpy() > 0  # an empty rung gets its "0" label, not a stub of an interval
    errors = np.maximum([share - data["ci_low"].to_numpy(), data["ci_high"].to_numpy() - share], 0.0)[:, seen]
    ax.errorbar(
        share[seen],
        levels[seen],
        xerr=errors,
        fmt="none",
        ecolor="black",
        elinewidth=0.9,
        capsize=2.5,
        capthick=0.9,
        zorder=3,
    )
    for level, value, count, high in zip(levels, share, data["count"], data["ci_high"], strict=True):
        text = share_label(value, count)
        ax.annotate(
            text,
            (high if count else 0, level),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=SMALL_SIZE,
            color="black" if count else "#888888",
        )
    top = float(data["ci_high"].max()) if len(data) else 1.0
    ax.set_xlim(0, min(1.0, top * 1.15 + 0.02) if top < 0.85 else 1.12)
    ax.set_ylim(-0.6, n_rungs - 0.4)
    ax.set_yticks(range(n_rungs), rung_labels(ladder), fontsize=SMALL_SIZE)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)
    ax.set_xlabel("share of replicates whose highest rung (any actor) was this rung", fontsize=LABEL_SIZE)
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6, zorder=0)
    at_least = dict(zip(data["level"], data["share_at_least"], strict=True))
    count_at_least = dict(zip(data["level"], data["count_at_least"], strict=True))
    for threshold in ladder.thresholds:
        level = ladder.level(threshold.at)
        ax.axhline(level - 0.5, color=THRESHOLD_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
        reached = share_label(at_least.get(level, 0.0), count_at_least.get(level, 0), int(data["count"].sum()))
        edge_label(
            ax,
            f"{threshold.name or threshold.id}: reached in {reached}",
            level - 0.5,
            fontstyle="italic",
            color=THRESHOLD_COLOUR,
            zorder=4,
        )
    period = f"the {horizon_days} simulated days" if horizon_days else "the simulated period"
    set_title(ax, f"Highest rung reached during {period}, with 95% Wilson intervals", title)
    clean_spines(ax)
    return fig


def plot_peak(results: Results, ax: Axes | None = None) -> Figure:
    """Distribution of the peak rung with the ladder's rung names and firebreaks."""
    scenario = results.scenario
    return draw_peak(
        peak_data(results),
        ladder=scenario.ladder,
        title=study_line([scenario.title or scenario.name], [results.runs]),
        horizon_days=scenario.horizon_days,
        ax=ax,
    )
