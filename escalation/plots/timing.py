"""Time to settle: by which day each outcome's conditions had started to hold for good."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from escalation.plots.data import timing_data
from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    clean_spines,
    day_axis,
    figure_and_axes,
    outcome_colours,
    pretty,
    set_title,
    share_label,
    study_line,
)

if TYPE_CHECKING:
    from escalation.results import Results

HOW_TO_READ = (
    "Each curve is the share of an outcome's worlds already settled by that day: settled means the "
    "outcome's conditions have held from that day to the end (the remainder outcome never settles)."
)


def draw_timing(
    data: pd.DataFrame,
    *,
    of: str = "outcome",
    start_date: dt.date | None = None,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Cumulative share settled by day, one step curve per outcome.

    ``data`` is :func:`~escalation.plots.data.timing_data`. With ``of="outcome"`` (default)
    each curve is the share of that outcome's replicates (curves end at 100% and compare
    timing across outcomes of any probability); with ``of="all"`` the share of all
    replicates (curves end at the outcome's probability). Outcomes that never settle (the
    remainder outcome) are named in the legend.
    """
    if of not in ("outcome", "all"):
        raise ValueError(f"of must be 'outcome' or 'all', not {of!r}")
    column = "share_of_outcome" if of == "outcome" else "share"
    fig, ax = figure_and_axes(ax, (8.6, 4.6))
    outcomes = list(dict.fromkeys(data["outcome"]))
    colours = outcome_colours(outcomes)
    never = []
    last_day = int(data["day"].max()) if len(data) else 1
    for name in outcomes:
        rows = data[data["outcome"] == name]
        p = float(rows["outcome_p"].iloc[0])
        total = int(rows["outcome_count"].iloc[0])
        if total == 0:
            never.append(f"{pretty(name)}: no replicate ended so")
            continue
        if not rows["settles"].iloc[0]:
            never.append(f"{pretty(name)} ({share_label(p, total)}): never settles")
            continue
        count = int(rows["settled"].iloc[-1])
        # stop each curve where it reaches its final value, so finished curves do not pile up
        end = min(int(rows["settled"].to_numpy().argmax()) + 2, len(rows))
        days = [0, *rows["day"].iloc[:end]]
        values = [0.0, *rows[column].iloc[:end]]
        ax.step(
            days,
            values,
            where="post",
            color=colours[name],
            linewidth=1.8,
            label=f"{pretty(name)} ({share_label(p, total)}; {count:,} settled)",
        )
    ax.set_xlim(0, last_day)
    ax.set_ylim(0, 1.03 if of == "outcome" else max(0.05, float(data[column].max()) * 1.1))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="y", labelsize=SMALL_SIZE)
    day_axis(ax, start_date, label=False)
    ax.set_xlabel(
        "simulated day" + (f" (day 1 = {start_date.day} {start_date:%b %Y})" if start_date else ""),
        fontsize=LABEL_SIZE,
    )
    ylabel = "share of the outcome's replicates settled" if of == "outcome" else "share of all replicates settled"
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.grid(color="#e4e4e4", linewidth=0.6)
    ax.set_axisbelow(True)
    handles, _labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], linestyle="none", label=text) for text in never]
    ax.legend(
        handles=handles,
        title="outcome (probability; replicates settled)",
        fontsize=SMALL_SIZE,
        title_fontsize=SMALL_SIZE,
        frameon=False,
        loc="best",
    )
    set_title(ax, "Time to settle: day from which the outcome's conditions held to the end", title)
    clean_spines(ax)
    return fig


def plot_timing(results: Results, of: str = "outcome", ax: Axes | None = None) -> Figure:
    """Cumulative settle-day curves per outcome (see :func:`draw_timing`)."""
    scenario = results.scenario
    return draw_timing(
        timing_data(results),
        of=of,
        start_date=scenario.start_date,
        title=study_line([scenario.title or scenario.name], [results.runs]),
        ax=ax,
    )
