"""Sensitivity indices of one output as horizontal bars, most influential parameter on top."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from escalation.plots.style import LABEL_SIZE, SMALL_SIZE, TITLE_SIZE

if TYPE_CHECKING:
    from escalation.sensitivity import SensitivityResult

SOBOL_TOTAL = "#2166ac"
SOBOL_FIRST = "#92c5de"
NOISE_COLOUR = "#999999"


def plot_indices(result: SensitivityResult, outcome: str, top: int = 15) -> Figure:
    """The ``top`` parameters of ``outcome`` by total index (Sobol: ST with S1 inside it) or mu* (Morris).

    Whiskers are 95% bootstrap intervals; the grey band is the noise floor (the indices of the
    dummy input), below which an index is not told apart from the simulator's randomness.
    """
    from escalation.errors import RunError
    from escalation.sensitivity import PEAK

    if outcome not in result.meta["outputs"]:
        raise RunError(f"no output {outcome!r} in these indices (they have {', '.join(result.meta['outputs'])})")
    rows = result.ranked(outcome).head(top).iloc[::-1]
    floor = result.noise_floor().loc[outcome]
    key = result.index
    height = 2.2 + 0.28 * max(len(rows), 1)
    fig = Figure(figsize=(7.2, height), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    level = float(floor[key]) if np.isfinite(floor[key]) else 0.0
    spread = float(floor[f"{key}_conf"]) if np.isfinite(floor[f"{key}_conf"]) else 0.0
    if result.method == "sobol":
        ax.barh(y, rows["ST"], color=SOBOL_TOTAL, height=0.7, label="total (ST)")
        ax.errorbar(rows["ST"], y, xerr=rows["ST_conf"], fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
        ax.barh(y, rows["S1"].clip(lower=0), color=SOBOL_FIRST, height=0.4, label="first order (S1)")
        ax.set_xlabel("share of the output's variance", fontsize=LABEL_SIZE)
    else:
        ax.barh(y, rows["mu_star"], color=SOBOL_TOTAL, height=0.7, label="mu* (mean |effect|)")
        ax.errorbar(
            rows["mu_star"], y, xerr=rows["mu_star_conf"], fmt="none", ecolor="black", elinewidth=0.8, capsize=2
        )
        ax.plot(rows["sigma"], y, "d", color="#b2182b", markersize=4, label="sigma (interaction, non-linearity)")
        unit = "rung" if outcome == PEAK else "probability"
        ax.set_xlabel(f"elementary effect ({unit} per range-wide step)", fontsize=LABEL_SIZE)
    # the noise floor in front of the bars: the dummy input's index and its 95% interval
    ax.axvspan(max(level - spread, 0.0), level + spread, color=NOISE_COLOUR, alpha=0.35, linewidth=0, zorder=3)
    ax.axvline(level, color="#404040", linestyle="--", linewidth=1.0, zorder=4, label="noise floor (dummy input)")
    ax.set_yticks(y, rows["parameter"], fontsize=SMALL_SIZE)
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)
    ax.set_xlim(left=0)
    what = "mean peak rung" if outcome == PEAK else f"P({outcome.replace('_', ' ')})"
    meta = result.meta
    fig.suptitle(
        f"{result.method.capitalize()} indices of {what}: {meta['scenario']}\n"
        f"{meta['design_points']:,} design points x {meta['replicates']} replicates, ranges from {meta['ranges']}, "
        f"seed {meta['seed']}\nwhiskers: 95% bootstrap; an index in the grey band is not told apart from noise",
        fontsize=TITLE_SIZE,
        x=0.01,
        ha="left",
    )
    ax.legend(
        fontsize=SMALL_SIZE, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.4 / height), ncol=3
    )
    ax.grid(axis="x", alpha=0.3, linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
