"""Shared look of the figures: colours, figure creation, day axes, ladder axes, saving.

Figures are created as plain :class:`~matplotlib.figure.Figure` objects, not through
``pyplot``: drawing never needs a display, never changes the caller's backend and leaves no
figure open behind. A figure still displays in Jupyter and saves with ``fig.savefig``.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from escalation.errors import RunError
from escalation.io import atomic_write
from escalation.ladder import Ladder

OUTCOME_COLOURS = {
    "mutual_restraint": "#1b9e77",
    "proxy_attrition": "#7570b3",
    "unresolved": "#d95f02",
    "war": "#b2182b",
}
_FALLBACK = ("#66a61e", "#e6ab02", "#a6761d", "#666666", "#1f78b4", "#e7298a")
ACTOR_COLOURS = ("#2166ac", "#8c510a", "#c51b7d", "#35978f", "#762a83", "#4d4d4d", "#e08214")
THRESHOLD_COLOUR = "#404040"
TITLE_SIZE = 10
LABEL_SIZE = 9
SMALL_SIZE = 8


def outcome_colours(names: Iterable[str]) -> dict[str, str]:
    """Colours for a list of outcome names: fixed ones for known names, the rest in order.

    Every figure of a study colours its outcomes through this mapping of the study's outcome
    list, so an outcome has the same colour in every figure.
    """
    colours: dict[str, str] = {}
    spare = [c for c in _FALLBACK if c not in OUTCOME_COLOURS.values()]
    unknown = 0
    for name in dict.fromkeys(names):
        if name in OUTCOME_COLOURS:
            colours[name] = OUTCOME_COLOURS[name]
        else:
            colours[name] = spare[unknown % len(spare)]
            unknown += 1
    return colours


def actor_colour(index: int) -> str:
    """Colour of the actor at position ``index`` of the scenario's actor list."""
    return ACTOR_COLOURS[index % len(ACTOR_COLOURS)]


def pretty(name: str) -> str:
    """An id as words: ``mutual_restraint`` -> ``mutual restraint``."""
    return name.replace("_", " ")


def share_label(share: float, count: int, total: int | None = None) -> str:
    """A share as a percentage that rounding never turns into 0, 0.0% or (given ``total``) 100.0%."""
    if count == 0:
        return "0"
    if share < 0.0005:
        return "<0.1%"
    if total is not None and count < total and share >= 0.9995:
        return ">99.9%"
    return f"{share:.1%}"


def new_figure(size: tuple[float, float]) -> Figure:
    """A headless figure with constrained layout."""
    return Figure(figsize=size, layout="constrained")


def figure_and_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """The caller's axes and their figure, or a new figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(size)
    return fig, fig.add_subplot()


def set_title(ax: Axes, subject: str, detail: str = "") -> None:
    """Two-line title: what the figure shows, then which study; wrapped to the figure's width.

    A line too long for the axes breaks first before its trailing ``(...)`` group (the
    replicate count), then between words.
    """
    width_in = ax.figure.get_figwidth() * min(1.0, ax.get_position().width / 0.775) - 0.9
    chars = max(40, int(width_in * 72 / (0.53 * TITLE_SIZE)))  # DejaVu Sans: about 0.53 em a character
    lines: list[str] = []
    for text in (subject, detail):
        if not text:
            continue
        head, sep, tail = text.rpartition("  (")
        parts = [head, "(" + tail] if len(text) > chars and sep else [text]
        for part in parts:
            lines += textwrap.wrap(part, chars)
    ax.set_title("\n".join(lines), fontsize=TITLE_SIZE, loc="left")


def study_line(titles: Sequence[str], runs: Sequence[int]) -> str:
    """``scenario title · N replicates`` for one study, or the studies' names for several."""
    titles = list(dict.fromkeys(titles))
    counts = ", ".join(f"{n:,}" for n in dict.fromkeys(runs))
    return f"{' | '.join(titles)}  ({counts} replicates)"


def clean_spines(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def date_of_day(day: int, start_date: dt.date | None) -> dt.date | None:
    """Calendar date of a simulated day (day 1 = ``start_date``, day 0 = the branch event)."""
    return None if start_date is None else start_date + dt.timedelta(days=int(day) - 1)


def day_axis(ax: Axes, start_date: dt.date | None, *, label: bool = True) -> None:
    """Integer day ticks; with a start date, each tick also shows its calendar date."""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=9, integer=True, steps=[1, 2, 3, 5, 10]))
    if start_date is not None:

        def fmt(value: float, _pos: int) -> str:
            day = round(value)
            date = date_of_day(day, start_date)
            return f"{day}\n{date.day} {date:%b}"

        ax.xaxis.set_major_formatter(FuncFormatter(fmt))
    if label:
        if start_date is None:
            ax.set_xlabel("simulated day", fontsize=LABEL_SIZE)
        else:
            branch = start_date - dt.timedelta(days=1)
            ax.set_xlabel(
                f"day (day 0 = the branch event, {branch.day} {branch:%b %Y}; day 1 = first simulated day)",
                fontsize=LABEL_SIZE,
            )
    ax.tick_params(axis="x", labelsize=SMALL_SIZE)


def rung_labels(ladder: Ladder) -> list[str]:
    """``level  name`` for every rung, bottom first."""
    return [f"{rung.name}  {level}" for level, rung in enumerate(ladder.rungs)]


def threshold_marks(ladder: Ladder) -> list[tuple[float, str]]:
    """Position (between rungs, in level units) and name of every firebreak, ascending."""
    marks = [(ladder.level(t.at) - 0.5, t.name or pretty(t.id)) for t in ladder.thresholds]
    return sorted(marks)


def edge_label(ax: Axes, text: str, y: float, *, outside: bool = False, **style: object) -> None:
    """A small note at height ``y`` (data units) on the right edge: just inside the axes, above
    the line at ``y`` on a white backing, or just outside the axes, centred on it."""
    if outside:
        placement = {"xytext": (4, 0), "ha": "left", "va": "center", "fontsize": 7, "annotation_clip": False}
    else:
        backing = {"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
        placement = {"xytext": (-3, 1.5), "ha": "right", "va": "bottom", "fontsize": 6.5, "bbox": backing, "zorder": 6}
    ax.annotate(text, xy=(1, y), xycoords=("axes fraction", "data"), textcoords="offset points", **(placement | style))


def draw_thresholds(ax: Axes, ladder: Ladder, *, label: str | None = "inside") -> None:
    """Firebreaks as thin dashed horizontal lines between rungs.

    ``label``: ``"inside"`` names them at the right edge inside the axes, ``"outside"`` just
    right of the axes (for the last panel of a row), ``None`` leaves them unnamed.
    """
    for position, name in threshold_marks(ladder):
        ax.axhline(position, color=THRESHOLD_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)), zorder=3)
        if label is not None:
            edge_label(ax, name, position, outside=label == "outside", fontstyle="italic", color=THRESHOLD_COLOUR)


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Save a figure atomically (format from the file extension, PNG without one) and close it."""
    path = Path(path)
    suffix = path.suffix.lstrip(".").lower() or "png"
    supported = fig.canvas.get_supported_filetypes()
    if suffix not in supported:
        raise RunError(f"{path}: cannot write .{suffix} figures (use one of {', '.join(sorted(supported))})")
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=suffix))
    _close(fig)
    return path


def _close(fig: Figure) -> None:
    """Release a figure: through pyplot when pyplot manages it, else nothing holds it."""
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
