"""The documentation: every Python sample runs, shown output matches, the CLI reference is complete.

Each page's ```python blocks run in order in one fresh namespace, in a temporary working
directory holding a copy of ``scenarios/`` (so relative paths work and nothing is written into
the repository). A ```text block that directly follows a ```python block (only blank lines
between) is the output that block prints, and must match it exactly. Blocks that are not
meant to run are fenced as ```sh, ```text, ```yaml and so on.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from escalation import load_scenario
from escalation.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
SEEDED_PATH = ROOT / "scenarios" / "us_iran_2020.yaml"
DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def blocks(text: str) -> list[tuple[str, str, int, str]]:
    """(language, body, line, text between the previous block and this one) for every fence."""
    found, last = [], 0
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found.append((match["lang"], match["body"], line, text[last : match.start()]))
        last = match.end()
    return found


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


RUNNABLE = [p for p in PAGES if any(lang == "python" for lang, *_ in blocks(p.read_text(encoding="utf-8")))]


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def run_page(page: Path, workdir: Path) -> list[tuple[int, str, str | None]]:
    """Run a page's python blocks in order; for each shown output, (line, shown text, printed text).

    ``workdir`` becomes the working directory and receives a copy of ``scenarios/``.
    """
    shutil.copytree(ROOT / "scenarios", workdir / "scenarios")
    namespace: dict = {"__name__": "__docs__"}
    shown: list[tuple[int, str, str | None]] = []
    previous: tuple[str, str] | None = None  # (language, captured output) of the previous block
    cwd = Path.cwd()
    os.chdir(workdir)
    try:
        for lang, body, line, between in blocks(page.read_text(encoding="utf-8")):
            if lang == "text" and previous is not None and previous[0] == "python" and not between.strip():
                shown.append((line, body, previous[1]))
            if lang == "python":
                out = io.StringIO()
                try:
                    with contextlib.redirect_stdout(out):
                        exec(compile(body, f"{_name(page)}:{line}", "exec"), namespace)
                except Exception as exc:
                    raise AssertionError(f"{_name(page)}: the python block at line {line} failed: {exc!r}") from exc
                previous = (lang, out.getvalue())
            else:
                previous = (lang, "")
    finally:
        os.chdir(cwd)
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
    return shown


@pytest.mark.parametrize("page", RUNNABLE, ids=_name)
def test_python_samples_run(page, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for line, text, printed in run_page(page, tmp_path):
        assert _normalise(printed) == _normalise(text), (
            f"{_name(page)}:{line}: the output shown differs from what the sample above prints "
            "(refresh with: python tests/test_docs.py --refresh)"
        )


def test_fences_parse():
    text = "a\n```python\nx = 1\n```\n\n```text\n1\n```\nb\n```sh\nls\n```\n"
    assert [(lang, body, between.strip()) for lang, body, _, between in blocks(text)] == [
        ("python", "x = 1\n", "a"),
        ("text", "1\n", ""),
        ("sh", "ls\n", "b"),
    ]


def test_every_fence_is_closed():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        openings = [m for m in re.finditer(r"^```", text, re.MULTILINE)]
        assert len(openings) % 2 == 0, f"{_name(page)}: an unclosed ``` fence"


def _options(parser) -> dict[str, list[str]]:
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {
        name: [s for a in command._actions for s in a.option_strings if s.startswith("--") and s != "--help"]
        for name, command in sub.choices.items()
    }


def test_cli_reference_covers_every_command_and_option():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command, options in _options(build_parser()).items():
        section = re.search(rf"^## `escalation {command}`.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
        assert section, f"docs/cli.md has no section '## `escalation {command}`'"
        for option in options:
            assert f"`{option}" in section.group(0), f"docs/cli.md: `escalation {command}` does not document {option}"


def test_captured_run_output_is_of_the_current_scenario():
    """The `make run` output shown in the docs names the seeded scenario's hash: refresh it when that changes."""
    current = load_scenario(SEEDED_PATH).hash[:12]
    for page in PAGES:
        for shown in re.findall(r"scenario hash ([0-9a-f]{12})", page.read_text(encoding="utf-8")):
            assert shown == current, (
                f"{_name(page)} shows `make run` output of an older scenario (hash {shown}, now {current}): "
                "paste the output of a new `make run` there"
            )


def test_nav_lists_every_page():
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python", "#"))

    def walk(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                yield from walk(value)

    listed = set(walk(config["nav"]))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert pages <= listed, f"pages missing from the nav: {sorted(pages - listed)}"
    assert config["strict"] is True


def refresh(pages: list[Path]) -> None:
    """Rewrite the shown outputs of ``pages`` with what their samples print now."""
    import tempfile

    for page in pages:
        with tempfile.TemporaryDirectory() as tmp:
            shown = run_page(page, Path(tmp))
        lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
        for line, text, printed in reversed(shown):
            old = text.splitlines(keepends=True)
            new = [f"{row.rstrip()}\n" for row in printed.strip("\n").splitlines()]
            lines[line : line + len(old)] = new
        page.write_text("".join(lines), encoding="utf-8")
        print(f"{_name(page)}: {len(shown)} output block(s) refreshed")


if __name__ == "__main__":
    # python tests/test_docs.py --refresh [PAGE ...]: update the shown outputs after a model change
    import argparse

    parser = argparse.ArgumentParser(description="Refresh the outputs shown under the docs' python samples.")
    parser.add_argument("--refresh", action="store_true", required=True)
    parser.add_argument("pages", nargs="*", type=Path, help="default: every page with python samples")
    args = parser.parse_args()
    refresh([p.resolve() for p in args.pages] or RUNNABLE)
