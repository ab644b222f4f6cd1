"""Command-line interface: a thin layer over the library.

User errors print one line on stderr and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from escalation import __version__
from escalation.errors import EscalationError
from escalation.scenario import load_scenario

EXIT_USAGE = 2


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
    trace = run_trace(scenario, seed=args.seed)
    if args.json:
        json.dump(trace.to_json(), sys.stdout, indent=1)
        print()
    else:
        print(trace.narrative())
    return 0


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
    trace.add_argument("--seed", type=int, default=0, help="seed of the world (default 0)")
    trace.add_argument("--json", action="store_true", help="print the table as JSON")
    trace.set_defaults(handler=_trace)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``escalation`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except EscalationError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("escalation: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
