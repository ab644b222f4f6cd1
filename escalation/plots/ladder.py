"""Escalation over time: each actor's rung by day across replicates, with the documented history.

One panel per strategic actor. The heat map is the share of replicates standing on each rung
on each simulated day (from the study's ``rung_counts``, so it needs no per-replicate rows);
the lines are the median and the 90% band of the rung. Left of the branch point, the
replayed history; right of it, what actually happened, for comparison.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from escalation.ladder import Ladder
from escalation.plots.data import history_data, ladder_data, ladder_quantiles
from escalation.plots.style import (
    SMALL_SIZE,
    THRESHOLD_COLOUR,
    TITLE_SIZE,
    day_axis,
    draw_thresholds,
    new_figure,
    rung_labels,
    study_line,
)

if TYPE_CHECKING:
    from escalation.results import Results

CMAP = "viridis_r"
MEDIAN_COLOUR = "#d7301f"
BAND_COLOUR = "#d7301f"
REPLAYED_STYLE = {"marker": "o", "markersize": 5.5, "markerfacecolor": "white", "markeredgecolor": "black"}
DOCUMENTED_STYLE = {"marker": "D", "markersize": 5.5, "markerfacecolor": "#ff9f1c", "markeredgecolor": "black"}
HISTORY_SHADE = "#f2f2f2"
FLOOR = 1e-4  # lowest share with its own colour; rarer (but non-zero) cells get the floor's colour


def _floor(runs: int) -> float:
    if runs <= 0:
        return FLOOR
    return max(FLOOR, 10 ** math.floor(math.log10(1 / runs)))


def draw_ladder(
    shares: pd.DataFrame,
    quantiles: pd.DataFrame,
    history: pd.DataFrame,
    *,
    ladder: Ladder,
    start_date: dt.date | None = None,
    branch_event: str | None = None,
    title: str = "",
    runs: int = 0,
    fig: Figure | None = None,
) -> Figure:
    """Draw the ladder figure from :func:`ladder_data`, :func:`ladder_quantiles` and :func:`history_data`.

    ``fig`` (optional) is an empty figure to draw into; one panel per actor in ``shares``.
    """
    actors = list(dict.fromkeys(shares["actor"]))
    names = dict(zip(shares["actor"], shares["actor_name"], strict=False))
    n_rungs = len(ladder.rungs)
    n_days = int(shares["day"].max())
    ncols = 1 if len(actors) <= 2 else 2
    nrows = math.ceil(len(actors) / ncols)
    if fig is None:
        fig = new_figure((6.6 * ncols + 2.6, 3.5 * nrows + 1.5))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
    history = history[history["actor"].isin(actors)] if len(history) else history
    first_day = int(min(history["day"].min(), 0)) if len(history) else 0
    branched = start_date is not None  # a branch point: draw it even when these actors did nothing before
    x_low = (first_day - 2.5) if branched else 0.5
    # name the history strip inside the panels only where it is wide enough to hold the words
    roomy_history = branched and (0.5 - x_low) / (n_days + 0.5 - x_low) >= 0.22
    floor = _floor(runs)
    norm = LogNorm(vmin=floor, vmax=1.0)
    mesh = None
    day_edges = np.arange(0.5, n_days + 1.5)
    rung_edges = np.arange(-0.5, n_rungs + 0.5)
    for ax, actor in zip(axes, actors, strict=False):
        grid = (
            shares[shares["actor"] == actor]
            .pivot(index="level", columns="day", values="share")
            .reindex(index=range(n_rungs), columns=range(1, n_days + 1))
            .to_numpy(dtype=float)
        )
        shown = np.ma.masked_less_equal(grid, 0.0)
        mesh = ax.pcolormesh(
            day_edges, rung_edges, np.ma.maximum(shown, floor), cmap=CMAP, norm=norm, shading="flat", zorder=1
        )
        q = quantiles[quantiles["actor"] == actor]
        edges = np.append(q["day"].to_numpy() - 0.5, q["day"].iloc[-1] + 0.5)  # each day spans its whole cell
        band = {"color": BAND_COLOUR, "linewidth": 1.0, "linestyle": (0, (3, 2)), "baseline": None, "zorder": 4}
        ax.stairs(q["q95"].to_numpy(), edges, **band)
        ax.stairs(q["q05"].to_numpy(), edges, **band)
        ax.stairs(q["q50"].to_numpy(), edges, color=MEDIAN_COLOUR, linewidth=1.5, baseline=None, zorder=4)
        column = list(actors).index(actor) % ncols
        last_in_row = column == ncols - 1 or actor == actors[-1]
        draw_thresholds(ax, ladder, label="outside" if last_in_row else None)
        if branched:
            ax.axvspan(x_low, 0.5, color=HISTORY_SHADE, zorder=0, linewidth=0)
            ax.axvline(0.5, color="black", linewidth=1.1, zorder=5)
            events = history[history["actor"] == actor]
            replayed = events[events["phase"] == "replayed"]
            documented = events[events["phase"] == "documented"]
            ax.plot(replayed["day"], replayed["level"], linestyle="none", zorder=6, **REPLAYED_STYLE)
            ax.plot(documented["day"], documented["level"], linestyle="none", zorder=6, **DOCUMENTED_STYLE)
        ax.set_title(names[actor], fontsize=TITLE_SIZE, loc="left", fontweight="bold")
        ax.set_facecolor("white")
    for ax in axes[len(actors) :]:
        ax.set_visible(False)
    first = axes[0]
    first.set_xlim(x_low, n_days + 0.5)
    first.set_ylim(-0.5, n_rungs - 0.5)
    first.set_yticks(range(n_rungs), rung_labels(ladder))
    for index, ax in enumerate(axes[: len(actors)]):
        row, col = divmod(index, ncols)
        bottom = row == nrows - 1 or index + ncols >= len(actors)
        day_axis(ax, start_date, label=bottom)
        ax.tick_params(axis="x", labelbottom=bottom)
        ax.tick_params(axis="y", labelsize=SMALL_SIZE, labelleft=col == 0, length=2)
        if roomy_history and row == 0:
            label = f"branch ({branch_event})" if branch_event else "branch"
            ax.annotate(
                label,
                xy=(0.5, 1),
                xycoords=("data", "axes fraction"),
                xytext=(-3, -3),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=SMALL_SIZE,
                zorder=7,
            )
            ax.annotate(
                "replayed history",
                xy=(x_low, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=SMALL_SIZE,
                color="#555555",
                zorder=7,
            )
    if mesh is not None:
        bar = fig.colorbar(mesh, ax=list(axes[: len(actors)]), extend="min", shrink=0.6, aspect=30, pad=0.01)
        bar.set_label(
            f"share of replicates on the rung that day (log scale)\nwhite: none; below {floor:.0e}: the bottom colour",
            fontsize=SMALL_SIZE,
        )
        bar.ax.tick_params(labelsize=SMALL_SIZE)
    handles = [
        Line2D([], [], color=MEDIAN_COLOUR, linewidth=1.5, label="median rung"),
        Line2D([], [], color=BAND_COLOUR, linewidth=1.0, linestyle=(0, (3, 2)), label="5th and 95th percentiles"),
        Line2D([], [], color=THRESHOLD_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)), label="firebreak threshold"),
    ]
    if branched:
        branch_date = start_date - dt.timedelta(days=1)
        after = f"after {branch_event}, " if branch_event else ""
        branch_label = f"branch point ({after}{branch_date.day} {branch_date:%b %Y})"
        handles += [
            Line2D([], [], linestyle="none", label="replayed event (realised rung)", **REPLAYED_STYLE),
            Line2D([], [], linestyle="none", label="documented: what happened after the branch", **DOCUMENTED_STYLE),
            Line2D([], [], color="black", linewidth=1.1, label=branch_label),
        ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 6 if ncols > 1 else 3),
        fontsize=SMALL_SIZE,
        frameon=False,
    )
    heading = "Rung of each actor's act by day: share of replicates on each rung (colour), median and 90% band (lines)"
    fig.suptitle(heading + (f"\n{title}" if title else ""), fontsize=TITLE_SIZE + 1, x=0.01, ha="left")
    return fig


def plot_ladder(results: Results, actors: Sequence[str] | None = None, fig: Figure | None = None) -> Figure:
    """Each strategic actor's rung by day across replicates, with the documented history."""
    scenario = results.scenario
    return draw_ladder(
        ladder_data(results, actors),
        ladder_quantiles(results, actors),
        history_data(scenario),
        ladder=scenario.ladder,
        start_date=scenario.start_date,
        branch_event=scenario.start_after,
        title=study_line([scenario.title or scenario.name], [results.runs]),
        runs=results.runs,
        fig=fig,
    )
