"""SciPy's NNLS routine called without importing ``scipy.optimize``: the same numbers, bit for
bit, as ``scipy.optimize.nnls``, and the report stack never imports ``scipy.optimize``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import scipy
from scipy.optimize import nnls as scipy_nnls

from oncodrop.report.metrics import nnls as ours
from oncodrop.report.metrics.signatures import SignatureMatrix, load_signature_matrix

SRC = Path(ours.__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cosmic(reference: Path) -> SignatureMatrix:
    return load_signature_matrix(reference / "pcgr/COSMIC_v3.4_SBS_GRCh38.txt")


def _problems(cosmic: SignatureMatrix) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(12)
    for k in (1, 2, 5, 20, cosmic.matrix.shape[1]):
        columns = rng.choice(cosmic.matrix.shape[1], size=k, replace=False)
        sub = cosmic.matrix[:, columns]
        mixture = rng.dirichlet(np.ones(k))
        yield sub, rng.multinomial(3000, sub @ mixture / (sub @ mixture).sum()).astype(float)
    yield cosmic.matrix[:, :4], np.zeros(96)  # nothing to explain
    yield cosmic.matrix[:, :4], -np.ones(96)  # only x = 0 is feasible
    yield rng.random((10, 3)), rng.random(10) * 50  # not signatures: any matrix


def test_same_exposures_and_residual_as_scipy_optimize_nnls(cosmic: SignatureMatrix) -> None:
    assert ours._routine() is not None or not scipy.__version__.startswith(ours.CHECKED_SCIPY)
    for matrix, target in _problems(cosmic):
        maxiter = 50 * matrix.shape[1]
        x, rnorm = ours.nnls(matrix, target, maxiter)
        want_x, want_rnorm = scipy_nnls(matrix, target, maxiter=maxiter)
        assert x.tobytes() == want_x.tobytes() and rnorm == want_rnorm


def test_an_unchecked_scipy_gets_scipy_optimize_nnls_itself(
    cosmic: SignatureMatrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scipy, "__version__", "0.1.0")
    ours._routine.cache_clear()
    try:
        assert ours._routine() is None
        matrix, target = next(_problems(cosmic))
        x, rnorm = ours.nnls(matrix, target, 50)
        want_x, want_rnorm = scipy_nnls(matrix, target, maxiter=50)
        assert x.tobytes() == want_x.tobytes() and rnorm == want_rnorm
    finally:
        ours._routine.cache_clear()


def test_bad_shapes_and_exhausted_iterations_fail_as_scipy_does(cosmic: SignatureMatrix) -> None:
    with pytest.raises(ValueError):
        ours.nnls(cosmic.matrix, np.ones(95), 100)
    matrix, target = next(p for p in _problems(cosmic) if p[0].shape[1] == 20)
    with pytest.raises(RuntimeError, match="Maximum number of iterations"):
        scipy_nnls(matrix, target, maxiter=1)
    with pytest.raises(RuntimeError, match="Maximum number of iterations"):
        ours.nnls(matrix, target, 1)


def test_fitting_signatures_in_a_fresh_interpreter_never_imports_scipy_optimize(reference: Path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\n"
        "import oncodrop.report.engine\n"
        "from oncodrop.report.metrics.signatures import fit_signatures, load_signature_matrix\n"
        f"s = load_signature_matrix(Path({str(reference / 'pcgr/COSMIC_v3.4_SBS_GRCh38.txt')!r}))\n"
        "fit = fit_signatures(s.matrix[:, :3].sum(axis=1) * 100, s, bootstrap=5)\n"
        "assert fit.exposures, fit\n"
        "assert 'numpy.ma' not in sys.modules  # refit.percentiles, not np.percentile\n"
        "print(sorted(k for k in sys.modules if k == 'scipy' or k.startswith('scipy.optimize')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    loaded = out.stdout.strip()
    if scipy.__version__.startswith(ours.CHECKED_SCIPY):
        assert loaded == "['scipy.optimize._slsqplib']"  # not even ``import scipy`` (its version.py is read)
    else:
        assert "'scipy.optimize'" in loaded
