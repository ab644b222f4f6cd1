"""Figures of a backtest: reliability of the outcome forecasts, and each scenario's observed-outcome probability."""

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
    new_figure,
    pretty,
    set_title,
)

if TYPE_CHECKING:
    from escalation.backtesting import Backtest

BINS = 5  # equal-width bins of forecast probability: [0, 0.2), [0.2, 0.4), ..., [0.8, 1]
SERIES = {"model": ("#2166ac", "o"), "no_history": ("#8c510a", "s")}
REFERENCE_MARKERS = {"no_history": ("#8c510a", "s", "none"), "climatology": ("#404040", "x", None),
                     "uniform": ("#999999", "|", None)}  # fmt: skip
RELIABILITY_COLUMNS = ["forecast", "bin", "low", "high", "forecasts", "mean_forecast", "observed_frequency"]


def reliability_data(result: Backtest, bins: int = BINS) -> pd.DataFrame:
    """Binned forecast probability against observed frequency, over every scenario and outcome class.

    Each (scenario, class) pair is one forecast: the probability given to the class, and 1 if
    it was the observed class, else 0. For the model and the no-history reference, a row per
    non-empty bin: its edges, the number of forecasts in it, their mean probability and the
    share of them that came true.
    """
    data = result.forecasts
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for name in SERIES:
        p = data[name].to_numpy(dtype=float)
        which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
        for b in range(bins):
            inside = which == b
            if inside.any():
                rows.append(
                    {
                        "forecast": name,
                        "bin": b,
                        "low": edges[b],
                        "high": edges[b + 1],
                        "forecasts": int(inside.sum()),
                        "mean_forecast": float(p[inside].mean()),
                        "observed_frequency": float(data["observed"].to_numpy()[inside].mean()),
                    }
                )
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)


def draw_reliability(data: pd.DataFrame, *, n_scenarios: int, n_forecasts: int, ax: Axes) -> None:
    """The reliability diagram of :func:`reliability_data` on ``ax``: points on the diagonal are calibrated."""
    ax.plot([0, 1], [0, 1], color=THRESHOLD_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
    for name, rows in data.groupby("forecast", sort=False):
        colour, marker = SERIES[str(name)]
        sizes = 30 + 3 * rows["forecasts"].to_numpy()  # area grows with the forecasts in the bin
        filled = name == "model"
        style = {"marker": marker, "facecolors": colour if filled else "none", "edgecolors": colour}
        ax.scatter(rows["mean_forecast"], rows["observed_frequency"], s=sizes, zorder=3, **style)
        ax.scatter([], [], s=40, label=pretty(str(name)), **style)  # a legend entry of fixed size
        for row in rows.itertuples():
            point = (row.mean_forecast, row.observed_frequency)
            ax.annotate(f"{row.forecasts}", point, xytext=(6, -3 if filled else 5), textcoords="offset points",
                        fontsize=SMALL_SIZE, color=colour)  # fmt: skip
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("forecast probability of an outcome class (bin mean)", fontsize=LABEL_SIZE)
    ax.set_ylabel("share of those forecasts that came true", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=SMALL_SIZE)
    ax.legend(fontsize=SMALL_SIZE, loc="upper left", frameon=False)
    ax.grid(color="#e4e4e4", linewidth=0.6, zorder=0)
    note = (
        f"coarse: {n_scenarios} crises, {n_forecasts} forecasts (crisis x outcome class) in {BINS} bins; "
        "a bin's share rests on a handful of crises (numbers: forecasts per bin)"
    )
    set_title(ax, "Reliability of the outcome forecasts", note)
    clean_spines(ax)


def draw_observed(table: pd.DataFrame, *, ax: Axes) -> None:
    """Each scenario's probability of its observed outcome: the model with its intervals, and the references."""
    y = np.arange(len(table))
    for reference, (colour, marker, face) in REFERENCE_MARKERS.items():
        ax.scatter(table[f"p_observed_{reference}"], y, marker=marker, color=colour, facecolors=face, s=30,
                   zorder=2, label=pretty(reference))  # fmt: skip
    if table["p_observed_low_total"].notna().any():
        ax.hlines(y, table["p_observed_low_total"], table["p_observed_high_total"], color="#9ecae1", linewidth=4,
                  zorder=1, label="model, 95% with parameters")  # fmt: skip
    low, high = table["p_observed"] - table["p_observed_low"], table["p_observed_high"] - table["p_observed"]
    ax.errorbar(table["p_observed"], y, xerr=[low.clip(lower=0), high.clip(lower=0)], fmt="o", color="#2166ac",
                markersize=5, capsize=2, zorder=3, label="model, 95% Monte Carlo")  # fmt: skip
    labels = [f"{row.scenario}: {pretty(row.observed)}" for row in table.itertuples()]
    ax.set_yticks(y, labels, fontsize=SMALL_SIZE)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("probability given to the observed outcome", fontsize=LABEL_SIZE)
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6, zorder=0)
    ax.legend(fontsize=SMALL_SIZE, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
    set_title(ax, "What each forecast gave the real outcome", "scenario: observed outcome")
    clean_spines(ax)


def plot_backtest(result: Backtest) -> Figure:
    """Two panels: the reliability diagram, and each scenario's probability of its observed outcome."""
    table = result.table
    fig = new_figure((12.5, max(4.8, 0.38 * len(table) + 2.2)))
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.15])
    draw_reliability(reliability_data(result), n_scenarios=len(table), n_forecasts=len(result.forecasts), ax=left)
    draw_observed(table, ax=right)
    meta = result.meta
    fig.suptitle(
        f"Backtest of {len(table)} scenarios against what happened  (seed {meta['seed']}, "
        f"{meta['runs']:,} worlds each)",
        fontsize=LABEL_SIZE + 1,
        x=0.01,
        ha="left",
    )
    return fig
