"""Counterfactuals: two "what if" questions about the crisis, answered on one figure.

    python examples/counterfactuals.py                 # 20,000 replicates per scenario, seed 1
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

Each question is one ``escalation.compare``: history and variant run on the same worlds (same
seed, same block streams, same posterior draw in world r), and the difference in
P(mutual restraint) comes with a 95% interval from the paired worlds. The script prints each
probability with its 95% Wilson interval, then the paired differences beside the half-width two
independent studies would give, and saves one figure of both comparisons.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from matplotlib.figure import Figure

import escalation
from escalation.plots import save_figure
from escalation.plots.forest import plot_comparison
from escalation.stats import wilson_interval

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent / "scenarios"
OUTCOME = "mutual_restraint"


def restraint(comparison: escalation.Comparison) -> dict[str, tuple[float, float, float]]:
    """Per scenario: P(mutual restraint) and its 95% Wilson interval."""
    runs = comparison.meta["runs"]
    rows = comparison.outcomes[comparison.outcomes["outcome"] == OUTCOME]
    return {row.scenario: (row.p, *wilson_interval(round(row.p * runs), runs)) for row in rows.itertuples()}


def difference(comparison: escalation.Comparison) -> str:
    """The variant's paired difference in P(mutual restraint), and what independent studies would give."""
    row = comparison.outcomes.set_index(["outcome", "scenario"]).loc[(OUTCOME, comparison.scenarios[1])]
    return (
        f"{row['diff']:+.4f} [{row['ci_low']:+.4f}, {row['ci_high']:+.4f}]  "
        f"(independent studies: ±{row['unpaired_half_width']:.4f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000, help="replicates per scenario (default 20,000)")
    parser.add_argument("--seed", type=int, default=1, help="seed shared by every scenario (default 1)")
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

    questions = [
        ("Strike kills no one (history), from 9 Jan", after_strike, f"Strike kills {deaths} (hypothetical), from 9 Jan",
         lethal_strike),
        ("Soleimani killed (history), from 4 Jan", seeded, "US decision of 3 Jan simulated, from 2 Jan", no_killing),
    ]  # fmt: skip
    comparisons = [
        escalation.compare([history, variant], runs=args.runs, seed=args.seed, labels=[label_h, label_v])
        for label_h, history, label_v, variant in questions
    ]

    print(f"P({OUTCOME}) with 95% Wilson intervals, {args.runs:,} replicates each, seed {args.seed}:")
    width = max(len(label) for comparison in comparisons for label in comparison.scenarios)
    for comparison in comparisons:
        for label, (p, low, high) in restraint(comparison).items():
            print(f"  {label:<{width}}  {p:.4f}  [{low:.4f}, {high:.4f}]")
    print()
    print("Differences (variant - history) on the same worlds, with 95% paired intervals:")
    print(f"  (a) {f'{deaths} US deaths on 8 Jan instead of none:':<55} {difference(comparisons[0])}")
    print(f"  (b) {'US decision of 3 Jan simulated instead of replayed:':<55} {difference(comparisons[1])}")
    print()
    print(f"The {deaths} deaths in (a) are a hypothetical, not a documented figure: the scenario's")
    print("assumed mean toll of the same missile salvo fired without warning (action missile_strike).")

    fig = Figure(figsize=(10, 7.6), layout="constrained")
    for comparison, ax in zip(comparisons, fig.subplots(2, 1), strict=True):
        plot_comparison(comparison, ax=ax)
    save_figure(fig, args.out)
    print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
