#!/usr/bin/env bash
# Bake a reference bundle into the image's top layer (Containerfile.bundle).
#
#   scripts/release/bundle-image.sh BUNDLE_DIR   -> $IMAGE:$VERSION-bundle-<bundle version>
#
# The bundle is verified first (every file against its manifest); its version and manifest
# sha256 become the image's pins (ONCODROP_BUNDLE_VERSION, ONCODROP_BUNDLE_SHA256) and labels.
# Prints the new image reference on stdout (the last line). Needs $IMAGE:$VERSION (build-image.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"
bundle="$(cd "${1:?usage: bundle-image.sh BUNDLE_DIR}" && pwd)"
py="${RELEASE_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$py" ] || py=python3
app="$IMAGE:$VERSION"
podman image exists "$app" || { say "$app is not built: run scripts/release/build-image.sh"; exit 1; }

say "verifying $bundle"
PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" "$py" -m oncodrop refdata verify "$bundle" >&2
read -r bundle_version bundle_sha256 < <(PYTHONPATH="$ROOT/src" "$py" -c '
import json, sys
from pathlib import Path
from oncodrop.refdata.pin import manifest_sha256
root = Path(sys.argv[1])
print(json.loads((root / "manifest.json").read_text())["version"], manifest_sha256(root))' "$bundle")
tag="$VERSION-bundle-$(tr -c 'A-Za-z0-9_.\n-' '_' <<<"$bundle_version")"

# A context holding only the bundle, with modes normalised (the layer does not depend on the
# builder's umask): directories 0755, files 0644.
context="$BUILD_DIR/bundle-context"
rm -rf "$context"; mkdir -p "$context"
cp -a "$bundle" "$context/bundle"
find "$context/bundle" -type d -exec chmod 0755 {} +
find "$context/bundle" -type f -exec chmod 0644 {} +
say "buildah bud $IMAGE:$tag (bundle $bundle_version, manifest sha256 $bundle_sha256)"
buildah bud --quiet --isolation chroot --pull=never --timestamp "$SOURCE_DATE_EPOCH" \
  --build-arg "APP_IMAGE=$app" --build-arg "BUNDLE_VERSION=$bundle_version" \
  --build-arg "BUNDLE_SHA256=$bundle_sha256" \
  -f "$ROOT/Containerfile.bundle" -t "$IMAGE:$tag" "$context" >&2
rm -rf "$context"
say "built $IMAGE:$tag"
echo "$IMAGE:$tag"
