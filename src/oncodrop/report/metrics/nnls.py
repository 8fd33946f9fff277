"""Non-negative least squares: SciPy's own routine, without importing ``scipy.optimize``.

``scipy.optimize.nnls`` (SciPy >= 1.15) is a thin check around a C routine in
``scipy.optimize._slsqplib``. Importing it means importing all of ``scipy.optimize``
(``scipy.linalg``, ``scipy.fft``, ``scipy.special``, the LP solvers): ~0.25-0.3 s of CPU, more
than fitting a whole-genome sample's signatures takes. So the extension module is loaded here
by itself, from the file SciPy installed, and called exactly as ``scipy.optimize.nnls`` calls
it (same arrays, same iteration limit): the exposures are the same numbers, bit for bit
(``tests/report/metrics/test_nnls.py``). With a SciPy other than the ones this was checked
against (``CHECKED_SCIPY``; read from the ``version.py`` SciPy installed, since even a bare
``import scipy`` is ~10 ms), ``scipy.optimize.nnls`` itself is used. Loaded on the first fit,
so a report without one pays nothing.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
_MODULE = "scipy.optimize._slsqplib"
CHECKED_SCIPY = ("1.17.",)  # versions whose scipy.optimize.nnls is this call of _slsqplib.nnls
_MAX_ITERATIONS = 3  # the routine's "info" when it ran out of iterations


def nnls(matrix: FloatArray, target: FloatArray, maxiter: int) -> tuple[FloatArray, float]:
    """``argmin ||matrix @ x - target||`` over ``x >= 0``: ``(x, residual norm)``, as
    ``scipy.optimize.nnls(matrix, target, maxiter=maxiter)`` returns it."""
    routine = _routine()
    if routine is None:
        from scipy.optimize import nnls as scipy_nnls

        solution, residual = scipy_nnls(matrix, target, maxiter=maxiter)
        return solution, float(residual)
    a = np.asarray_chkfinite(matrix, dtype=np.float64, order="C")
    b = np.asarray_chkfinite(target, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 1 or a.shape[0] != b.shape[0] or maxiter <= 0:
        raise ValueError(f"nnls needs an (m, n) matrix, an (m,) target and maxiter > 0: {a.shape}, {b.shape}")
    x, rnorm, info = routine(a, b, maxiter)
    if info == _MAX_ITERATIONS:
        raise RuntimeError("Maximum number of iterations reached.")
    return x, float(rnorm)


@functools.cache
def _routine() -> Callable[[FloatArray, FloatArray, int], tuple[FloatArray, float, int]] | None:
    """SciPy's C ``nnls`` from its extension module; None with an unchecked SciPy."""
    spec = importlib.util.find_spec("scipy")  # finds, does not import, the package
    folder = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else None
    if folder is None or not _scipy_version(folder).startswith(CHECKED_SCIPY):
        return None
    module: Any = sys.modules.get(_MODULE)
    if module is None:
        try:
            lib = folder / "optimize"
            path = next((lib / f"_slsqplib{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
                         if (lib / f"_slsqplib{suffix}").is_file()), None)  # fmt: skip
            spec = importlib.util.spec_from_file_location(_MODULE, path) if path else None
            if spec is None or spec.loader is None:
                return None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except (ImportError, OSError):
            return None
        sys.modules[_MODULE] = module  # scipy.optimize, if imported later, uses this one
    routine = getattr(module, "nnls", None)
    return routine if callable(routine) else None


def _scipy_version(folder: Path) -> str:
    """``scipy.__version__``, without importing SciPy when nothing has yet (~10 ms of a report):
    its ``version.py``, run by itself, defines ``version`` as ``scipy/__init__.py`` takes it."""
    imported = sys.modules.get("scipy")
    if imported is not None:
        return str(imported.__version__)
    spec = importlib.util.spec_from_file_location("_oncodrop_scipy_version", folder / "version.py")
    if spec is None or spec.loader is None:
        return ""
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except (ImportError, OSError, SyntaxError):
        return ""
    return str(getattr(module, "version", ""))
