"""MkDocs hooks: plain code for Sphinx roles, and the figure gallery drawn at build time.

The docstrings say :class:`~escalation.errors.ScenarioError` (Sphinx style); Markdown would
show the role name. ``on_page_content`` turns such roles into code spans (``~`` keeps the last
component only).

``on_files`` runs a study of the seeded scenario and adds the page ``gallery.md`` with every
figure of :mod:`escalation.plots` and its how-to-read line, so the gallery always shows what
the library draws today.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):<code>(~?)([^<]*)</code>")
SCENARIO = "scenarios/us_iran_2020.yaml"
RUNS, SEED = 20_000, 1
TITLES = {
    "outcomes": "Outcome probabilities",
    "ladder": "How far up the ladder, day by day",
    "peak": "How high the crisis climbed",
    "timing": "When the outcome settled",
    "casualties": "Deaths, overall and by outcome",
}
_FOLDER = tempfile.TemporaryDirectory(prefix="escalation-gallery-")  # lives as long as the build


def _code(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html: str, **_: object) -> str:
    return ROLE.sub(_code, html)


def _gallery_page(study_title: str) -> str:
    from escalation.plots import HOW_TO_READ, KINDS

    lines = [
        "# Figure gallery",
        "",
        f"Every figure the library draws, for {RUNS:,} replicates of the seeded scenario ({study_title}, "
        f"seed {SEED}). The figures are drawn afresh each time these pages are built. The same set comes from",
        "",
        "```sh",
        f"escalation run {SCENARIO} --runs {RUNS} --seed {SEED} --out study",
        "escalation plot study --kind all -o figures",
        "```",
        "",
        "or `results.plot_all(folder)` in Python ([the plots API](api/plots.md)). Each figure's data is a "
        "tidy table of its own (`escalation.plots.*_data`).",
        "",
    ]
    for kind in KINDS:
        lines += [f"## {TITLES.get(kind, kind)}", "", f"**How to read it.** {HOW_TO_READ[kind]}", ""]
        lines += [f"![{TITLES.get(kind, kind)}](img/gallery/{kind}.png)", ""]
    return "\n".join(lines)


def on_files(files, config, **_: object):
    """Add ``gallery.md`` and its figures, drawn from a fresh study, to the site's files."""
    from mkdocs.structure.files import File

    import escalation
    from escalation.plots import plot_all

    folder = Path(_FOLDER.name)
    results = escalation.run_study(Path(config["docs_dir"]).parent / SCENARIO, runs=RUNS, seed=SEED)
    for path in plot_all(results, folder, dpi=110):
        files.append(File.generated(config, f"img/gallery/{path.name}", abs_src_path=str(path)))
    title = results.scenario.title or results.scenario.name
    files.append(File.generated(config, "gallery.md", content=_gallery_page(title)))
    return files
