"""The numbers behind the analytics pages: Krippendorff's alpha (the `krippendorff`
package) with a bootstrap interval, a leniency offset with its interval, medians with
theirs, and a question's discrimination (Somers' D from scipy) with a stratified
bootstrap interval.

Bootstraps resample units (candidates) with replacement, a fixed number of times from a
fixed seed, so that a page shows the same interval on every load; every resample is
computed at once with numpy (in chunks, so memory stays bounded)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import krippendorff
import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

RATING_VALUES = (1, 2, 3, 4)
RESAMPLES = 1000
SEED = 12
CONFIDENCE = 0.95
_CELLS_PER_CHUNK = 2_000_000  # resamples x units held at once (16 MB of int64)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% bootstrap interval (None where not defined)."""

    value: float | None
    low: float | None
    high: float | None


def value_counts(units: Mapping[int, Mapping[int, int]]) -> FloatArray:
    """units: unit -> {rating: how many coders gave it} as an (N, 4) matrix, pairable
    units only (two or more ratings)."""
    rows = [[counts.get(v, 0) for v in RATING_VALUES] for counts in units.values()
            if sum(counts.values()) >= 2]
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(RATING_VALUES))


def ordinal_alpha(counts: FloatArray) -> float | None:
    """Krippendorff's alpha, ordinal metric, from the package; None when it is undefined
    (no pairable unit, or every pairable rating the same value: no variation to agree on)."""
    if counts.shape[0] == 0 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return None
    return float(krippendorff.alpha(value_counts=counts, value_domain=list(RATING_VALUES),
                                    level_of_measurement="ordinal"))


def _unit_coincidences(counts: FloatArray) -> FloatArray:
    """Each unit's contribution to the coincidence matrix, flattened: (N, V*V)."""
    pairable = counts.sum(axis=1)
    outer = counts[:, :, None] * counts[:, None, :]
    outer -= counts[:, :, None] * np.eye(counts.shape[1])[None, :, :]
    result: FloatArray = (outer / (pairable - 1)[:, None, None]).reshape(counts.shape[0], -1)
    return result


def alpha_from_coincidences(o: FloatArray) -> FloatArray:
    """Ordinal alpha for a stack of coincidence matrices (B, V, V): the same formula as the
    package (1 - D_o / D_e), computed for every matrix at once; NaN where D_e is 0."""
    n = o.sum(axis=1)  # (B, V): pairable values of each rating
    total = n.sum(axis=1)
    size = n.shape[1]
    c, k = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    lo, hi = np.minimum(c, k), np.maximum(c, k)
    cum = np.cumsum(n, axis=1)
    between = cum[:, hi] - cum[:, lo] + n[:, lo]  # sum of n_g for g from lo to hi
    delta = (between - (n[:, lo] + n[:, hi]) / 2) ** 2  # (B, V, V); 0 on the diagonal
    observed = (o * delta).sum(axis=(1, 2))
    expected = (n[:, :, None] * n[:, None, :] * delta).sum(axis=(1, 2)) / (total - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - observed / expected, np.nan)


def resample_weights(units: int, seed: int = SEED, resamples: int = RESAMPLES
                     ) -> Iterator[npt.NDArray[np.int64]]:
    """Yield (chunk of resamples, units) matrices: how often each unit was drawn."""
    rng = np.random.default_rng(seed)
    step = max(1, _CELLS_PER_CHUNK // max(units, 1))
    for start in range(0, resamples, step):
        rows = min(step, resamples - start)
        draws = rng.integers(0, units, size=(rows, units))
        offsets = (np.arange(rows)[:, None] * units + draws).ravel()
        yield np.bincount(offsets, minlength=rows * units).reshape(rows, units)


def bootstrap_alpha(counts: FloatArray, seed: int = SEED, resamples: int = RESAMPLES
                    ) -> FloatArray:
    """Alpha of each bootstrap resample of the units (NaN where undefined)."""
    size = counts.shape[1]
    per_unit = _unit_coincidences(counts)
    parts = [alpha_from_coincidences((weights @ per_unit).reshape(-1, size, size))
             for weights in resample_weights(counts.shape[0], seed, resamples)]
    return np.concatenate(parts) if parts else np.empty(0)


def _interval(values: FloatArray) -> tuple[float | None, float | None]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None, None
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def alpha_estimate(counts: FloatArray) -> Estimate:
    value = ordinal_alpha(counts)
    if value is None:
        return Estimate(None, None, None)
    return Estimate(value, *_interval(bootstrap_alpha(counts)))


def mean_offset(per_candidate: list[tuple[float, int]]) -> Estimate:
    """The mean of differences, where each candidate contributes (sum of differences,
    how many), with a bootstrap interval that resamples candidates: ratings of one
    candidate are not independent of each other, so candidates are the units."""
    if not per_candidate:
        return Estimate(None, None, None)
    sums = np.asarray([s for s, _ in per_candidate], dtype=np.float64)
    sizes = np.asarray([n for _, n in per_candidate], dtype=np.float64)
    value = float(sums.sum() / sizes.sum())
    means = np.concatenate([(w @ sums) / (w @ sizes)
                            for w in resample_weights(len(per_candidate))])
    return Estimate(value, *_interval(means))


def median_estimate(values: list[float]) -> Estimate:
    """The median, with a bootstrap interval (the values resampled)."""
    if not values:
        return Estimate(None, None, None)
    data = np.asarray(values, dtype=np.float64)
    medians = np.concatenate([_weighted_medians(data, w)
                              for w in resample_weights(len(data))])
    return Estimate(float(np.median(data)), *_interval(medians))


def _weighted_medians(data: FloatArray, weights: npt.NDArray[np.int64]) -> FloatArray:
    """The median of each resample, given as how many times each value was drawn: the
    lower and upper middle of the sorted draws, averaged (numpy's median convention)."""
    order = np.argsort(data)
    cum = np.cumsum(weights[:, order], axis=1)
    n = cum[:, -1]
    lower = (n - 1) // 2  # zero-based ranks of the two middle draws
    upper = n // 2
    pick_low = (cum <= lower[:, None]).sum(axis=1)
    pick_high = (cum <= upper[:, None]).sum(axis=1)
    middle: FloatArray = (data[order][pick_low] + data[order][pick_high]) / 2
    return middle


# --- discrimination: how a rating tracks an offer --------------------------------------------

def somers_d(offered: list[bool], scores: list[float]) -> float | None:
    """Somers' D of the score given the outcome (scipy.stats.somersd, D(Y|X) with X the
    outcome): of all (offered, not offered) pairs of candidates, the share where the
    offered one scored higher minus the share where they scored lower; ties count as
    neither. It equals 2 * AUC - 1 (the rank-biserial correlation). None where one
    outcome is missing or every score is the same."""
    if len(set(offered)) < 2 or len(set(scores)) < 2:
        return None
    return float(scipy_stats.somersd(np.asarray(offered, dtype=np.int64),
                                     np.asarray(scores, dtype=np.float64)).statistic)


def _group_draws(values: FloatArray, rng: np.random.Generator, resamples: int
                 ) -> tuple[FloatArray, FloatArray]:
    """One outcome group resampled with replacement, as counts per distinct score:
    drawing n candidates from n is a multinomial over the distinct scores (shares as
    observed), so the resample costs the number of distinct scores, not of candidates."""
    distinct, counts = np.unique(values, return_counts=True)
    draws = rng.multinomial(int(counts.sum()), counts / counts.sum(), size=resamples)
    return distinct, draws.astype(np.float64)


def bootstrap_somers_d(offered: list[bool], scores: list[float], seed: int = SEED,
                       resamples: int = RESAMPLES) -> FloatArray:
    """Somers' D of each resample, offered and not offered candidates resampled apart
    (a stratified bootstrap, as usual for an AUC: each resample keeps both groups' sizes,
    so D is defined in every one)."""
    rng = np.random.default_rng(seed)
    values = np.asarray(scores, dtype=np.float64)
    mask = np.asarray(offered, dtype=bool)
    yes, yes_draws = _group_draws(values[mask], rng, resamples)
    no, no_draws = _group_draws(values[~mask], rng, resamples)
    return somers_d_of_draws(yes, yes_draws, no, no_draws)


def somers_d_of_draws(yes: FloatArray, yes_draws: FloatArray, no: FloatArray,
                      no_draws: FloatArray) -> FloatArray:
    """Somers' D for each row of draws: ``yes_draws[b, i]`` offered candidates scored
    ``yes[i]``, ``no_draws[b, j]`` not offered ones scored ``no[j]``. Concordant minus
    discordant pairs over all pairs, for every resample at once."""
    sign = np.sign(yes[:, None] - no[None, :])  # (distinct offered, distinct not offered)
    pairs = yes_draws.sum(axis=1) * no_draws.sum(axis=1)
    result: FloatArray = ((yes_draws @ sign) * no_draws).sum(axis=1) / pairs
    return result


def discrimination(offered: list[bool], scores: list[float]) -> Estimate:
    value = somers_d(offered, scores)
    if value is None:
        return Estimate(None, None, None)
    return Estimate(value, *_interval(bootstrap_somers_d(offered, scores)))
