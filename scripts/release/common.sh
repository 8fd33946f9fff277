# shellcheck shell=bash
# Shared by the release scripts (sourced, not run): names, version and a reproducible clock.
#
#   IMAGE            image name without tag (default: localhost/oncodrop)
#   VERSION          image tag (default: __version__ in src/oncodrop/__init__.py, the one place
#                    the version is written; pyproject.toml reads it from there)
#   BASE             the base image (default: the Debian base built here by base-image.sh;
#                    a release passes a pinned upstream image, e.g. debian:bookworm-slim@sha256:…)
#   RELEASE_PYTHON   a Python with oncodrop installed (default: .venv/bin/python), for the wheel
#                    and `oncodrop refdata` on the host
#   SOURCE_DATE_EPOCH  the one timestamp written into wheels and image layers
#                    (default: the last commit's time, so the same commit builds the same bytes)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGE="${IMAGE:-localhost/oncodrop}"
VERSION="${VERSION:-$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/src/oncodrop/__init__.py" | head -n1)}"
if [ -z "$VERSION" ]; then
  echo "$(basename "$0"): no version: set VERSION or write __version__ = \"X.Y.Z\" in src/oncodrop/__init__.py" >&2
  exit 2
fi
LOCAL_BASE="localhost/oncodrop-base:bookworm"
BASE="${BASE:-$LOCAL_BASE}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/image}"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH="$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)"
fi
export SOURCE_DATE_EPOCH

_t0=$(date +%s)
say() {  # [release  12s] message: one line per phase, so a CI log shows where the time goes
  printf '[%s %4ds] %s\n' "$(basename "$0" .sh)" $(($(date +%s) - _t0)) "$*" >&2
}
