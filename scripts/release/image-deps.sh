#!/usr/bin/env bash
# Debian packages the image build and its smoke test need: mmdebstrap (the local Debian base),
# buildah (build and run), podman (import, inspect), uidmap, docker-registry (a local registry
# the push step is tested against). Installs only what is missing.
set -euo pipefail
need=()
for pair in mmdebstrap:mmdebstrap buildah:buildah podman:podman newuidmap:uidmap docker-registry:docker-registry; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
