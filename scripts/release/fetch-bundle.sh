#!/usr/bin/env bash
# Fetch a reference bundle release (a .tar.gz of the bundle folder) and unpack it, checked twice:
# the tarball against the sha256 the release names, then every file against the bundle's own
# manifest (`oncodrop refdata verify`).
#
#   scripts/release/fetch-bundle.sh SOURCE SHA256 OUT_DIR      SOURCE: s3://BUCKET/KEY or a local file
#
# s3:// is read with boto3 (credentials and region from the usual AWS sources; AWS_ENDPOINT_URL
# for a non-AWS endpoint). Unpacking refuses links, devices and paths leaving OUT_DIR.
set -euo pipefail
. "$(dirname "$0")/common.sh"
source_uri="${1:?usage: fetch-bundle.sh SOURCE SHA256 OUT_DIR}"
expected="${2:?usage: fetch-bundle.sh SOURCE SHA256 OUT_DIR}"
out="${3:?usage: fetch-bundle.sh SOURCE SHA256 OUT_DIR}"
py="${RELEASE_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$py" ] || py=python3
say "fetching $source_uri"
rm -rf "$out"; mkdir -p "$out"
PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" "$py" - "$source_uri" "$expected" "$out" <<'PY'
import hashlib, shutil, sys, tarfile, tempfile
from pathlib import Path

source, expected, out = sys.argv[1], sys.argv[2].strip().lower(), Path(sys.argv[3])
with tempfile.TemporaryDirectory() as tmp:
    tarball = Path(tmp) / "bundle.tar.gz"
    if source.startswith("s3://"):
        import boto3  # the `cloud` extra

        bucket, _, key = source[5:].partition("/")
        boto3.client("s3").download_file(bucket, key, str(tarball))
    else:
        shutil.copyfile(source, tarball)
    with tarball.open("rb") as handle:
        actual = hashlib.file_digest(handle, "sha256").hexdigest()
    if actual != expected:
        sys.exit(f"{source}: sha256 {actual}, expected {expected}: not the bundle release named; not unpacked")
    with tarfile.open(tarball) as archive:
        members = archive.getmembers()
        roots = {Path(m.name).parts[0] for m in members if m.name not in (".", "./")}
        strip = len(roots) == 1 and not any(m.name == "manifest.json" for m in members)
        archive.extractall(out, filter="data")  # no links out, no devices, no absolute paths
    if strip:  # bundle-VERSION/manifest.json -> OUT_DIR/manifest.json
        inner = out / roots.pop()
        for child in inner.iterdir():
            child.rename(out / child.name)
        inner.rmdir()
PY
PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" "$py" -m oncodrop refdata verify "$out" >&2
say "bundle at $out"
