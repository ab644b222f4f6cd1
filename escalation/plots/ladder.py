"""Escalation over time: how likely each actor is to have crossed each firebreak by each day,
and how high the crisis as a whole has climbed, with the documented history.

The top panel is a fan of the crisis's highest rung so far (history included: it starts where
the replayed history left the crisis), with the documented crisis drawn over it. Below, one
panel per strategic actor: for each firebreak its menu can reach, the probability that the
actor has acted at or above it by each day, with the day the real actor first did so after
the branch. Everything comes from the study's per-day counts, so no per-replicate rows are needed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from escalation.ladder import Ladder
from escalation.plots.data import crisis_peak_data, documented_peak, history_data, reached_data
from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    THRESHOLD_COLOUR,
    TITLE_SIZE,
    day_axis,
    edge_label,
    new_figure,
    rung_labels,
    study_line,
    threshold_marks,
)

if TYPE_CHECKING:
    from escalation.results import Results

FAN_COLOUR = "#2b8cbe"
DOCUMENTED_COLOUR = "black"
DOCUMENTED_STYLE = {"marker": "D", "markersize": 6, "markeredgecolor": "black", "linestyle": "none"}
HISTORY_SHADE = "#f2f2f2"
HOW_TO_READ = (
    "Top: the band holds the middle 50% (dark) and 90% (light) of worlds' highest rung so far, "
    "the black steps what really happened. Below: each line is the chance that the actor has acted "
    "at or above a firebreak by that day; a diamond marks the day the real actor first did."
)


def threshold_colours(ladder: Ladder) -> dict[str, str]:
    """A colour per firebreak, from light (lowest) to dark red (highest)."""
    from matplotlib import colormaps

    cmap = colormaps["YlOrRd"]
    ids = [t.id for t in sorted(ladder.thresholds, key=lambda t: ladder.level(t.at))]
    return {tid: to_hex(cmap(0.45 + 0.55 * i / max(len(ids) - 1, 1))) for i, tid in enumerate(ids)}


def _first_reached(history: pd.DataFrame, actor: str, level: int) -> int | None:
    """The first simulated-period day on which the real actor acted at or above ``level``."""
    events = history[(history["actor"] == actor) & (history["phase"] == "documented") & (history["level"] >= level)]
    return int(events["day"].min()) if len(events) else None


def _draw_crisis(ax: Axes, fan: pd.DataFrame, history: pd.DataFrame, ladder: Ladder, x_low: float, n_days: int) -> None:
    days = fan["day"].to_numpy()
    edges = np.append(days - 0.5, days[-1] + 0.5)
    for low, high, alpha in (("q05", "q95", 0.25), ("q25", "q75", 0.55)):
        ax.stairs(fan[high].to_numpy() + 0.4, edges, baseline=fan[low].to_numpy() - 0.4, fill=True,
                  color=FAN_COLOUR, alpha=alpha, linewidth=0, zorder=2)  # fmt: skip
    ax.stairs(fan["q50"].to_numpy(), edges, color=FAN_COLOUR, linewidth=1.6, baseline=None, zorder=3)
    path = documented_peak(history)
    if len(path):
        steps = pd.concat([path, pd.DataFrame({"day": [n_days + 0.5], "level": [path["level"].iloc[-1]]})])
        ax.step(steps["day"], steps["level"], where="post", color=DOCUMENTED_COLOUR, linewidth=1.4, zorder=4)
    n_rungs = len(ladder.rungs)
    lowest = min(fan["q05"].min(), path["level"].min() if len(path) else n_rungs)
    shown = range(int(max(0, lowest - 1)), n_rungs)
    ax.set_ylim(shown.start - 0.6, n_rungs - 0.4)
    ax.set_yticks(list(shown), [rung_labels(ladder)[k] for k in shown], fontsize=SMALL_SIZE)
    for position, name in threshold_marks(ladder):
        if position > shown.start:
            ax.axhline(position, color=THRESHOLD_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)), zorder=3)
            edge_label(ax, name, position, fontstyle="italic", color=THRESHOLD_COLOUR)
    above = fan["p_above_history"].iloc[-1]
    ax.set_title(
        f"Highest rung of the crisis so far, history included: above where the history left it in "
        f"{above:.0%} of worlds by day {n_days}",
        fontsize=TITLE_SIZE,
        loc="left",
        fontweight="bold",
    )
    ax.set_xlim(x_low, n_days + 0.5)


def _draw_actor(
    ax: Axes, rows: pd.DataFrame, history: pd.DataFrame, colours: dict[str, str], n_days: int, x_low: float
) -> None:
    actor = rows["actor"].iloc[0]
    labelled: list[float] = []
    for threshold, line in rows.groupby("threshold", sort=False):
        colour = colours[threshold]
        ax.fill_between(line["day"], line["ci_low"], line["ci_high"], step="mid", color=colour, alpha=0.3, linewidth=0)
        ax.step(line["day"], line["share"], where="mid", color=colour, linewidth=1.6, zorder=3)
        day = _first_reached(history, actor, int(line["level"].iloc[0]))
        if day is not None:
            ax.plot(day, line["share"].iloc[day - 1], color=colour, zorder=5, **DOCUMENTED_STYLE)
        end = line["share"].iloc[-1]
        if all(abs(end - other) >= 0.05 for other in labelled):  # labels at the right edge must not collide
            labelled.append(end)
            ax.annotate(f"{end:.0%}" if end >= 0.01 or end == 0 else f"{end:.1%}", (n_days + 0.5, end),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=SMALL_SIZE - 1,
                        color=colour, annotation_clip=False)  # fmt: skip
    ax.set_ylim(0, 1.02)
    ax.set_xlim(x_low, n_days + 0.5)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="y", labelsize=SMALL_SIZE)
    ax.grid(axis="y", color="#e4e4e4", linewidth=0.6)
    ax.set_title(rows["actor_name"].iloc[0], fontsize=TITLE_SIZE, loc="left", fontweight="bold")


def draw_ladder(
    reached: pd.DataFrame,
    fan: pd.DataFrame,
    history: pd.DataFrame,
    *,
    ladder: Ladder,
    start_date: dt.date | None = None,
    branch_event: str | None = None,
    title: str = "",
    fig: Figure | None = None,
) -> Figure:
    """Draw the ladder figure from :func:`reached_data`, :func:`crisis_peak_data` and :func:`history_data`.

    ``fig`` (optional) is an empty figure to draw into; one actor panel per actor in ``reached``.
    """
    actors = list(dict.fromkeys(reached["actor"]))
    n_days = int(fan["day"].max())
    ncols = 1 if len(actors) <= 1 else 2
    nrows = math.ceil(len(actors) / ncols)
    if fig is None:
        fig = new_figure((6.0 * ncols + 1.2, 3.4 + 2.6 * nrows + 0.9))
    layout = [["crisis"] * ncols] + [
        [actors[r * ncols + c] if r * ncols + c < len(actors) else "." for c in range(ncols)] for r in range(nrows)
    ]
    axes = fig.subplot_mosaic(layout, sharex=True, height_ratios=[1.3] + [1.0] * nrows, empty_sentinel=".")
    branched = start_date is not None
    first_day = int(min(history["day"].min(), 0)) if len(history) else 0
    x_low = max(first_day - 1.5, -30.5) if branched else -0.5
    colours = threshold_colours(ladder)
    _draw_crisis(axes["crisis"], fan, history, ladder, x_low, n_days)
    for actor in actors:
        _draw_actor(axes[actor], reached[reached["actor"] == actor], history, colours, n_days, x_low)
    bottom = {actors[i] for i in range(len(actors)) if i + ncols >= len(actors)}
    for name, ax in axes.items():
        if branched:
            ax.axvspan(x_low, 0.5, color=HISTORY_SHADE, zorder=0, linewidth=0)
            ax.axvline(0.5, color="black", linewidth=1.0, zorder=5)
        day_axis(ax, start_date, label=name in bottom)
        ax.tick_params(axis="x", labelbottom=name in bottom or name == "crisis")
        ax.spines[["top", "right"]].set_visible(False)
    if actors:
        for actor in actors[::ncols]:
            axes[actor].set_ylabel("P(reached by the day)", fontsize=LABEL_SIZE)
    used = [t for t in sorted(ladder.thresholds, key=lambda t: ladder.level(t.at)) if t.id in set(reached["threshold"])]
    handles = [Line2D([], [], color=colours[t.id], linewidth=1.6, label=f"{t.name or t.id} or above") for t in used]
    handles += [
        Patch(facecolor=FAN_COLOUR, alpha=0.55, label="crisis peak: middle 50% of worlds"),
        Patch(facecolor=FAN_COLOUR, alpha=0.25, label="middle 90%"),
        Line2D([], [], color=FAN_COLOUR, linewidth=1.6, label="median"),
        Line2D([], [], color=DOCUMENTED_COLOUR, linewidth=1.4, label="documented crisis"),
        Line2D([], [], color="#999999", label="day the real actor first did so", **DOCUMENTED_STYLE),
    ]
    if branched:
        branch = start_date - dt.timedelta(days=1)
        event = f"{branch_event}, " if branch_event else ""
        label = f"replayed history (up to {event}{branch.day} {branch:%b %Y})"
        handles.append(Patch(facecolor=HISTORY_SHADE, edgecolor="#bbbbbb", label=label))
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=SMALL_SIZE, frameon=False)
    heading = "How far up the ladder: the crisis's highest rung so far, and when each actor crossed each firebreak"
    fig.suptitle(heading + (f"\n{title}" if title else ""), fontsize=TITLE_SIZE + 1, x=0.01, ha="left")
    return fig


def plot_ladder(results: Results, actors: Sequence[str] | None = None, fig: Figure | None = None) -> Figure:
    """The crisis peak's fan and each strategic actor's firebreaks by day, with the documented history."""
    scenario = results.scenario
    return draw_ladder(
        reached_data(results, actors),
        crisis_peak_data(results),
        history_data(scenario),
        ladder=scenario.ladder,
        start_date=scenario.start_date,
        branch_event=scenario.start_after,
        title=study_line([scenario.title or scenario.name], [results.runs]),
        fig=fig,
    )
