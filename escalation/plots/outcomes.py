"""Figures of study results (matplotlib, headless-safe).

Each figure has a data function returning a tidy DataFrame (tested on its own) and a
drawing function that takes that data, accepts an optional ``Axes`` and returns the Figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from escalation.io import atomic_write

if TYPE_CHECKING:
    from escalation.results import Results

OUTCOME_COLOURS = {
    "mutual_restraint": "#1b9e77",
    "proxy_attrition": "#7570b3",
    "unresolved": "#d95f02",
    "war": "#b2182b",
}
_FALLBACK = ("#66a61e", "#e6ab02", "#a6761d", "#666666", "#1f78b4", "#e7298a")


def outcome_colour(name: str, index: int = 0) -> str:
    """A stable colour per outcome name (named outcomes first, then a fallback cycle)."""
    return OUTCOME_COLOURS.get(name, _FALLBACK[index % len(_FALLBACK)])


def outcome_data(results: Results | Sequence[Results], labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Tidy table behind the outcome figure: study, outcome, p, ci_low, ci_high, count, runs."""
    studies = [results] if not isinstance(results, Sequence) else list(results)
    labels = list(labels) if labels is not None else [r.scenario.title or r.scenario.name for r in studies]
    frames = []
    for label, study in zip(labels, studies, strict=True):
        table = study.outcome_table()
        table.insert(0, "study", label)
        table["runs"] = study.runs
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def draw_outcomes(data: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Probability of each outcome with its 95% interval; studies side by side."""
    studies = list(dict.fromkeys(data["study"]))
    outcomes = list(dict.fromkeys(data["outcome"]))
    fig, ax = _axes(ax, (max(6.0, 1.6 * len(outcomes) * max(1, len(studies)) ** 0.5 + 2), 4.2))
    width = 0.8 / len(studies)
    hatches = ("", "//", "..", "xx", "\\\\", "oo")
    for s, study in enumerate(studies):
        rows = data[data["study"] == study].set_index("outcome").reindex(outcomes)
        x = [i + (s - (len(studies) - 1) / 2) * width for i in range(len(outcomes))]
        colours = [outcome_colour(o, i) for i, o in enumerate(outcomes)]
        ax.bar(
            x,
            rows["p"],
            width * 0.92,
            color=colours,
            edgecolor="black",
            linewidth=0.6,
            hatch=hatches[s % len(hatches)],
            label=study,
        )
        ax.errorbar(
            x,
            rows["p"],
            yerr=[rows["p"] - rows["ci_low"], rows["ci_high"] - rows["p"]],
            fmt="none",
            ecolor="black",
            elinewidth=1.2,
            capsize=4,
        )
        for xi, p in zip(x, rows["p"], strict=True):
            ax.annotate(f"{p:.1%}", (xi, p), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(range(len(outcomes)), [o.replace("_", " ") for o in outcomes])
    ax.set_ylabel("probability")
    top = float(data["ci_high"].max())
    ax.set_ylim(0, min(1.0, top * 1.18 + 0.02))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    runs = ", ".join(f"{n:,}" for n in dict.fromkeys(data["runs"]))
    ax.set_title(f"Outcome probabilities with 95% Wilson intervals ({runs} replicates)", fontsize=10)
    if len(studies) > 1:
        ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_outcomes(
    results: Results | Sequence[Results], labels: Sequence[str] | None = None, ax: Axes | None = None
) -> Figure:
    """Outcome probabilities with intervals for one study or several side by side."""
    return draw_outcomes(outcome_data(results, labels), ax=ax)


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Save a figure atomically (format from the file extension) and close it."""
    path = Path(path)
    suffix = path.suffix.lstrip(".") or "png"
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=suffix))
    plt.close(fig)
    return path
