"""Interval estimates, histogram quantiles and the additive block summaries behind every study."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runner_helpers import seeded_scenario, wilson_bounds
from scipy import stats

from escalation.model.compiled import CompiledScenario
from escalation.outcomes import DayCounts
from escalation.stats import (
    count_quantiles,
    half_width,
    histogram_mean,
    histogram_quantiles,
    wilson_interval,
    wilson_intervals,
)
from escalation.summary import BlockSummary

PROPERTY = settings(max_examples=150, deadline=None)


# --------------------------------------------------------------------------- Wilson interval
@pytest.mark.parametrize(
    ("count", "total"),
    [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (1, 1000), (500, 1000), (37, 81), (999_999, 1_000_000)],
)
@pytest.mark.parametrize("confidence", [0.95, 0.999])
def test_wilson_interval_matches_the_formula(count, total, confidence):
    low, high = wilson_interval(count, total, confidence)
    expected_low, expected_high = wilson_bounds(count, total, confidence)
    assert low == pytest.approx(max(expected_low, 0.0), abs=1e-12)
    assert high == pytest.approx(min(expected_high, 1.0), abs=1e-12)


@PROPERTY
@given(
    total=st.integers(1, 10**9),
    share=st.floats(0.0, 1.0),
    confidence=st.floats(0.0, 0.999999) | st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.999]),
)
def test_wilson_interval_is_scipys_binomtest_interval(total, share, confidence):
    count = round(share * total)
    expected = stats.binomtest(count, total).proportion_ci(confidence_level=confidence, method="wilson")
    low, high = wilson_interval(count, total, confidence)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_vectorised_wilson_matches_the_scalar_interval():
    counts = np.array([0, 1, 7, 500, 1999, 2000])
    low, high = wilson_intervals(counts, 2000)
    assert [(lo, hi) for lo, hi in zip(low, high, strict=True)] == [wilson_interval(int(c), 2000) for c in counts]
    assert low[0] == 0.0 and high[-1] == 1.0
    assert [a.tolist() for a in wilson_intervals(counts, 0)] == [[0.0] * 6, [1.0] * 6]


@pytest.mark.parametrize("confidence", [-0.1, 1.0, 1.5])
def test_wilson_interval_rejects_a_confidence_outside_0_1(confidence):
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(3, 10, confidence)


def test_wilson_interval_known_value():
    # 95% Wilson interval of 3 successes in 10 (z = 1.959964): about [0.1078, 0.6032]
    low, high = wilson_interval(3, 10)
    assert low == pytest.approx(0.10779, abs=5e-5)
    assert high == pytest.approx(0.60323, abs=5e-5)


def test_wilson_interval_is_the_default_95_percent():
    assert wilson_interval(30, 200) == wilson_interval(30, 200, 0.95)
    assert wilson_interval(30, 200, 0.99)[0] < wilson_interval(30, 200)[0]


def test_wilson_interval_without_observations_is_uninformative():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert half_width(0, 0) == 0.5


@PROPERTY
@given(total=st.integers(1, 10**7), share=st.floats(0.0, 1.0), confidence=st.sampled_from([0.8, 0.95, 0.999]))
def test_wilson_interval_brackets_the_estimate(total, share, confidence):
    count = round(share * total)
    low, high = wilson_interval(count, total, confidence)
    assert 0.0 <= low <= count / total <= high <= 1.0
    assert half_width(count, total, confidence) == pytest.approx((high - low) / 2)


@PROPERTY
@given(total=st.integers(1, 10**6), share=st.floats(0.0, 1.0))
def test_wilson_interval_is_symmetric_under_swapping_outcomes(total, share):
    count = round(share * total)
    low, high = wilson_interval(count, total)
    other_low, other_high = wilson_interval(total - count, total)
    assert low == pytest.approx(1 - other_high, abs=1e-9)
    assert high == pytest.approx(1 - other_low, abs=1e-9)


@PROPERTY
@given(count=st.integers(0, 50), total=st.integers(50, 5000))
def test_wilson_interval_narrows_with_more_data(count, total):
    share = count / 50
    small = half_width(count, 50)
    large = half_width(round(share * total * 4), total * 4)
    assert large < small


# --------------------------------------------------------------------------- quantiles
QUANTILE_LEVELS = st.lists(
    st.one_of(st.sampled_from([0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0]), st.floats(0.0, 1.0)), min_size=1, max_size=6
)


@PROPERTY
@given(
    values=st.lists(st.integers(0, 40), min_size=1, max_size=300),
    probabilities=QUANTILE_LEVELS,
    offset=st.integers(0, 3),
)
def test_histogram_quantiles_match_numpy_inverted_cdf(values, probabilities, offset):
    sample = np.array(values) + offset
    counts = np.bincount(sample - offset)
    got = histogram_quantiles(counts, tuple(probabilities), offset)
    expected = [float(np.quantile(sample, p, method="inverted_cdf")) for p in probabilities]
    assert got == expected


def test_count_quantiles_match_histogram_quantiles():
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 5, size=(6, 9)) * rng.integers(0, 2, size=(6, 9))
    counts[2] = 0
    probabilities = (0.05, 0.5, 0.95)
    got = count_quantiles(counts, probabilities)
    assert got.shape == (6, 3)
    for row, values in zip(counts, got, strict=True):
        expected = histogram_quantiles(row, probabilities)
        if expected[0] is None:
            assert np.isnan(values).all()
        else:
            assert values.tolist() == expected


@PROPERTY
@given(values=st.lists(st.integers(0, 40), min_size=1, max_size=300), offset=st.integers(0, 3))
def test_histogram_mean_matches_numpy(values, offset):
    counts = np.bincount(values)
    assert histogram_mean(counts, offset) == pytest.approx(np.mean(values) + offset)


def test_empty_histograms_have_no_quantiles_or_mean():
    assert histogram_quantiles(np.zeros(5, dtype=int), (0.05, 0.5, 0.95)) == [None, None, None]
    assert histogram_quantiles(np.array([], dtype=int), (0.5,)) == [None]
    assert histogram_mean(np.zeros(3, dtype=int)) is None


# --------------------------------------------------------------------------- block summaries
HORIZON = 10


@pytest.fixture(scope="module")
def compiled() -> CompiledScenario:
    return CompiledScenario.from_scenario(seeded_scenario(HORIZON))


def random_block(compiled: CompiledScenario, seed: int, n: int) -> tuple[dict[str, np.ndarray], DayCounts]:
    """Per-replicate rows and per-day counts with values in their valid ranges."""
    rng = np.random.default_rng(seed)
    scenario = compiled.scenario
    n_outcomes = len(scenario.outcomes)
    settle = rng.integers(0, HORIZON + 2, n)
    rows = {
        "replicate": np.arange(n, dtype=np.int64),
        "outcome": rng.integers(0, n_outcomes, n).astype(np.int16),
        "peak_rung": rng.integers(0, compiled.n_rungs, n).astype(np.int16),
        "peak_day": rng.integers(1, HORIZON + 1, n).astype(np.int16),
        # -1: never settles (the remainder); otherwise a day 1 ... horizon + 1
        "settle_day": np.where(settle == 0, -1, settle).astype(np.int16),
        "crossings": rng.integers(0, len(scenario.ladder.thresholds) + 1, n).astype(np.int16),
        "proxy_attacks": rng.integers(0, 2 * min(HORIZON, 21) + 1, n).astype(np.int16),  # two militias
    }
    for actor in scenario.actors:
        rows[f"killed_{actor.id}"] = (rng.integers(0, 60, n) * rng.integers(0, 2, n)).astype(np.int32)
    counts = DayCounts(
        rungs=rng.integers(0, n + 1, (compiled.n_actors, HORIZON, compiled.n_rungs)),
        reached=rng.integers(0, n + 1, (compiled.n_actors, HORIZON, compiled.n_rungs)),
        crisis_peak=rng.integers(0, n + 1, (HORIZON + 1, compiled.n_rungs)),
    )
    return rows, counts


def summary_of(compiled, seed, n) -> BlockSummary:
    return BlockSummary.from_rows(compiled, *random_block(compiled, seed, n))


def assert_same(a: BlockSummary, b: BlockSummary, *, exact_shapes: bool = True) -> None:
    assert a.n == b.n
    fixed = ("outcome", "peak_rung", "peak_day", "settle_day", "rung_counts", "reached_counts", "crisis_peak")
    for name in (*fixed, "proxy_attacks"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.shape == right.shape, name
        assert np.array_equal(left, right), name
    assert list(a.killed) == list(b.killed) == list(a.killed_by_outcome) == list(b.killed_by_outcome)
    for actor in a.killed_by_outcome:  # the same histograms, whatever trailing zeros the widths leave
        left, right = a.killed_by_outcome[actor], b.killed_by_outcome[actor]
        width = max(left.shape[1], right.shape[1])
        pad = [np.pad(x, ((0, 0), (0, width - x.shape[1]))) for x in (left, right)]
        assert np.array_equal(*pad), actor
    pairs = [("crossings", a.crossings, b.crossings)] + [(k, a.killed[k], b.killed[k]) for k in a.killed]
    for name, left, right in pairs:
        if exact_shapes:
            assert left.shape == right.shape, name
        assert np.array_equal(np.trim_zeros(left, "b"), np.trim_zeros(right, "b")), name


BLOCKS = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 40))


@PROPERTY
@given(first=BLOCKS, second=BLOCKS)
def test_block_summary_addition_commutes(compiled, first, second):
    a, b = summary_of(compiled, *first), summary_of(compiled, *second)
    assert_same(a + b, b + a)


@PROPERTY
@given(first=BLOCKS, second=BLOCKS, third=BLOCKS)
def test_block_summary_addition_is_associative(compiled, first, second, third):
    a, b, c = (summary_of(compiled, *block) for block in (first, second, third))
    assert_same((a + b) + c, a + (b + c))


@PROPERTY
@given(first=BLOCKS, second=BLOCKS)
def test_summary_of_joined_rows_is_the_sum_of_summaries(compiled, first, second):
    rows_a, counts_a = random_block(compiled, *first)
    rows_b, counts_b = random_block(compiled, *second)
    joined = {name: np.concatenate([rows_a[name], rows_b[name]]) for name in rows_a}
    whole = BlockSummary.from_rows(compiled, joined, counts_a + counts_b)
    assert_same(
        whole,
        BlockSummary.from_rows(compiled, rows_a, counts_a) + BlockSummary.from_rows(compiled, rows_b, counts_b),
        exact_shapes=False,
    )


@PROPERTY
@given(block=BLOCKS)
def test_empty_summary_is_the_identity(compiled, block):
    a = summary_of(compiled, *block)
    empty = BlockSummary.empty(compiled)
    assert_same(empty + a, a, exact_shapes=False)
    assert_same(a + empty, a, exact_shapes=False)


@PROPERTY
@given(block=BLOCKS)
def test_summary_histograms_count_every_replicate(compiled, block):
    rows, counts = random_block(compiled, *block)
    summary = BlockSummary.from_rows(compiled, rows, counts)
    n = len(rows["outcome"])
    assert summary.n == n
    for histogram in (summary.outcome, summary.peak_rung, summary.peak_day, summary.settle_day, summary.crossings):
        assert histogram.sum() == n
    for actor, histogram in summary.killed.items():
        assert histogram.sum() == n
        if n:
            assert histogram_mean(histogram) == pytest.approx(rows[f"killed_{actor}"].mean())
        else:
            assert histogram_mean(histogram) is None
    # settle day -1 (never settles) is counted at index 0, per outcome
    never = rows["settle_day"] == -1
    for index in range(summary.outcome.size):
        assert summary.settle_day[index, 0] == int((never & (rows["outcome"] == index)).sum())
    assert math.isclose(summary.rung_counts.sum(), counts.rungs.sum())
    for actor, histogram in summary.killed_by_outcome.items():  # split by outcome, the same deaths
        np.testing.assert_array_equal(histogram.sum(axis=0)[: summary.killed[actor].size], summary.killed[actor])
        np.testing.assert_array_equal(histogram.sum(axis=1), summary.outcome)
