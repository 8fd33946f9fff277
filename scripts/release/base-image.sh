#!/usr/bin/env bash
# The local stand-in for an upstream base image: Debian bookworm (minbase + python3 + venv +
# CA certificates) built from Debian's own packages with mmdebstrap and imported as
# localhost/oncodrop-base:bookworm. Used where no container registry is reachable; a release
# build passes BASE=<pinned upstream image> instead and skips this step. Idempotent (~3 min the
# first time). Needs root and the Debian packages mmdebstrap, buildah, podman, uidmap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ "$BASE" != "$LOCAL_BASE" ]; then
  say "BASE=$BASE is not the local base; nothing to build"; exit 0
fi
if podman image exists "$LOCAL_BASE"; then
  say "$LOCAL_BASE is present"; exit 0
fi
for tool in mmdebstrap buildah podman newuidmap; do
  command -v "$tool" >/dev/null || { say "missing $tool: run scripts/release/image-deps.sh"; exit 1; }
done
mkdir -p "$BUILD_DIR"
tarball="$BUILD_DIR/base-bookworm.tar"
say "mmdebstrap bookworm (minbase, python3, python3-venv, ca-certificates) -> $tarball"
# The host's apt sources (Debian's mirror as this machine reaches it); SOURCE_DATE_EPOCH makes
# mmdebstrap clamp every timestamp, so one mirror state gives one tarball.
mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates \
  --aptopt='Acquire::Languages "none"' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  bookworm "$tarball" "${APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}"
say "podman import -> $LOCAL_BASE"
podman import --quiet --change 'CMD ["/bin/bash"]' "$tarball" "$LOCAL_BASE" >/dev/null
rm -f "$tarball"
say "done: $(podman image inspect --format '{{.Size}}' "$LOCAL_BASE" | awk '{printf "%.0f MB", $1/1e6}')"
