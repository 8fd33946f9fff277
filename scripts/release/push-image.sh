#!/usr/bin/env bash
# Push a built image to a registry (ECR in a release) and print its reference by digest, the
# form a job definition should use (a tag can be moved; a digest cannot).
#
#   scripts/release/push-image.sh SOURCE DEST      e.g. localhost/oncodrop:1.2.0-bundle-2026.12 \
#                                                       1234.dkr.ecr.eu-west-1.amazonaws.com/oncodrop:1.2.0-bundle-2026.12
# Log in first (`aws ecr get-login-password | buildah login --username AWS --password-stdin REGISTRY`).
# TLS_VERIFY=false for a plain-HTTP test registry on 127.0.0.1.
set -euo pipefail
. "$(dirname "$0")/common.sh"
source_ref="${1:?usage: push-image.sh SOURCE DEST}"
dest="${2:?usage: push-image.sh SOURCE DEST}"
digestfile="$(mktemp)"; trap 'rm -f "$digestfile"' EXIT
say "buildah push $source_ref -> $dest"
buildah push --quiet --tls-verify="${TLS_VERIFY:-true}" --digestfile "$digestfile" "$source_ref" "docker://$dest" >&2
repo="${dest%:*}"
say "pushed $repo@$(cat "$digestfile")"
echo "$repo@$(cat "$digestfile")"
