"""Peak rung: how high the crisis climbed in each replicate (highest rung of any actor).

The main bars count the crisis as a whole, the replayed history included, so studies
branching at different points compare like with like; thin grey bars count the simulated
days alone, and a marker shows where the replayed history left the crisis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
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
SIMULATED_COLOUR = "#bdbdbd"
HOW_TO_READ = (
    "Each blue bar is the share of worlds whose crisis (history included) peaked at that rung, with its "
    "95% interval; grey bars count the simulated days alone; the dashed notes give the share that "
    "crossed each firebreak."
)


def draw_peak(
    data: pd.DataFrame,
    *,
    ladder: Ladder,
    title: str = "",
    horizon_days: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars: share of replicates whose highest rung was each rung, with 95% intervals.

    ``data`` is :func:`~escalation.plots.data.peak_data`. With the crisis peak in the data, the
    bars count it (history included) and thin grey bars the simulated days alone. Firebreaks
    are dashed lines between rungs, each labelled with the share of replicates that crossed it.
    """
    n_rungs = len(ladder.rungs)
    fig, ax = figure_and_axes(ax, (8.6, 0.34 * n_rungs + 2.0))
    levels = data["level"].to_numpy()
    with_history = "crisis_count" in data and data["crisis_count"].sum() > 0
    main = "crisis_" if with_history else ""
    share = data[f"{main}share"].to_numpy()
    count = data[f"{main}count"].to_numpy()
    height = 0.55 if with_history else 0.7
    ax.barh(levels + (0.12 if with_history else 0), share, height=height, color=BAR_COLOUR, edgecolor="black",
            linewidth=0.5, zorder=2, label="crisis peak, replayed history included")  # fmt: skip
    if with_history:
        ax.barh(levels - 0.3, data["share"], height=0.22, color=SIMULATED_COLOUR, edgecolor="none", zorder=2,
                label="highest rung in the simulated days alone")  # fmt: skip
    seen = count > 0  # an empty rung gets its "0" label, not a stub of an interval
    lows, highs = data[f"{main}ci_low"].to_numpy(), data[f"{main}ci_high"].to_numpy()
    errors = np.maximum([share - lows, highs - share], 0.0)[:, seen]
    ax.errorbar(
        share[seen],
        levels[seen] + (0.12 if with_history else 0),
        xerr=errors,
        fmt="none",
        ecolor="black",
        elinewidth=0.9,
        capsize=2.5,
        capthick=0.9,
        zorder=3,
    )
    for level, value, n, high in zip(levels, share, count, highs, strict=True):
        text = share_label(value, n)
        ax.annotate(
            text,
            (high if n else 0, level + (0.12 if with_history else 0)),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=SMALL_SIZE,
            color="black" if n else "#888888",
        )
    top = float(max(data["ci_high"].max(), data[f"{main}ci_high"].max())) if len(data) else 1.0
    ax.set_xlim(0, min(1.0, top * 1.15 + 0.02) if top < 0.85 else 1.12)
    ax.set_ylim(-0.6, n_rungs - 0.4)
    ax.set_yticks(range(n_rungs), rung_labels(ladder), fontsize=SMALL_SIZE)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)
    ax.set_xlabel("share of replicates whose highest rung (any actor) was this rung", fontsize=LABEL_SIZE)
    if with_history:
        handles, _ = ax.get_legend_handles_labels()
        history = levels[data["history_count"].to_numpy() > 0]
        if history.size:  # the replayed history's peak: its rung name in bold
            ax.get_yticklabels()[int(history[-1])].set_fontweight("bold")
            note = f"bold: where the replayed history left the crisis ({data['rung_name'].iloc[int(history[-1])]})"
            handles.append(Line2D([], [], linestyle="none", label=note))
        ax.legend(handles=handles, fontsize=SMALL_SIZE, frameon=False, loc="lower right")
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6, zorder=0)
    at_least = dict(zip(data["level"], data[f"{main}share_at_least"], strict=True))
    count_at_least = dict(zip(data["level"], data[f"{main}count_at_least"], strict=True))
    for threshold in ladder.thresholds:
        level = ladder.level(threshold.at)
        ax.axhline(level - 0.5, color=THRESHOLD_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
        reached = share_label(at_least.get(level, 0.0), count_at_least.get(level, 0), int(count.sum()))
        edge_label(
            ax,
            f"{threshold.name or threshold.id}: reached in {reached}",
            level - 0.5,
            fontstyle="italic",
            color=THRESHOLD_COLOUR,
            zorder=4,
        )
    end = f"day {horizon_days}" if horizon_days else "the horizon"
    subject = (
        f"Crisis peak by {end}, replayed history included (95% Wilson intervals)"
        if with_history
        else f"Highest rung reached in the simulated days up to {end} (95% Wilson intervals)"
    )
    set_title(ax, subject, title)
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
