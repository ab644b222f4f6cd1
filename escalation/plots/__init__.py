"""Figures of study results (matplotlib, headless-safe).

Each figure has a data function in :mod:`escalation.plots.data` returning a tidy DataFrame
(tested on its own) and a drawing function that takes that data, accepts an optional
``Axes`` (or, for the multi-panel ladder figure, a ``Figure``) and returns the Figure:

========== ============================ ==================== ==================
figure     data                         drawing              from a study
========== ============================ ==================== ==================
outcomes   ``outcome_data``             ``draw_outcomes``    ``plot_outcomes``
ladder     ``reached_data``,            ``draw_ladder``      ``plot_ladder``
           ``crisis_peak_data``,
           ``history_data``
peak       ``peak_data``                ``draw_peak``        ``plot_peak``
timing     ``timing_data``              ``draw_timing``      ``plot_timing``
casualties ``casualty_data``,           ``draw_casualties``, ``plot_casualties``
           ``casualty_summary``,        ``draw_casualties_
           ``casualty_outcome_data``    by_outcome``
========== ============================ ==================== ==================

Everything is computed from the study's aggregates, so the figures of a ten-million
replicate study cost no more than those of a small one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from escalation.figure_kinds import FIGURE_KINDS as KINDS
from escalation.plots import casualties, ladder, outcomes, peak, timing
from escalation.plots.casualties import draw_casualties, draw_casualties_by_outcome, plot_casualties
from escalation.plots.data import (
    casualty_data,
    casualty_outcome_data,
    casualty_summary,
    crisis_peak_data,
    documented_peak,
    history_data,
    ladder_data,
    ladder_quantiles,
    outcome_data,
    peak_data,
    reached_data,
    realised_rung,
    timing_data,
)
from escalation.plots.ladder import draw_ladder, plot_ladder
from escalation.plots.outcomes import draw_outcomes, plot_outcomes
from escalation.plots.peak import draw_peak, plot_peak
from escalation.plots.style import OUTCOME_COLOURS, outcome_colours, save_figure
from escalation.plots.timing import draw_timing, plot_timing

if TYPE_CHECKING:
    from escalation.results import Results

_PLOTTERS = {
    "outcomes": plot_outcomes,
    "ladder": plot_ladder,
    "peak": plot_peak,
    "timing": plot_timing,
    "casualties": plot_casualties,
}
# one line per figure on how to read it (the docs' gallery prints them under each figure)
HOW_TO_READ = {
    "outcomes": outcomes.HOW_TO_READ,
    "ladder": ladder.HOW_TO_READ,
    "peak": peak.HOW_TO_READ,
    "timing": timing.HOW_TO_READ,
    "casualties": casualties.HOW_TO_READ,
}


def plot_kind(results: Results, kind: str):
    """The figure named ``kind`` (one of :data:`KINDS`) of a study."""
    try:
        plotter = _PLOTTERS[kind]
    except KeyError:
        raise ValueError(f"unknown figure {kind!r}; choose from {', '.join(KINDS)}") from None
    return plotter(results)


def plot_all(results: Results, folder: str | Path, fmt: str = "png", dpi: int = 150) -> list[Path]:
    """Write every figure of a study into ``folder`` as ``<kind>.<fmt>``; returns the paths."""
    folder = Path(folder)
    return [save_figure(plot_kind(results, kind), folder / f"{kind}.{fmt}", dpi=dpi) for kind in KINDS]


__all__ = [
    "HOW_TO_READ",
    "KINDS",
    "OUTCOME_COLOURS",
    "casualty_data",
    "casualty_outcome_data",
    "casualty_summary",
    "crisis_peak_data",
    "documented_peak",
    "draw_casualties",
    "draw_casualties_by_outcome",
    "draw_ladder",
    "draw_outcomes",
    "draw_peak",
    "draw_timing",
    "history_data",
    "ladder_data",
    "ladder_quantiles",
    "outcome_colours",
    "outcome_data",
    "peak_data",
    "plot_all",
    "plot_casualties",
    "plot_kind",
    "plot_ladder",
    "plot_outcomes",
    "plot_peak",
    "plot_timing",
    "reached_data",
    "realised_rung",
    "save_figure",
    "timing_data",
]
