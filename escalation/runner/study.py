"""Run a Monte Carlo study: a fixed number of replicates, or until the intervals are narrow enough."""

from __future__ import annotations

import functools
import importlib.metadata
import math
import os
import platform
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from escalation.defaults import DEFAULT_BLOCK_SIZE, DEFAULT_MAX_RUNS, ROWS_IN_MEMORY
from escalation.errors import RunError
from escalation.model.compiled import CompiledScenario, parameter_tables
from escalation.results import Results
from escalation.runner.blocks import BlockResult
from escalation.runner.executors import DASK_TIMEOUT, Executor, open_executor
from escalation.runner.sources import PriorParameters, WorldParameters, block_task
from escalation.runner.store import BlockStore
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Scenario
from escalation.stats import half_width
from escalation.summary import BlockSummary
from escalation.version import __version__

_DEPENDENCIES = ("numpy", "scipy", "mesa", "pandas", "pyarrow")


def versions() -> dict[str, str]:
    """Versions of the library, Python and the dependencies that shape the numbers."""
    found = {"escalation": __version__, "python": platform.python_version()}
    for name in _DEPENDENCIES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def prior_parameters(
    scenario: Scenario, patterns: Sequence[str] | None, seed: int, block_size: int, hold: Sequence[str] = ()
) -> tuple[PriorParameters, dict[str, Any]]:
    """Per-world draws from the priors of the scenario's free parameters (or those ``patterns`` name)."""
    from escalation.calibration.space import free_parameters

    within = f"scenario {scenario.name!r}"
    free = [
        p for p in free_parameters([scenario], patterns, option="--sample-priors", within=within) if p.name not in hold
    ]
    if not free:
        raise RunError(f"scenario {scenario.name!r} has no free parameter to draw from a prior")
    meta = {"parameters": [p.name for p in free], "priors": {p.name: str(p.prior) for p in free}}
    return PriorParameters(free, seed, block_size), meta


def _changed_since_fit(scenario: Scenario, posterior: Any) -> tuple[str, ...]:
    """Parameters the scenario sets to another value than the fit started from (its ``fit.json``).

    A variant that changes a parameter means that value: it is held in every world rather
    than drawn. Without a ``fit.json`` beside the draws (a DataFrame, a bare file) nothing is held.
    """
    import json

    from escalation.io import FIT_FILE, posterior_path
    from escalation.parameters import scenario_parameters

    if not isinstance(posterior, (str, os.PathLike)):
        return ()
    path = posterior_path(posterior).with_name(FIT_FILE)
    try:
        started = {p["parameter"]: p["judgement"] for p in json.loads(path.read_text(encoding="utf-8"))["parameters"]}
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    values = {p.name: p.value for p in scenario_parameters(scenario)}
    return tuple(name for name, value in started.items() if name in values and values[name] != value)


def _study_parameters(compiled: CompiledScenario, runs: int | None, parameters: Any) -> WorldParameters:
    """Per-world parameters of a study, checked once: arrays of shape ``(runs,)``."""
    if runs is None:
        raise RunError("per-world parameters need a fixed number of runs (not precision)")
    try:
        parameter_tables(compiled, runs, parameters)  # checks names, shapes and bounds
    except ValueError as exc:
        raise RunError(str(exc)) from None
    columns = parameters if isinstance(parameters, dict) else {c: parameters[c] for c in parameters.columns}
    arrays = {name: np.broadcast_to(np.asarray(v, dtype=float), (runs,)).copy() for name, v in columns.items()}
    return WorldParameters(arrays, cycle=False)


def posterior_parameters(
    compiled: CompiledScenario, posterior: Any, hold: tuple[str, ...] = ()
) -> tuple[WorldParameters, dict[str, Any]]:
    """Per-world parameters from posterior draws (world ``r`` takes draw :func:`draw_of` ``(r)``) and what was used.

    Parameters named in ``hold`` keep the scenario's value in every world.
    """
    import pandas as pd

    from escalation.io import load_posterior
    from escalation.parameters import parameter_names

    scenario = compiled.scenario
    draws = posterior if isinstance(posterior, pd.DataFrame) else load_posterior(posterior)
    draws = draws.drop(columns=[c for c in ("draw", "log_posterior") if c in draws.columns])
    if draws.empty:
        raise RunError("the posterior has no draws")
    known = set(parameter_names(scenario))
    hold = (*hold, *_changed_since_fit(scenario, posterior))
    used = [c for c in draws.columns if c in known and c not in hold]
    if not used:
        raise RunError(f"the posterior holds no parameter of scenario {scenario.name!r}")
    columns = {c: draws[c].to_numpy(dtype=float) for c in used}
    try:
        parameter_tables(compiled, len(draws), columns)  # checks the draws' names and bounds
    except ValueError as exc:
        raise RunError(f"posterior: {exc}") from None
    meta = {
        "draws": len(draws),
        "parameters": used,
        "held": [c for c in draws.columns if c in hold],
        "ignored": [c for c in draws.columns if c not in known],
        **({"source": str(posterior)} if not isinstance(posterior, pd.DataFrame) else {}),
    }
    return WorldParameters(columns, cycle=True), meta


def _precise_enough(summary: BlockSummary, precision: float) -> bool:
    return all(half_width(int(c), summary.n) <= precision for c in summary.outcome)


def _check_types(**arguments: Any) -> None:
    """Whole numbers where whole numbers are meant (``precision`` a real number): a TypeError naming the argument."""
    for name, value in arguments.items():
        if value is None:
            continue
        if name == "precision":
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"precision must be a number, got {type(value).__name__} {value!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be a whole number, got {type(value).__name__} {value!r}")


def run_study(
    scenario: Scenario | str | os.PathLike[str],
    *,
    runs: int | None = None,
    precision: float | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
    seed: int = 0,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    block_size: int = DEFAULT_BLOCK_SIZE,
    progress: bool = False,
    parameters: Any = None,
    posterior: Any = None,
    hold: Sequence[str] = (),
    sample_priors: bool | Sequence[str] = False,
    dask_timeout: float = DASK_TIMEOUT,
) -> Results:
    """Run a Monte Carlo study of ``scenario`` and return its :class:`Results`.

    Give either ``runs`` (replicates) or ``precision`` (stop at the first block boundary
    where every outcome's 95% interval half-width is at most this, or at ``max_runs``).
    Block ``k`` always simulates the same worlds for the same ``seed`` and ``block_size``,
    and blocks are aggregated in index order, so the numbers do not depend on ``executor``
    or ``workers``. With ``out``, every finished block is written to disk at once, and
    ``resume=True`` continues an interrupted study to exactly the same numbers.
    ``parameters`` gives every world its own parameter vector: a mapping of full parameter
    name (``iran.rationality``) to an array of shape ``(runs,)`` (or a number), or a DataFrame
    with a column per name; world ``r`` of the study uses row ``r``.
    ``posterior`` (a folder written by ``escalation fit``, its ``posterior.parquet``, or a
    DataFrame of draws) gives world ``r`` draw ``(r // 10) % n_draws``; the outcome table then has an
    interval that includes parameter uncertainty beside the Monte Carlo one. By default
    (``None``) the scenario's own ``parameters_from`` is used when it has one; ``False``
    uses the scenario's values only. ``hold`` names parameters that keep the scenario's value
    in every world rather than a posterior draw (a sweep holds the parameter it sweeps).
    ``sample_priors`` (``True``, or full names and shell patterns such as ``iran.*``) gives
    every world its own draw from the priors of the scenario's free parameters (those a fit
    frees: global parameters and the strategic actors' ones), for uncertainty runs and
    scenario discovery; it replaces the scenario's posterior.
    Per-world values are kept in the replicate rows, a column ``param:NAME`` each.
    ``dask_timeout`` (seconds) bounds every wait of the Dask executor: for the scheduler, its
    first worker, and progress while no worker is left.
    """
    _check_types(runs=runs, max_runs=max_runs, seed=seed, block_size=block_size, precision=precision)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if (runs is None) == (precision is None):
        raise RunError("give exactly one of runs or precision")
    if runs is not None and runs < 1:
        raise RunError(f"runs must be at least 1, got {runs}")
    if precision is not None and not 0 < precision < 0.5:
        raise RunError(f"precision must be between 0 and 0.5 (an interval half-width), got {precision}")
    if block_size < 1:
        raise RunError(f"block size must be at least 1, got {block_size}")
    if max_runs < 1:
        raise RunError(f"max runs must be at least 1, got {max_runs}")
    if resume and out is None:
        raise RunError("resume needs the output folder of the study (--out)")
    if seed < 0:
        raise RunError(f"seed must be a non-negative integer, got {seed}")

    total_runs = runs if runs is not None else max_runs
    n_blocks = math.ceil(total_runs / block_size)
    sizes = [min(block_size, total_runs - k * block_size) for k in range(n_blocks)]
    stopping: dict[str, Any] = {"runs": runs} if runs is not None else {"precision": precision, "max_runs": max_runs}
    compiled = CompiledScenario.from_scenario(scenario)
    if sample_priors is not False and (parameters is not None or posterior not in (None, False)):
        raise RunError("give one of per-world parameters, a posterior or sample_priors")
    if posterior is None and parameters is None and sample_priors is False:
        posterior = scenario.parameters_from
    if posterior is not None and posterior is not False and parameters is not None:
        raise RunError("give per-world parameters or a posterior, not both")
    posterior_meta: dict[str, Any] | None = None
    priors_meta: dict[str, Any] | None = None
    per_world: WorldParameters | PriorParameters | None = None
    if sample_priors is not False:
        patterns = None if sample_priors is True else list(sample_priors)
        per_world, priors_meta = prior_parameters(scenario, patterns, seed, block_size, tuple(hold))
    elif posterior is not None and posterior is not False:
        per_world, posterior_meta = posterior_parameters(compiled, posterior, tuple(hold))
    elif parameters is not None:
        per_world = _study_parameters(compiled, runs, parameters)
    n_draws = posterior_meta["draws"] if posterior_meta else 0
    manifest = {
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        "seed": seed,
        "block_size": block_size,
        "stopping": stopping,
        "escalation": __version__,
        **({"parameters_hash": per_world.hash} if per_world is not None else {}),
    }
    store = BlockStore(out, manifest, scenario, resume=resume) if out is not None else None
    # a block on disk is reused only if it has the size this study gives it (the last block of a
    # shorter study was smaller and is simulated again)
    on_disk = [k for k, n in store.completed().items() if k < n_blocks and n == sizes[k]] if store else []

    started = time.perf_counter()
    total = BlockSummary.empty(compiled)
    finished: dict[int, BlockSummary] = {}
    next_block = 0
    stopped = False
    bar = tqdm(total=total_runs, unit="rep", disable=not progress, file=sys.stderr, dynamic_ncols=True)

    keep = out is None and total_runs <= ROWS_IN_MEMORY
    kept: dict[int, dict[str, np.ndarray]] = {}

    def absorb(result: BlockResult) -> None:
        nonlocal total, next_block, stopped
        finished[result.index] = BlockSummary.from_rows(compiled, result.rows, result.counts, n_draws)
        if keep:
            kept[result.index] = result.rows
        while next_block in finished and not stopped:
            total = total + finished.pop(next_block)
            next_block += 1
            if precision is not None and _precise_enough(total, precision):
                stopped = True
        if progress:
            bar.update(sizes[result.index])
            if total.n:
                widest = max(half_width(int(c), total.n) for c in total.outcome)
                bar.set_postfix_str(f"±{widest:.4f}")

    small = per_world if per_world is not None and per_world.small else None  # sent whole: workers slice it
    sent = per_world if small is None else None  # sliced here, a block's values with each task

    def pending() -> Iterator[tuple[int, int, dict[str, np.ndarray] | None]]:
        done = set(on_disk)
        for k in range(n_blocks):
            if stopped:
                return
            if k not in done:
                yield (k, sizes[k], sent.block(k * block_size, sizes[k]) if sent is not None else None)

    try:
        for k in on_disk:
            if stopped:
                break
            absorb(store.read(k))
        with open_executor(executor, workers, scheduler, dask_timeout) as runner:
            kind, n_workers = runner.name, runner.workers
            task = functools.partial(block_task, compiled, seed, block_size, small)
            for _, result in runner.run(task, pending()):
                if store is not None:
                    store.write(result)
                absorb(result)
                if stopped:
                    break
    finally:
        bar.close()

    meta = {
        "seed": seed,
        "block_size": block_size,
        "blocks": next_block,
        "stopping": stopping | ({"reached": stopped} if precision is not None else {}),
        "scenario_hash": scenario.hash,
        **({"parameters_hash": manifest["parameters_hash"]} if per_world is not None else {}),
        **({"posterior": posterior_meta} if posterior_meta else {}),
        **({"priors": priors_meta} if priors_meta else {}),
        "elapsed_s": time.perf_counter() - started,
        "executor": kind,
        "workers": n_workers,
        "versions": versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    rows = None
    if keep:
        used = [kept[k] for k in range(next_block)]
        rows = {name: np.concatenate([block[name] for block in used]) for name in used[0]} if used else None
    results = Results(
        scenario=scenario, summary=total, meta=meta, path=Path(out) if out is not None else None, rows=rows
    )
    if out is not None:
        results.save(out)
    return results
