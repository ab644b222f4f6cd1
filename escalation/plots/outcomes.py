"""Outcome distribution: the probability of each outcome with its 95% interval.

Each bar is labelled with its value and interval, so a rare outcome is readable even where
its bar is a sliver; when some outcome is below 5% a second panel shows every outcome on a
log scale. The outcomes' definitions from the scenario stand under the figure.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from escalation.plots.data import outcome_data
from escalation.plots.style import (
    LABEL_SIZE,
    SMALL_SIZE,
    clean_spines,
    figure_and_axes,
    new_figure,
    outcome_colours,
    pretty,
    set_title,
    share_label,
)

if TYPE_CHECKING:
    from escalation.results import Results

HATCHES = ("", "//", "..", "xx", "\\\\", "oo")
TOTAL_COLOUR = "#8a8a8a"
RARE = 0.05  # below this an outcome's bar is hard to read on a linear scale: add the log panel
HOW_TO_READ = (
    "Each bar is an outcome's probability, labelled with its value and 95% interval (black: Monte "
    "Carlo error; grey: with parameter uncertainty too); the right panel repeats them on a log scale "
    "so rare outcomes can be read."
)


def _value_and_interval(p: float, count: int, low: float, high: float) -> str:
    """``0.14%\n[0.10%, 0.21%]``: a decimal, and two significant digits at the low end (more if the ends read alike)."""
    if count == 0:
        return f"0\n[0, {high * 100:.2g}%]"
    digits = max(1, 1 - math.floor(math.log10(low * 100))) if low > 0 else 1
    while f"{low:.{digits}%}" == f"{high:.{digits}%}" and digits < 4:
        digits += 1
    return f"{p:.{digits}%}\n[{low:.{digits}%}, {high:.{digits}%}]"


def _draw_log_panel(data: pd.DataFrame, ax: Axes, studies: list[str], colours: dict[str, str]) -> None:
    """Every outcome's probability and interval as a dot on a log scale (rare outcomes made readable)."""
    outcomes = list(dict.fromkeys(data["outcome"]))
    total = "ci_high_total" in data and data["ci_high_total"].notna().any()
    positive = data.loc[data["p"] > 0, "ci_low"]
    floor = max(min(float(positive.min()) if len(positive) else 1e-3, 1e-3) / 3, 1e-7)
    for s, study in enumerate(studies):
        rows = data[data["study"] == study].set_index("outcome").reindex(outcomes)
        y = np.arange(len(outcomes)) + (s - (len(studies) - 1) / 2) * 0.8 / len(studies)
        p = np.maximum(rows["p"].to_numpy(dtype=float), floor)
        if total:
            ax.hlines(y, np.maximum(rows["ci_low_total"], floor), rows["ci_high_total"], color=TOTAL_COLOUR,
                      linewidth=5, alpha=0.6)  # fmt: skip
        ax.hlines(y, np.maximum(rows["ci_low"], floor), rows["ci_high"], color="black", linewidth=1.2)
        ax.scatter(p, y, c=[colours[o] for o in outcomes], edgecolors="black", linewidths=0.6, zorder=3,
                   marker="os^Dv"[s % 5], s=28)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlim(floor, 1.5)
    ax.set_yticks(range(len(outcomes)), [pretty(o) for o in outcomes], fontsize=SMALL_SIZE)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x * 100:g}%"))
    ax.tick_params(axis="x", labelsize=SMALL_SIZE - 1)
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6)
    ax.set_title("the same, log scale", fontsize=LABEL_SIZE, loc="left")
    clean_spines(ax)


def _caption(data: pd.DataFrame, width: int) -> str:
    """The outcomes' definitions, one wrapped line each."""
    rows = data.drop_duplicates("outcome")
    lines = []
    for name, text in zip(rows["outcome"], rows.get("description", [""] * len(rows)), strict=True):
        if text:
            lines += textwrap.wrap(f"{pretty(name)}: {text}", width)
    return "\n".join(lines)


def draw_outcomes(data: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Probability of each outcome with its 95% interval; several studies side by side.

    ``data`` is :func:`~escalation.plots.data.outcome_data`. Each outcome keeps its colour;
    studies are told apart by hatching and the legend. Each bar's label gives its value and,
    for one study, its interval. A study run with a posterior (columns
    ``ci_low_total``/``ci_high_total``) also shows the interval with parameter uncertainty, as
    a wide grey bar behind the Monte Carlo caps. On a new figure (no ``ax``), a log-scale
    panel is added when an outcome is below 5%, and the outcomes' definitions form a caption.
    """
    studies = list(dict.fromkeys(data["study"]))
    outcomes = list(dict.fromkeys(data["outcome"]))
    n_studies = len(studies)
    width_in = min(12.0, max(7.2, 0.95 * len(outcomes) * n_studies + 2.6))
    rare = bool((data["p"] < RARE).any())
    own = ax is None  # a figure of our own: room for the log panel and the caption
    log_ax = None
    if ax is None and rare:
        fig = new_figure((width_in + 3.2, 4.9))
        ax, log_ax = fig.subplots(1, 2, width_ratios=[width_in, 3.0])
    else:
        fig, ax = figure_and_axes(ax, (width_in, 4.9))
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
        for xi, p, count, low, high, top in zip(
            x, rows["p"], rows["count"], rows["ci_low"], rows["ci_high"], tops, strict=True
        ):
            if pd.isna(p):
                continue
            text = _value_and_interval(p, count, low, high) if n_studies == 1 else share_label(p, count)
            ax.annotate(
                text,
                (xi, top),
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
    ax.set_ylim(0, min(1.0, top * 1.18 + 0.05) if top < 0.8 else 1.14)
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
    if log_ax is not None:
        _draw_log_panel(data, log_ax, studies, colours)
    if own or len(fig.axes) == 1:
        caption = _caption(data, int(fig.get_figwidth() * 15))
        if caption:
            fig.supxlabel(caption, fontsize=SMALL_SIZE - 0.5, x=0.01, ha="left", multialignment="left", color="#333333")
    return fig


def plot_outcomes(
    results: Results | Sequence[Results], labels: Sequence[str] | None = None, ax: Axes | None = None
) -> Figure:
    """Outcome probabilities with intervals for one study or several side by side.

    ``labels`` name the studies in the legend (default: the scenario titles).
    """
    return draw_outcomes(outcome_data(results, labels), ax=ax)
