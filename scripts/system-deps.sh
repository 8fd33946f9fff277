#!/usr/bin/env bash
# Debian packages the test suite needs: chromium (the report and dashboard are checked in a
# real browser) and redis-server (the Celery executor's broker in integration tests and in
# `oncodrop demo --cloud --executor celery`) and slurm-wlm + munge (a one-node Slurm the Slurm
# executor's integration test starts and stops), shellcheck (release scripts). Installs only what is missing; uses sudo when not root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm munge)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)  # ledger tests on PostgreSQL
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)  # the release scripts (tests/deploy/test_release.py)
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
