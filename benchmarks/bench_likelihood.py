"""Speed of the corpus log-likelihood: the compiled, vectorised replay against the table path.

Measures, in one run on the same machine, for the whole corpus (the seeded record and every
episode under scenarios/episodes/):

* the naive path: :func:`escalation.loglik` once per parameter vector (it builds the tidy
  table of contributions each time);
* :meth:`RecordLikelihood.totals` for one parameter vector (what the optimiser's line
  search calls);
* the same for 64 parameter vectors at once (an emcee step of 64 walkers, or a gradient),
  per vector;

and prints milliseconds per corpus evaluation and the ratios.

    python benchmarks/bench_likelihood.py        # ~20 seconds
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import escalation
from escalation.likelihood import RecordLikelihood

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [
    ROOT / "scenarios" / "history" / "us_iran_2019_2020_timeline.yaml",
    *sorted((ROOT / "scenarios" / "episodes").glob("*.yaml")),
]


def best_of(repeat: int, call) -> float:
    """The fastest of ``repeat`` timings of ``call()``, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    scenarios = [escalation.load_scenario(p) for p in CORPUS]
    records = [RecordLikelihood(s) for s in scenarios]
    vectors = 64
    rationality = np.linspace(0.5, 4.0, vectors)
    for record in records:  # compile and warm every path once
        record.totals()
        record.totals({"iran.rationality": rationality})
    escalation.loglik(scenarios[0])

    naive = best_of(3, lambda: [escalation.loglik(s).total for s in scenarios])
    one = best_of(10, lambda: [r.totals() for r in records])
    many = best_of(5, lambda: [r.totals({"iran.rationality": rationality}) for r in records])
    days = sum(len(r._days) - 1 for r in records)
    print(f"corpus: {len(records)} records, {days} replayed days")
    print(f"  loglik() per parameter vector (table path):  {naive * 1e3:8.1f} ms")
    print(f"  totals(), one parameter vector:              {one * 1e3:8.1f} ms   ({naive / one:5.1f}x faster)")
    print(
        f"  totals(), {vectors} vectors at once, per vector:    {many / vectors * 1e3:8.2f} ms   "
        f"({naive / (many / vectors):5.0f}x faster; {many * 1e3:.1f} ms the call)"
    )


if __name__ == "__main__":
    main()
