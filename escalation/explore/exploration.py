"""What the explorer shows for one setting: a study's outcome table and figures, and one world's trace.

A setting is a scenario, a branch point and the parameters the user moved. It becomes a
re-validated variant of the scenario (:meth:`Scenario.with_overrides`, as ``escalation sweep``
makes them), so a study of it is the study ``escalation run`` would make of the same variant
written to a file: with the scenario's posterior (``parameters_from``) every world draws the
parameters nobody moved, and a moved parameter is held at its value in every world.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from escalation.results import Results
from escalation.runner.study import run_study
from escalation.scenario.schema import Scenario
from escalation.sweep import field_of
from escalation.trace import Trace, run_trace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 110  # resolution of the figures on the page (dots per inch)


def configure(scenario: Scenario, start_after: str | None, values: Mapping[str, float]) -> Scenario:
    """``scenario`` branching after event ``start_after`` (``None``: no history) with ``values`` set.

    ``values`` maps full parameter names (``iran.rationality``, ``telegraph_factor``) to numbers.
    Raises :class:`~escalation.errors.ScenarioError` for a value outside its bounds and
    :class:`~escalation.errors.RunError` for a name the scenario does not have.
    """
    overrides: dict[str, Any] = {}
    if start_after != scenario.start_after:
        overrides["start_after"] = start_after
    for name, value in values.items():
        *parents, leaf = field_of(scenario, name).split(".")
        node = overrides
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = float(value)
    if not overrides:
        return scenario
    overrides["title"] = title(scenario, start_after, len(values))
    return scenario.with_overrides(overrides)


def title(scenario: Scenario, start_after: str | None, changed: int) -> str:
    """The title of a configured variant: its scenario, branch point and how many parameters it changes."""
    if start_after is None:
        branch = "no history"
    else:
        event = next(e for e in scenario.timeline if e.id == start_after)
        branch = f"branch after {event.id} ({event.date.isoformat()})"
    moved = f", {changed} parameter{'s' if changed != 1 else ''} changed" if changed else ""
    return f"{scenario.name}: {branch}{moved}"


def png(figure: Figure, dpi: int = DPI) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


@dataclass(frozen=True, eq=False)
class Exploration:
    """A finished study of one setting: its results and its figures as PNG bytes (equal only to itself)."""

    scenario: Scenario
    results: Results
    posterior: bool
    outcomes_png: bytes
    ladder_png: bytes
    seconds: float  # wall time of the study and its figures

    def table(self) -> pd.DataFrame:
        """The outcome table (:meth:`Results.outcome_table`)."""
        return self.results.outcome_table()

    def rows(self) -> tuple[list[str], list[list[str]]]:
        """Column headings, and per outcome its probability and 95% intervals as percentages.

        The last column, the interval with parameter uncertainty, is there only with a posterior.
        """
        table = self.table()
        total = "ci_low_total" in table.columns
        head = ["outcome", "probability", "95% interval (Monte Carlo)"] + (["95% with parameters"] if total else [])
        rows = []
        for row in table.itertuples():
            cells = [row.outcome, f"{row.p:.1%}", f"{row.ci_low:.1%} – {row.ci_high:.1%}"]
            if total:
                cells.append(
                    "n/a" if math.isnan(row.ci_low_total) else f"{row.ci_low_total:.1%} – {row.ci_high_total:.1%}"
                )
            rows.append(cells)
        return head, rows

    def summary(self) -> str:
        """One line: worlds, seed, posterior draws and time taken."""
        draws, used = self.results.parameter_draws, self.results.draws_used
        drawn = f"{used:,} of {draws:,} posterior draws" if draws else "the scenario's parameter values"
        return f"{self.results.runs:,} worlds, seed {self.results.meta['seed']}, {drawn}, {self.seconds:.1f} s"


def explore(scenario: Scenario, *, runs: int, seed: int = 0, posterior: bool = True) -> Exploration:
    """Run ``runs`` worlds of ``scenario`` (a :func:`configure` d variant) and draw its figures.

    ``posterior``: the worlds draw their parameters from the scenario's ``parameters_from``
    (when it names one); ``False`` gives every world the scenario's values.
    """
    started = time.perf_counter()
    results = run_study(scenario, runs=runs, seed=seed, posterior=None if posterior else False)
    outcomes, ladder = png(results.plot_outcomes()), png(results.plot_ladder())
    used = posterior and scenario.parameters_from is not None
    return Exploration(scenario, results, used, outcomes, ladder, time.perf_counter() - started)


def trace(scenario: Scenario, *, seed: int, posterior: bool = True) -> Trace:
    """One world of ``scenario`` simulated with ``seed`` (its posterior draw ``seed`` mod the draws)."""
    return run_trace(scenario, seed=seed, posterior=None if posterior else False)
