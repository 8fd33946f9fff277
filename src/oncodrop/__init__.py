"""oncodrop: drop a tumour VCF tarball in a bucket, get a cancer genome report back."""

# The one place the version is written: pyproject.toml reads it (``[tool.setuptools.dynamic]``),
# so ``oncodrop --version`` costs no ``importlib.metadata`` (which imports ``email``) at start-up.
__version__ = "0.1.0"

__all__ = ["__version__"]
