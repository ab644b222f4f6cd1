"""Run a backtest: each scenario's forecast of its outcome against what really happened.

Every scenario must say what happened (``observed:``, docs/scenarios.md §5.10). Each is run as
a study of ``runs`` worlds with the same seed (:func:`escalation.run_study`, its own posterior
unless told otherwise), and its outcome probabilities are scored on the observed class
(:mod:`escalation.backtesting.scores`) beside three reference forecasts:

* ``uniform``: every outcome class equally likely;
* ``climatology``: leave-one-out frequencies of the observed classes of the *other* scenarios
  given, add-0.5 smoothed;
* ``no_history``: the same scenario with ``start_after`` removed: no event is replayed, so
  the actors start the same horizon from the model's initial state (no grievance, no red line
  declared by history, no off-ramp expectation, the crisis at the status quo), with the same
  parameters and outcome rules. It shows what the replayed history adds.

The observed answers are checked against the worlds' paths (:mod:`escalation.backtesting.paths`).
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from escalation.backtesting import scores
from escalation.backtesting.held_out import held_out_values
from escalation.backtesting.paths import PATH_COLUMNS, check_answers
from escalation.defaults import DEFAULT_BLOCK_SIZE
from escalation.errors import RunError
from escalation.io import strict_json
from escalation.runner.executors import Executor, open_executor
from escalation.runner.study import run_study, versions
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from escalation.results import Results

DEFAULT_RUNS = 10_000
REFERENCES = ("uniform", "climatology", "no_history")


@dataclass
class Backtest:
    """Scores of each scenario's forecast of its observed outcome (what :func:`backtest` returns).

    ``table`` has a row per scenario: ``file``, ``scenario``, ``scenario_hash``, ``observed``
    (the class), ``p_observed`` (the share of worlds that ended in it) with its Monte Carlo
    standard error ``p_observed_se`` and 95% Wilson interval ``p_observed_low``/``_high`` (and,
    with a posterior, ``p_observed_low_total``/``_high_total``, which include parameter
    uncertainty), ``parameters`` (where the worlds took theirs), ``brier`` and ``log_score`` of
    the model, and ``brier_REF``, ``log_score_REF`` and ``p_observed_REF`` for each reference of
    :data:`REFERENCES`. ``forecasts`` is tidy: a row per scenario and outcome class with
    ``observed`` (1 or 0) and the probability each forecast gave it (``model`` and the
    references). ``paths`` has a row per observed answer
    (:data:`~escalation.backtesting.paths.PATH_COLUMNS`, with ``file``). ``meta``: runs, seed,
    block size, the climatology's smoothing, ``leave_one_out``, executor, versions.
    """

    table: pd.DataFrame
    forecasts: pd.DataFrame
    paths: pd.DataFrame
    meta: dict[str, Any]

    def means(self) -> dict[str, float]:
        """Mean Brier and log score over the scenarios, for the model and each reference."""
        columns = ["brier", "log_score", *(f"{s}_{r}" for s in ("brier", "log_score") for r in REFERENCES)]
        return {c: float(self.table[c].mean()) for c in columns}

    def to_json(self) -> list[dict[str, Any]]:
        """One object per scenario: ``file``, ``observed``, ``p_observed``, ``brier``, ``log_score``,
        ``brier_uniform``, ``brier_climatology``, ``brier_no_history`` and more (JSON-ready)."""
        out = []
        for row in self.table.to_dict(orient="records"):
            forecasts = self.forecasts[self.forecasts["file"] == row["file"]]
            paths = self.paths[self.paths["file"] == row["file"]].drop(columns="file")
            record = {
                "file": row["file"],
                "observed": row["observed"],
                "p_observed": row["p_observed"],
                "brier": row["brier"],
                "log_score": row["log_score"],
                **{f"brier_{r}": row[f"brier_{r}"] for r in REFERENCES},
                **{f"log_score_{r}": row[f"log_score_{r}"] for r in REFERENCES},
                **{f"p_observed_{r}": row[f"p_observed_{r}"] for r in REFERENCES},
                "p_observed_se": row["p_observed_se"],
                "p_observed_ci": [row["p_observed_low"], row["p_observed_high"]],
                **(
                    {"p_observed_ci_with_parameters": [row["p_observed_low_total"], row["p_observed_high_total"]]}
                    if "p_observed_low_total" in row and not pd.isna(row["p_observed_low_total"])
                    else {}
                ),
                "probabilities": {
                    name: dict(zip(forecasts["outcome"], forecasts[name].astype(float), strict=True))
                    for name in ("model", *REFERENCES)
                },
                "paths": [_whole_days(path) for path in paths.to_dict(orient="records")],
                "scenario": row["scenario"],
                "scenario_hash": row["scenario_hash"],
                "start_after": row["start_after"],
                "horizon_days": int(row["horizon_days"]),
                "parameter_draws": int(row["parameter_draws"]),
                "parameters": row["parameters"],
                "runs": self.meta["runs"],
                "seed": self.meta["seed"],
                "block_size": self.meta["block_size"],
                "climatology_smoothing": self.meta["climatology_smoothing"],
                "escalation": self.meta["versions"]["escalation"],
            }
            out.append(strict_json(record))
        return out

    def format_table(self) -> str:
        """A readable summary (the output of ``escalation backtest``)."""
        from escalation.backtesting.report import format_backtest

        return format_backtest(self)

    def plot(self) -> Figure:
        """Reliability figure (binned forecast probability against observed frequency) beside each
        scenario's probability of its observed outcome and the references'."""
        from escalation.plots.reliability import plot_backtest

        return plot_backtest(self)


def _whole_days(path: dict[str, Any]) -> dict[str, Any]:
    """A path row with its day counts as whole numbers (``None`` where there is none)."""
    days = ("delay_days", "simulated_median_delay")
    return path | {key: None if pd.isna(path[key]) else int(path[key]) for key in days}


def _label(source: Scenario | str | os.PathLike[str], scenario: Scenario) -> str:
    return scenario.name if isinstance(source, Scenario) else str(source)


def _parameters_used(results: Results, source: dict[str, Any]) -> str:
    """Where the worlds took their parameters: a posterior, a held-out MAP or the scenario's values."""
    if "parameters" in source:
        return "held-out MAP" if source["parameters"] else "scenario values (no record reads a fitted parameter)"
    draws = results.parameter_draws
    return f"posterior, {draws:,} draws" if draws else "scenario values"


def _probabilities(results: Results) -> np.ndarray:
    return results.summary.outcome / results.runs


def _row(file: str, scenario: Scenario, results: Results, forecasts: dict[str, np.ndarray]) -> dict[str, Any]:
    """The table row of one scenario: the model's and every reference's scores of the observed class."""
    names = results.outcome_names
    observed = names.index(scenario.observed.outcome)
    table = results.outcome_table().iloc[observed]
    p = float(table["p"])
    row: dict[str, Any] = {
        "file": file,
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        "observed": scenario.observed.outcome,
        "p_observed": p,
        "p_observed_se": math.sqrt(p * (1 - p) / results.runs),
        "p_observed_low": float(table["ci_low"]),
        "p_observed_high": float(table["ci_high"]),
        "p_observed_low_total": float(table.get("ci_low_total", np.nan)),
        "p_observed_high_total": float(table.get("ci_high_total", np.nan)),
        "start_after": scenario.start_after,
        "horizon_days": scenario.horizon_days,
        "parameter_draws": results.parameter_draws,
    }
    for name, probabilities in forecasts.items():
        suffix = "" if name == "model" else f"_{name}"
        row[f"brier{suffix}"] = scores.brier(probabilities, observed)
        row[f"log_score{suffix}"] = scores.log_score(float(probabilities[observed]))
        if suffix:
            row[f"p_observed{suffix}"] = float(probabilities[observed])
    return row


def backtest(
    scenarios: Sequence[Scenario | str | os.PathLike[str]],
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    posterior: Any = None,
    leave_one_out: bool | Sequence[str] = False,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> Backtest:
    """Score every scenario's outcome forecast on what really happened (its ``observed:``).

    ``scenarios`` are files or :class:`~escalation.scenario.Scenario` objects, each with an
    ``observed`` section; a file is named by its path as given, an object by its name. Each is
    a study of ``runs`` replicates with ``seed`` and ``block_size`` (and so is its no-history
    reference), run on one executor; ``posterior`` as for :func:`escalation.run_study` (``None``:
    each scenario's own ``parameters_from``; ``False``: the scenarios' own values). With
    ``leave_one_out`` (``True``, or parameter names and patterns such as ``iran.*``), every
    world of a scenario instead takes the MAP fitted to the *other* scenarios' records
    (:mod:`~escalation.backtesting.held_out`): an out-of-sample forecast, without parameter
    uncertainty. The climatology of a scenario is built from the others' observed classes, so
    it needs at least two scenarios to differ from uniform.

    Raises :class:`~escalation.errors.RunError` for a scenario without ``observed`` or bad run
    options, before any simulation; :class:`~escalation.errors.ScenarioError` for a file that
    does not load.
    """
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)):
        raise TypeError(f"runs must be a whole number, got {type(runs).__name__} {runs!r}")
    if runs < 1:
        raise RunError(f"runs must be at least 1, got {runs}")
    if not scenarios:
        raise RunError("give at least one scenario")
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    files = [_label(source, scenario) for source, scenario in zip(scenarios, loaded, strict=True)]
    for file, scenario in zip(files, loaded, strict=True):
        if scenario.observed is None:
            raise RunError(f"{file}: the scenario has no 'observed:' section (the real outcome to score against)")
    if leave_one_out is not False and posterior is not None:
        raise RunError("give a posterior or leave_one_out, not both")
    classes = [[rule.name for rule in s.outcomes] for s in loaded]
    climatology = scores.climatology([s.observed.outcome for s in loaded], classes)

    started = time.perf_counter()
    if leave_one_out is False:
        sources: list[dict[str, Any]] = [{"posterior": posterior}] * len(loaded)
    else:
        patterns = None if leave_one_out is True else list(leave_one_out)
        sources = [{"parameters": values or None} for values in held_out_values(loaded, patterns)]
    rows, forecast_rows, path_rows = [], [], []
    with open_executor(executor, workers, scheduler) as pool:
        for file, scenario, names, clim, source in zip(files, loaded, classes, climatology, sources, strict=True):
            options = {"runs": runs, "seed": seed, "block_size": block_size, "executor": pool, **source}
            results = run_study(scenario, **options)
            bare = dataclasses.replace(scenario, start_after=None)
            no_history = results if scenario.start_after is None else run_study(bare, **options)
            forecasts = {
                "model": _probabilities(results),
                "uniform": scores.uniform(len(names)),
                "climatology": clim,
                "no_history": _probabilities(no_history),
            }
            rows.append(_row(file, scenario, results, forecasts) | {"parameters": _parameters_used(results, source)})
            observed = scenario.observed.outcome
            for k, name in enumerate(names):
                given = {forecast: float(p[k]) for forecast, p in forecasts.items()}
                forecast_rows.append({"file": file, "outcome": name, "observed": int(name == observed), **given})
            path_rows += [{"file": file, **row} for row in check_answers(results)]
            kind, n_workers = results.meta["executor"], results.meta["workers"]
    meta = {
        "runs": runs,
        "seed": seed,
        "block_size": block_size,
        "climatology_smoothing": scores.CLIMATOLOGY_SMOOTHING,
        "leave_one_out": leave_one_out if isinstance(leave_one_out, bool) else list(leave_one_out),
        "elapsed_s": time.perf_counter() - started,
        "executor": kind,
        "workers": n_workers,
        "versions": versions(),
    }
    return Backtest(
        table=pd.DataFrame(rows),
        forecasts=pd.DataFrame(forecast_rows),
        paths=pd.DataFrame(path_rows, columns=["file", *PATH_COLUMNS]),
        meta=meta,
    )
