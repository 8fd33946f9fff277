"""Signature exposure fitting: NNLS, then greedy backward elimination / forward addition.

Plain NNLS over all ~80 COSMIC signatures spreads a catalogue over 20-30 of them (noise is
explained by many small exposures). Like SigProfilerAssignment, we start from the NNLS
solution and remove, one at a time, the signature whose removal costs the least cosine
similarity, while that cost is below ``remove_penalty`` (0.01); then we add the signature that
improves the cosine most if the gain exceeds ``add_penalty`` (0.05), and repeat until stable.
Bootstrap intervals refit NNLS on the selected set only (fast, and what the report shows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import nnls

FloatArray = NDArray[np.float64]

REMOVE_PENALTY = 0.01
ADD_PENALTY = 0.05


def cosine(a: FloatArray, b: FloatArray) -> float:
    """Cosine similarity of two vectors (0 when either is all zeros)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def nnls_fit(matrix: FloatArray, catalogue: FloatArray, columns: Sequence[int]) -> tuple[FloatArray, float]:
    """Exposures (length K, zeros outside ``columns``) and cosine of the reconstruction."""
    exposures = np.zeros(matrix.shape[1])
    if len(columns):
        sub = matrix[:, list(columns)]
        x, _ = nnls(sub, catalogue, maxiter=50 * sub.shape[1])
        exposures[list(columns)] = x
    return exposures, cosine(matrix @ exposures, catalogue)


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen signature columns with their exposures and reconstruction cosine."""

    columns: tuple[int, ...]
    exposures: FloatArray
    cosine: float


def select_signatures(
    matrix: FloatArray,
    catalogue: FloatArray,
    candidates: Sequence[int] | None = None,
    *,
    max_signatures: int | None = None,
    remove_penalty: float = REMOVE_PENALTY,
    add_penalty: float = ADD_PENALTY,
) -> Selection:
    """NNLS + backward elimination (+ forward addition) over ``candidates`` (default: all)."""
    pool = list(range(matrix.shape[1])) if candidates is None else list(candidates)
    start, _ = nnls_fit(matrix, catalogue, pool)
    current = [c for c in pool if start[c] > 0] or pool[:1]
    for _ in range(2 * len(pool)):  # bounded: each pass removes or adds one signature
        current = _backward(matrix, catalogue, current, remove_penalty, max_signatures)
        added = _forward(matrix, catalogue, current, pool, add_penalty, max_signatures)
        if added is None:
            break
        current = added
    exposures, cos = nnls_fit(matrix, catalogue, current)
    kept = tuple(c for c in current if exposures[c] > 0)
    return Selection(kept, exposures, cos)


def _backward(
    matrix: FloatArray, catalogue: FloatArray, current: list[int], penalty: float, limit: int | None
) -> list[int]:
    current = list(current)
    _, cos = nnls_fit(matrix, catalogue, current)
    while len(current) > 1:
        trials = [(nnls_fit(matrix, catalogue, [c for c in current if c != drop])[1], drop) for drop in current]
        best_cos, drop = max(trials)
        over_limit = limit is not None and len(current) > limit
        if cos - best_cos >= penalty and not over_limit:
            break
        current.remove(drop)
        cos = best_cos
    return current


def _forward(
    matrix: FloatArray,
    catalogue: FloatArray,
    current: list[int],
    pool: list[int],
    penalty: float,
    limit: int | None,
) -> list[int] | None:
    if limit is not None and len(current) >= limit:
        return None
    _, cos = nnls_fit(matrix, catalogue, current)
    trials = [(nnls_fit(matrix, catalogue, current + [c])[1], c) for c in pool if c not in current]
    if not trials:
        return None
    best_cos, add = max(trials)
    return current + [add] if best_cos - cos > penalty else None


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
        x, _ = nnls(sub, draws[i], maxiter=50 * sub.shape[1])
        s = x.sum()
        out[i] = x / s if s > 0 else x
    return out
