"""Compare scenarios on the same worlds: paired differences of outcome probabilities, peak rung and deaths.

:func:`compare` runs every scenario for the same number of worlds with the same seed and block
size, as :func:`escalation.sweep.sweep` runs its values, and keeps each world's outcome, peak
rung and deaths. World ``r`` of every scenario is simulated from the same block stream (block
``r // block_size`` of the seed) and, where the scenarios share a posterior (``parameters_from``),
with the same posterior draw. Each scenario simulates its own horizon with its own actors and
history; what is paired is world ``r``'s result under each scenario. The difference of a
quantity to the first scenario is the mean over worlds of ``x_r(scenario) - x_r(first)``, with
a Student-t interval from the spread of those per-world differences. Where the two results of
a world move together, that interval is narrower than the one two independent studies would
give (``unpaired_half_width``, reported beside it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from escalation.defaults import DEFAULT_BLOCK_SIZE, ROWS_IN_MEMORY
from escalation.errors import RunError
from escalation.io import strict_json
from escalation.runner.executors import Executor, open_executor
from escalation.runner.study import run_study, versions
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Scenario
from escalation.stats import CONFIDENCE

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from escalation.results import Results

OUTCOME_COLUMNS = ["outcome", "scenario", "p", "diff", "ci_low", "ci_high", "unpaired_half_width"]
MEASURE_COLUMNS = ["measure", "scenario", "mean", "diff", "ci_low", "ci_high", "unpaired_half_width"]
PEAK = "peak_rung"  # mean level of the highest rung reached, replayed history included (0 = status quo)
DEATHS = "deaths"  # mean deaths suffered by all actors together as targets of simulated acts, per world
INTERVAL_METHOD = "paired t on per-world differences"


def paired_difference(
    first: np.ndarray, other: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float, float]:
    """Mean of ``other - first`` over paired worlds, its interval, and the unpaired half-width.

    ``first`` and ``other`` hold one value per world, world ``r`` of each paired. The interval
    is ``mean ± t · sd / sqrt(n)`` with ``sd`` the standard deviation of the per-world
    differences and ``t`` the Student quantile with ``n - 1`` degrees of freedom. The last value
    is the half-width the same difference would have from two independent samples,
    ``t · sqrt((var_first + var_other) / n)``. Returns ``(estimate, low, high, unpaired)``;
    the interval and the unpaired half-width are ``nan`` with fewer than two worlds.
    """
    from scipy import stats as scipy_stats

    a = np.asarray(first, dtype=float)
    b = np.asarray(other, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or not a.size:
        raise ValueError(f"paired values need two equal, non-empty 1-d arrays, got shapes {a.shape} and {b.shape}")
    differences = b - a
    estimate = float(differences.mean())
    n = differences.size
    if n < 2:
        return (estimate, np.nan, np.nan, np.nan)
    t = float(scipy_stats.t.ppf(0.5 + confidence / 2, n - 1))
    half = t * float(differences.std(ddof=1)) / np.sqrt(n)
    unpaired = t * float(np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / n))
    return (estimate, estimate - half, estimate + half, unpaired)


@dataclass
class Comparison:
    """Scenarios compared on the same worlds (what :func:`compare` returns).

    ``outcomes`` has a row per outcome and scenario: ``p`` (share of the worlds), and for every
    scenario but the first ``diff`` (``p`` minus the first scenario's), its 95% paired interval
    ``ci_low``/``ci_high`` and ``unpaired_half_width`` (``nan`` on the first scenario's rows).
    ``measures`` has the same layout for the mean peak rung (``peak_rung``, a ladder level), the
    mean deaths per world of all actors together (``deaths``) and of each actor every scenario
    has (``deaths_ACTOR``). ``meta`` records the seed, runs, block size, scenario hashes and versions.
    """

    scenarios: list[str]
    outcomes: pd.DataFrame
    measures: pd.DataFrame
    meta: dict[str, Any]

    @property
    def reference(self) -> str:
        """The first scenario, the one every difference is taken to."""
        return self.scenarios[0]

    def to_json(self) -> dict[str, Any]:
        """``{"scenarios", "outcomes": {name: {"p": {...}, "diff": {...}}}, "measures", ...}``, JSON-ready.

        ``diff`` maps every scenario but the first to ``{"estimate", "ci_low", "ci_high"}``;
        ``measures`` has the same shape with ``mean`` in place of ``p``.
        """
        return strict_json(
            {
                "scenarios": list(self.scenarios),
                "reference": self.reference,
                "outcomes": _nested(self.outcomes, "outcome", "p"),
                "measures": _nested(self.measures, "measure", "mean"),
                **self.meta,
            }
        )

    def format_table(self) -> str:
        """A readable summary (the output of ``escalation compare``)."""
        meta = self.meta
        width = max(len(s) for s in self.scenarios)
        lines = [
            f"{len(self.scenarios)} scenarios on the same {meta['runs']:,} worlds (seed {meta['seed']}, block size "
            f"{meta['block_size']:,}); differences to {self.reference} with 95% paired intervals",
        ]
        never: list[str] = []  # measures that are zero in every world (deaths of actors nobody attacks)
        for kind, table, value in (("outcome", self.outcomes, "p"), ("measure", self.measures, "mean")):
            header = f"{kind:<{width + 2}}  {value:>9}  {'difference':>10}  {'95% paired interval':<22}  unpaired ±"
            lines += ["", header]
            for name, rows in table.groupby(kind, sort=False):
                if kind == "measure" and not rows[value].any():
                    never.append(str(name))
                    continue
                lines.append(f"{name}")
                for row in rows.itertuples():
                    text = f"  {row.scenario:<{width}}  {getattr(row, value):>9.4f}"
                    if row.scenario != self.reference:
                        interval = f"[{row.ci_low:+.4f}, {row.ci_high:+.4f}]"
                        text += f"  {row.diff:>+10.4f}  {interval:<22}  {row.unpaired_half_width:.4f}"
                    lines.append(text)
        if never:
            lines.append(f"zero in every world of every scenario: {', '.join(never)}")
        lines += [
            "",
            "unpaired ±: the half-width two independent studies of this size would give the same difference",
            f"{PEAK}: ladder level of the highest rung, history included; {DEATHS}: deaths suffered in simulated "
            "acts per world, all actors (deaths_ACTOR: one actor)",
            "intervals are Monte Carlo error of the differences; paired worlds share their parameter draws",
            "scenario hashes: " + ", ".join(f"{name} {h[:12]}" for name, h in meta["scenario_hashes"].items()),
        ]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Figure:
        """Forest figure: each outcome's difference to the first scenario with its 95% paired interval."""
        from escalation.plots.forest import plot_comparison

        return plot_comparison(self, ax=ax)


def _nested(table: pd.DataFrame, key: str, value: str) -> dict[str, Any]:
    """``{name: {value: {scenario: v}, "diff": {scenario: {estimate, ci_low, ci_high}}}}`` of a tidy table."""
    nested: dict[str, Any] = {}
    for name, rows in table.groupby(key, sort=False):
        nested[str(name)] = {
            value: {row.scenario: float(getattr(row, value)) for row in rows.itertuples()},
            "diff": {
                row.scenario: {"estimate": row.diff, "ci_low": row.ci_low, "ci_high": row.ci_high}
                for row in rows.iloc[1:].itertuples()  # the first row is the first scenario's
            },
        }
    return nested


def _labels(scenarios: Sequence[Scenario], labels: Sequence[str] | None) -> list[str]:
    """The scenarios' names (or ``labels``), made unique with `` (2)``, `` (3)``... where they repeat."""
    names = list(labels) if labels is not None else [s.name for s in scenarios]
    if len(names) != len(scenarios):
        raise RunError(f"{len(names)} labels for {len(scenarios)} scenarios")
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _check_comparable(scenarios: Sequence[Scenario], labels: Sequence[str]) -> None:
    """The scenarios must name the same outcomes and climb the same ladder (or their numbers do not pair)."""
    first = scenarios[0]
    outcomes = {rule.name for rule in first.outcomes}
    rungs = [rung.id for rung in first.ladder.rungs]
    for scenario, label in zip(scenarios[1:], labels[1:], strict=True):
        other = {rule.name for rule in scenario.outcomes}
        if other != outcomes:
            only = ", ".join(sorted(other ^ outcomes))
            raise RunError(f"{label} and {labels[0]} do not define the same outcomes (differ in: {only})")
        if [rung.id for rung in scenario.ladder.rungs] != rungs:
            raise RunError(f"{label} and {labels[0]} use different ladders, so their peak rungs do not pair")


def _per_world(results: Results, outcomes: Sequence[str], actors: Sequence[str]) -> dict[str, np.ndarray]:
    """Each world's outcome indicators (by name), peak rung and deaths, from a study's rows in memory."""
    rows = results.rows
    own = results.outcome_names
    code = np.asarray(rows["outcome"])
    values = {f"outcome:{name}": (code == own.index(name)).astype(np.int8) for name in outcomes}
    values[PEAK] = np.asarray(rows[PEAK], dtype=np.int64)
    killed = [np.asarray(rows[f"killed_{a.id}"], dtype=np.int64) for a in results.scenario.actors]
    values[DEATHS] = np.sum(killed, axis=0)
    values |= {f"deaths_{actor}": np.asarray(rows[f"killed_{actor}"], dtype=np.int64) for actor in actors}
    return values


def _table(key: str, value: str, names: Sequence[str], labels: Sequence[str], worlds: list[dict]) -> pd.DataFrame:
    """Tidy rows of ``names`` (columns of the per-world values) for every scenario, differences to the first."""
    records = []
    for name in names:
        column = f"outcome:{name}" if key == "outcome" else name
        first = worlds[0][column]
        for index, (label, values) in enumerate(zip(labels, worlds, strict=True)):
            own = values[column]
            record = {key: name, "scenario": label, value: float(own.mean())}
            if index == 0:
                record |= {"diff": np.nan, "ci_low": np.nan, "ci_high": np.nan, "unpaired_half_width": np.nan}
            else:
                estimate, low, high, unpaired = paired_difference(first, own)
                record |= {"diff": estimate, "ci_low": low, "ci_high": high, "unpaired_half_width": unpaired}
            records.append(record)
    columns = OUTCOME_COLUMNS if key == "outcome" else MEASURE_COLUMNS
    return pd.DataFrame(records, columns=columns)


def compare(
    scenarios: Sequence[Scenario | str | os.PathLike[str]],
    *,
    runs: int,
    seed: int = 0,
    labels: Sequence[str] | None = None,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> Comparison:
    """Run every scenario on the same ``runs`` worlds and difference each against the first.

    ``scenarios`` (at least two; files or :class:`~escalation.scenario.Scenario` objects) must
    define the same outcomes (by name) and climb the same ladder; horizons, actors, histories
    and branch points may differ. Every scenario is a study of ``runs`` replicates (1 to
    1,000,000: each world's results are kept in memory) with the same ``seed`` and
    ``block_size``, so world ``r`` takes the same block stream and, with a shared posterior, the
    same parameter draw under each scenario; the numbers do not depend on ``executor`` or
    ``workers``. ``labels`` name the scenarios in the tables (default: their names, a repeated
    name numbered). One executor serves every scenario.

    Differences are paired: for each outcome, the mean over worlds of the per-world indicator
    difference (a difference of probabilities), for the peak rung and deaths the mean per-world
    difference, each with a 95% Student-t interval from the spread of the per-world differences
    (:func:`paired_difference`). Deaths are those suffered as targets of simulated acts (the
    replayed history's are not counted), so scenarios that branch at different events replay,
    and therefore count, different parts of the record.

    Raises :class:`~escalation.errors.RunError` for fewer than two scenarios, bad run options
    or scenarios whose results do not pair, before any simulation starts;
    :class:`~escalation.errors.ScenarioError` for a file that does not load.
    """
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if len(loaded) < 2:
        raise RunError(f"give at least two scenarios, got {len(loaded)}")
    names = _labels(loaded, labels)
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)):
        raise TypeError(f"runs must be a whole number, got {type(runs).__name__} {runs!r}")
    if not 1 <= runs <= ROWS_IN_MEMORY:
        raise RunError(f"runs must be between 1 and {ROWS_IN_MEMORY:,} (each world is kept in memory), got {runs}")
    _check_comparable(loaded, names)
    outcomes = [rule.name for rule in loaded[0].outcomes]
    shared = [a.id for a in loaded[0].actors if all(a.id in {b.id for b in s.actors} for s in loaded[1:])]

    started = time.perf_counter()
    worlds = []
    with open_executor(executor, workers, scheduler) as pool:
        for scenario in loaded:
            # run_study leaves an executor it was handed open, for the next scenario
            results = run_study(scenario, runs=runs, seed=seed, executor=pool, block_size=block_size)
            worlds.append(_per_world(results, outcomes, shared))
            kind, n_workers = results.meta["executor"], results.meta["workers"]
    measures = [PEAK, DEATHS, *(f"deaths_{actor}" for actor in shared)]
    meta = {
        "runs": runs,
        "seed": seed,
        "block_size": block_size,
        "interval": {"method": INTERVAL_METHOD, "confidence": CONFIDENCE},
        "scenario_hashes": {name: s.hash for name, s in zip(names, loaded, strict=True)},
        "elapsed_s": time.perf_counter() - started,
        "executor": kind,
        "workers": n_workers,
        "versions": versions(),
    }
    return Comparison(
        scenarios=names,
        outcomes=_table("outcome", "p", outcomes, names, worlds),
        measures=_table("measure", "mean", measures, names, worlds),
        meta=meta,
    )
