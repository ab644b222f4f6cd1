"""Figures of a fit: prior against posterior for every free parameter, each event's surprise, predictive checks."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from escalation.calibration.fit import FitResult

PRIOR_COLOUR = "#9a9a9a"
POSTERIOR_COLOUR = "#2b6a99"


def plot_marginals(result: FitResult, columns: int = 5) -> Figure:
    """One panel per free parameter: the prior density (grey line) and the posterior draws
    (blue histogram), with the judgement value (dotted) and the MAP (red tick)."""
    from matplotlib.figure import Figure

    free = result.free
    rows = math.ceil(len(free) / columns)
    fig = Figure(figsize=(2.6 * columns, 1.9 * rows + 0.6), layout="constrained")
    draws = result.draws
    table = result.parameter_table().set_index("parameter")
    for j, p in enumerate(free):
        ax = fig.add_subplot(rows, columns, j + 1)
        x = draws[p.name].to_numpy()
        dist = p.frozen()
        lo = min(np.quantile(x, 0.005), dist.ppf(0.01), p.value)
        hi = max(np.quantile(x, 0.995), dist.ppf(0.99), p.value)
        lo, hi = max(lo, p.low), min(hi, p.high)
        grid = np.linspace(lo, hi, 200)
        ax.hist(x, bins=30, range=(lo, hi), density=True, color=POSTERIOR_COLOUR, alpha=0.6, linewidth=0)
        ax.plot(grid, dist.pdf(grid), color=PRIOR_COLOUR, linewidth=1.2)
        ax.axvline(p.value, color="#333333", linestyle=":", linewidth=0.9)
        ax.axvline(result.map[p.name], color="#c0392b", linewidth=0.9, ymax=0.15)
        informed = "" if table.loc[p.name, "informed"] else " (prior)"
        ax.set_title(f"{p.name}{informed}", fontsize=7.5)
        ax.tick_params(labelsize=6.5)
        ax.set_yticks([])
    fig.suptitle(
        "Prior (grey) and posterior (blue) of each free parameter; dotted: judgement value, red: MAP",
        fontsize=9,
    )
    return fig


def surprise_table(result: FitResult, at: str = "map") -> pd.DataFrame:
    """Per scored event of the corpus: ``-log p`` at the MAP (or ``judgement``), both, and the gain."""
    from escalation.likelihood import loglik

    frames = []
    for scenario in result.corpus_scenarios:
        fitted = loglik(scenario, parameters={k: v for k, v in result.map.items() if k in _names(scenario)}).table
        judged = loglik(scenario).table
        events = fitted["kind"] == "event"
        frame = fitted.loc[events, ["id", "date", "actor", "action"]].copy()
        frame.insert(0, "scenario", scenario.name)
        frame["surprise_map"] = -fitted.loc[events, "logp"].to_numpy()
        frame["surprise_judgement"] = -judged.loc[judged["kind"] == "event", "logp"].to_numpy()
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    return out[np.isfinite(out["surprise_map"]) | np.isfinite(out["surprise_judgement"])]


def _names(scenario) -> set[str]:
    from escalation.parameters import parameter_names

    return set(parameter_names(scenario))


def plot_surprise(result: FitResult, top: int = 30) -> Figure:
    """The ``top`` most surprising scored events at the MAP (``-log p``, nats), judgement values beside."""
    from matplotlib.figure import Figure

    table = surprise_table(result).dropna(subset=["surprise_map"])
    table = table.sort_values("surprise_map", ascending=False).head(top).iloc[::-1]
    fig = Figure(figsize=(7.5, 0.22 * len(table) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(table))
    labels = [f"{r.scenario}: {r.id} {r.actor} {r.action}" for r in table.itertuples()]
    ax.barh(y + 0.2, table["surprise_map"], height=0.4, color=POSTERIOR_COLOUR, label="fitted (MAP)")
    ax.barh(y - 0.2, table["surprise_judgement"], height=0.4, color=PRIOR_COLOUR, label="judgement values")
    ax.set_yticks(y, labels, fontsize=6.5)
    ax.set_xlabel("surprise of the documented act, -log p (nats)", fontsize=8)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Which documented acts the model finds least likely", fontsize=9)
    return fig


def plot_predictive(table: pd.DataFrame, columns: int = 4) -> Figure:
    """One panel per stylised fact: its posterior predictive distribution over draws (histogram),
    the middle 90% (shaded) and the record's value (red line), with the share of draws at or above it."""
    from matplotlib.figure import Figure

    rows = math.ceil(len(table) / columns)
    fig = Figure(figsize=(2.9 * columns, 2.2 * rows + 0.7), layout="constrained")
    for j, row in enumerate(table.itertuples()):
        ax = fig.add_subplot(rows, columns, j + 1)
        values = np.asarray(row.simulated, dtype=float)
        if values.size:
            ax.hist(values, bins=25, color=POSTERIOR_COLOUR, alpha=0.65, linewidth=0)
            ax.axvspan(row.q5, row.q95, color=POSTERIOR_COLOUR, alpha=0.12, linewidth=0)
        if np.isfinite(row.record):
            ax.axvline(row.record, color="#c0392b", linewidth=1.6)
        check = "" if not np.isfinite(row.p_at_least) else f"\nP(sim >= record) = {row.p_at_least:.2f}"
        ax.set_title(f"{textwrap.fill(row.description, 38)}{check}", fontsize=7)
        ax.tick_params(labelsize=6.5)
        ax.set_yticks([])
    fig.suptitle(
        "Posterior predictive checks: simulated crises (blue: over posterior draws) against the record (red)",
        fontsize=9,
    )
    return fig
