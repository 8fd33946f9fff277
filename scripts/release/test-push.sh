#!/usr/bin/env bash
# The push step of a release (push-image.sh) against a throw-away registry on 127.0.0.1 (Debian
# `docker-registry`, the CNCF distribution registry ECR speaks the protocol of): the image is
# pushed, the digest push-image.sh prints resolves in the registry, and that digest pulls back.
#
#   scripts/release/test-push.sh [SOURCE]     (default: $IMAGE:$VERSION)
set -euo pipefail
. "$(dirname "$0")/common.sh"
source_ref="${1:-$IMAGE:$VERSION}"
command -v docker-registry >/dev/null || { say "docker-registry missing: run scripts/release/image-deps.sh"; exit 1; }
tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$tmp/config.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $tmp/data}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$tmp/config.yml" >"$tmp/registry.log" 2>&1 &
registry=$!
trap 'kill "$registry" 2>/dev/null || true; wait "$registry" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.2; done
ref="$(TLS_VERIFY=false bash "$ROOT/scripts/release/push-image.sh" "$source_ref" "127.0.0.1:$port/oncodrop:test" | tail -n1)"
digest="${ref##*@}"
curl -fs -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://127.0.0.1:$port/v2/oncodrop/manifests/$digest" || { say "FAIL $digest does not resolve"; exit 1; }
pulled="$(buildah pull --quiet --tls-verify=false "docker://$ref")"
buildah rmi "$pulled" >/dev/null 2>&1 || true
say "pushed and pulled back by digest: $ref"
