#!/usr/bin/env bash
# Build the oncodrop image: the wheel of this checkout, then `buildah bud` on the Containerfile.
#
#   scripts/release/build-image.sh          -> $IMAGE:$VERSION (localhost/oncodrop:<pyproject version>)
#
# Environment: IMAGE, VERSION, BASE, SOURCE_DATE_EPOCH (scripts/release/common.sh); NO_CACHE=1
# rebuilds every layer (a release; a reproducibility check). The package
# index is the build host's (pip configuration, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_CERT): it
# reaches the build as a secret, mounted for the install step only, so no URL with credentials
# and no certificate is written into a layer or the image history.
set -euo pipefail
. "$(dirname "$0")/common.sh"
bash "$ROOT/scripts/release/base-image.sh"

py="${RELEASE_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$py" ] || py=python3
say "wheel of $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?') (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
rm -rf "$BUILD_DIR/dist" "$ROOT/build/lib" "$ROOT/build/bdist."*
mkdir -p "$BUILD_DIR/dist"
uv="$(dirname "$py")/uv"
if [ -x "$uv" ]; then  # several times faster than pip's isolated build; the same setuptools wheel
  "$uv" build --quiet --wheel --out-dir "$BUILD_DIR/dist" "$ROOT" >&2
else
  "$py" -m pip wheel --quiet --no-deps --disable-pip-version-check -w "$BUILD_DIR/dist" "$ROOT" >&2
fi
rm -rf "$ROOT/build/lib" "$ROOT/build/bdist."*

secrets="$(mktemp -d)"; trap 'rm -rf "$secrets"' EXIT
pipget() { "$py" -m pip config get "$1" 2>/dev/null || true; }
index="${PIP_INDEX_URL:-$(pipget global.index-url)}"
extra="${PIP_EXTRA_INDEX_URL:-$(pipget global.extra-index-url)}"
# file:// indexes are folders on this host, not visible inside the build: keep network ones only
# (every file is checked against the lock's sha256 whichever index serves it).
index="$(tr ' ' '\n' <<<"$index" | grep -v '^file:' | head -n1 || true)"
extra="$(tr ' ' '\n' <<<"$extra" | grep -v '^file:' | tr '\n' ' ' | sed 's/ *$//' || true)"
cert="${PIP_CERT:-$(pipget global.cert)}"
{ echo "[global]"
  [ -n "$index" ] && echo "index-url = $index"
  [ -n "$extra" ] && echo "extra-index-url = $extra"
  true; } > "$secrets/pip.conf"
: > "$secrets/cert.pem"
[ -n "$cert" ] && [ -r "$cert" ] && cp "$cert" "$secrets/cert.pem"
say "index: ${index:+configured }${index:-PyPI default}$( [ -s "$secrets/cert.pem" ] && echo ", CA bundle $cert")"

revision="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
say "buildah bud $IMAGE:$VERSION from $BASE"
buildah bud --quiet --isolation chroot --layers ${NO_CACHE:+--no-cache} --pull=never \
  --timestamp "$SOURCE_DATE_EPOCH" \
  --build-arg "BASE=$BASE" \
  --build-arg "VERSION=$VERSION" --build-arg "REVISION=$revision" \
  --secret "id=pipconf,src=$secrets/pip.conf" --secret "id=pipcert,src=$secrets/cert.pem" \
  -f "$ROOT/Containerfile" -t "$IMAGE:$VERSION" "$ROOT" >&2
say "built $IMAGE:$VERSION ($(podman image inspect --format '{{.Id}}' "$IMAGE:$VERSION" | cut -c1-12)); $(podman image inspect --format '{{.Size}}' "$IMAGE:$VERSION" | awk '{printf "%.0f MB", $1/1e6}')"
