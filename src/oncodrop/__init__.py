"""oncodrop: drop a tumour VCF tarball in a bucket, get a cancer genome report back."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("oncodrop")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
