"""Command-line interface: a thin layer over the library.

User errors print one line on stderr and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from escalation import interrupts
from escalation.defaults import DEFAULT_BLOCK_SIZE, DEFAULT_MAX_RUNS
from escalation.errors import EscalationError, RunError, raised_by_interrupt
from escalation.figure_kinds import FIGURE_KINDS
from escalation.io import dumps
from escalation.version import __version__

if TYPE_CHECKING:
    from escalation.scenario import Scenario

EXIT_USAGE = 2
DEFAULT_RUNS = 100_000
PROCESSES_FROM = 200_000  # runs from which the default executor is a process pool


def load_scenario(path: str) -> Scenario:
    """:func:`escalation.load_scenario`, imported on first use so that a Ctrl-C at start-up is caught."""
    from escalation.scenario import load_scenario as load

    return load(path)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for every user error
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except EscalationError as exc:
            print(exc, file=sys.stderr)
            failed += 1
        else:
            if not args.quiet:
                print(f"{path}: ok ({scenario.name}, {len(scenario.actors)} actors, {len(scenario.timeline)} events)")
    return EXIT_USAGE if failed else 0


def _trace(args: argparse.Namespace) -> int:
    from escalation.trace import run_trace

    scenario = load_scenario(args.file)
    trace = run_trace(scenario, seed=args.seed, posterior=False if args.no_posterior else args.posterior)
    if args.json:
        print(dumps(trace.to_json(), indent=1), end="")
        print()
    else:
        print(trace.narrative())
    return 0


def _params(args: argparse.Namespace) -> int:
    from escalation.parameters import scenario_parameters

    rows = scenario_parameters(load_scenario(args.file))
    if args.json:
        print(dumps([row.to_json() for row in rows], indent=1), end="")
        print()
        return 0
    width = max(len(row.name) for row in rows)
    print(f"{'parameter':<{width}}  {'value':>10}  {'range':<16}  prior")
    for row in rows:
        print(f"{row.name:<{width}}  {row.value:>10g}  {row.spec.bounds_text():<16}  {row.prior}")
    return 0


def _nats(value: float | None) -> str:
    return "-inf (impossible under the model)" if value is None else f"{value:.2f}"


def _loglik(args: argparse.Namespace) -> int:
    from escalation.likelihood import loglik

    scenarios = [load_scenario(path) for path in args.files]
    for path, scenario in zip(args.files, scenarios, strict=True):
        if not scenario.timeline:
            print(f"{path}: the scenario has no timeline to score", file=sys.stderr)
            return EXIT_USAGE
    results = [
        loglik(scenario).to_dict() | {"file": str(path)} for path, scenario in zip(args.files, scenarios, strict=True)
    ]
    if args.json:
        grand = None if any(r["total"] is None for r in results) else sum(r["total"] for r in results)
        print(dumps(results[0] if len(results) == 1 else {"total": grand, "scenarios": results}, indent=1), end="")
        print()
        return 0
    for result in results:
        print(f"{result['file']}: {result['scenario']}")
        print(f"  {'event':<8} {'date':<10}  {'actor':<18} {'action':<28} {'log p':>8}")
        for event in result["events"]:
            logp = "" if event["logp"] is None else f"{event['logp']:8.2f}"
            where = f"{event['id']:<8} {event['date']:<10}  {event['actor']:<18} {event['action']:<28}"
            print(f"  {where} {logp:>8}  {event['note']}")
        for count in result["counts"]:
            print(f"  {count['id']:<8} count: {count['note']}: log p {_nats(count['logp'])}")
        print(f"  quiet actor-days: {result['quiet_days']}, log p {_nats(result['quiet_days_logp'])}")
        print(f"  total log-likelihood: {_nats(result['total'])}")
    return 0


def _fit(args: argparse.Namespace) -> int:
    from escalation.calibration.fit import fit

    scenarios = [load_scenario(path) for path in args.files]
    params = [p.strip() for p in args.params.split(",") if p.strip()] if args.params else None
    result = fit(
        scenarios,
        params=params,
        draws=args.draws,
        walkers=args.walkers,
        steps=args.steps,
        starts=args.starts,
        seed=args.seed,
        out=args.out,
        progress=not args.quiet,
        leave_one_out=args.loo,
        ablation=args.ablation,
    )
    if args.json:
        print(dumps(result.to_json(), indent=1), end="")
        print()
        return 0
    table = result.parameter_table()
    width = max(len(n) for n in table["parameter"])
    print(f"fit of {len(result.corpus)} records, {len(result.free)} free parameters, seed {args.seed}")
    print(f"  {'parameter':<{width}}  {'judgement':>9}  {'MAP':>9}  {'mean':>9}  {'95% interval':>21}  {'R-hat':>5}  "
          f"{'ESS':>6}  informed")  # fmt: skip
    for row in table.itertuples():
        interval = f"[{row._9:.3g}, {row._10:.3g}]"
        print(f"  {row.parameter:<{width}}  {row.judgement:>9.3g}  {row.map:>9.3g}  {row.mean:>9.3g}  {interval:>21}  "
              f"{row.rhat:>5.2f}  {row.ess:>6.0f}  {'yes' if row.informed else 'no (prior)'}")  # fmt: skip
    print("  log-likelihood      judgement        MAP")
    for name in result.corpus:
        print(f"  {name:<18} {result.loglik_judgement[name]:>10.2f} {result.loglik_map[name]:>10.2f}")
    total_j, total_m = sum(result.loglik_judgement.values()), sum(result.loglik_map.values())
    print(f"  {'total':<18} {total_j:>10.2f} {total_m:>10.2f}")
    acts = result.checks["acts_loglik"]
    print("  acts only (no casualty terms), against simple rules:")
    for name in ("model_judgement", "model_map", "uniform", "always_hold", "tit_for_tat"):
        eps = acts[name].get("epsilon")
        note = f"  (epsilon {eps:.3g}, fitted)" if eps is not None else ""
        print(f"    {name:<18} {acts[name]['total']:>10.2f}{note}")
    if "leave_one_out" in result.checks:
        loo = result.checks["leave_one_out"]
        print("  each record at the MAP of the others (forecast of an unseen crisis):")
        for name, scores in loo["records"].items():
            print(f"    {name:<18} {scores['loglik']:>10.2f}  (judgement {scores['loglik_judgement']:.2f})")
        print(f"    {'total':<18} {loo['total']:>10.2f}")
    if "mechanisms" in result.checks:
        print("  what each mechanism buys (with it minus without it; worth its parameters when the gain is > 0):")
        print(f"    {'mechanism':<18} {'refitted':>9} {'parameters':>10} {'loglik gain':>12} {'AIC gain':>9} "
              f"{'LOO gain':>9}")  # fmt: skip
        for name, gain in result.checks["mechanisms"].items():
            loo_gain = f"{gain['loo_gain']:>9.2f}" if "loo_gain" in gain else f"{'-':>9}"
            refitted = "off" if gain["switched"] == "off" else "on"
            print(f"    {name:<18} {refitted:>9} {len(gain['parameters']):>10} {gain['loglik_gain']:>12.2f} "
                  f"{gain['aic_gain']:>9.2f} {loo_gain}")  # fmt: skip
    if result.predictive is not None:
        print("  posterior predictive checks (the record against simulations from the posterior):")
        for row in result.predictive.itertuples():
            check = f"P(sim >= record) {row.p_at_least:.2f}" if row.p_at_least == row.p_at_least else ""
            print(f"    {row.statistic:<26} record {row.record:>7.3g}   simulated {row.median:>7.3g} "
                  f"[{row.q5:.3g}, {row.q95:.3g}]   {check}")  # fmt: skip
    d = result.diagnostics
    print(f"  acceptance {d['acceptance']:.2f}, max R-hat {d['max_rhat']:.3f}, min ESS {d['min_ess']:.0f}, "
          f"{d['seconds']['total']:.0f} s")  # fmt: skip
    if d["max_rhat"] > 1.05:
        print("  warning: R-hat above 1.05: the chains have not mixed; run more --steps before trusting the intervals")
    if args.out:
        print(f"posterior written to {args.out}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def _swept(item: str) -> tuple[str, list[float]]:
    """``--param NAME=V1,V2,...`` as ``(name, values)``."""
    name, sep, text = item.partition("=")
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if not sep or not name.strip() or not values:
        raise RunError(f"--param {item!r}: expected NAME=V1,V2,..., such as iran.rationality=0.5,1,2")
    return name.strip(), values


def _sweep(args: argparse.Namespace) -> int:
    from escalation.plots import save_figure
    from escalation.sweep import plot_sweep, plot_sweep_grid, sweep, sweep_grid

    if len(args.param) > 2:
        raise RunError("give one --param (a curve) or two (a heat map)")
    scenario = load_scenario(args.file)
    swept = [_swept(item) for item in args.param]
    workers = args.workers or 1
    options = {"runs": args.runs, "seed": args.seed, "executor": "processes" if workers > 1 else "serial"}
    try:
        if len(swept) == 1:
            table = sweep(scenario, *swept[0], workers=workers, **options)
        else:
            table = sweep_grid(scenario, swept[0], swept[1], workers=workers, **options)
    except KeyboardInterrupt:
        raise Interrupted("escalation: interrupted; nothing was written") from None
    outcome = args.outcome or table["outcome"].iloc[0]
    if args.outcome and args.outcome not in set(table["outcome"]):
        raise RunError(
            f"--outcome {args.outcome!r}: the scenario's outcomes are {', '.join(dict.fromkeys(table['outcome']))}"
        )
    if args.plot:
        save_figure(plot_sweep(table) if len(swept) == 1 else plot_sweep_grid(table, outcome), args.plot)
    if args.json:
        print(dumps({"meta": table.attrs, "rows": table.to_dict(orient="records")}, indent=1))
        return 0
    fields = [table.attrs["field"]] if len(swept) == 1 else [table.attrs["x"], table.attrs["y"]]
    shown = table.rename(columns={"value": fields[0], "x": fields[0], "y": fields[-1]})
    print(f"{table.attrs['scenario']}: {args.runs:,} replicates per value, seed {args.seed} for every value")
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if args.plot:
        print(f"figure written to {args.plot}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from escalation.comparison import compare

    if len(args.files) < 2:
        raise RunError(f"give at least two scenario files, got {len(args.files)}")
    scenarios = [load_scenario(path) for path in args.files]
    workers = args.workers or 1
    try:
        comparison = compare(
            scenarios,
            runs=args.runs,
            seed=args.seed,
            executor="processes" if workers > 1 else "serial",
            workers=workers,
        )
    except KeyboardInterrupt:
        raise Interrupted("escalation: interrupted; nothing was written") from None
    return _report(comparison, args)


def _report(result: Any, args: argparse.Namespace) -> int:
    """Print a finished comparison or backtest as its table, or as JSON with ``--json``; write ``--plot``."""
    if args.plot:
        from escalation.plots import save_figure

        save_figure(result.plot(), args.plot)
    if args.json:
        print(dumps(result.to_json(), indent=1))
        return 0
    print(result.format_table())
    if args.plot:
        print(f"figure written to {args.plot}")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from escalation.backtesting import backtest

    workers = args.workers or 1
    try:
        result = backtest(
            args.files,  # every file is loaded and checked before any simulation
            runs=args.runs,
            seed=args.seed,
            posterior=False if args.no_posterior else args.posterior,
            leave_one_out=_sample_priors(args.leave_one_out, "--leave-one-out"),
            executor="processes" if workers > 1 else "serial",
            workers=workers,
        )
    except KeyboardInterrupt:
        raise Interrupted("escalation: interrupted; nothing was written") from None
    return _report(result, args)


def _discover(args: argparse.Namespace) -> int:
    from pathlib import Path

    from escalation.discovery import cart, plot_box, plot_peeling, prim
    from escalation.io import atomic_write_text
    from escalation.plots import save_figure
    from escalation.results import Results
    from escalation.runner.blocks import PARAMETER_PREFIX

    results = Results.load(args.results)
    if args.outcome not in results.outcome_names:
        raise RunError(f"--outcome {args.outcome!r}: the study's outcomes are {', '.join(results.outcome_names)}")
    if args.threshold is not None and not 0 < args.threshold <= 1:
        raise RunError(f"--threshold must be a share in (0, 1], got {args.threshold}")
    rows = results.replicates()
    columns = [c for c in rows.columns if c.startswith(PARAMETER_PREFIX)]
    if not columns:
        raise RunError(
            f"{args.results}: the study kept no per-world parameters; run it with --sample-priors or a posterior"
        )
    X = rows[columns].rename(columns=lambda c: c[len(PARAMETER_PREFIX) :])
    X = X.loc[:, X.nunique() > 1]  # parameters every world shares say nothing
    y = (rows["outcome"] == args.outcome).to_numpy()
    try:
        boxes = prim(X, y, threshold=args.threshold, min_mass=args.min_mass)
        tree = cart(X, y, max_depth=args.depth)
    except ValueError as exc:
        raise RunError(str(exc)) from None
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "prim.json", dumps(boxes.to_json(), indent=1) + "\n")
        atomic_write_text(out / "cart.json", dumps(tree.to_json(), indent=1) + "\n")
        save_figure(plot_peeling(boxes), out / "peeling.png")
        save_figure(plot_box(boxes), out / "box.png")
    if args.json:
        print(dumps({"prim": boxes.to_json(), "cart": tree.to_json()}, indent=1))
        return 0
    chosen = boxes.trajectory.iloc[boxes.chosen]
    print(
        f"{args.outcome} in {y.mean():.2%} of {len(y):,} worlds; {X.shape[1]} parameters vary across worlds\n\n"
        f"PRIM box (step {boxes.chosen} of {len(boxes.trajectory) - 1}): coverage {chosen['coverage']:.1%} "
        f"(share of the {args.outcome} worlds inside), density {chosen['density']:.1%} (share of the box's worlds "
        f"with {args.outcome}), mass {chosen['mass']:.1%} (share of all worlds)"
        + ("" if boxes.reached else f"; no box reaches density {args.threshold:.0%}, this is the densest")
    )
    print(boxes.box_table().to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nCART leaves (depth {args.depth}), densest first:")
    print(tree.leaves.head(8).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.out:
        print(f"\nboxes, tree and figures written to {args.out}")
    return 0


def _ranges(items: list[str]) -> dict[str, tuple[float, float]]:
    """``--range NAME=LOW:HIGH`` options as a mapping."""
    found = {}
    for item in items:
        name, _, bounds = item.partition("=")
        low, _, high = bounds.partition(":")
        try:
            found[name.strip()] = (float(low), float(high))
        except ValueError:
            raise RunError(f"--range {item!r}: expected NAME=LOW:HIGH, such as iran.rationality=0.5:3") from None
    return found


def _sensitivity(args: argparse.Namespace) -> int:
    from pathlib import Path

    from escalation.io import atomic_write_text
    from escalation.plots import save_figure
    from escalation.sensitivity import sensitivity

    scenario = load_scenario(args.file)
    params = None if args.params in (None, "all") else _patterns(args.params, "--params")
    workers = args.workers or 1
    try:
        result = sensitivity(
            scenario,
            method=args.method,
            params=params,
            n=args.n,
            replicates=args.replicates,
            seed=args.seed,
            ranges=args.ranges,
            overrides=_ranges(args.range),
            executor="processes" if workers > 1 else "serial",
            workers=workers,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        raise Interrupted("escalation: interrupted; nothing was written") from None
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "indices.csv", result.table.to_csv(index=False))
        atomic_write_text(out / "indices.json", dumps(result.to_json(), indent=1) + "\n")
        for name in result.meta["outputs"]:
            save_figure(result.plot(name, top=args.top + 5), out / f"{args.method}-{name}.png")
    if args.json:
        print(dumps(result.to_json(), indent=1))
    else:
        print(result.format_table(top=args.top))
        if args.out:
            print(f"indices and figures written to {args.out}")
    return 0


def _patterns(text: str, option: str) -> list[str]:
    """A comma-separated list of parameter names or patterns (``iran.*``), as a list."""
    patterns = [p.strip() for p in text.split(",")]
    if not all(patterns):
        raise RunError(f"{option}: {text!r} is not a comma-separated list of parameter names or patterns")
    return patterns


def _sample_priors(text: str | None, option: str = "--sample-priors") -> bool | list[str]:
    """``--sample-priors`` (or another ``option`` of its form): absent (False), bare (every free
    parameter) or a list of patterns."""
    if text is None:
        return False
    return True if text == "all" else _patterns(text, option)


def _run(args: argparse.Namespace) -> int:
    from escalation.runner import run_study

    scenario = load_scenario(args.file)
    runs = DEFAULT_RUNS if args.runs is None and args.precision is None else args.runs
    parallel = (args.workers or 0) > 1 or (runs or 0) >= PROCESSES_FROM
    if args.scheduler is not None and args.executor not in (None, "dask"):
        raise RunError(f"--scheduler needs the dask executor, not --executor {args.executor}")
    executor = args.executor or ("dask" if args.scheduler is not None else "processes" if parallel else "serial")
    try:
        results = run_study(
            scenario,
            runs=runs,
            precision=args.precision,
            max_runs=args.max_runs,
            seed=args.seed,
            executor=executor,
            workers=args.workers,
            scheduler=args.scheduler,
            out=args.out,
            resume=args.resume,
            block_size=args.block_size,
            progress=not args.quiet,
            posterior=False if args.no_posterior else args.posterior,
            sample_priors=_sample_priors(args.sample_priors),
            dask_timeout=args.dask_timeout,
        )
    except KeyboardInterrupt:
        where = f"; finished blocks are saved in {args.out}, continue with --resume" if args.out else ""
        raise Interrupted(f"escalation: interrupted{where}") from None
    if args.json:
        print(dumps(results.to_json(), indent=1), end="")
        print()
    else:
        print(results.format_table())
    if args.plot:
        from escalation.plots import save_figure

        save_figure(results.plot_outcomes(), args.plot)
        if not args.json:
            print(f"figure written to {args.plot}")
    return 0


def _plot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from escalation.errors import RunError
    from escalation.plots import plot_all, plot_kind, save_figure
    from escalation.results import Results

    folder = Path(args.results)
    if not folder.exists():
        raise RunError(f"{folder}: no such results folder (write one with: escalation run FILE --out DIR)")
    results = Results.load(folder)
    out = Path(args.output) if args.output else (folder if folder.is_dir() else folder.parent)
    if args.kind == "all":
        if out.exists() and not out.is_dir():
            raise RunError(f"{out}: with --kind all, -o must be a folder")
        paths = plot_all(results, out, dpi=args.dpi)
    else:
        if out.is_dir() or not out.suffix:
            out = out / f"{args.kind}.png"
        paths = [save_figure(plot_kind(results, args.kind), out, dpi=args.dpi)]
    for path in paths:
        print(f"figure written to {path}")
    return 0


def _explore(args: argparse.Namespace) -> int:
    from escalation.explore.server import serve

    return serve(args.file, host=args.host, port=args.port, open_browser=not args.no_browser)


def build_parser() -> argparse.ArgumentParser:
    """The ``escalation`` argument parser."""
    parser = _Parser(prog="escalation", description="Simulate escalation crises from scenario files.")
    parser.add_argument("--version", action="version", version=f"escalation {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--quiet", action="store_true", help="print errors only")
    validate.set_defaults(handler=_validate)

    trace = commands.add_parser("trace", help="replay history and simulate one world")
    trace.add_argument("file", metavar="FILE")
    trace.add_argument("--seed", type=_non_negative_int, default=0, help="seed of the world (default 0)")
    trace.add_argument("--json", action="store_true", help="print the table as JSON")
    drawn = trace.add_mutually_exclusive_group()
    drawn.add_argument(
        "--posterior", metavar="DIR", help="the world takes draw SEED mod n of this fit (default: parameters_from)"
    )
    drawn.add_argument("--no-posterior", action="store_true", help="the scenario's own parameter values")
    trace.set_defaults(handler=_trace)

    params = commands.add_parser("params", help="list every parameter of a scenario: value, range, prior")
    params.add_argument("file", metavar="FILE")
    params.add_argument("--json", action="store_true", help="a JSON list of {name, value, low, high, prior, doc}")
    params.set_defaults(handler=_params)

    fitting = commands.add_parser("fit", help="calibrate parameters to documented records (MAP, then emcee)")
    fitting.add_argument("files", nargs="+", metavar="FILE", help="scenarios whose records form the corpus")
    fitting.add_argument("--out", metavar="DIR", help="write posterior.parquet, fit.json and figures here")
    fitting.add_argument(
        "--params", metavar="A,B,...", help="parameters to free: names or patterns like '*.rationality' "
        "(default: every global and strategic-actor parameter whose prior is not fixed)"
    )  # fmt: skip
    fitting.add_argument("--draws", type=_positive_int, default=1000, help="posterior draws kept (default 1000)")
    fitting.add_argument("--steps", type=_positive_int, default=3000, help="emcee steps per walker (default 3000)")
    fitting.add_argument("--walkers", type=_positive_int, help="emcee walkers (default 2 x free parameters + 2)")
    fitting.add_argument("--starts", type=_positive_int, default=3, help="optimiser starts for the MAP (default 3)")
    fitting.add_argument("--seed", type=_non_negative_int, default=0, help="seed of starts and sampler (default 0)")
    fitting.add_argument(
        "--loo", action="store_true", help="also score each record at the MAP of the others (one MAP fit per record)"
    )
    fitting.add_argument(
        "--ablation", action="store_true", help="also refit without each mechanism that can be switched off"
    )
    fitting.add_argument("--quiet", action="store_true", help="no progress bar")
    fitting.add_argument("--json", action="store_true", help="print fit.json's content")
    fitting.set_defaults(handler=_fit)

    likelihood = commands.add_parser("loglik", help="log-likelihood of scenarios' documented timelines")
    likelihood.add_argument("files", nargs="+", metavar="FILE")
    likelihood.add_argument(
        "--json", action="store_true", help="JSON {total, events: [{id, actor, action, logp}], quiet_days_logp}"
    )
    likelihood.set_defaults(handler=_loglik)

    run = commands.add_parser("run", help="Monte Carlo study of outcome probabilities")
    run.add_argument("file", metavar="FILE")
    size = run.add_mutually_exclusive_group()
    size.add_argument("--runs", type=_positive_int, help=f"number of replicates (default {DEFAULT_RUNS:,})")
    size.add_argument(
        "--precision", type=float, metavar="H", help="run until every outcome's 95%% interval half-width is <= H"
    )
    run.add_argument(
        "--max-runs",
        type=_positive_int,
        default=DEFAULT_MAX_RUNS,
        help=f"cap for --precision (default {DEFAULT_MAX_RUNS:,})",
    )
    run.add_argument("--seed", type=_non_negative_int, default=0, help="study seed (default 0)")
    run.add_argument("--workers", type=_positive_int, help="worker processes (default: all cores)")
    run.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="default: processes with --workers > 1 or from 200,000 runs, else serial",
    )
    run.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    run.add_argument(
        "--dask-timeout",
        type=_positive_float,
        default=60.0,
        metavar="SECONDS",
        help="seconds to wait for a Dask scheduler, its first worker, or progress with no worker (default 60)",
    )
    run.add_argument("--out", metavar="DIR", help="stream per-replicate rows and results into DIR")
    run.add_argument("--resume", action="store_true", help="continue the interrupted study in --out")
    posterior = run.add_mutually_exclusive_group()
    posterior.add_argument(
        "--posterior",
        metavar="DIR",
        help="give each world a posterior draw of 'escalation fit --out DIR' (default: the scenario's parameters_from)",
    )
    posterior.add_argument(
        "--no-posterior", action="store_true", help="the scenario's own parameter values only, no parameters_from"
    )
    posterior.add_argument(
        "--sample-priors",
        nargs="?",
        const="all",
        metavar="NAMES",
        help="give each world its own draw from the priors of the free parameters, or of NAMES "
        "(comma-separated names or patterns such as 'iran.*'); values are kept per replicate for 'discover'",
    )
    run.add_argument(
        "--block-size",
        type=_positive_int,
        default=DEFAULT_BLOCK_SIZE,
        help=f"replicates per block (default {DEFAULT_BLOCK_SIZE:,})",
    )
    run.add_argument("--plot", metavar="FILE", help="also write the outcome figure to FILE")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    swp = commands.add_parser("sweep", help="outcome probabilities over one or two parameters' values")
    swp.add_argument("file", metavar="FILE")
    swp.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="NAME=V1,V2,...",
        help="a parameter (iran.rationality, telegraph_factor) or field path and its values; give one or two",
    )
    swp.add_argument("--runs", type=_positive_int, default=10_000, help="replicates per value (default 10,000)")
    swp.add_argument("--seed", type=_non_negative_int, default=0, help="seed of every value's study (default 0)")
    swp.add_argument("--workers", type=_positive_int, help="worker processes (default 1)")
    swp.add_argument("--outcome", help="the outcome of a two-parameter heat map (default: the first)")
    swp.add_argument("--plot", metavar="FILE", help="write the sweep figure (two parameters: a heat map) to FILE")
    swp.add_argument("--json", action="store_true", help="print a JSON list of rows instead of the table")
    swp.set_defaults(handler=_sweep)

    cmp = commands.add_parser("compare", help="scenarios on the same worlds: paired differences to the first")
    cmp.add_argument("files", nargs="+", metavar="FILE", help="two or more scenario files; the first is the reference")
    cmp.add_argument("--runs", type=_positive_int, default=10_000, help="worlds per scenario (default 10,000)")
    cmp.add_argument("--seed", type=_non_negative_int, default=0, help="seed of every scenario's study (default 0)")
    cmp.add_argument("--workers", type=_positive_int, help="worker processes (default 1)")
    cmp.add_argument("--json", action="store_true", help="print the comparison as JSON instead of the table")
    cmp.add_argument("--plot", metavar="PATH", help="write the forest figure of the differences to PATH")
    cmp.set_defaults(handler=_compare)

    back = commands.add_parser("backtest", help="score scenarios' forecasts against what really happened")
    back.add_argument("files", nargs="+", metavar="FILE", help="scenario files with an 'observed:' section")
    back.add_argument("--runs", type=_positive_int, default=10_000, help="worlds per scenario (default 10,000)")
    back.add_argument("--seed", type=_non_negative_int, default=0, help="seed of every scenario's study (default 0)")
    back.add_argument("--workers", type=_positive_int, help="worker processes (default 1)")
    drawn = back.add_mutually_exclusive_group()
    drawn.add_argument(
        "--posterior", metavar="DIR", help="give each world a posterior draw of this fit (default: parameters_from)"
    )
    drawn.add_argument("--no-posterior", action="store_true", help="the scenarios' own parameter values only")
    drawn.add_argument(
        "--leave-one-out",
        nargs="?",
        const="all",
        metavar="NAMES",
        help="forecast each file at the MAP fitted to the other files' records (every free parameter, or NAMES: "
        "comma-separated names or patterns such as 'iran.*'); one MAP fit per file",
    )
    back.add_argument("--json", action="store_true", help="print a JSON list, one object per file, instead of tables")
    back.add_argument("--plot", metavar="PATH", help="write the reliability figure to PATH")
    back.set_defaults(handler=_backtest)

    disc = commands.add_parser(
        "discover", help="PRIM boxes and a CART tree: which parameter regions lead to an outcome"
    )
    disc.add_argument("results", metavar="RESULTS_DIR", help="a study that kept each world's parameters (--out)")
    disc.add_argument("--outcome", required=True, help="the outcome to explain, such as war")
    disc.add_argument(
        "--threshold", type=float, metavar="P", help="the least density (share of the box's worlds with the outcome) "
        "of the reported box (default: the box with the most coverage x density)",
    )  # fmt: skip
    disc.add_argument(
        "--min-mass", type=float, default=0.05, help="smallest share of worlds a box keeps (default 0.05)"
    )
    disc.add_argument("--depth", type=_positive_int, default=3, help="depth of the CART tree (default 3)")
    disc.add_argument("--out", metavar="DIR", help="write prim.json, cart.json, peeling.png and box.png to DIR")
    disc.add_argument("--json", action="store_true", help="print {prim, cart} as JSON instead of the tables")
    disc.set_defaults(handler=_discover)

    sens = commands.add_parser("sensitivity", help="Sobol or Morris indices: which parameters decide the outcome")
    sens.add_argument("file", metavar="FILE")
    sens.add_argument("--method", choices=("sobol", "morris"), default="sobol", help="default sobol")
    chosen = sens.add_mutually_exclusive_group()
    chosen.add_argument("--params", metavar="NAMES", help="comma-separated names or patterns such as 'iran.*'")
    chosen.add_argument("--all", action="store_true", help="every free parameter (the default)")
    sens.add_argument(
        "--n", type=_positive_int, default=1024, help="Sobol base sample (a power of two) or Morris trajectories"
    )
    sens.add_argument(
        "--replicates", type=_positive_int, default=8, help="worlds per design point (default 8; more lowers the noise)"
    )
    sens.add_argument("--seed", type=_non_negative_int, default=0, help="design and simulation seed (default 0)")
    sens.add_argument(
        "--ranges",
        choices=("prior", "posterior", "bounds"),
        help="where ranges come from: central 90%% of the prior or posterior, or the bounds "
        "(default: posterior if the scenario names one, else prior)",
    )
    sens.add_argument(
        "--range", action="append", default=[], metavar="NAME=LOW:HIGH", help="the range of one parameter (repeatable)"
    )
    sens.add_argument("--workers", type=_positive_int, help="worker processes (default 1)")
    sens.add_argument("--top", type=_positive_int, default=10, help="parameters listed per output (default 10)")
    sens.add_argument("--out", metavar="DIR", help="write indices.csv, indices.json and a figure per output to DIR")
    sens.add_argument("--json", action="store_true", help="print {meta, indices: [...]} instead of the table")
    sens.add_argument("--quiet", action="store_true", help="no progress bar")
    sens.set_defaults(handler=_sensitivity)

    plot = commands.add_parser("plot", help="draw the figures of a finished study")
    plot.add_argument("results", metavar="RESULTS_DIR", help="folder written by: escalation run FILE --out DIR")
    plot.add_argument(
        "--kind", choices=(*FIGURE_KINDS, "all"), default="outcomes", help="which figure (default outcomes)"
    )
    plot.add_argument(
        "-o",
        "--output",
        metavar="FILE_OR_DIR",
        help="figure file (format from its extension) or folder (gets <kind>.png); with --kind all, "
        "a folder (default: RESULTS_DIR)",
    )
    plot.add_argument("--dpi", type=_positive_int, default=150, help="resolution of raster figures (default 150)")
    plot.set_defaults(handler=_plot)

    explore = commands.add_parser("explore", help="a browser app: pick a scenario, move parameters, run worlds")
    explore.add_argument("file", nargs="?", metavar="FILE", help="a scenario to offer besides the shipped ones")
    explore.add_argument("--port", type=_non_negative_int, default=8765, help="port (default 8765; 0: any free one)")
    explore.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)")
    explore.add_argument("--no-browser", action="store_true", help="print the URL without opening a browser")
    explore.set_defaults(handler=_explore)
    return parser


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with the line that tells the user what was kept."""


def _interrupted(message: str, argv: Sequence[str] | None) -> int:
    """Report Ctrl-C in one line; as the process's own command, ignore any further Ctrl-C until exit."""
    if argv is None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the clean exit
    print(message, file=sys.stderr)
    return 130


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``escalation`` command."""
    args = None
    if argv is None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, interrupts.on_ctrl_c)  # safe while the compiled kernel is built
    try:
        args = build_parser().parse_args(argv)
        code = args.handler(args)
        interrupts.raise_if_requested()  # a Ctrl-C noted in the kernel's build that no later check raised
        return code
    except RunError as exc:  # as argparse words its own errors; a scenario's error starts with FILE:LINE
        command = f"escalation {args.command}" if args is not None else "escalation"
        print(f"{command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EscalationError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as interrupt:
        return _interrupted(str(interrupt) if isinstance(interrupt, Interrupted) else "escalation: interrupted", argv)
    except SystemError as error:
        if not raised_by_interrupt(error):
            raise
        return _interrupted("escalation: interrupted", argv)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
