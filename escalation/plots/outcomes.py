"""Outcome distribution: the probability of each outcome with its 95% interval."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from escalation.plots.data import outcome_data
from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    clean_spines,
    figure_and_axes,
    outcome_colours,
    pretty,
    set_title,
    share_label,
)

if TYPE_CHECKING:
    from escalation.results import Results

HATCHES = ("", "//", "..", "xx", "\\\\", "oo")
TOTAL_COLOUR = "#8a8a8a"


def draw_outcomes(data: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Probability of each outcome with its 95% Wilson interval; several studies side by side.

    ``data`` is :func:`~escalation.plots.data.outcome_data`. Each outcome keeps its colour;
    studies are told apart by hatching and the legend. Value labels sit above the interval.
    A study run with a posterior (columns ``ci_low_total``/``ci_high_total``) also shows the
    interval with parameter uncertainty, as a wide grey bar behind the Monte Carlo caps.
    """
    studies = list(dict.fromkeys(data["study"]))
    outcomes = list(dict.fromkeys(data["outcome"]))
    n_studies = len(studies)
    fig, ax = figure_and_axes(ax, (min(12.0, max(7.2, 0.95 * len(outcomes) * n_studies + 2.6)), 4.4))
    colours = outcome_colours(outcomes)
    width = 0.8 / n_studies
    label_size = SMALL_SIZE if n_studies <= 2 else SMALL_SIZE - 1
    for s, study in enumerate(studies):
        rows = data[data["study"] == study].set_index("outcome").reindex(outcomes)
        x = [i + (s - (n_studies - 1) / 2) * width for i in range(len(outcomes))]
        total = "ci_high_total" in rows and rows["ci_high_total"].notna().any()
        ax.bar(
            x,
            rows["p"],
            width * 0.9,
            color=[colours[o] for o in outcomes],
            edgecolor="black",
            linewidth=0.6,
            hatch=HATCHES[s % len(HATCHES)],
        )
        if total:
            ax.errorbar(
                x,
                rows["p"],
                yerr=np.maximum([rows["p"] - rows["ci_low_total"], rows["ci_high_total"] - rows["p"]], 0.0),
                fmt="none",
                ecolor=TOTAL_COLOUR,
                elinewidth=6.0 if n_studies <= 2 else 4.0,
                alpha=0.75,
            )
        ax.errorbar(
            x,
            rows["p"],
            yerr=np.maximum([rows["p"] - rows["ci_low"], rows["ci_high"] - rows["p"]], 0.0),
            fmt="none",
            ecolor="black",
            elinewidth=1.1,
            capsize=3.5 if n_studies <= 2 else 2.5,
            capthick=1.1,
        )
        tops = np.fmax(rows["ci_high"], rows["ci_high_total"]) if total else rows["ci_high"]
        for xi, p, count, high in zip(x, rows["p"], rows["count"], tops, strict=True):
            if pd.isna(p):
                continue
            ax.annotate(
                share_label(p, count),
                (xi, high),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=label_size,
            )
    ax.set_xticks(range(len(outcomes)), [pretty(o) for o in outcomes], fontsize=LABEL_SIZE)
    ax.set_xlim(-0.6, len(outcomes) - 0.4)
    ax.set_ylabel("probability", fontsize=LABEL_SIZE)
    highs = [data["ci_high"].max()]
    if "ci_high_total" in data:
        highs.append(data["ci_high_total"].max())
    top = float(np.nanmax(highs))
    ax.set_ylim(0, min(1.0, top * 1.12 + 0.03) if top < 0.86 else 1.08)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="y", labelsize=SMALL_SIZE)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    scenarios = list(dict.fromkeys(data["scenario"])) if "scenario" in data else studies
    runs = ", ".join(f"{n:,}" for n in dict.fromkeys(data["runs"]))
    if n_studies == 1:
        detail = f"{studies[0]}  ({runs} replicates)"
    else:
        detail = f"{' vs '.join(scenarios)}  ({runs} replicates)"
    if "ci_high_total" in data and data["ci_high_total"].notna().any():
        title = "Outcome probabilities, 95% intervals: Monte Carlo (black), with parameters (grey)"
    else:
        title = "Outcome probabilities with 95% Wilson intervals (Monte Carlo error only)"
    set_title(ax, title, detail)
    if n_studies > 1:
        handles = [
            Patch(facecolor="white", edgecolor="black", linewidth=0.6, hatch=HATCHES[s % len(HATCHES)], label=study)
            for s, study in enumerate(studies)
        ]
        ax.legend(handles=handles, fontsize=SMALL_SIZE, frameon=False, loc="upper left", handleheight=1.4)
    clean_spines(ax)
    return fig


def plot_outcomes(
    results: Results | Sequence[Results], labels: Sequence[str] | None = None, ax: Axes | None = None
) -> Figure:
    """Outcome probabilities with intervals for one study or several side by side.

    ``labels`` name the studies in the legend (default: the scenario titles).
    """
    return draw_outcomes(outcome_data(results, labels), ax=ax)
