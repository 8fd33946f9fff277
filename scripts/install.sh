#!/usr/bin/env bash
# Install oncodrop (editable) with the given extras into .venv, saying what it does: one line per
# phase with the elapsed seconds, so a CI log shows where the time goes.
#
#   scripts/install.sh [EXTRAS]        e.g. "demo", "test,cloud", "lint" (empty: core only)
#
# Uses uv (from PyPI, installed into the venv by pip) because it installs the same wheels several
# times faster than pip; falls back to pip when uv cannot be had or fails.
# Environment: PYTHON (python3), VENV (.venv), INSTALLER (auto | uv | pip).
set -euo pipefail

extras="${1:-}"
python="${PYTHON:-python3}"
venv="${VENV:-.venv}"
installer="${INSTALLER:-auto}"
target="."
[ -n "$extras" ] && target=".[$extras]"
start=$(date +%s%N)

say() {  # [install  12.3s] message
  local ds=$((($(date +%s%N) - start) / 100000000))  # tenths of a second
  printf '[install %3d.%ds] %s\n' $((ds / 10)) $((ds % 10)) "$*"
}

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi

uv=""
if [ "$installer" != pip ]; then
  if [ -x "$venv/bin/uv" ]; then
    uv="$venv/bin/uv"
  elif command -v uv >/dev/null 2>&1; then
    uv="$(command -v uv)"
  else
    say "installing uv into $venv (pip)"
    if "$venv/bin/pip" install -q --disable-pip-version-check --progress-bar off uv; then
      uv="$venv/bin/uv"
    elif [ "$installer" = uv ]; then
      say "could not install uv (INSTALLER=uv)"; exit 1
    else
      say "could not install uv; using pip"
    fi
  fi
fi

if [ -n "$uv" ]; then
  say "installing oncodrop$( [ -n "$extras" ] && echo "[$extras]") with $("$uv" --version)"
  # copy mode: the uv cache and the venv may sit on different filesystems (no hard-link warning).
  if ! UV_LINK_MODE="${UV_LINK_MODE:-copy}" "$uv" pip install --python "$venv/bin/python" -e "$target"; then
    [ "$installer" = uv ] && exit 1
    say "uv failed; retrying with pip"
    uv=""
  fi
fi
if [ -z "$uv" ]; then
  say "installing oncodrop$( [ -n "$extras" ] && echo "[$extras]") with pip (slower; prints each package)"
  "$venv/bin/pip" install --disable-pip-version-check --progress-bar off -e "$target"
fi

count=$("$venv/bin/python" -c 'import importlib.metadata as m; print(len(list(m.distributions())))')
say "done: $count distributions in $venv"
