"""Throughput of the seeded scenario (90-day horizon): block engine versus one model per replicate.

Measures, in one run on the same machine:

* the naive baseline: one Mesa model object per replicate (``n_worlds=1``), in a loop;
* the block engine with one worker (serial executor);
* the block engine with every core (process executor).

and prints replicates per second and the ratios. With ``--memory`` it also runs a large study
(10 million replicates by default) in a child process and reports its peak resident memory.

    python benchmarks/bench_throughput.py                 # ~1 minute on 2 cores
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
from escalation.model import CompiledScenario, EscalationModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "us_iran_2020.yaml"


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
    parser.add_argument("--memory", action="store_true", help="also measure peak memory of a large study")
    parser.add_argument("--memory-runs", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    compiled = CompiledScenario.from_scenario(escalation.load_scenario(SCENARIO))

    print(f"escalation {escalation.__version__}, Python {sys.version.split()[0]}, {cores} cores")
    print(f"scenario {SCENARIO.name}, horizon {compiled.scenario.horizon_days} days\n")
    naive = naive_rate(compiled, args.naive, args.seed)
    print(f"naive, one model per replicate      {naive:>12,.0f} replicates/s  ({args.naive:,} replicates)")
    serial = engine_rate(args.runs, "serial", 1, args.seed)
    print(f"block engine, 1 worker              {serial:>12,.0f} replicates/s  ({args.runs:,} replicates)")
    parallel = engine_rate(args.parallel_runs, "processes", cores, args.seed)
    label = f"block engine, {cores} workers"
    print(f"{label:<36}{parallel:>12,.0f} replicates/s  ({args.parallel_runs:,} replicates)")
    print()
    print(f"time for 100,000 replicates, 1 worker: {100_000 / serial:.1f} s (target <= 10 s)")
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
