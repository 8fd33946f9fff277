"""Signature exposure fitting: NNLS, then greedy removal / addition judged by the L2 error.

Plain NNLS over all ~80 COSMIC signatures spreads a catalogue over 15-30 of them (noise is
explained by many small exposures). Following SigProfilerAssignment's published strategy we
measure a fit by its relative L2 error ``||c - Wx|| / ||c||`` and:
1. fit NNLS over all candidates and drop, one at a time, the signature whose removal raises the
   error least while the rise is below ``INITIAL_REMOVE_PENALTY`` (0.05);
2. repeatedly add the candidate (with its connected group, e.g. SBS2 with SBS13) that lowers
   the error most if the drop exceeds ``ADD_PENALTY`` (0.05), then remove signatures whose
   removal raises the error by less than ``REMOVE_PENALTY`` (0.01); stop when nothing is added.
The clock-like background signatures SBS1 and SBS5 are never removed. Bootstrap intervals
refit NNLS on the selected set only (fast, and what the report shows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oncodrop.report.metrics.nnls import FloatArray, nnls

INITIAL_REMOVE_PENALTY = 0.05
ADD_PENALTY = 0.05
REMOVE_PENALTY = 0.01
MIN_EXPOSURE = 0.5  # mutations; smaller exposures round to none and are not reported
BACKGROUND_SIGNATURES = frozenset({"SBS1", "SBS5"})
CONNECTED_SIGNATURES: tuple[frozenset[str], ...] = (
    frozenset({"SBS2", "SBS13"}),
    frozenset({"SBS7a", "SBS7b", "SBS7c", "SBS7d"}),
    frozenset({"SBS10a", "SBS10b"}),
    frozenset({"SBS17a", "SBS17b"}),
)


def cosine(a: FloatArray, b: FloatArray) -> float:
    """Cosine similarity of two vectors (0 when either is all zeros)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def nnls_fit(matrix: FloatArray, catalogue: FloatArray, columns: Sequence[int]) -> tuple[FloatArray, float]:
    """Exposures (length K, zeros outside ``columns``) and relative L2 error of the fit."""
    exposures = np.zeros(matrix.shape[1])
    if len(columns):
        sub = matrix[:, list(columns)]
        x, _ = nnls(sub, catalogue, 50 * sub.shape[1])
        exposures[list(columns)] = x
    norm = float(np.linalg.norm(catalogue))
    error = float(np.linalg.norm(catalogue - matrix @ exposures)) / norm if norm > 0 else 0.0
    return exposures, error


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen signature columns with their exposures and reconstruction cosine."""

    columns: tuple[int, ...]
    exposures: FloatArray
    cosine: float


def select_signatures(
    matrix: FloatArray,
    catalogue: FloatArray,
    names: Sequence[str],
    candidates: Sequence[int] | None = None,
    *,
    max_signatures: int | None = None,
) -> Selection:
    """Choose signatures for ``catalogue`` among ``candidates`` (default: all columns)."""
    pool = list(range(matrix.shape[1])) if candidates is None else list(candidates)
    keep = {c for c in pool if names[c] in BACKGROUND_SIGNATURES}
    groups = _groups(names, pool)
    start, _ = nnls_fit(matrix, catalogue, pool)
    current = sorted({c for c in pool if start[c] > 0} | keep) or pool[:1]
    current = _remove(matrix, catalogue, current, keep, INITIAL_REMOVE_PENALTY, max_signatures)
    for _ in range(len(pool)):  # bounded: every round adds at least one signature or stops
        added = _add(matrix, catalogue, current, pool, groups)
        if added is None:
            break
        current = _remove(matrix, catalogue, added, keep, REMOVE_PENALTY, max_signatures)
    current = _remove(matrix, catalogue, current, set(), 0.0, max_signatures)  # enforce the cap
    exposures, _ = nnls_fit(matrix, catalogue, current)
    kept = tuple(c for c in current if exposures[c] >= MIN_EXPOSURE)  # SPA reports whole mutations
    if len(kept) < len(current):
        exposures, _ = nnls_fit(matrix, catalogue, kept)
    return Selection(kept, exposures, cosine(matrix @ exposures, catalogue))


def _groups(names: Sequence[str], pool: list[int]) -> dict[int, list[int]]:
    """Each candidate with the connected signatures that enter the fit together with it."""
    out = {}
    for c in pool:
        group = next((g for g in CONNECTED_SIGNATURES if names[c] in g), frozenset({names[c]}))
        out[c] = [o for o in pool if names[o] in group]
    return out


def _remove(
    matrix: FloatArray,
    catalogue: FloatArray,
    current: list[int],
    keep: set[int],
    penalty: float,
    limit: int | None,
) -> list[int]:
    """Drop signatures (never ``keep``) while that raises the error by < ``penalty`` or over ``limit``."""
    current = list(current)
    _, error = nnls_fit(matrix, catalogue, current)
    while len(current) > 1:
        over_limit = limit is not None and len(current) > limit
        removable = [c for c in current if c not in keep or over_limit]
        if not removable:
            break
        trials = [(nnls_fit(matrix, catalogue, [c for c in current if c != d])[1], d) for d in removable]
        best_error, drop = min(trials)
        if best_error - error >= penalty and not over_limit:
            break
        current.remove(drop)
        error = best_error
    return current


def _add(
    matrix: FloatArray,
    catalogue: FloatArray,
    current: list[int],
    pool: list[int],
    groups: dict[int, list[int]],
) -> list[int] | None:
    """``current`` plus the candidate group that lowers the error most, if by > ADD_PENALTY."""
    _, error = nnls_fit(matrix, catalogue, current)
    best: tuple[float, list[int]] | None = None
    for c in pool:
        if c in current:
            continue
        trial = sorted(set(current) | set(groups[c]))
        _, trial_error = nnls_fit(matrix, catalogue, trial)
        if best is None or trial_error < best[0]:
            best = (trial_error, trial)
    if best is None or error - best[0] <= ADD_PENALTY:
        return None
    return best[1]


def bootstrap_fractions(
    matrix: FloatArray, catalogue: FloatArray, columns: Sequence[int], n: int, seed: int = 0
) -> FloatArray:
    """``n`` x len(columns) exposure fractions refitted on multinomial resamples of the catalogue."""
    total = round(float(catalogue.sum()))
    if n <= 0 or total <= 0 or not columns:
        return np.zeros((0, len(columns)))
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(total, catalogue / catalogue.sum(), size=n).astype(float)
    sub = matrix[:, list(columns)]
    out = np.empty((n, len(columns)))
    for i in range(n):
        x, _ = nnls(sub, draws[i], 50 * sub.shape[1])
        s = x.sum()
        out[i] = x / s if s > 0 else x
    return out


def percentiles(values: Sequence[float], qs: Sequence[float]) -> tuple[float, ...]:
    """``np.percentile(values, qs)`` (its default "linear" method) as floats, bit for bit
    (``tests/report/metrics/test_signatures.py``), without the ~25 ms its first call costs a
    report: numpy's ``unique`` asks ``np.ma.is_masked``, which imports ``numpy.ma``."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        raise ValueError("percentiles of no values")
    if any(math.isnan(v) for v in ordered):
        return tuple(math.nan for _ in qs)
    out = []
    for q in qs:
        if not 0 <= q <= 100:
            raise ValueError("Percentiles must be in the range [0, 100]")
        virtual = (n - 1) * (q / 100)  # numpy's steps, in its order: the same rounding
        below, above = (-1, -1) if virtual >= n - 1 else (math.floor(virtual), math.floor(virtual) + 1)
        gamma = virtual - below  # numpy's too, -1 included
        a, b = ordered[below], ordered[above]
        diff = b - a
        out.append(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)
    return tuple(out)
