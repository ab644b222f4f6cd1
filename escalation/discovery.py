"""Scenario discovery: which regions of the uncertain parameters lead to an outcome.

The input is one row per simulated world: ``X``, a DataFrame with one numeric column per
uncertain parameter, and ``y``, a boolean array (the world ended in the outcome of interest,
such as war). Two methods describe where the ``y``-True worlds are:

* :func:`prim` (Patient Rule Induction Method, Friedman & Fisher 1999) finds one box, an
  interval per parameter, by peeling thin slices off a box that starts around all worlds. It
  returns the whole peeling trajectory, from which a box is chosen; :func:`plot_peeling` and
  :func:`plot_box` draw the trajectory and a box.
* :func:`cart` fits a shallow classification tree (scikit-learn) and lists its leaves as
  readable rules, so several separate regions can show up at once.

For a set of worlds (a box or a leaf), with shares in [0, 1]:

* coverage = share of all ``y``-True worlds that are in the set,
* density = share of the set's worlds that have ``y`` True,
* mass = share of all worlds that are in the set.

A box holds the worlds with ``low <= x <= high`` on every parameter (inclusive at both ends).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["CartResult", "PrimResult", "cart", "plot_box", "plot_peeling", "prim"]

TRAJECTORY_COLUMNS = ["step", "coverage", "density", "mass", "restricted"]
BOX_COLUMNS = ["parameter", "low", "high", "min", "max"]
LEAF_COLUMNS = ["rule", "worlds", "share_of_worlds", "density", "coverage"]

Limits = dict[str, tuple[float, float]]


# ---------------------------------------------------------------------------------------------
# Input checks and small helpers


def _check_inputs(X: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``X`` as a float array (worlds × parameters), ``y`` as a bool array, and the column names.

    Raises a one-line :class:`ValueError` (:class:`TypeError` if ``X`` is not a DataFrame).
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"{where}: X must be a pandas DataFrame (one row per world), not {type(X).__name__}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{where}: X is empty ({X.shape[0]} rows, {X.shape[1]} columns)")
    columns = [str(c) for c in X.columns]
    if len(set(columns)) != len(columns):
        twice = next(c for c in columns if columns.count(c) > 1)
        raise ValueError(f"{where}: X has the column {twice!r} more than once")
    for name, dtype in zip(columns, X.dtypes, strict=True):
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            raise ValueError(f"{where}: column {name!r} of X is not numeric (dtype {dtype})")
    values = X.to_numpy(dtype=float)
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"{where}: y must be one-dimensional, got shape {labels.shape}")
    if len(labels) != len(values):
        raise ValueError(f"{where}: X has {len(values)} rows but y has {len(labels)} values")
    if labels.dtype != bool:
        if labels.dtype.kind not in "iuf" or not np.isin(labels, (0, 1)).all():
            raise ValueError(f"{where}: y must be boolean (or 0/1), got dtype {labels.dtype}")
        labels = labels.astype(bool)
    bad = ~np.isfinite(values)
    if bad.any():
        column = columns[int(np.flatnonzero(bad.any(axis=0))[0])]
        raise ValueError(f"{where}: X has {int(bad.sum())} non-finite value(s) (NaN or inf), e.g. in {column!r}")
    hits = int(labels.sum())
    if hits == 0:
        raise ValueError(f"{where}: y has no True value (no world has the outcome)")
    if hits == len(labels):
        raise ValueError(f"{where}: y has no False value (every world has the outcome)")
    return values, labels, columns


def _number(value: Any) -> float | None:
    """A plain float for JSON, or None for NaN/inf."""
    value = float(value)
    return value if math.isfinite(value) else None


def _fmt(value: float) -> str:
    """A limit or threshold for display: 4 significant digits."""
    return f"{value:.4g}"


def _fmt_in(value: float, span: float) -> str:
    """A value of a parameter whose full range is ``span`` wide, to about a thousandth of the range."""
    decimals = min(10, max(0, 3 - math.floor(math.log10(span)))) if span > 0 else 3
    return f"{value:.{decimals}f}"


# ---------------------------------------------------------------------------------------------
# PRIM


@dataclass
class PrimResult:
    """The peeling trajectory of :func:`prim` and the chosen box.

    Attributes:
        trajectory: one row per box, columns ``step`` (0 = all worlds), ``coverage``,
            ``density``, ``mass`` (shares in [0, 1]) and ``restricted`` (number of parameters
            whose limits differ from their full range).
        limits: one dict per step, parameter -> (low, high), inclusive.
        full: parameter -> (min, max) over all worlds: the limits of step 0.
        chosen: step of the chosen box (see :func:`prim` for the rule).
        reached: whether the chosen box reaches ``threshold`` (True when there is none).
        threshold: the density threshold passed to :func:`prim`, or None.
        n_worlds: number of worlds (rows of ``X``).
        base_rate: share of worlds with ``y`` True, in (0, 1).
        peel_alpha: share of the box's worlds each peel removes.
        min_mass: smallest mass a box of the trajectory may have.
    """

    trajectory: pd.DataFrame
    limits: list[Limits]
    full: Limits
    chosen: int
    reached: bool
    threshold: float | None
    n_worlds: int
    base_rate: float
    peel_alpha: float
    min_mass: float

    def _step(self, step: int | None) -> int:
        if step is None:
            return self.chosen
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < len(self.limits):
            raise ValueError(f"step must be an integer from 0 to {len(self.limits) - 1}, got {step!r}")
        return int(step)

    def box(self, step: int | None = None) -> Limits:
        """Limits of the box at ``step`` (default: the chosen box), parameter -> (low, high)."""
        return dict(self.limits[self._step(step)])

    def inside(self, X: pd.DataFrame, step: int | None = None) -> np.ndarray:
        """Boolean array: which rows of ``X`` lie in the box at ``step`` (default: the chosen box)."""
        mask = np.ones(len(X), dtype=bool)
        for name, (low, high) in self.limits[self._step(step)].items():
            values = X[name].to_numpy(dtype=float)
            mask &= (values >= low) & (values <= high)
        return mask

    def box_table(self, step: int | None = None) -> pd.DataFrame:
        """The restricted parameters of the box at ``step`` (default: the chosen box).

        Columns ``parameter, low, high, min, max`` (the box's limits and the parameter's full
        range); rows ordered by the share of the full range cut off, largest first.
        """
        rows = []
        for name, (low, high) in self.limits[self._step(step)].items():
            lo, hi = self.full[name]
            if (low, high) != (lo, hi):
                rows.append((1.0 - (high - low) / (hi - lo), name, low, high, lo, hi))
        rows.sort(key=lambda row: -row[0])  # stable: ties keep column order
        return pd.DataFrame([row[1:] for row in rows], columns=BOX_COLUMNS)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict: settings, full ranges, every step (restricted limits only), chosen box."""
        steps = []
        for row, limits in zip(self.trajectory.itertuples(index=False), self.limits, strict=True):
            box = {name: [float(lo), float(hi)] for name, (lo, hi) in limits.items() if (lo, hi) != self.full[name]}
            steps.append(
                {
                    "step": int(row.step),
                    "coverage": _number(row.coverage),
                    "density": _number(row.density),
                    "mass": _number(row.mass),
                    "restricted": int(row.restricted),
                    "box": box,
                }
            )
        table = self.box_table()
        return {
            "method": "prim",
            "n_worlds": int(self.n_worlds),
            "base_rate": _number(self.base_rate),
            "peel_alpha": _number(self.peel_alpha),
            "min_mass": _number(self.min_mass),
            "threshold": None if self.threshold is None else _number(self.threshold),
            "chosen": int(self.chosen),
            "reached": bool(self.reached),
            "full": {name: [float(lo), float(hi)] for name, (lo, hi) in self.full.items()},
            "trajectory": steps,
            "box": [
                {
                    "parameter": str(r.parameter),
                    "low": _number(r.low),
                    "high": _number(r.high),
                    "min": _number(r.min),
                    "max": _number(r.max),
                }
                for r in table.itertuples(index=False)
            ],
        }


def _peel_trajectory(
    values: np.ndarray, labels: np.ndarray, peel_alpha: float, min_mass: float
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[tuple[int, int]]]:
    """Greedy peeling. Returns the limits (low, high arrays) and (worlds, hits) of every box."""
    n, d = values.shape
    columns = np.ascontiguousarray(values.T)  # parameters × worlds: each column contiguous
    low, high = columns.min(axis=1), columns.max(axis=1)
    limits = [(low.copy(), high.copy())]
    counts = [(n, int(labels.sum()))]
    inside = np.arange(n)
    order = np.arange(2 * d)  # candidate 2j peels the low side of parameter j, 2j + 1 its high side
    while True:
        box = columns[:, inside]
        box_labels = labels[inside]
        m, hits = counts[-1]
        cut_low, cut_high = np.quantile(box, [peel_alpha, 1.0 - peel_alpha], axis=1)
        peel_low = box < cut_low[:, None]
        peel_high = box > cut_high[:, None]
        for peel, extreme in ((peel_low, np.min), (peel_high, np.max)):
            # Ties at the quantile can leave nothing below it: then peel the worlds at the extreme value.
            empty = np.flatnonzero(~peel.any(axis=1))
            if empty.size:
                rows = box[empty]
                peel[empty] = rows == extreme(rows, axis=1)[:, None]
        removed = np.empty(2 * d, dtype=np.int64)
        removed[0::2] = np.count_nonzero(peel_low, axis=1)
        removed[1::2] = np.count_nonzero(peel_high, axis=1)
        removed_hits = np.empty(2 * d, dtype=np.int64)
        removed_hits[0::2] = np.count_nonzero(peel_low & box_labels, axis=1)
        removed_hits[1::2] = np.count_nonzero(peel_high & box_labels, axis=1)
        valid = (removed >= 1) & (removed < m)  # a column constant in the box cannot be peeled
        if not valid.any():
            break
        left = np.where(valid, m - removed, 1)
        density = np.where(valid, (hits - removed_hits) / left, -np.inf)
        best = int(np.lexsort((order, removed, -density))[0])  # densest, then fewest removed, then first
        if (m - removed[best]) / n < min_mass:
            break
        j, high_side = divmod(best, 2)
        keep = ~(peel_high if high_side else peel_low)[j]
        kept = box[j, keep]
        low, high = low.copy(), high.copy()
        if high_side:
            high[j] = kept.max()
        else:
            low[j] = kept.min()
        inside = inside[keep]
        limits.append((low, high))
        counts.append((int(inside.size), int(hits - removed_hits[best])))
    return limits, counts


def _choose(coverage: np.ndarray, density: np.ndarray, threshold: float | None) -> tuple[int, bool]:
    """Step of the chosen box and whether it reaches the threshold (the rule is in :func:`prim`)."""
    steps = np.arange(len(coverage))
    if threshold is None:
        score = coverage * density
        return int(np.lexsort((steps, -density, -score))[0]), True
    ok = density >= threshold
    if ok.any():
        candidates = np.lexsort((steps, -density, -np.where(ok, coverage, -1.0)))
        return int(candidates[0]), True
    return int(np.lexsort((steps, -coverage, -density))[0]), False


def prim(
    X: pd.DataFrame,
    y: Any,
    *,
    peel_alpha: float = 0.05,
    min_mass: float = 0.05,
    threshold: float | None = None,
) -> PrimResult:
    """Patient Rule Induction Method (Friedman & Fisher 1999): peeling only, no pasting.

    Starts from the box around all worlds (limits = each column's min and max). Each step
    considers, for every parameter, peeling off the in-box worlds below its ``peel_alpha``
    quantile (among in-box worlds) or above its ``1 - peel_alpha`` quantile, and keeps the peel
    giving the densest remaining box (ties: the peel removing fewer worlds, then the first
    parameter, low side first). If ties at the quantile leave no world beyond it, the peel
    removes the worlds at the extreme value instead; a parameter constant within the box is not
    peeled. The peeled limit moves to the nearest remaining value, so limits are data values.
    Peeling stops when the best peel would leave a box with mass below ``min_mass``, or when no
    parameter can be peeled. The pasting phase of PRIM is not done.

    Args:
        X: one row per world, one numeric column per parameter, all values finite.
        y: boolean (or 0/1) per world: the world has the outcome; needs both values.
        peel_alpha: share of the box's worlds a peel removes, in (0, 0.5].
        min_mass: smallest mass (share of all worlds) of a box, in [0, 1].
        threshold: density in [0, 1] the chosen box must reach, or None.

    Returns:
        A :class:`PrimResult`. The chosen box: with a threshold, the box of highest coverage
        among those with density >= threshold (ties: the denser, then the earlier step); if no
        box reaches it, the densest box (ties: higher coverage) with ``reached=False``. Without
        a threshold, the box maximising coverage × density (ties: the denser, then the earlier).

    Raises:
        ValueError: X empty, lengths of X and y differ, y all True or all False, non-finite
            or non-numeric values in X, or settings out of range.
    """
    values, labels, columns = _check_inputs(X, y, "prim")
    if not 0.0 < peel_alpha <= 0.5:
        raise ValueError(f"prim: peel_alpha must be in (0, 0.5], got {peel_alpha!r}")
    if not 0.0 <= min_mass <= 1.0:
        raise ValueError(f"prim: min_mass must be in [0, 1], got {min_mass!r}")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"prim: threshold must be in [0, 1] or None, got {threshold!r}")

    boxes, counts = _peel_trajectory(values, labels, float(peel_alpha), float(min_mass))
    n = len(values)
    total_hits = counts[0][1]
    full_low, full_high = boxes[0]
    worlds = np.array([c[0] for c in counts], dtype=float)
    hits = np.array([c[1] for c in counts], dtype=float)
    trajectory = pd.DataFrame(
        {
            "step": np.arange(len(boxes)),
            "coverage": hits / total_hits,
            "density": hits / worlds,
            "mass": worlds / n,
            "restricted": [int(np.count_nonzero((lo != full_low) | (hi != full_high))) for lo, hi in boxes],
        }
    )
    limits = [{name: (float(lo[j]), float(hi[j])) for j, name in enumerate(columns)} for lo, hi in boxes]
    chosen, reached = _choose(trajectory["coverage"].to_numpy(), trajectory["density"].to_numpy(), threshold)
    return PrimResult(
        trajectory=trajectory,
        limits=limits,
        full=dict(limits[0]),
        chosen=chosen,
        reached=reached,
        threshold=None if threshold is None else float(threshold),
        n_worlds=n,
        base_rate=total_hits / n,
        peel_alpha=float(peel_alpha),
        min_mass=float(min_mass),
    )


# ---------------------------------------------------------------------------------------------
# CART


@dataclass
class CartResult:
    """A classification tree of :func:`cart` and its leaves as rules.

    Attributes:
        rules: the tree as text (``sklearn.tree.export_text`` with the parameter names).
        leaves: one row per leaf, columns ``rule`` (conditions joined by ``and``; ``all
            worlds`` for a tree without split), ``worlds`` (count), ``share_of_worlds``
            (mass), ``density`` and ``coverage`` (shares in [0, 1]); densest leaf first.
        n_worlds: number of worlds.
        base_rate: share of worlds with ``y`` True.
        tree: the fitted ``sklearn.tree.DecisionTreeClassifier``.
    """

    rules: str
    leaves: pd.DataFrame
    n_worlds: int
    base_rate: float
    tree: Any = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict: the rules text and the leaves."""
        return {
            "method": "cart",
            "n_worlds": int(self.n_worlds),
            "base_rate": _number(self.base_rate),
            "rules": self.rules,
            "leaves": [
                {
                    "rule": str(r.rule),
                    "worlds": int(r.worlds),
                    "share_of_worlds": _number(r.share_of_worlds),
                    "density": _number(r.density),
                    "coverage": _number(r.coverage),
                }
                for r in self.leaves.itertuples(index=False)
            ],
        }


def _leaf_rules(tree: Any, columns: list[str]) -> dict[int, str]:
    """Leaf node id -> conjunction of its path's conditions, the tightest one per parameter and side."""
    structure = tree.tree_
    rules: dict[int, str] = {}
    stack: list[tuple[int, dict[tuple[int, str], float]]] = [(0, {})]
    while stack:
        node, bounds = stack.pop()
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            parts = [f"{columns[j]} {op} {_fmt(value)}" for (j, op), value in bounds.items()]
            rules[node] = " and ".join(parts) if parts else "all worlds"
            continue
        j, cut = int(structure.feature[node]), float(structure.threshold[node])
        upper = dict(bounds)
        upper[(j, "<=")] = min(cut, upper.get((j, "<="), math.inf))
        lower = dict(bounds)
        lower[(j, ">")] = max(cut, lower.get((j, ">"), -math.inf))
        stack.append((int(right), lower))
        stack.append((int(left), upper))
    return rules


def cart(X: pd.DataFrame, y: Any, *, max_depth: int = 3, min_leaf: float = 0.01, seed: int = 0) -> CartResult:
    """Fit a classification tree (scikit-learn) of ``y`` on ``X`` and list its leaves as rules.

    Args:
        X: one row per world, one numeric column per parameter, all values finite.
        y: boolean (or 0/1) per world; needs both values.
        max_depth: depth of the tree (>= 1): each rule has at most this many conditions.
        min_leaf: smallest leaf as a share of the worlds, in (0, 0.5]; at least one world.
        seed: random state of the tree (ties between equally good splits).

    Raises:
        ValueError: as :func:`prim`, or settings out of range.
        ImportError: scikit-learn is not installed.
    """
    values, labels, columns = _check_inputs(X, y, "cart")
    if isinstance(max_depth, bool) or not isinstance(max_depth, (int, np.integer)) or max_depth < 1:
        raise ValueError(f"cart: max_depth must be an integer >= 1, got {max_depth!r}")
    if not 0.0 < min_leaf <= 0.5:
        raise ValueError(f"cart: min_leaf must be in (0, 0.5], got {min_leaf!r}")
    try:
        from sklearn.tree import DecisionTreeClassifier, export_text
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("cart needs scikit-learn: pip install scikit-learn") from error

    n = len(values)
    tree = DecisionTreeClassifier(
        max_depth=int(max_depth), min_samples_leaf=max(1, math.ceil(min_leaf * n)), random_state=seed
    )
    tree.fit(values, labels)
    rules = _leaf_rules(tree, columns)
    leaf_of = tree.apply(values)
    size = tree.tree_.node_count
    worlds = np.bincount(leaf_of, minlength=size)
    hits = np.bincount(leaf_of, weights=labels.astype(float), minlength=size)
    total_hits = float(labels.sum())
    nodes = sorted(rules)
    leaves = pd.DataFrame(
        {
            "rule": [rules[k] for k in nodes],
            "worlds": [int(worlds[k]) for k in nodes],
            "share_of_worlds": [worlds[k] / n for k in nodes],
            "density": [hits[k] / worlds[k] if worlds[k] else float("nan") for k in nodes],
            "coverage": [hits[k] / total_hits for k in nodes],
        },
        columns=LEAF_COLUMNS,
    )
    leaves = leaves.sort_values(["density", "worlds"], ascending=[False, False], kind="stable").reset_index(drop=True)
    return CartResult(
        rules=export_text(tree, feature_names=columns),
        leaves=leaves,
        n_worlds=n,
        base_rate=total_hits / n,
        tree=tree,
    )


# ---------------------------------------------------------------------------------------------
# Figures


def _chosen_rule(result: PrimResult) -> str:
    if result.threshold is None:
        return "highest coverage × density"
    if result.reached:
        return f"highest coverage with density ≥ {result.threshold:.0%}"
    return f"no box reaches density {result.threshold:.0%}: densest box"


def plot_peeling(result: PrimResult, *, ax: Axes | None = None) -> Figure:
    """Density against coverage along the peeling trajectory of :func:`prim`.

    One point per box, coloured by the number of restricted parameters (colour bar); the
    chosen box is circled and annotated; the density threshold, if any, is a dashed line.
    Returns the matplotlib Figure (drawn on ``ax`` when given).
    """
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from escalation.plots.style import (
        LABEL_SIZE,
        SMALL_SIZE,
        THRESHOLD_COLOUR,
        clean_spines,
        figure_and_axes,
        set_title,
    )

    fig, ax = figure_and_axes(ax, (7.0, 4.8))
    table = result.trajectory
    # wrapped to the axes' width before the colour bar narrows them: the title may run over the bar
    set_title(
        ax,
        f"PRIM peeling trajectory: density against coverage ({len(table)} boxes)",
        f"{result.n_worlds:,} worlds, base rate {result.base_rate:.1%}; chosen: {_chosen_rule(result)}",
    )
    most = max(1, int(table["restricted"].max()))
    cmap = colormaps["viridis"].resampled(most + 1)
    norm = BoundaryNorm(np.arange(-0.5, most + 1.5), cmap.N)
    ax.plot(table["coverage"], table["density"], color="0.75", linewidth=0.8, zorder=2)
    points = ax.scatter(
        table["coverage"], table["density"], c=table["restricted"], cmap=cmap, norm=norm, s=16, zorder=3, label="boxes"
    )
    bar = fig.colorbar(points, ax=ax, ticks=MaxNLocator(integer=True))
    bar.set_label("restricted parameters", fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=SMALL_SIZE)

    row = table.iloc[result.chosen]
    coverage, density = float(row["coverage"]), float(row["density"])
    ax.scatter(
        [coverage],
        [density],
        s=120,
        facecolors="none",
        edgecolors="#b2182b",
        linewidths=1.6,
        zorder=4,
        label="chosen box",
    )
    # below and left of the trajectory the axes are empty: the text goes there, next to the box if it fits
    near = coverage >= 0.4
    ax.annotate(
        f"chosen: step {result.chosen}\ncoverage {coverage:.1%}, density {density:.1%}\n"
        f"mass {float(row['mass']):.1%}, {int(row['restricted'])} restricted",
        xy=(coverage, density),
        xytext=(-12, -14) if near else (0.03, 0.3),
        textcoords="offset points" if near else "axes fraction",
        ha="right" if near else "left",
        va="top" if near else "bottom",
        fontsize=SMALL_SIZE,
        arrowprops={"arrowstyle": "-", "color": "#b2182b", "linewidth": 0.8},
    )
    if result.threshold is not None:
        ax.axhline(result.threshold, color=THRESHOLD_COLOUR, linestyle="--", linewidth=0.8, label="density threshold")
    ax.set_xlim(0, 1.03)
    ax.set_ylim(0, 1.03)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("coverage (share of outcome worlds inside the box)", fontsize=LABEL_SIZE)
    ax.set_ylabel("density (share of box worlds with the outcome)", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=SMALL_SIZE)
    ax.grid(alpha=0.3, linewidth=0.5)
    ax.legend(fontsize=SMALL_SIZE, frameon=False, loc="lower left")
    clean_spines(ax)
    return fig


def plot_box(result: PrimResult, step: int | None = None, *, ax: Axes | None = None) -> Figure:
    """The box at ``step`` of :func:`prim` (default: the chosen box), one bar per restricted parameter.

    Each bar spans the box's [low, high] as a position within the parameter's full range
    (0 = min, 1 = max, drawn in grey), with the limits written at its ends. Unrestricted
    parameters are not shown. Returns the matplotlib Figure (drawn on ``ax`` when given).
    """
    from escalation.plots.style import LABEL_SIZE, SMALL_SIZE, clean_spines, figure_and_axes, set_title

    step = result._step(step)
    table = result.box_table(step)
    rows = len(table)
    fig, ax = figure_and_axes(ax, (6.4, 0.42 * max(rows, 2) + 1.6))
    row = result.trajectory.iloc[step]
    if rows:
        span = (table["max"] - table["min"]).to_numpy()
        low = ((table["low"] - table["min"]).to_numpy()) / span
        high = ((table["high"] - table["min"]).to_numpy()) / span
        where = np.arange(rows)
        ax.barh(where, np.ones(rows), left=0.0, height=0.55, color="0.9", label="full range")
        ax.barh(where, high - low, left=low, height=0.55, color="#2166ac", label="box")
        labels = []
        for k, r in enumerate(table.itertuples(index=False)):
            ax.text(low[k] - 0.012, k, _fmt_in(r.low, span[k]), ha="right", va="center", fontsize=SMALL_SIZE)
            ax.text(high[k] + 0.012, k, _fmt_in(r.high, span[k]), ha="left", va="center", fontsize=SMALL_SIZE)
            labels.append(f"{r.parameter}\n[{_fmt_in(r.min, span[k])}, {_fmt_in(r.max, span[k])}]")
        ax.set_yticks(where, labels=labels, fontsize=SMALL_SIZE)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.legend(fontsize=SMALL_SIZE, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)
    else:
        ax.text(0.5, 0.5, "no parameter restricted: the box holds all worlds", ha="center", va="center")
        ax.set_yticks([])
    ax.set_xlim(-0.3, 1.3)
    ax.set_xticks([0.0, 0.5, 1.0], labels=["min", "mid", "max"], fontsize=SMALL_SIZE)
    ax.set_xlabel("position within the parameter's full range", fontsize=LABEL_SIZE)
    clean_spines(ax)
    set_title(
        ax,
        f"PRIM box (step {step}): coverage {float(row['coverage']):.1%}, density {float(row['density']):.1%}, "
        f"mass {float(row['mass']):.1%}",
        f"{rows} of {len(result.full)} parameters restricted; {result.n_worlds:,} worlds, "
        f"base rate {result.base_rate:.1%}",
    )
    return fig
