"""Throughput of the seeded scenario (90-day horizon): block engine versus one model per replicate.

Measures, in one run on the same machine:

* the naive baseline: one Mesa model object per replicate (``n_worlds=1``), in a loop;
* the block engine with one worker (serial executor), in this process and as the whole
  command ``escalation run … --workers 1`` (imports included), for a large and a small study;
* the block engine with every core (process executor);
* the cost of per-world parameters (every world its own draw of several parameters);
* the simulation alone with worlds in cache-sized tiles (as shipped) against one pass over
  the whole block each day (the layout before tiles);
* the yardstick: a minimal vectorised numpy logit kernel of the same shape (the seeded
  scenario's actors and menus, 90 days, blocks of 10,000 worlds) written here, with the ratio.

and prints replicates per second and the ratios. Paired measurements are repeated
(``REPEATS``) alternately and the best of each kept, since a shared machine's speed drifts.
With ``--memory`` it also runs a large study (10 million replicates by default) in a child
process and reports its peak resident memory.

    python benchmarks/bench_throughput.py                 # ~6 minutes on 2 cores
    python benchmarks/bench_throughput.py --memory        # adds the 10^7-replicate memory run
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import escalation
from escalation.model import CompiledScenario, EscalationModel, Simulation
from escalation.model import simulation as simulation_module
from escalation.parameters import scenario_parameters

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "us_iran_2020.yaml"
REPEATS = 3  # repetitions of the paired in-process measurements


def naive_rate(compiled: CompiledScenario, replicates: int, seed: int) -> float:
    """Replicates per second with one Mesa model object per replicate."""
    started = time.perf_counter()
    for replicate in range(replicates):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replicate,)))
        EscalationModel(compiled, n_worlds=1, rng=rng).run()
    return replicates / (time.perf_counter() - started)


def engine_rate(runs: int, executor: str, workers: int, seed: int) -> float:
    """Replicates per second of a full study (blocks, outcome classification, aggregation)."""
    started = time.perf_counter()
    escalation.run_study(SCENARIO, runs=runs, seed=seed, executor=executor, workers=workers)
    return runs / (time.perf_counter() - started)


def per_world_rate(compiled: CompiledScenario, runs: int, seed: int) -> tuple[float, float]:
    """Replicates per second of the model with scalar parameters and with a per-world draw of each."""
    names = ["iran.rationality", "united_states.fear", "kataib_hezbollah.control", "telegraph_factor"]
    values = {p.name: p.value for p in scenario_parameters(compiled.scenario)}
    rng = np.random.default_rng(seed)
    # each world within 2% of the scenario's value, so the worlds behave alike and the cost is the machinery's
    drawn = {n: values[n] * rng.uniform(0.98, 1.0, runs) for n in names}
    best = [0.0, 0.0]
    for _ in range(REPEATS):  # alternated, best of each: a shared machine's drift hits both alike
        for i, parameters in enumerate((None, drawn)):
            started = time.perf_counter()
            Simulation(compiled, n_worlds=runs, rng=seed, parameters=parameters).run()
            best[i] = max(best[i], runs / (time.perf_counter() - started))
    return best[0], best[1]


def tile_rate(compiled: CompiledScenario, runs: int, seed: int, tile: int, block: int = 10_000) -> float:
    """Worlds per second of the simulation alone (``run``), in blocks of ``block`` worlds and tiles of ``tile``."""
    shipped = simulation_module.TILE_WORLDS
    simulation_module.TILE_WORLDS = tile
    try:
        elapsed = 0.0
        for first in range(0, runs, block):
            simulation = Simulation(compiled, n_worlds=min(block, runs - first), rng=seed + first)
            started = time.perf_counter()
            simulation.run()
            elapsed += time.perf_counter() - started
    finally:
        simulation_module.TILE_WORLDS = shipped
    return runs / elapsed


def command_seconds(runs: int, seed: int) -> float:
    """Wall time (s) of the whole command ``escalation run SCENARIO --runs RUNS --workers 1 --quiet``."""
    command = [sys.executable, "-m", "escalation.cli", "run", str(SCENARIO), "--runs", str(runs)]
    command += ["--seed", str(seed), "--workers", "1", "--quiet"]
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def yardstick_rate(compiled: CompiledScenario, runs: int, seed: int, block: int = 10_000) -> float:
    """Replicates per second of a minimal vectorised logit kernel of the model's shape (numpy only).

    Each day every choosing actor scores its menu with one state-dependent term (a matrix
    product of grievances and harms), draws from the softmax by inverting the cumulative sum,
    and updates a decaying grievance: the least work a day of this model can do in numpy.
    """
    structure = compiled.structure
    menus = [structure.menus[i, : structure.menu_size[i]] for i in structure.strategic]
    n_actors = compiled.n_actors
    rng = np.random.default_rng(seed)
    harm = rng.random((len(compiled.scenario.actions), n_actors))
    horizon = compiled.scenario.horizon_days
    started = time.perf_counter()
    for first in range(0, runs, block):
        n = min(block, runs - first)
        grievance = np.zeros((n_actors, n))
        for _ in range(horizon):
            for actor, menu in zip(structure.strategic, menus, strict=True):
                utility = grievance.T @ harm[menu].T
                utility -= utility.max(axis=1, keepdims=True)
                weights = np.exp(2.0 * utility)
                cumulative = np.cumsum(weights, axis=1)
                picks = (cumulative <= rng.random(n)[:, None] * cumulative[:, -1:]).sum(axis=1)
                grievance[actor] = 0.95 * grievance[actor] + harm[menu[np.minimum(picks, menu.size - 1)], actor]
    return runs / (time.perf_counter() - started)


def _tree_rss_mib(root: int) -> float:
    """Resident memory (MiB) of a process and all its descendants, read from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree) / 2**20


def peak_memory(runs: int, workers: int, out: Path) -> tuple[float, float]:
    """Peak resident memory (MiB) of a CLI study, summed over its process tree, and its duration (s)."""
    command = [sys.executable, "-m", "escalation.cli", "run", str(SCENARIO), "--runs", str(runs)]
    command += ["--workers", str(workers), "--executor", "processes", "--out", str(out), "--quiet", "--json"]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, _tree_rss_mib(child.pid))
        time.sleep(0.5)
    if child.returncode:
        raise SystemExit(f"the study failed with exit code {child.returncode}")
    return peak, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive", type=int, default=300, help="replicates for the naive baseline")
    parser.add_argument("--runs", type=int, default=100_000, help="replicates for the one-worker engine run")
    parser.add_argument("--parallel-runs", type=int, default=1_000_000, help="replicates for the all-cores run")
    parser.add_argument("--per-world-runs", type=int, default=20_000, help="worlds for the per-world cost")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory of a large study")
    parser.add_argument("--memory-runs", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    compiled = CompiledScenario.from_scenario(escalation.load_scenario(SCENARIO))
    EscalationModel(compiled, n_worlds=1, rng=0).run()  # load (or compile) the kernel before timing

    print(f"escalation {escalation.__version__}, Python {sys.version.split()[0]}, {cores} cores")
    print(f"scenario {SCENARIO.name}, horizon {compiled.scenario.horizon_days} days\n")
    naive = naive_rate(compiled, args.naive, args.seed)
    print(f"naive, one model per replicate      {naive:>12,.0f} replicates/s  ({args.naive:,} replicates)")
    serial = parallel = 0.0
    for _ in range(REPEATS):  # alternated, best of each, so the ratio is not one of drifting machine speeds
        serial = max(serial, engine_rate(args.runs, "serial", 1, args.seed))
        parallel = max(parallel, engine_rate(args.parallel_runs, "processes", cores, args.seed))
    print(f"block engine, 1 worker              {serial:>12,.0f} replicates/s  ({args.runs:,} replicates)")
    label = f"block engine, {cores} workers"
    print(f"{label:<36}{parallel:>12,.0f} replicates/s  ({args.parallel_runs:,} replicates)")
    whole = min(command_seconds(args.runs, args.seed) for _ in range(REPEATS))
    rate = args.runs / whole
    print(f"escalation run, 1 worker (command)  {rate:>12,.0f} replicates/s  ({whole:.1f} s, imports included)")
    small = min(command_seconds(1_000, args.seed) for _ in range(REPEATS))
    print(f"escalation run --runs 1000 (command) {small:>11.2f} s")
    scalar, per_world = per_world_rate(compiled, args.per_world_runs, args.seed)
    print(f"model, scalar parameters            {scalar:>12,.0f} replicates/s  ({args.per_world_runs:,} worlds)")
    print(f"model, 4 parameters drawn per world {per_world:>12,.0f} replicates/s  (cost {scalar / per_world - 1:+.0%})")
    tiled = untiled = 0.0
    for _ in range(REPEATS):
        tiled = max(tiled, tile_rate(compiled, args.per_world_runs, args.seed, simulation_module.TILE_WORLDS))
        untiled = max(untiled, tile_rate(compiled, args.per_world_runs, args.seed, 10_000))
    label = f"simulation alone, tiles of {simulation_module.TILE_WORLDS} worlds"
    print(f"{label:<36}{tiled:>12,.0f} replicates/s  ({args.per_world_runs:,} worlds)")
    print(f"simulation alone, one pass per day  {untiled:>12,.0f} replicates/s  (tiles {tiled / untiled:.2f}x faster)")
    yardstick = yardstick_rate(compiled, args.runs, args.seed)
    print(f"yardstick: minimal numpy logit kernel {yardstick:>10,.0f} replicates/s  ({args.runs:,} replicates)")
    print()
    print(f"engine / yardstick, 1 worker: {serial / yardstick:.2f}x")
    print(
        f"time for 100,000 replicates, 1 worker: {100_000 / serial:.1f} s in-process, "
        f"{whole * 100_000 / args.runs:.1f} s the command (target >= 30,000 replicates/s)"
    )
    print(f"speed-up per core over the naive baseline: {serial / naive:,.0f}x (target >= 100x)")
    print(f"scaling to {cores} workers: {parallel / serial:.2f}x ({parallel / serial / cores:.0%} of linear)")
    if args.memory:
        with tempfile.TemporaryDirectory() as tmp:
            peak, elapsed = peak_memory(args.memory_runs, cores, Path(tmp) / "study")
        print(
            f"\n{args.memory_runs:,} replicates on {cores} workers in {elapsed:.0f} s; "
            f"peak resident memory of all its processes {peak:,.0f} MiB (target < 1024 MiB)"
        )


if __name__ == "__main__":
    main()
