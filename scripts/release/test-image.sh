#!/usr/bin/env bash
# The image smoke test: run `oncodrop demo` inside the built image and check what a deployment
# relies on. Runs commands in the image with `buildah run --isolation chroot` (works without a
# container runtime's cgroup/rlimit rights; `podman run` does not work on every build host).
#
#   scripts/release/test-image.sh        (after build-image.sh; exit 0 only if every check passed)
#
# Checks: runs as uid 10001 (not root); ENTRYPOINT is `oncodrop`; each role's command starts
# (serve, worker, web, lambda, status, refdata); the embedded demo passes (good samples
# SUCCEEDED, broken ones REJECTED with a reason); no package-index configuration or certificate
# from the build host is left in the image or its history.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ref="$IMAGE:$VERSION"
podman image exists "$ref" || { say "$ref is not built: run scripts/release/build-image.sh"; exit 1; }
failures=0
check() {  # check "what" CMD…: one PASS/FAIL line per check
  local what="$1"; shift
  if "$@" >"$BUILD_DIR/check.log" 2>&1; then say "PASS $what"
  else say "FAIL $what"; sed 's/^/    /' "$BUILD_DIR/check.log" | tail -n 20 >&2; failures=$((failures + 1)); fi
}
mkdir -p "$BUILD_DIR"
ctr="$(buildah from --pull-never --quiet "$ref")"
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
run() { buildah run --isolation chroot "$ctr" -- "$@"; }
config() { buildah inspect --type container --format "$1" "$ctr"; }

check "image user is 10001 (non-root)" test "$(config '{{.OCIv1.Config.User}}')" = "10001:10001"
check "commands run as uid 10001" test "$(run id -u)" = 10001
check "ENTRYPOINT is oncodrop" test "$(config '{{.OCIv1.Config.Entrypoint}}')" = '[oncodrop]'
for role in serve worker web lambda status refdata; do
  check "role command: oncodrop $role --help" run oncodrop "$role" --help
done
check "the cloud, web and postgres dependencies import" \
  run python3 -c 'import boto3, celery, fastapi, uvicorn, psycopg, pysam, scipy, oncodrop.web.app'
check "no build-host pip configuration or certificate in the image" \
  run sh -c '! ls /run/secrets/* /etc/pip.conf /root/.config/pip 2>/dev/null | grep -q .'
history="$(podman history --no-trunc --format '{{.CreatedBy}}' "$ref")"
check "image history holds no index URL or certificate" \
  sh -c '! printf "%s" "$1" | grep -Eiq "index-url|https?://[^ ]*@|BEGIN CERTIFICATE"' _ "$history"
say "oncodrop demo inside the image (embedded service, local worker processes)"
if run oncodrop demo --workdir /work/demo >"$BUILD_DIR/demo.log" 2>&1 && grep -q 'demo passed' "$BUILD_DIR/demo.log"; then
  say "PASS the demo inside the image: $(grep -o 'demo passed in [0-9]* s' "$BUILD_DIR/demo.log" | tail -n1)"
else
  say "FAIL the demo inside the image (log: $BUILD_DIR/demo.log)"; tail -n 30 "$BUILD_DIR/demo.log" >&2
  failures=$((failures + 1))
fi
if ((failures)); then say "$failures check(s) failed"; exit 1; fi
say "all checks passed for $ref"
