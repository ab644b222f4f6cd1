"""Global sensitivity analysis: which parameters decide the outcome probabilities.

:func:`sensitivity` samples the free parameters of a scenario over ranges (SALib's
``ProblemSpec``: Saltelli's scheme for Sobol indices, trajectories for Morris screening), runs
every design point as ``replicates`` worlds of one study (per-world parameters, so a design
point is a handful of worlds, not a study), and analyses the share of worlds ending in each
outcome and the mean peak rung.

The simulator is random: two worlds with the same parameters can end differently. That noise
enters every index. It is measured, not hidden: the design carries a dummy input, ``(noise)``,
that the model never reads; its indices are the noise floor (for Sobol, its total index
estimates the share of the output's variance that is simulation noise). An index at or below
the floor says nothing. More ``replicates`` per design point lower the floor.

Ranges (``ranges``): ``"prior"``, the central 90% of each parameter's prior restricted to its
bounds; ``"posterior"``, the central 90% of the posterior draws for the parameters a fit
learned (the prior for the others); ``"bounds"``, the registry bounds where they are finite.
``overrides`` replace single ranges. Parameters outside the design keep the scenario's values.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from escalation.defaults import DEFAULT_BLOCK_SIZE
from escalation.errors import RunError
from escalation.io import strict_json
from escalation.model.compiled import CompiledScenario
from escalation.runner.blocks import run_block
from escalation.runner.executors import open_executor
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Scenario
from escalation.version import __version__

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METHODS = ("sobol", "morris")
RANGES = ("prior", "posterior", "bounds")
NOISE = "(noise)"  # the dummy input: never read by the model, its indices are the noise floor
PEAK = "peak_rung"  # the output beside the outcome probabilities: mean peak rung
CENTRAL = 0.90  # share of a prior or posterior a range covers
SOBOL_COLUMNS = ["parameter", "outcome", "S1", "S1_conf", "ST", "ST_conf", "low", "high"]
MORRIS_COLUMNS = ["parameter", "outcome", "mu_star", "mu_star_conf", "sigma", "low", "high"]
MORRIS_LEVELS = 4


@dataclass
class SensitivityResult:
    """Indices of every (parameter, output) pair, the noise floor and how they were computed.

    ``table``: a row per parameter and output (each outcome's probability, and ``peak_rung``),
    the dummy ``(noise)`` included, with the range ``low``-``high`` each parameter was sampled
    over. ``meta``: method, sample size, replicates, worlds, seed, scenario name and hash, library
    version, ranges source.
    """

    method: str
    table: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def index(self) -> str:
        """The column that ranks parameters: ``ST`` (Sobol) or ``mu_star`` (Morris)."""
        return "ST" if self.method == "sobol" else "mu_star"

    def noise_floor(self) -> pd.DataFrame:
        """Per output, the dummy input's indices: a parameter at or below them is not distinguished from noise."""
        rows = self.table[self.table["parameter"] == NOISE].set_index("outcome")
        return rows.drop(columns=["parameter", "low", "high"])

    def ranked(self, outcome: str) -> pd.DataFrame:
        """The rows of one output, most influential first, with a column ``above_noise``."""
        rows = self.table[(self.table["outcome"] == outcome) & (self.table["parameter"] != NOISE)]
        floor = self.noise_floor().loc[outcome]
        conf = f"{self.index}_conf"
        rows = rows.assign(above_noise=(rows[self.index] - rows[conf]) > floor[self.index] + floor[conf])
        return rows.sort_values(self.index, ascending=False, na_position="last").reset_index(drop=True)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: ``meta`` and ``indices``, a list of objects (``null`` where an index cannot be computed)."""
        return strict_json({"meta": self.meta, "indices": self.table.to_dict(orient="records")})

    def format_table(self, top: int = 10) -> str:
        """A readable summary: per output, the ``top`` parameters and the noise floor."""
        lines = [
            f"{self.meta['scenario']}: {self.method} indices of {self.meta['parameters']} parameters, "
            f"{self.meta['design_points']:,} design points x {self.meta['replicates']} replicates = "
            f"{self.meta['worlds']:,} worlds, seed {self.meta['seed']}, ranges from {self.meta['ranges']}",
        ]
        pair = ("S1", "ST") if self.method == "sobol" else ("mu_star", "sigma")
        for outcome in self.meta["outputs"]:
            floor = self.noise_floor().loc[outcome]
            lines += ["", f"{outcome}" + (" (probability)" if outcome != PEAK else " (mean peak rung)")]
            if self.method == "sobol":
                lines.append(f"  {'parameter':<38} {'S1':>16} {'ST':>16}")
            else:
                lines.append(f"  {'parameter':<38} {'mu*':>16} {'sigma':>8}")
            ranked = self.ranked(outcome)
            if ranked[self.index].isna().all():
                lines.append("  no variation in this output: indices cannot be computed")
                continue
            for row in ranked.head(top).itertuples():
                values = [getattr(row, pair[0]), getattr(row, f"{pair[0]}_conf")]
                if self.method == "sobol":
                    values += [row.ST, row.ST_conf]
                    text = f"{values[0]:7.3f} ±{values[1]:6.3f}  {values[2]:7.3f} ±{values[3]:6.3f}"
                else:
                    text = f"{values[0]:7.4f} ±{values[1]:6.4f}  {row.sigma:8.4f}"
                mark = "" if row.above_noise else "   (within noise)"
                lines.append(f"  {row.parameter:<38} {text}{mark}")
            conf = f"{self.index}_conf"
            lines.append(f"  {'noise floor ' + NOISE:<38} {self.index} {floor[self.index]:.3f} ±{floor[conf]:.3f}")
        return "\n".join(lines)

    def plot(self, outcome: str | None = None, top: int = 15) -> Figure:
        """Bar chart of the indices of one output (default: the first outcome), noise floor marked."""
        from escalation.plots.sensitivity import plot_indices

        return plot_indices(self, outcome or self.meta["outputs"][0], top)


def parameter_ranges(
    scenario: Scenario,
    names: Sequence[str] | None = None,
    source: str | None = None,
    overrides: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """The range each free parameter is sampled over: columns ``parameter``, ``low``, ``high``, ``source``.

    ``names``: full names or shell patterns (default: every free parameter, as ``escalation fit``
    frees them). ``source``: ``"prior"``, ``"posterior"`` (default when the scenario names a
    posterior) or ``"bounds"``. ``overrides`` maps full names to ``(low, high)``.
    """
    from escalation.calibration.space import free_parameters

    source = source or ("posterior" if scenario.parameters_from else "prior")
    if source not in RANGES:
        raise RunError(f"ranges must be one of {', '.join(RANGES)}, got {source!r}")
    patterns = list(names) if names is not None else None
    free = free_parameters([scenario], patterns, option="sensitivity: --params", within=f"scenario {scenario.name!r}")
    draws = None
    if source == "posterior":
        if not scenario.parameters_from:
            raise RunError(f"ranges from the posterior: scenario {scenario.name!r} names no parameters_from")
        from escalation.io import load_posterior

        draws = load_posterior(scenario.parameters_from)
    tail = (1 - CENTRAL) / 2
    rows = []
    for p in free:
        low, high = p.low, p.high
        used = "bounds"
        if source == "posterior" and p.name in draws.columns:
            low, high = (float(q) for q in np.quantile(draws[p.name], [tail, 1 - tail]))
            used = "posterior"
        elif source != "bounds" or not (math.isfinite(low) and math.isfinite(high)):
            low, high = (float(q) for q in p.frozen().ppf([tail, 1 - tail]))
            low, high = max(low, p.low), min(high, p.high)
            used = "prior"
        rows.append({"parameter": p.name, "low": low, "high": high, "source": used})
    table = pd.DataFrame(rows, columns=["parameter", "low", "high", "source"])
    for name, (low, high) in (overrides or {}).items():
        if name not in set(table["parameter"]):
            raise RunError(f"sensitivity: --range {name}: not a parameter of the design")
        spec = next(p for p in free if p.name == name)
        if not (spec.low <= low < high <= spec.high):
            raise RunError(
                f"sensitivity: --range {name}={low}:{high}: needs low < high within [{spec.low}, {spec.high}]"
            )
        table.loc[table["parameter"] == name, ["low", "high", "source"]] = [low, high, "given"]
    degenerate = table[~(table["high"] > table["low"])]
    if not degenerate.empty:
        name = degenerate["parameter"].iloc[0]
        raise RunError(f"sensitivity: the range of {name} is empty; give one with --range {name}=LOW:HIGH")
    return table


def sensitivity(
    scenario: Scenario | str | os.PathLike[str],
    *,
    method: str = "sobol",
    params: Sequence[str] | None = None,
    n: int = 1024,
    replicates: int = 4,
    seed: int = 0,
    ranges: str | None = None,
    overrides: Mapping[str, tuple[float, float]] | None = None,
    executor: str = "serial",
    workers: int | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    progress: bool = False,
    resamples: int = 1000,
) -> SensitivityResult:
    """Sobol (first and total order) or Morris indices of each outcome's probability and the mean peak rung.

    ``n``: Sobol base sample (a power of two; ``n * (D + 2)`` design points for ``D`` inputs,
    the noise dummy included) or Morris trajectories (``n * (D + 1)`` points). Every design
    point is simulated as ``replicates`` worlds; its outputs are their share of each outcome
    and their mean peak rung. Confidence intervals (``*_conf``, 95%) are SALib's bootstrap over
    ``resamples`` resamples. The same ``seed`` gives the same design, worlds and indices
    whatever ``executor`` and ``workers``.
    """
    from SALib import ProblemSpec

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if method not in METHODS:
        raise RunError(f"sensitivity: method must be one of {', '.join(METHODS)}, got {method!r}")
    if replicates < 1:
        raise RunError(f"sensitivity: replicates must be at least 1, got {replicates}")
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise RunError(f"sensitivity: Sobol needs a power of two for n (such as 512 or 1024), got {n}")
    if method == "morris" and n < 2:
        raise RunError(f"sensitivity: Morris needs at least 2 trajectories, got {n}")
    table = parameter_ranges(scenario, params, ranges, overrides)
    names = [*table["parameter"], NOISE]
    bounds = [[lo, hi] for lo, hi in zip(table["low"], table["high"], strict=True)] + [[0.0, 1.0]]
    spec = ProblemSpec({"names": names, "bounds": bounds})
    if method == "sobol":
        spec.sample_sobol(n, calc_second_order=False, seed=seed)
    else:
        spec.sample_morris(n, num_levels=MORRIS_LEVELS, seed=seed)
    design = np.asarray(spec.samples, dtype=float)
    worlds = design.shape[0] * replicates
    started = time.perf_counter()
    codes, peaks = _simulate(
        scenario, design[:, :-1], names[:-1], replicates, seed, executor, workers, block_size, progress
    )
    outcomes = [rule.name for rule in scenario.outcomes]
    outputs = [(codes == k).mean(axis=1) for k in range(len(outcomes))]
    outputs.append(peaks.mean(axis=1))
    labels = [*outcomes, PEAK]
    frames = [
        _analyse(method, names, bounds, design, y, label, seed, resamples)
        for y, label in zip(outputs, labels, strict=True)
    ]
    out = pd.concat(frames, ignore_index=True)
    limits = dict(zip(table["parameter"], zip(table["low"], table["high"], strict=True), strict=True))
    out["low"] = [limits.get(p, (0.0, 1.0))[0] for p in out["parameter"]]
    out["high"] = [limits.get(p, (0.0, 1.0))[1] for p in out["parameter"]]
    out = out[SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS]
    meta = {
        "method": method,
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        "escalation": __version__,
        "seed": seed,
        "n": n,
        "replicates": replicates,
        "design_points": int(design.shape[0]),
        "worlds": worlds,
        "parameters": len(table),
        "outputs": labels,
        "ranges": ranges or ("posterior" if scenario.parameters_from else "prior"),
        "range_table": table.to_dict(orient="records"),
        "confidence": 0.95,
        "resamples": resamples,
        "elapsed_s": time.perf_counter() - started,
        "block_size": block_size,
    }
    return SensitivityResult(method, out, meta)


def _block_outputs(
    compiled: CompiledScenario, seed: int, block_size: int, task: tuple[int, int, dict[str, np.ndarray]]
) -> tuple[int, np.ndarray, np.ndarray]:
    """Simulate one block of design worlds; keep only each world's outcome code and peak rung."""
    index, size, parameters = task
    rows = run_block(compiled, seed, block_size, index, size, parameters).rows
    return index, rows["outcome"].astype(np.int16), rows["peak_rung"].astype(np.int16)


def _simulate(
    scenario: Scenario, design: np.ndarray, names: list[str], replicates: int, seed: int, executor: str,
    workers: int | None, block_size: int, progress: bool,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Outcome codes and peak rungs, shape ``(design points, replicates)``: world ``r`` is point ``r // replicates``.

    Blocks are seeded as in a study (``SeedSequence(seed, spawn_key=(k,))``), so the numbers do
    not depend on the executor or the number of workers; only two small integers per world are kept.
    """
    compiled = CompiledScenario.from_scenario(scenario)
    worlds = design.shape[0] * replicates
    n_blocks = math.ceil(worlds / block_size)

    def tasks():
        for k in range(n_blocks):
            rows = np.arange(k * block_size, min(worlds, (k + 1) * block_size)) // replicates
            yield k, rows.size, {name: design[rows, j] for j, name in enumerate(names)}

    codes = np.empty(worlds, np.int16)
    peaks = np.empty(worlds, np.int16)
    bar = tqdm(total=worlds, unit="world", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    try:
        with open_executor(executor, workers) as pool:
            task = functools.partial(_block_outputs, compiled, seed, block_size)
            for _, (k, block_codes, block_peaks) in pool.run(task, tasks()):
                codes[k * block_size : k * block_size + block_codes.size] = block_codes
                peaks[k * block_size : k * block_size + block_peaks.size] = block_peaks
                bar.update(block_codes.size)
    finally:
        bar.close()
    return codes.reshape(-1, replicates), peaks.reshape(-1, replicates).astype(float)


def _analyse(
    method: str, names: list[str], bounds: list[list[float]], design: np.ndarray, y: np.ndarray, label: str,
    seed: int, resamples: int,
) -> pd.DataFrame:  # fmt: skip
    """The indices of one output, as rows; NaN where the output never varies."""
    from SALib.analyze import morris, sobol

    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    frame = pd.DataFrame({"parameter": names, "outcome": label})
    keys = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf", "sigma")
    if np.ptp(y) == 0:
        for key in keys:
            frame[key] = np.nan
        return frame
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)  # SALib's "constant values" for a rare outcome
        if method == "sobol":
            found = sobol.analyze(problem, y, calc_second_order=False, num_resamples=resamples, seed=seed)
        else:
            found = morris.analyze(problem, design, y, num_resamples=resamples, num_levels=MORRIS_LEVELS, seed=seed)
    for key in keys:
        frame[key] = np.asarray(found[key], dtype=float)
    return frame
