"""Mutation campaign against the command line: mutated scenario files through validate, run and trace.

Each mutant is one of the shipped scenario files with a seeded random change to its text (a
hostile scalar for a value, a line deleted, duplicated, moved, re-indented or cut, a hostile
line inserted, the file truncated, random bytes). Every mutant goes through ``escalation
validate`` in its own process; one that validates also goes through a short ``run`` and a
``trace``. A command passes if it ends with status 0, or with 2 and exactly one line on
standard error, within the time limit. The campaign prints the counts: mutants tried, how many
validated, tracebacks, other failures and hangs, and writes each failing mutant to ``--keep``.

    python tests/fuzz_cli.py --mutants 2000 --seed 0 --workers 2

The suite runs a few mutants (``tests/test_cli.py``) to keep this script working; the
in-process hostile-YAML generator of ``tests/test_malformed.py`` covers thousands per run.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import functools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    '!!int ""', "!!int x", '!!float ""', "!!float inf", "!!bool maybe", "!!timestamp x", "!!timestamp 2020-02-30",
    "!!binary AAAA", "!!python/name:os.system", "!custom 1", "!!set {a, b}", "1e400", "-1e400", ".nan", ".inf",
    "9223372036854775808", "-1", "0", "1e-320", "1000000000", "2020-02-30", "0001-01-01", "9999-12-31", "~", "yes",
    '"\\ud800"', '"\\x00"', '"a\\nb"', "'" + "x" * 300 + "'", "[1, [2, [3]]]", "{a: {b: 1}}", "[]", "{}", "*nowhere",
    "&a [x, x]", "-0.0", "1_000", "0x1F", "0o17", "+12", "2020-01-01T00:00:00Z",
]  # fmt: skip
HOSTILE_LINES = [
    "horizon_days: 100000000", "start_after: NOWHERE", "extends: ../../../../etc/passwd", "extends: " + "x" * 300,
    "parameters_from: nowhere", "casualty_dispersion: 1000", "runs: -1", "? [a, b]\n: 1", "<<: *x", "a0: &a0 [x,x,x]",
    "2020-02-30: 1", "name: \"\\ud800\"", "record: {}", "timeline: null", "actors: []", "outcomes: 7",
]  # fmt: skip
VALUE = re.compile(r"^(\s*(?:- )?[\w.\-]+:\s+)(\S.*)$")


def mutate(text: str, rng: random.Random) -> tuple[str, str]:
    """One seeded random change to a scenario file's text: ``(new text, what was done)``."""
    lines = text.splitlines()
    valued = [i for i, line in enumerate(lines) if VALUE.match(line)]
    kind = rng.choice(
        ["value", "value", "value", "delete", "duplicate", "move", "indent", "insert", "truncate", "bytes"]
    )
    if kind == "value" and valued:
        i = rng.choice(valued)
        lines[i] = VALUE.sub(lambda m: m.group(1) + rng.choice(HOSTILE), lines[i])
    elif kind == "delete" and lines:
        del lines[rng.randrange(len(lines))]
    elif kind == "duplicate" and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "move" and len(lines) > 1:
        lines.insert(rng.randrange(len(lines)), lines.pop(rng.randrange(len(lines))))
    elif kind == "indent" and lines:
        i = rng.randrange(len(lines))
        lines[i] = " " * rng.choice([0, 1, 3, 8]) + lines[i].lstrip()
    elif kind == "insert":
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(HOSTILE_LINES))
    elif kind == "truncate":
        return text[: rng.randrange(len(text) + 1)], kind
    else:
        kind = "bytes"
        at = rng.randrange(len(text) + 1)
        noise = "".join(
            chr(rng.choice([0, 7, 9, 10, 13, 0x85, 0x2028, 0xFEFF, rng.randrange(32, 0x3000)])) for _ in range(4)
        )
        return text[:at] + noise + text[at:], kind
    return "\n".join(lines) + "\n", kind


def _run(command: list[str], timeout: float, cwd: Path) -> tuple[str, str]:
    """``(verdict, stderr)``: ok, error (status 2, one line), traceback, failure or hang."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd, errors="replace")
    except subprocess.TimeoutExpired as expired:
        return "hang", str(expired.stderr or "")[-2000:]
    err = done.stderr
    if "Traceback (most recent call last)" in err:
        return "traceback", err[-4000:]
    if done.returncode == 0:
        return "ok", err
    if done.returncode == 2 and err.count("\n") == 1:
        return "error", err
    return "failure", f"status {done.returncode}: {err[-2000:]}"


@functools.cache
def _sources(tree: Path) -> list[Path]:
    """The scenario files of ``tree`` that mutants are made from (listed once, before any mutant exists)."""
    return sorted(p for p in tree.rglob("*.yaml") if "sources" not in p.parts)


def try_mutant(args: tuple[Path, int, float]) -> dict:
    """Write mutant ``index`` next to its source in ``tree`` and put it through the commands."""
    tree, index, timeout = args
    rng = random.Random(index)
    source = rng.choice(_sources(tree))
    text, kind = mutate(source.read_text(encoding="utf-8"), rng)
    mutant = source.with_name(f"{source.stem}__m{index}.yaml")
    mutant.write_bytes(text.encode("utf-8", "surrogatepass"))
    command = [sys.executable, "-m", "escalation.cli"]
    record = {"index": index, "source": str(source.relative_to(tree)), "mutation": kind, "steps": {}}
    try:
        verdict, err = _run([*command, "validate", str(mutant)], timeout, tree)
        record["steps"]["validate"] = verdict
        if verdict == "ok":
            out = tree.parent / f"out__m{index}"  # outside the scenarios, which stay the mutants' sources
            run = [
                "run",
                str(mutant),
                "--runs",
                "40",
                "--block-size",
                "20",
                "--seed",
                "1",
                "--quiet",
                "--out",
                str(out),
            ]
            for step, extra in (("run", run), ("trace", ["trace", str(mutant), "--seed", "1"])):
                verdict, err = _run([*command, *extra], timeout, tree)
                record["steps"][step] = verdict
                if verdict not in ("ok", "error"):
                    break
            shutil.rmtree(out, ignore_errors=True)
        if verdict not in ("ok", "error"):
            record["stderr"] = err
            record["text"] = text
    finally:
        mutant.unlink()
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0, help="first mutant's index; mutant i is seeded with i")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds a command may take before it counts as a hang"
    )
    parser.add_argument("--keep", type=Path, help="folder for the failing mutants and their output")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = []
        for w in range(args.workers):  # a copy of the scenarios per worker, so relative extends resolve
            trees.append(Path(tmp) / f"w{w}" / "scenarios")
            shutil.copytree(ROOT / "scenarios", trees[-1])
            _sources(trees[-1])
        tasks = [(trees[i % args.workers], args.seed + i, args.timeout) for i in range(args.mutants)]
        counts: collections.Counter[str] = collections.Counter()
        failing = []
        with cf.ThreadPoolExecutor(args.workers) as pool:
            for record in pool.map(try_mutant, tasks):
                counts["mutants"] += 1
                counts["validated"] += record["steps"]["validate"] == "ok"
                counts["ran"] += record["steps"].get("run") == "ok"
                worst = [v for v in record["steps"].values() if v not in ("ok", "error")]
                for verdict in worst:
                    counts[verdict + "s"] += 1
                if worst:
                    failing.append(record)
    for key in ("mutants", "validated", "ran", "tracebacks", "failures", "hangs"):
        print(f"{key:>10}: {counts[key]}")
    if args.keep and failing:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "failing.json").write_text(json.dumps(failing, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
