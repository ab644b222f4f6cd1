"""Scenario discovery: PRIM peeling (against a reference and on a known box), CART leaves, errors, figures."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from escalation.discovery import (
    BOX_COLUMNS,
    LEAF_COLUMNS,
    TRAJECTORY_COLUMNS,
    CartResult,
    PrimResult,
    cart,
    plot_box,
    plot_peeling,
    prim,
)

PROPERTY = settings(max_examples=150, deadline=None)
N_WORLDS = 20_000
COLUMNS = [f"x{i}" for i in range(5)]


def synthetic(noise: float, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """5 uniform(0, 1) columns; the outcome is x0 > 0.7 and x2 < 0.4, each label flipped with probability ``noise``.

    Returns X, the (noisy) outcome and the noise-free outcome.
    """
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(size=(N_WORLDS, len(COLUMNS))), columns=COLUMNS)
    truth = ((X["x0"] > 0.7) & (X["x2"] < 0.4)).to_numpy()
    return X, truth ^ (rng.uniform(size=N_WORLDS) < noise), truth


@pytest.fixture(scope="module")
def clean() -> tuple[pd.DataFrame, np.ndarray]:
    X, y, _ = synthetic(0.0)
    return X, y


@pytest.fixture(scope="module")
def clean_prim(clean) -> PrimResult:
    return prim(*clean, threshold=0.8)


def box_mask(values: np.ndarray, limits: dict[str, tuple[float, float]], columns: list[str]) -> np.ndarray:
    low = np.array([limits[c][0] for c in columns])
    high = np.array([limits[c][1] for c in columns])
    return ((values >= low) & (values <= high)).all(axis=1)


def recomputed(X: pd.DataFrame, y: np.ndarray, limits: dict[str, tuple[float, float]]) -> tuple[float, float, float]:
    """Coverage, density and mass of a box, straight from its definition."""
    inside = box_mask(X.to_numpy(dtype=float), limits, list(X.columns))
    return y[inside].sum() / y.sum(), y[inside].mean(), inside.mean()


def reference_prim(values: np.ndarray, labels: np.ndarray, alpha: float, min_mass: float) -> list[tuple]:
    """Peeling as documented, one column and side at a time: limits and (worlds, hits) of every box."""
    n, d = values.shape
    low, high = values.min(axis=0), values.max(axis=0)
    inside = np.ones(n, dtype=bool)
    boxes = [(low.copy(), high.copy(), n, int(labels.sum()))]
    while True:
        m, hits = int(inside.sum()), int(labels[inside].sum())
        best = None
        for j in range(d):
            v = values[inside, j]
            for side in (0, 1):
                q = np.quantile(v, alpha if side == 0 else 1 - alpha)
                out = v < q if side == 0 else v > q
                if not out.any():
                    out = v == (v.min() if side == 0 else v.max())
                removed = int(out.sum())
                if removed in (0, m):
                    continue
                density = (hits - int(labels[inside][out].sum())) / (m - removed)
                key = (density, -removed, -(2 * j + side))
                if best is None or key > best[0]:
                    best = (key, j, side, out)
        if best is None:
            break
        (_, negated, _), j, side, out = best
        if (m + negated) / n < min_mass:  # the key holds minus the number removed
            break
        rows = np.flatnonzero(inside)
        inside[rows[out]] = False
        low, high = low.copy(), high.copy()
        if side:
            high[j] = values[inside, j].max()
        else:
            low[j] = values[inside, j].min()
        boxes.append((low, high, int(inside.sum()), int(labels[inside].sum())))
    return boxes


@st.composite
def small_problems(draw) -> tuple[pd.DataFrame, np.ndarray]:
    """2 to 40 worlds, 1 to 4 columns with many ties (or none), both outcomes present."""
    n = draw(st.integers(2, 40))
    d = draw(st.integers(1, 4))
    discrete = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 3.0])
    continuous = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
    values = draw(arrays(float, (n, d), elements=draw(st.sampled_from([discrete, continuous]))))
    y = draw(arrays(bool, n))
    if y.all() or not y.any():
        y[draw(st.integers(0, n - 1))] = not y[0]
    return pd.DataFrame(values, columns=[f"p{j}" for j in range(d)]), y


alphas = st.sampled_from([0.05, 0.1, 0.25, 0.5])
masses = st.sampled_from([0.0, 0.05, 0.2, 0.5, 1.0])


# ---------------------------------------------------------------------------------------------
# PRIM on the known box


def test_prim_finds_the_known_box(clean_prim):
    result = clean_prim
    assert result.reached
    row = result.trajectory.iloc[result.chosen]
    assert row["coverage"] > 0.7 and row["density"] > 0.8
    box = result.box()
    assert abs(box["x0"][0] - 0.7) < 0.05
    assert abs(box["x2"][1] - 0.4) < 0.05
    table = result.box_table()
    assert {"x0", "x2"} <= set(table["parameter"])
    for name in ("x1", "x3", "x4"):
        low, high = box[name]
        lo, hi = result.full[name]
        assert (high - low) / (hi - lo) > 0.9, f"{name} cut to {box[name]}"
    assert list(table["parameter"][:2]) == ["x0", "x2"]  # about 70% of x0's range is cut, 60% of x2's
    cut = 1 - (table["high"] - table["low"]) / (table["max"] - table["min"])
    assert cut.is_monotonic_decreasing


def test_prim_with_label_noise_stays_near_the_box():
    """5% of labels flipped: the density inside the true box is about 0.95, outside 0.05.

    With threshold 0.8 the chosen box may reach about 0.06 past each true limit before its density
    falls to 0.8, so limits are checked to 0.1, and coverage against the true box's coverage.
    """
    X, y, truth = synthetic(0.05, seed=11)
    result = prim(X, y, threshold=0.8)
    row = result.trajectory.iloc[result.chosen]
    assert result.reached and row["density"] >= 0.8
    assert row["coverage"] > 0.95 * (y[truth].sum() / y.sum())
    box = result.box()
    assert abs(box["x0"][0] - 0.7) < 0.1 and abs(box["x2"][1] - 0.4) < 0.1
    assert set(result.box_table()["parameter"]) == {"x0", "x2"}


def test_trajectory_metrics_match_the_limits(clean, clean_prim):
    X, y = clean
    table = clean_prim.trajectory
    assert list(table.columns) == TRAJECTORY_COLUMNS
    assert len(table) > 30  # about log(0.05) / log(0.95) = 58 steps down to the minimum mass
    for step, limits in enumerate(clean_prim.limits):
        coverage, density, mass = recomputed(X, y, limits)
        assert table["step"][step] == step
        assert table["coverage"][step] == pytest.approx(coverage, abs=1e-12)
        assert table["density"][step] == pytest.approx(density, abs=1e-12)
        assert table["mass"][step] == pytest.approx(mass, abs=1e-12)
        assert np.array_equal(clean_prim.inside(X, step), box_mask(X.to_numpy(), limits, COLUMNS))
    # each peel removes about peel_alpha of the box
    ratio = table["mass"].to_numpy()[1:] / table["mass"].to_numpy()[:-1]
    assert np.allclose(ratio, 0.95, atol=0.002)


def test_discrete_column_is_peeled_at_its_tie():
    """A 0/1 column: the 5% quantile is 0, nothing lies below it, so the peel removes the zeros."""
    rng = np.random.default_rng(3)
    flag = (rng.uniform(size=400) < 0.5).astype(float)
    X = pd.DataFrame({"flag": flag, "constant": np.full(400, 2.0), "noise": rng.uniform(size=400)})
    result = prim(X, flag == 1, min_mass=0.3)
    assert result.limits[1]["flag"] == (1.0, 1.0)
    assert result.trajectory["density"][1] == 1.0 and result.trajectory["coverage"][1] == 1.0
    assert all(limits["constant"] == (2.0, 2.0) for limits in result.limits)
    assert result.chosen == 1  # coverage 1 and density 1: the best coverage × density


def test_threshold_not_reached_gives_the_densest_box(clean):
    X, y = clean
    result = prim(X, y, min_mass=0.5, threshold=0.9)
    assert not result.reached
    assert result.chosen == int(result.trajectory["density"].idxmax())
    assert result.trajectory["density"].max() < 0.9


# ---------------------------------------------------------------------------------------------
# PRIM properties


@PROPERTY
@given(small_problems(), alphas, masses)
def test_prim_matches_the_reference(problem, alpha, min_mass):
    X, y = problem
    result = prim(X, y, peel_alpha=alpha, min_mass=min_mass)
    expected = reference_prim(X.to_numpy(dtype=float), y, alpha, min_mass)
    assert len(result.limits) == len(expected)
    for step, (low, high, worlds, hits) in enumerate(expected):
        assert result.limits[step] == {c: (low[j], high[j]) for j, c in enumerate(X.columns)}
        assert result.trajectory["mass"][step] == worlds / len(y)
        assert result.trajectory["coverage"][step] == hits / y.sum()


@PROPERTY
@given(small_problems(), alphas, masses)
def test_prim_trajectory_properties(problem, alpha, min_mass):
    X, y = problem
    result = prim(X, y, peel_alpha=alpha, min_mass=min_mass)
    table = result.trajectory
    values = X.to_numpy(dtype=float)
    # step 0: the full box
    assert result.limits[0] == result.full == {c: (X[c].min(), X[c].max()) for c in X.columns}
    assert table["coverage"][0] == 1.0 and table["mass"][0] == 1.0 and table["restricted"][0] == 0
    assert table["density"][0] == pytest.approx(result.base_rate) == pytest.approx(y.mean())
    assert result.n_worlds == len(y)
    # every box: shares in range, at least min_mass, restricted count right, metrics right
    assert table["coverage"].between(0, 1).all() and table["density"].between(0, 1).all()
    assert (table["mass"] >= min_mass).all() and (table["mass"] > 0).all()
    for step, limits in enumerate(result.limits):
        changed = sum(limits[c] != result.full[c] for c in X.columns)
        assert table["restricted"][step] == changed == len(result.box_table(step))
        coverage, density, mass = recomputed(X, y, limits)
        assert (table["coverage"][step], table["density"][step], table["mass"][step]) == pytest.approx(
            (coverage, density, mass), abs=1e-12
        )
    # along the trajectory: mass strictly decreasing, boxes nested, one limit moves per step
    assert (np.diff(table["mass"]) < 0).all()
    for before, after in zip(result.limits, result.limits[1:], strict=False):
        assert all(before[c][0] <= after[c][0] <= after[c][1] <= before[c][1] for c in X.columns)
        moved = [(before[c][0] != after[c][0]) + (before[c][1] != after[c][1]) for c in X.columns]
        assert sum(moved) == 1
        assert not (box_mask(values, after, list(X.columns)) & ~box_mask(values, before, list(X.columns))).any()


@PROPERTY
@given(small_problems(), alphas, st.sampled_from([0.05, 0.2, 0.5, 0.9]))
def test_prim_stops_only_at_the_minimum_mass(problem, alpha, min_mass):
    """Peeling down to no minimum extends the trajectory; the box beyond the stop is below min_mass."""
    X, y = problem
    short = prim(X, y, peel_alpha=alpha, min_mass=min_mass)
    longer = prim(X, y, peel_alpha=alpha, min_mass=0.0)
    steps = len(short.limits)
    assert longer.limits[:steps] == short.limits
    assert longer.trajectory["mass"][:steps].tolist() == short.trajectory["mass"].tolist()
    if len(longer.limits) > steps:
        assert longer.trajectory["mass"][steps] < min_mass
    # without a minimum, peeling ends only when every column is constant inside the box
    inside = longer.inside(X, len(longer.limits) - 1)
    assert (X[inside].nunique() == 1).all()


@PROPERTY
@given(small_problems(), st.one_of(st.none(), st.floats(0, 1)))
def test_chosen_box_follows_the_rule(problem, threshold):
    X, y = problem
    result = prim(X, y, peel_alpha=0.2, min_mass=0.0, threshold=threshold)
    table = result.trajectory
    coverage, density = table["coverage"].to_numpy(), table["density"].to_numpy()
    k = result.chosen
    if threshold is None:
        assert result.reached
        assert coverage[k] * density[k] == max(coverage * density)
    elif (density >= threshold).any():
        assert result.reached and density[k] >= threshold
        assert coverage[k] == coverage[density >= threshold].max()
    else:
        assert not result.reached and density[k] == density.max()
    text = json.dumps(result.to_json(), allow_nan=False)
    assert json.loads(text)["chosen"] == k


def test_to_json_is_plain(clean_prim):
    data = clean_prim.to_json()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["threshold"] == 0.8 and data["reached"] is True and data["chosen"] == clean_prim.chosen
    assert len(data["trajectory"]) == len(clean_prim.trajectory)
    assert data["trajectory"][0]["box"] == {}
    assert set(data["trajectory"][clean_prim.chosen]["box"]) == set(clean_prim.box_table()["parameter"])
    assert [row["parameter"] for row in data["box"]] == list(clean_prim.box_table()["parameter"])
    assert list(clean_prim.box_table().columns) == BOX_COLUMNS
    assert type(data["base_rate"]) is float and type(data["n_worlds"]) is int


# ---------------------------------------------------------------------------------------------
# Errors


def _bad_inputs() -> list:
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 1.0, 0.0]})
    y = np.array([True, False, True])
    return [
        pytest.param(X.iloc[:0], y[:0], "empty", id="no-rows"),
        pytest.param(pd.DataFrame(index=range(3)), y, "empty", id="no-columns"),
        pytest.param(X, y[:2], "y has 2", id="length"),
        pytest.param(X, np.ones(3, dtype=bool), "no False", id="all-true"),
        pytest.param(X, np.zeros(3, dtype=bool), "no True", id="all-false"),
        pytest.param(X.assign(a=[0.0, np.nan, 1.0]), y, "non-finite", id="nan"),
        pytest.param(X.assign(b=[0.0, np.inf, 1.0]), y, "non-finite", id="inf"),
        pytest.param(X.assign(c=["x", "y", "z"]), y, "not numeric", id="text-column"),
        pytest.param(X, np.array([0.0, 0.5, 1.0]), "boolean", id="y-not-boolean"),
    ]


@pytest.mark.parametrize("method", [prim, cart])
@pytest.mark.parametrize(("X", "y", "words"), _bad_inputs())
def test_bad_input_is_a_one_line_value_error(method, X, y, words):
    if method is cart:
        pytest.importorskip("sklearn")
    with pytest.raises(ValueError, match=words) as info:
        method(X, y)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{method.__name__}: ")


@pytest.mark.parametrize(
    "settings_",
    [{"peel_alpha": 0.0}, {"peel_alpha": 0.6}, {"min_mass": -0.1}, {"min_mass": 1.5}, {"threshold": 1.2}],
)
def test_bad_prim_settings_are_value_errors(settings_):
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match="prim: "):
        prim(X, np.array([True, False, True]), **settings_)


def test_x_must_be_a_dataframe():
    with pytest.raises(TypeError, match="DataFrame"):
        prim(np.zeros((3, 2)), np.array([True, False, True]))


def test_step_out_of_range(clean_prim):
    with pytest.raises(ValueError, match="step must be"):
        clean_prim.box_table(len(clean_prim.limits))


# ---------------------------------------------------------------------------------------------
# CART


@pytest.fixture(scope="module")
def clean_cart(clean) -> CartResult:
    pytest.importorskip("sklearn")
    return cart(*clean)


def test_cart_densest_leaf_is_the_box(clean, clean_cart):
    X, _ = clean
    leaves = clean_cart.leaves
    assert list(leaves.columns) == LEAF_COLUMNS
    top = leaves.iloc[0]
    assert "x0 > 0.7" in top["rule"] and "x2 <= 0.4" in top["rule"]
    assert top["density"] > 0.9 and top["coverage"] > 0.9
    assert leaves["density"].is_monotonic_decreasing
    assert leaves["worlds"].sum() == len(X)
    assert leaves["share_of_worlds"].sum() == pytest.approx(1.0)
    assert leaves["coverage"].sum() == pytest.approx(1.0)
    assert "x0 <= 0.70" in clean_cart.rules and "x2 >  0.40" in clean_cart.rules


def test_cart_leaf_rules_reproduce_the_leaves():
    """On integer data every threshold is a half-integer, shown exactly: the rules recompute the leaves."""
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.integers(0, 10, size=(3000, 3)).astype(float), columns=["iran.rationality", "inertia", "c"])
    y = ((X["iran.rationality"] >= 6) & (X["inertia"] <= 3)).to_numpy() ^ (rng.uniform(size=3000) < 0.1)
    result = cart(X, y, max_depth=4, min_leaf=0.02, seed=1)
    assert (result.leaves["worlds"] >= 60).all()
    assert len(result.leaves) > 2
    for row in result.leaves.itertuples():
        inside = np.ones(len(X), dtype=bool)
        for condition in row.rule.split(" and "):
            name, op, value = condition.rsplit(" ", 2)
            column = X[name].to_numpy()
            inside &= column <= float(value) if op == "<=" else column > float(value)
            assert op in ("<=", ">") and float(value) % 1 == 0.5
        assert inside.sum() == row.worlds
        assert y[inside].mean() == pytest.approx(row.density)
        assert y[inside].sum() / y.sum() == pytest.approx(row.coverage)
    data = result.to_json()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert len(data["leaves"]) == len(result.leaves)


def test_cart_without_split_has_one_rule():
    pytest.importorskip("sklearn")
    X = pd.DataFrame({"a": np.zeros(10)})
    result = cart(X, np.arange(10) % 2 == 0)
    assert result.leaves["rule"].tolist() == ["all worlds"]
    assert result.leaves["density"][0] == 0.5


# ---------------------------------------------------------------------------------------------
# Figures


def _saves(fig: Figure) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def _title_inside(fig: Figure) -> None:
    ax = fig.axes[0]
    title = ax.get_title(loc="left")
    assert title
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    text = next(t for t in ax.get_children() if isinstance(t, Text) and t.get_text() == title)
    box = text.get_window_extent(renderer)
    assert text.get_fontsize() == 10
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, (box, fig.bbox)


def test_plot_peeling(clean_prim):
    fig = plot_peeling(clean_prim)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the axes and the colour bar
    points = next(c for c in ax.collections if c.get_label() == "boxes")
    assert len(points.get_offsets()) == len(clean_prim.trajectory)
    assert np.array_equal(points.get_array(), clean_prim.trajectory["restricted"].to_numpy())
    chosen = next(c for c in ax.collections if c.get_label() == "chosen box")
    row = clean_prim.trajectory.iloc[clean_prim.chosen]
    assert np.allclose(chosen.get_offsets(), [[row["coverage"], row["density"]]])
    assert any(t.get_text().startswith(f"chosen: step {clean_prim.chosen}\n") for t in ax.texts)
    _saves(fig)
    _title_inside(fig)


def test_plot_box(clean_prim):
    table = clean_prim.box_table()
    fig = plot_box(clean_prim)
    ax = fig.axes[0]
    bars = next(c for c in ax.containers if c.get_label() == "box")
    assert len(bars) == len(table) == 2
    for bar, row in zip(bars, table.itertuples(), strict=True):
        span = row.max - row.min
        assert bar.get_x() == pytest.approx((row.low - row.min) / span)
        assert bar.get_width() == pytest.approx((row.high - row.low) / span)
    assert len(ax.texts) == 2 * len(table)
    labels = [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    assert labels == list(table["parameter"])
    assert "coverage 100.0%" in ax.get_title(loc="left")
    _saves(fig)
    _title_inside(fig)


def test_plot_box_of_the_full_box(clean_prim):
    fig = plot_box(clean_prim, step=0)
    ax = fig.axes[0]
    assert not ax.containers
    assert any("no parameter restricted" in t.get_text() for t in ax.texts)
    _saves(fig)
