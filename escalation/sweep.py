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

import numpy as np
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
GRID_COLUMNS = ["x", "y", "outcome", "count", "p", "ci_low", "ci_high", "runs"]
SMALL = 0.05  # outcomes that never reach this probability get a second, logarithmic panel


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


def field_of(scenario: Scenario, name: str) -> str:
    """The dotted field path of ``name``: a path as is, or a full parameter name (``iran.rationality``)."""
    from escalation.parameters import parameter_names, split_name

    if not all(name.split(".")) or name.split(".")[0] in scenario.to_dict():  # a path (or malformed)
        return name
    try:
        owner, owner_id, field = split_name(scenario, name)
    except KeyError:
        hint = did_you_mean(name, parameter_names(scenario))
        raise RunError(
            f"sweep: {name!r} is neither a parameter of scenario {scenario.name!r} nor a field path "
            f"(such as parameters.telegraph_factor){hint}"
        ) from None
    return {"global": f"parameters.{field}", "actor": f"actors.{owner_id}.{field}"}.get(
        owner, f"actions.{owner_id}.{field}"
    )


def current_value(scenario: Scenario, field: str) -> float:
    """The scenario's own value of a swept field (dotted path or full parameter name)."""
    return float(_current(scenario.to_dict(), field_of(scenario, field), scenario.name))


def variant(scenario: Scenario, field: str, value: float) -> Scenario:
    """``scenario`` with the dotted ``field`` (scenario-file layout) set to ``value``, re-validated.

    Raises :class:`~escalation.errors.RunError` when the field does not exist or is not a
    number, and :class:`~escalation.errors.ScenarioError` when the value is out of range.
    """
    field = field_of(scenario, field)
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
    field = field_of(scenario, field)
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
    out.attrs.update(
        {
            "field": field,
            "scenario": scenario.name,
            "seed": seed,
            "block_size": block_size,
            "current": current_value(scenario, field),
        }
    )
    return out


def sweep_grid(
    scenario: Scenario | str | os.PathLike[str],
    x: tuple[str, Sequence[float]],
    y: tuple[str, Sequence[float]],
    *,
    runs: int,
    seed: int = 0,
    executor: str | Executor = "serial",
    workers: int | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """A two-field sweep: one study per pair of values, all with the same ``seed`` (common random numbers).

    ``x`` and ``y`` are ``(field, values)``: dotted paths or full parameter names. Returns a tidy
    table with columns ``x``, ``y``, ``outcome``, ``count``, ``p``, ``ci_low``, ``ci_high``, ``runs``;
    ``table.attrs`` records both fields, their scenario values (``current_x``, ``current_y``),
    the scenario and the seed. Every variant is checked before any simulation starts.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    (fx, vx), (fy, vy) = (field_of(scenario, x[0]), list(x[1])), (field_of(scenario, y[0]), list(y[1]))
    if fx == fy:
        raise RunError(f"sweep: the two fields are the same ({fx})")
    if not vx or not vy:
        raise RunError("sweep: give at least one value for each field")
    if runs < 1:
        raise RunError(f"runs must be at least 1, got {runs}")
    cells = []
    for a in vx:
        first = variant(scenario, fx, a)
        cells += [(_plain(a, None, fx), _plain(b, None, fy), variant(first, fy, b)) for b in vy]
    held = (*_parameter_of(fx), *_parameter_of(fy))
    frames = []
    with open_executor(executor, workers, scheduler) as pool:
        for a, b, scenario_ab in cells:
            results = run_study(scenario_ab, runs=runs, seed=seed, executor=pool, block_size=block_size, hold=held)
            table = results.outcome_table()
            table.insert(0, "y", b)
            table.insert(0, "x", a)
            table["runs"] = results.runs
            frames.append(table)
    out = pd.concat(frames, ignore_index=True)[GRID_COLUMNS]
    out[["x", "y"]] = out[["x", "y"]].astype(float)
    out.attrs.update(
        {
            "x": fx,
            "y": fy,
            "current_x": current_value(scenario, fx),
            "current_y": current_value(scenario, fy),
            "scenario": scenario.name,
            "seed": seed,
            "block_size": block_size,
        }
    )
    return out


def plot_sweep(table: pd.DataFrame, outcomes: Sequence[str] | None = None, ax: Axes | None = None) -> Figure:
    """Probability of each outcome against the swept value, with 95% interval bands.

    ``table`` is what :func:`sweep` returns; ``outcomes`` picks and orders the outcomes drawn
    (default: all, in scenario order). Colours are the same as in every other outcome figure.
    The scenario's own value is marked. When some outcome never reaches 5% and ``ax`` is not
    given, a second panel shows every outcome on a logarithmic scale, so rare outcomes do not
    flatten to zero. Returns the matplotlib Figure (drawn on ``ax`` when given).
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
    drawn = table[table["outcome"].isin(chosen)]
    small = bool((drawn.groupby("outcome")["p"].max() < SMALL).any())

    if ax is None:
        fig = Figure(figsize=(7.0, 6.4 if small else 4.4), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2)) if small else [fig.add_subplot()]
    else:
        fig, axes = ax.figure, [ax]
    colours = outcome_colours(every)
    field = table.attrs.get("field", "value")
    current = table.attrs.get("current")
    runs = int(drawn["runs"].min())
    for panel, logarithmic in zip(axes, (False, True), strict=False):
        for name in chosen:
            rows = table[table["outcome"] == name].sort_values("value")
            colour = colours[name]
            low = rows["ci_low"].clip(lower=0.5 / runs) if logarithmic else rows["ci_low"]
            panel.fill_between(rows["value"], low, rows["ci_high"], color=colour, alpha=0.22, linewidth=0)
            p = rows["p"].where(rows["p"] > 0) if logarithmic else rows["p"]
            panel.plot(rows["value"], p, marker="o", markersize=4, color=colour, label=name.replace("_", " "))
        if current is not None:
            panel.axvline(current, color="#404040", linestyle=":", linewidth=1.0)
        if logarithmic:
            panel.set_yscale("log")
            panel.set_ylim(0.5 / runs, 1.0)
            panel.set_ylabel("probability (log scale)", fontsize=9)
        else:
            top = float(drawn["ci_high"].max())
            panel.set_ylim(0, min(1.0, top * 1.1 + 0.02))
            panel.set_ylabel("probability", fontsize=9)
        panel.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        panel.grid(alpha=0.3, linewidth=0.5)
        panel.spines[["top", "right"]].set_visible(False)
        panel.tick_params(labelsize=8)
    if current is not None:
        axes[0].annotate(
            f"scenario: {current:g}", (current, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10),
            textcoords="offset points", fontsize=8, color="#404040",
        )  # fmt: skip
    axes[-1].set_xlabel(field, fontsize=9)
    counts = ", ".join(f"{int(n):,}" for n in dict.fromkeys(table["runs"]))
    scenario, seed = table.attrs.get("scenario"), table.attrs.get("seed")
    detail = (f"{scenario}: " if scenario else "") + f"{counts} replicates per value"
    if seed is not None:
        detail += f", same seed ({seed}) for every value"
    title = f"Outcome probability against {field}\n{detail}\nbands: 95% Wilson intervals"
    if ax is None:
        fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    else:
        ax.set_title(title, fontsize=9, loc="left")
    axes[0].legend(fontsize=8, frameon=False)
    return fig


def plot_sweep_grid(table: pd.DataFrame, outcome: str) -> Figure:
    """Heat map of P(``outcome``) over the two swept fields of :func:`sweep_grid`, each cell labelled.

    The cell labels give the probability and its 95% interval; the scenario's own pair of
    values is marked with a star when it lies within the grid.
    """
    from matplotlib.figure import Figure

    missing = [c for c in GRID_COLUMNS if c not in table.columns]
    if missing:
        raise RunError(
            f"plot_sweep_grid: the table lacks column(s) {', '.join(missing)} (pass what sweep_grid() returns)"
        )
    if outcome not in set(table["outcome"]):
        raise RunError(
            f"plot_sweep_grid: no outcome {outcome!r} in the table "
            f"(it has {', '.join(dict.fromkeys(table['outcome']))})"
        )
    rows = table[table["outcome"] == outcome]
    xs, ys = sorted(set(rows["x"])), sorted(set(rows["y"]))
    grid = rows.pivot_table(index="y", columns="x", values="p").reindex(index=ys, columns=xs)
    low = rows.pivot_table(index="y", columns="x", values="ci_low").reindex(index=ys, columns=xs)
    high = rows.pivot_table(index="y", columns="x", values="ci_high").reindex(index=ys, columns=xs)
    fig = Figure(figsize=(1.6 + 1.05 * len(xs), 1.9 + 0.62 * len(ys)), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(), origin="lower", cmap="viridis", vmin=0, vmax=max(float(grid.max().max()), 1e-9),
                      aspect="auto")  # fmt: skip
    for i in range(len(ys)):
        for j in range(len(xs)):
            value = grid.iat[i, j]
            bright = value > 0.6 * float(grid.max().max())
            ax.text(j, i, f"{value:.1%}\n[{low.iat[i, j]:.1%}, {high.iat[i, j]:.1%}]", ha="center", va="center",
                    fontsize=7, color="black" if bright else "white")  # fmt: skip
    ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs], fontsize=8)
    ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys], fontsize=8)
    fx, fy = table.attrs.get("x", "x"), table.attrs.get("y", "y")
    ax.set_xlabel(fx, fontsize=9)
    ax.set_ylabel(fy, fontsize=9)
    cx, cy = table.attrs.get("current_x"), table.attrs.get("current_y")
    if cx is not None and cy is not None and xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]:
        ax.plot(np.interp(cx, xs, range(len(xs))), np.interp(cy, ys, range(len(ys))), marker="*", markersize=14,
                color="#d95f02", markeredgecolor="white", linestyle="none", label="the scenario's values")  # fmt: skip
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.14))
    fig.colorbar(image, ax=ax, label=f"P({outcome.replace('_', ' ')})", shrink=0.9)
    runs = ", ".join(f"{int(n):,}" for n in dict.fromkeys(table["runs"]))
    fig.suptitle(
        f"P({outcome.replace('_', ' ')}) over {fx} and {fy}\n{table.attrs.get('scenario', '')}: {runs} replicates per "
        f"cell, same seed ({table.attrs.get('seed')}) for every cell; [95% Wilson interval]",
        fontsize=9, x=0.01, ha="left", wrap=True,
    )  # fmt: skip
    return fig
