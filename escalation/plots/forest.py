"""Forest figure of a comparison: each outcome's difference to the first scenario, with its paired interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    THRESHOLD_COLOUR,
    clean_spines,
    figure_and_axes,
    outcome_colours,
    pretty,
    set_title,
)

if TYPE_CHECKING:
    from escalation.comparison import Comparison

MARKERS = ("o", "s", "D", "^", "v", "P")
FOREST_COLUMNS = ["outcome", "scenario", "diff", "ci_low", "ci_high"]


def forest_data(comparison: Comparison) -> pd.DataFrame:
    """The rows drawn: ``outcome``, ``scenario``, ``diff``, ``ci_low``, ``ci_high`` in percentage points.

    One row per outcome and scenario other than the first, in the comparison's order.
    """
    rows = comparison.outcomes[comparison.outcomes["scenario"] != comparison.reference]
    data = rows[FOREST_COLUMNS].reset_index(drop=True)
    data[["diff", "ci_low", "ci_high"]] = data[["diff", "ci_low", "ci_high"]] * 100.0
    return data


def draw_forest(data: pd.DataFrame, *, reference: str, detail: str = "", ax: Axes | None = None) -> Figure:
    """One line per outcome (and scenario): the difference to ``reference`` and its 95% interval.

    ``data`` is :func:`forest_data` (percentage points). A vertical line marks no difference;
    each row's value and interval are written at the right edge. Outcomes keep the colours of
    every other outcome figure; with several scenarios, each has its marker, each row is named
    ``outcome: scenario`` and thin lines separate the outcomes. Values are given to 0.01
    percentage points where the interval stays within one point, else to 0.1.
    """
    outcomes = list(dict.fromkeys(data["outcome"]))
    scenarios = list(dict.fromkeys(data["scenario"]))
    fig, ax = figure_and_axes(ax, (8.4, 0.42 * len(data) + 1.9))
    colours = outcome_colours(outcomes)
    reach = np.nan_to_num(np.abs(data[["diff", "ci_low", "ci_high"]].to_numpy())).max(axis=1, initial=0.0)
    ax.axvline(0.0, color=THRESHOLD_COLOUR, linewidth=0.9, zorder=1)
    for y, row in enumerate(data.itertuples()):
        marker = MARKERS[scenarios.index(row.scenario) % len(MARKERS)]
        low, high = row.diff - row.ci_low, row.ci_high - row.diff
        ax.errorbar(
            row.diff,
            y,
            xerr=np.nan_to_num([[max(low, 0.0)], [max(high, 0.0)]]),
            fmt=marker,
            color=colours[row.outcome],
            markeredgecolor="black",
            markeredgewidth=0.6,
            markersize=6,
            elinewidth=1.3,
            capsize=3,
            zorder=3,
        )
        decimals = 2 if reach[y] < 1 else 1
        interval = f"[{row.ci_low:+.{decimals}f}, {row.ci_high:+.{decimals}f}]"
        ax.annotate(
            f"{row.diff:+.{decimals}f} pp {interval}",
            xy=(1, y),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=SMALL_SIZE,
            annotation_clip=False,
        )
    labels = [pretty(o) if len(scenarios) == 1 else f"{pretty(o)}: {s}" for o, s in zip(data["outcome"],
              data["scenario"], strict=True)]  # fmt: skip
    ax.set_yticks(range(len(data)), labels, fontsize=LABEL_SIZE)
    ax.set_ylim(len(data) - 0.5, -0.5)  # the first outcome on top
    if len(scenarios) > 1:
        for boundary in range(len(scenarios), len(data), len(scenarios)):
            ax.axhline(boundary - 0.5, color="#c8c8c8", linewidth=0.6, zorder=0)
    limit = max(float(reach.max(initial=0.0)) * 1.15, 0.5)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel(f"difference in probability to {reference} (percentage points)", fontsize=LABEL_SIZE)
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6, zorder=0)
    set_title(ax, f"Difference in outcome probability to {reference}, with 95% paired intervals", detail)
    clean_spines(ax)
    return fig


def plot_comparison(comparison: Comparison, ax: Axes | None = None) -> Figure:
    """The forest figure of a :class:`~escalation.comparison.Comparison`."""
    meta = comparison.meta
    detail = f"the same worlds under each scenario, seed {meta['seed']}  ({meta['runs']:,} replicates each)"
    return draw_forest(forest_data(comparison), reference=comparison.reference, detail=detail, ax=ax)
