#!/usr/bin/env bash
# The image smoke test: run `oncodrop demo` inside the built image and check what a deployment
# relies on. Runs commands in the image with `buildah run --isolation chroot` (works without a
# container runtime's cgroup/rlimit rights; `podman run` does not work on every build host).
#
#   scripts/release/test-image.sh        (after build-image.sh; exit 0 only if every check passed)
#
# Checks: runs as uid 10001 (not root); ENTRYPOINT is `oncodrop`; each role's command starts
# (serve, worker, web, lambda runtime, status, refdata verify); the embedded demo passes (good samples
# SUCCEEDED, broken ones REJECTED with a reason); no package-index configuration or certificate
# from the build host is left in the image or its history. Then the demo bundle baked into a
# layer (bundle-image.sh): it matches its pins, is read-only, and a worker pinned to another
# bundle refuses to start; and the release's push step against a local registry (test-push.sh).
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
for role in serve worker web "lambda runtime" status "refdata verify"; do
  # shellcheck disable=SC2086  # "lambda runtime" is two words on purpose
  check "role command: oncodrop $role --help" run oncodrop $role --help
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

# The bundle layer (Containerfile.bundle) on the demo bundle: pinned, read-only, checked at start.
py="${RELEASE_PYTHON:-$ROOT/.venv/bin/python}"; [ -x "$py" ] || py=python3
rm -rf "$BUILD_DIR/demo-bundle"
PYTHONPATH="$ROOT/src" "$py" -m oncodrop refdata build --demo --out "$BUILD_DIR/demo-bundle" >/dev/null
bundled="$(bash "$ROOT/scripts/release/bundle-image.sh" "$BUILD_DIR/demo-bundle" | tail -n1)"
bctr="$(buildah from --pull-never --quiet "$bundled")"
trap 'buildah rm "$ctr" "$bctr" >/dev/null 2>&1 || true' EXIT
brun() { buildah run --isolation chroot "$bctr" "$@"; }
check "bundled image: the baked bundle matches its pins" \
  sh -c 'buildah run --isolation chroot "$1" -- oncodrop refdata verify /opt/oncodrop/bundle | grep -q "matches the pin"' _ "$bctr"
check "bundled image: what provenance records is the pinned version and sha256" \
  brun -- python3 -c 'import os; from oncodrop.refdata.pin import check_deployment_bundle as c; from oncodrop.settings import Settings
d = c(Settings()).describe(); assert (d["version"], d["manifest_sha256"]) == (os.environ["ONCODROP_BUNDLE_VERSION"], os.environ["ONCODROP_BUNDLE_SHA256"]), d'
check "bundled image: the bundle is read-only for uid 10001" brun -- sh -c '! touch /opt/oncodrop/bundle/manifest.json 2>/dev/null'
check "bundled image: a worker pinned to another bundle version refuses to start" \
  sh -c 'out=$(timeout 300 buildah run --isolation chroot --env ONCODROP_BUNDLE_VERSION=2099.01 "$1" -- oncodrop worker --db sqlite:////work/l.db 2>&1); [ $? -ne 0 ] && printf "%s" "$out" | grep -q "pins .2099.01."' _ "$bctr"
check "the release push step: pushed to a local registry, the printed digest pulls back" \
  bash "$ROOT/scripts/release/test-push.sh" "$bundled"
if ((failures)); then say "$failures check(s) failed"; exit 1; fi
say "all checks passed for $ref"
