"""Parameter sweeps: how outcome probabilities move as one scenario field changes.

:func:`sweep` runs one Monte Carlo study per value of a field, all with the same seed
(common random numbers: every value is simulated on the same random streams, so differences
between values are not blurred by independent sampling noise), and returns a tidy table.
:func:`plot_sweep` draws it: probability against the value, with 95% interval bands.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from escalation.errors import RunError, ScenarioError
from escalation.runner.executors import Executor, open_executor
from escalation.runner.study import DEFAULT_BLOCK_SIZE, run_study
from escalation.scenario.fields import did_you_mean
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLUMNS = ["value", "outcome", "count", "p", "ci_low", "ci_high", "runs"]


def _current(data: dict[str, Any], field: str, name: str) -> Any:
    """The value at the dotted ``field`` of the scenario data, or a one-line :class:`RunError`."""
    parts = field.split(".")
    if not field or any(not p for p in parts):
        raise RunError(f"sweep: {field!r} is not a dotted field path such as 'parameters.telegraph_factor'")
    node: Any = data
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the top level"
        if not isinstance(node, dict):
            raise RunError(f"sweep: {field!r}: {where} is a single value, it has no field {part!r}")
        if part not in node:
            hint = did_you_mean(part, [str(k) for k in node])
            raise RunError(f"sweep: {field!r}: scenario {name!r} has no {part!r} in {where}{hint}")
        node = node[part]
    if isinstance(node, dict | list):
        raise RunError(f"sweep: {field!r} is a section of the scenario, not a number")
    if isinstance(node, bool | str):
        raise RunError(f"sweep: {field!r} is not a numeric field (it holds {node!r})")
    return node


def _plain(value: Any, current: Any, field: str) -> int | float:
    """A Python number for the scenario data; whole numbers stay whole for integer fields."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RunError(f"sweep: {field!r}: values must be numbers, got {value!r}") from None
    if not math.isfinite(number):
        raise RunError(f"sweep: {field!r}: values must be finite, got {value!r}")
    if isinstance(current, int) and number.is_integer():
        return int(number)
    return number


def _nested(field: str, value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(field.split(".")):
        out = {part: out}
    return out


def _parameter_of(field: str) -> tuple[str, ...]:
    """The full parameter name a swept field sets (held at the swept value in every world), if any."""
    parts = field.split(".")
    if parts[0] == "parameters" and len(parts) == 2:
        return (parts[1],)
    if parts[0] in ("actors", "actions") and len(parts) == 3:
        return (f"{parts[1]}.{parts[2]}",)
    return ()


def variant(scenario: Scenario, field: str, value: float) -> Scenario:
    """``scenario`` with the dotted ``field`` (scenario-file layout) set to ``value``, re-validated.

    Raises :class:`~escalation.errors.RunError` when the field does not exist or is not a
    number, and :class:`~escalation.errors.ScenarioError` when the value is out of range.
    """
    current = _current(scenario.to_dict(), field, scenario.name)
    number = _plain(value, current, field)
    try:
        return scenario.with_overrides(_nested(field, number))
    except ScenarioError as exc:
        raise ScenarioError(exc.message, file=f"{scenario.name} with {field}={number}", path=exc.path) from None


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    field: str,
    values: Sequence[float],
    *,
    runs: int,
    seed: int = 0,
    executor: str | Executor = "serial",
    workers: int | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run one study per value of ``field`` and tabulate the outcome probabilities.

    ``field`` is a dotted path in the scenario-file layout, for example
    ``"actors.kataib_hezbollah.control"``, ``"parameters.telegraph_factor"`` or
    ``"timeline.A16.killed"``. Every value is a re-validated variant
    (:meth:`Scenario.with_overrides`) run for ``runs`` replicates with the same ``seed``:
    common random numbers, so the curve is smooth and differences between values are not
    inflated by independent sampling noise. One executor serves every value. When the
    scenario draws its parameters from a posterior (``parameters_from``), the swept parameter
    takes the swept value in every world and the others keep their draws.

    Returns a tidy table with one row per value and outcome: ``value``, ``outcome``,
    ``count``, ``p``, ``ci_low``, ``ci_high`` (95% Wilson interval) and ``runs``;
    ``table.attrs`` records the ``field``, ``scenario``, ``seed`` and ``block_size``.

    Raises :class:`~escalation.errors.RunError` for a field that does not exist or is not a
    number and for bad run options, :class:`~escalation.errors.ScenarioError` for a value the
    scenario rejects (for example a ``control`` above 1). Every variant is checked before
    any simulation starts.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    values = list(values)
    if not values:
        raise RunError("sweep: give at least one value")
    if runs < 1:
        raise RunError(f"runs must be at least 1, got {runs}")
    variants = [(_plain(v, None, field), variant(scenario, field, v)) for v in values]
    held = _parameter_of(field)

    frames = []
    with open_executor(executor, workers, scheduler) as pool:
        for value, scenario_v in variants:
            # run_study leaves an executor it was handed open, for the next value
            results = run_study(
                scenario_v, runs=runs, seed=seed, executor=pool, block_size=block_size, hold=held
            )  # a posterior of the scenario (parameters_from) gives every other parameter its draws
            table = results.outcome_table()
            table.insert(0, "value", value)
            table["runs"] = results.runs
            frames.append(table)
    out = pd.concat(frames, ignore_index=True)[COLUMNS]
    out["value"] = out["value"].astype(float)
    out.attrs.update({"field": field, "scenario": scenario.name, "seed": seed, "block_size": block_size})
    return out


def plot_sweep(table: pd.DataFrame, outcomes: Sequence[str] | None = None, ax: Axes | None = None) -> Figure:
    """Probability of each outcome against the swept value, with 95% interval bands.

    ``table`` is what :func:`sweep` returns; ``outcomes`` picks and orders the outcomes drawn
    (default: all, in scenario order). Colours are the same as in every other outcome figure.
    Returns the matplotlib Figure (drawn on ``ax`` when given).
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    from escalation.plots import outcome_colours

    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise RunError(f"plot_sweep: the table lacks column(s) {', '.join(missing)} (pass what sweep() returns)")
    every = list(dict.fromkeys(table["outcome"]))
    chosen = list(outcomes) if outcomes is not None else every
    unknown = [o for o in chosen if o not in every]
    if unknown:
        raise RunError(f"plot_sweep: no outcome {unknown[0]!r} in the table (it has {', '.join(every)})")

    if ax is None:
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    colours = outcome_colours(every)
    for name in chosen:
        rows = table[table["outcome"] == name].sort_values("value")
        colour = colours[name]
        ax.fill_between(rows["value"], rows["ci_low"], rows["ci_high"], color=colour, alpha=0.22, linewidth=0)
        ax.plot(rows["value"], rows["p"], marker="o", markersize=4, color=colour, label=name.replace("_", " "))
    field = table.attrs.get("field", "value")
    ax.set_xlabel(field, fontsize=9)
    ax.set_ylabel("probability", fontsize=9)
    ax.set_ylim(0, min(1.0, float(table.loc[table["outcome"].isin(chosen), "ci_high"].max()) * 1.1 + 0.02))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    runs = ", ".join(f"{int(n):,}" for n in dict.fromkeys(table["runs"]))
    scenario = table.attrs.get("scenario")
    seed = table.attrs.get("seed")
    detail = f"{scenario}: " if scenario else ""
    detail += f"{runs} replicates per value"
    if seed is not None:
        detail += f", same seed ({seed}) for every value"
    ax.set_title(
        f"Outcome probability against {field} (bands: 95% Wilson intervals)\n{detail}", fontsize=10, loc="left"
    )
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3, linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
