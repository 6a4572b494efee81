"""Krippendorff's alpha and the bootstraps of interviewloop/analytics/stats.py.

The point estimate comes from the `krippendorff` package, so it is checked against a
reference written here from the coincidence-matrix formula (Krippendorff, "Computing
Krippendorff's Alpha-Reliability", 2011), and against the paper's worked example; the
vectorised bootstrap kernel is checked against the package, resample by resample."""

from __future__ import annotations

import math
from collections import Counter

import krippendorff
import numpy as np
import pytest

from interviewloop.analytics import stats

NAN = math.nan
# The worked example: 4 coders (rows) x 12 units, with missing values (the paper's "C"
# data; also in the krippendorff package's own doctests, which give .743 and .815).
EXAMPLE = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
           [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
           [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
           [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849}


def reference_alpha(data: list[list[float]], metric: str) -> float:
    """Alpha from the paper's steps, in plain Python: the coincidence matrix o_ck (each
    pairable unit's pairs weighted 1/(m_u - 1)), the marginals n_c, then
    alpha = 1 - (n.. - 1) * sum o_ck d_ck / sum n_c n_k d_ck."""
    units = [[row[j] for row in data if not math.isnan(row[j])] for j in range(len(data[0]))]
    units = [u for u in units if len(u) >= 2]
    values = sorted({v for u in units for v in u})
    o: Counter = Counter()
    for u in units:
        for a in range(len(u)):
            for b in range(len(u)):
                if a != b:
                    o[(u[a], u[b])] += 1 / (len(u) - 1)
    n = {c: sum(o[(c, k)] for k in values) for c in values}
    total = sum(n.values())

    def delta(c: float, k: float) -> float:
        if metric == "nominal":
            return 0.0 if c == k else 1.0
        if metric == "interval":
            return (c - k) ** 2
        lo, hi = min(c, k), max(c, k)  # ordinal: the ranks between, halved at the ends
        return (sum(n[g] for g in values if lo <= g <= hi) - (n[c] + n[k]) / 2) ** 2

    observed = sum(o[(c, k)] * delta(c, k) for c in values for k in values)
    expected = sum(n[c] * n[k] * delta(c, k) for c in values for k in values)
    return 1 - (total - 1) * observed / expected


def counts_of(data: list[list[float]]) -> np.ndarray:
    units = {j: Counter(int(row[j]) for row in data if not math.isnan(row[j]))
             for j in range(len(data[0]))}
    return stats.value_counts(units)


@pytest.mark.parametrize("metric", PUBLISHED)
def test_the_worked_example_comes_out_as_published(metric):
    assert round(reference_alpha(EXAMPLE, metric), 3) == PUBLISHED[metric]
    assert round(krippendorff.alpha(EXAMPLE, level_of_measurement=metric), 3) == PUBLISHED[metric]


def test_the_reference_equals_the_package_on_the_worked_example():
    for metric in PUBLISHED:
        assert reference_alpha(EXAMPLE, metric) == pytest.approx(
            krippendorff.alpha(EXAMPLE, level_of_measurement=metric), abs=1e-9)


def random_ratings(seed: int, coders: int = 4, units: int = 60, missing: float = 0.3):
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 5, size=(coders, units)).astype(float)
    data[rng.random(data.shape) < missing] = NAN
    return data.tolist()


@pytest.mark.parametrize("seed", range(8))
def test_ours_equals_the_reference_and_the_package_on_ratings_1_to_4(seed):
    """Ratings 1-4 with missing values, where a true signal is mixed with noise."""
    rng = np.random.default_rng(100 + seed)
    truth = rng.integers(1, 5, size=40)
    data = np.clip(truth + rng.integers(-1, 2, size=(3, 40)), 1, 4).astype(float)
    data[rng.random(data.shape) < 0.25] = NAN
    data = data.tolist()
    ours = stats.ordinal_alpha(counts_of(data))
    assert ours == pytest.approx(reference_alpha(data, "ordinal"), abs=1e-9)
    assert ours == pytest.approx(krippendorff.alpha(data, level_of_measurement="ordinal"), abs=1e-9)
    # the vectorised kernel (used for the bootstrap) on the whole data: the same number
    whole = stats._unit_coincidences(counts_of(data)).sum(axis=0).reshape(1, 4, 4)
    assert stats.alpha_from_coincidences(whole)[0] == pytest.approx(ours, abs=1e-9)


def test_every_bootstrap_resample_equals_the_package_on_that_resample():
    counts = counts_of(random_ratings(3))
    alphas = stats.bootstrap_alpha(counts, seed=7, resamples=25)
    weights = np.concatenate(list(stats.resample_weights(counts.shape[0], 7, 25)))
    for alpha, w in zip(alphas, weights, strict=True):
        resample = np.repeat(counts, w, axis=0)  # each unit as often as it was drawn
        expected = krippendorff.alpha(value_counts=resample, value_domain=[1, 2, 3, 4],
                                      level_of_measurement="ordinal")
        assert alpha == pytest.approx(expected, abs=1e-9)


def test_the_bootstrap_is_seeded_and_the_interval_holds_the_estimate():
    counts = counts_of(random_ratings(5, units=200))
    first, second = stats.alpha_estimate(counts), stats.alpha_estimate(counts)
    assert first == second
    assert first.low < first.value < first.high
    assert len(stats.bootstrap_alpha(counts)) == stats.RESAMPLES


def test_an_all_agreeing_panel_gives_alpha_1():
    rng = np.random.default_rng(9)
    truth = rng.integers(1, 5, size=50)
    data = np.tile(truth, (4, 1)).astype(float)
    data[rng.random(data.shape) < 0.2] = NAN
    estimate = stats.alpha_estimate(counts_of(data.tolist()))
    assert estimate.value == pytest.approx(1.0, abs=1e-12)
    assert estimate.low == pytest.approx(1.0) and estimate.high == pytest.approx(1.0)


def test_random_ratings_give_alpha_near_0():
    estimate = stats.alpha_estimate(counts_of(random_ratings(11, coders=4, units=400)))
    assert abs(estimate.value) < 0.05
    assert estimate.low < 0 < estimate.high


def test_no_variation_or_no_pairs_is_undefined_not_an_error():
    assert stats.ordinal_alpha(counts_of([[3, 3, 3], [3, 3, 3]])) is None
    assert stats.ordinal_alpha(counts_of([[1, NAN], [NAN, 2]])) is None
    assert stats.alpha_estimate(counts_of([[2, 2], [2, 2]])).value is None


def test_the_leniency_offset_resamples_candidates():
    offsets = [(1.0 * n, n) for n in (1, 2, 3)] * 10  # one point high, every candidate
    estimate = stats.mean_offset(offsets)
    assert estimate.value == pytest.approx(1.0)
    assert estimate.low == pytest.approx(1.0) and estimate.high == pytest.approx(1.0)
    mixed = stats.mean_offset([(0.5, 1), (-0.5, 1)] * 20)
    assert mixed.low < 0 < mixed.high
