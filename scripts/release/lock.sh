#!/usr/bin/env bash
# Regenerate requirements/image.lock: every Python package the image installs (oncodrop's
# core dependencies and the cloud, web and postgres extras, and theirs), each pinned to one
# version with the sha256 of every wheel/sdist PyPI serves for it, for CPython 3.11 on x86_64
# manylinux (Debian bookworm: glibc 2.36). The image installs with `pip --require-hashes`, so a
# changed or substituted file on the index fails the build.
#
#   scripts/release/lock.sh [--from-venv VENV]
#
# --from-venv pins each package to the version installed in VENV (the versions the test suite
# ran with) where it has one; otherwise the resolver picks the newest allowed. Uses the host's
# configured index (pip/uv configuration, PIP_INDEX_URL / UV_INDEX_URL). Commit the result.
set -euo pipefail
. "$(dirname "$0")/common.sh"
venv=""
[ "${1:-}" = "--from-venv" ] && venv="${2:?--from-venv needs a folder}"
uv="$(command -v uv || true)"
[ -z "$uv" ] && [ -x "$ROOT/.venv/bin/uv" ] && uv="$ROOT/.venv/bin/uv"
[ -z "$uv" ] && { say "needs uv (pip install uv)"; exit 1; }
constraints=()
if [ -n "$venv" ]; then
  tmp="$(mktemp)"; trap 'rm -f "$tmp"' EXIT
  "$venv/bin/python" -m pip freeze --exclude-editable --disable-pip-version-check | grep -E '^[A-Za-z0-9_.-]+==' > "$tmp"
  constraints=(--constraint "$tmp")
fi
index=()
[ -n "${PIP_INDEX_URL:-}" ] && [ -z "${UV_INDEX_URL:-}" ] && index=(--index-url "$PIP_INDEX_URL")
say "uv pip compile pyproject.toml [cloud,web,postgres] --generate-hashes (cp311, x86_64 manylinux_2_28)"
cd "$ROOT"
# no uv header (it names the temp file): ours says how to regenerate it.
"$uv" pip compile pyproject.toml --extra cloud --extra web --extra postgres "${constraints[@]}" "${index[@]}" \
  --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
  --no-header --no-annotate --quiet --output-file requirements/image.lock.tmp
{ echo "# The image's Python dependencies, hash-pinned (regenerate: scripts/release/lock.sh --from-venv .venv)"
  cat requirements/image.lock.tmp; } > requirements/image.lock
rm -f requirements/image.lock.tmp
say "requirements/image.lock: $(grep -c '^[a-z0-9]' requirements/image.lock) packages"
