"""Counterfactuals: two "what if" questions about the crisis, answered on one figure.

    python examples/counterfactuals.py                 # 20,000 replicates per study, seed 1
    python examples/counterfactuals.py --runs 2000 --out /tmp/counterfactuals.png

(a) What if Iran's strike of 8 January 2020 (event A16) had killed US personnel?
    History: it killed no one (110 brain injuries were diagnosed later). The variant branches
    after A17 (scenarios/us_iran_2020_after_strike.yaml) with A16's deaths, realised and
    perceived, set to a HYPOTHETICAL number: the scenario's own assumption for the same
    salvo fired without warning (the mean deaths of its ``missile_strike`` action, 20).
    It is compared with the unchanged after-strike branch.

(b) What if the United States had not killed Soleimani on 3 January 2020 (event A10)?
    The variant branches after A09 (the end of the embassy siege), so the US decision of
    3 January is simulated rather than replayed; it is compared with the seeded branch
    (scenarios/us_iran_2020.yaml, after A10).

Every study uses the same seed (common random numbers). The script prints the probability
of mutual restraint with its 95% Wilson interval for each study and saves one figure.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from matplotlib.figure import Figure

import escalation
from escalation.plots import plot_outcomes, save_figure

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent / "scenarios"
OUTCOME = "mutual_restraint"


def restraint(results: escalation.Results) -> tuple[float, float, float]:
    """P(mutual restraint) and its 95% interval."""
    row = results.outcome_table().set_index("outcome").loc[OUTCOME]
    return float(row["p"]), float(row["ci_low"]), float(row["ci_high"])


def difference(a: escalation.Results, b: escalation.Results) -> str:
    """Difference a - b in P(mutual restraint), with a normal 95% interval for independent samples."""
    pa, pb = restraint(a)[0], restraint(b)[0]
    se = math.sqrt(pa * (1 - pa) / a.runs + pb * (1 - pb) / b.runs)
    d = pa - pb
    return f"{d:+.4f} [{d - 1.96 * se:+.4f}, {d + 1.96 * se:+.4f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000, help="replicates per study (default 20,000)")
    parser.add_argument("--seed", type=int, default=1, help="seed shared by every study (default 1)")
    parser.add_argument("--out", type=Path, default=HERE / "output" / "counterfactuals.png", help="figure (PNG)")
    args = parser.parse_args()

    seeded = escalation.load_scenario(SCENARIOS / "us_iran_2020.yaml")
    after_strike = escalation.load_scenario(SCENARIOS / "us_iran_2020_after_strike.yaml")

    # (a) The 8 January strike kills US personnel: a hypothetical toll of the scenario's scale.
    deaths = round(after_strike.action("missile_strike").killed_mean)
    lethal_strike = after_strike.with_overrides(
        {
            "name": "us_iran_2020_lethal_strike",
            "title": f"Hypothetical: Iran's 8 Jan strike kills {deaths} Americans (branch at 8 Jan 2020)",
            "timeline": {"A16": {"killed": deaths, "perceived": {"killed": deaths}}},
        }
    )
    # (b) No killing of Soleimani: branch one event earlier, the US decision is simulated.
    no_killing = seeded.with_overrides(
        {
            "name": "us_iran_2020_no_killing",
            "title": "US decision of 3 Jan simulated (branch at 1 Jan 2020)",
            "start_after": "A09",
        }
    )

    studies = [
        ("Strike kills no one (history), from 9 Jan", after_strike),
        (f"Strike kills {deaths} (hypothetical), from 9 Jan", lethal_strike),
        ("Soleimani killed (history), from 4 Jan", seeded),
        ("US decision of 3 Jan simulated, from 2 Jan", no_killing),
    ]
    results = [escalation.run_study(scenario, runs=args.runs, seed=args.seed) for _, scenario in studies]

    print(f"P({OUTCOME}) with 95% Wilson intervals, {args.runs:,} replicates each, seed {args.seed}:")
    width = max(len(label) for label, _ in studies)
    for (label, _), result in zip(studies, results, strict=True):
        p, low, high = restraint(result)
        print(f"  {label:<{width}}  {p:.4f}  [{low:.4f}, {high:.4f}]")
    print()
    print("Differences (variant - history), normal 95% interval treating the studies as independent;")
    print("the shared seed usually makes the true sampling error of a difference smaller:")
    print(f"  (a) {deaths} US deaths on 8 Jan instead of none:        {difference(results[1], results[0])}")
    print(f"  (b) US decision of 3 Jan simulated instead of replayed: {difference(results[3], results[2])}")
    print()
    print(f"The {deaths} deaths in (a) are a hypothetical, not a documented figure: the scenario's")
    print("assumed mean toll of the same missile salvo fired without warning (action missile_strike).")

    fig = Figure(figsize=(11, 5), layout="constrained")
    plot_outcomes(results, labels=[label for label, _ in studies], ax=fig.add_subplot())
    save_figure(fig, args.out)
    print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
