"""Quick start: load the seeded scenario, trace one world, run a study, save the figures.

    python examples/quickstart.py                  # 20,000 replicates, seed 1
    python examples/quickstart.py --runs 2000 --out /tmp/quickstart.png

Prints the first lines of one simulated world (the replayed history, then the simulated
days), then the outcome table of a Monte Carlo study: the probability of each outcome with
its 95% Wilson interval. Saves the outcome figure to --out and, where the library has it,
the ladder figure beside it (``<out>-ladder.png``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import escalation
from escalation.plots import save_figure

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "us_iran_2020.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000, help="replicates (default 20,000)")
    parser.add_argument("--seed", type=int, default=1, help="study and trace seed (default 1)")
    parser.add_argument("--out", type=Path, default=HERE / "output" / "quickstart.png", help="outcome figure (PNG)")
    args = parser.parse_args()

    scenario = escalation.load_scenario(SCENARIO)
    print(f"Scenario: {scenario.title}")
    print(
        f"{len(scenario.actors)} actors; {len(scenario.replayed_events())} documented events are replayed "
        f"(up to {scenario.start_after}), then {scenario.horizon_days} days are simulated from {scenario.start_date}."
    )
    print()

    # One world: the documented history replayed, then one draw of what the actors do next.
    trace = escalation.run_trace(scenario, seed=args.seed)
    lines = trace.narrative().splitlines()
    simulated = next(i for i, line in enumerate(lines) if line.startswith("Simulated"))
    print(f"One world (seed {args.seed}): the last replayed events, then the first simulated acts")
    print("\n".join(lines[simulated - 4 : simulated + 11]))
    print(f"  ... ({len(lines)} lines in all; `escalation trace` prints them)")
    print(f"Outcome of this world: {trace.outcome}")
    print()

    # Many worlds: outcome probabilities with 95% intervals.
    results = escalation.run_study(scenario, runs=args.runs, seed=args.seed)
    print(f"Monte Carlo study: {results.runs:,} replicates, seed {args.seed}")
    print(results.outcome_table().to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print()

    save_figure(results.plot_outcomes(), args.out)
    print(f"outcome figure written to {args.out}")
    if hasattr(results, "plot_ladder"):
        ladder = args.out.with_name(f"{args.out.stem}-ladder{args.out.suffix or '.png'}")
        save_figure(results.plot_ladder(), ladder)
        print(f"ladder figure written to {ladder}")


if __name__ == "__main__":
    main()
