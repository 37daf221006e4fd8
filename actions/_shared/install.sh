#!/usr/bin/env bash
# Shared by every brickgate action, so no action carries its own copy of the install logic.
#   install.sh probe    -> outputs `python` (a Python >= 3.10 on PATH, or empty) and `databricks`
#   install.sh install  -> venv with the toolkit from this checkout (+ $BRICKGATE_EXTRAS); output `bin`
# The toolkit is installed from the action's own folder (two levels up), never from PyPI, so the
# CLI always matches the action's ref. $BRICKGATE_VENV (default $RUNNER_TEMP/brickgate-venv) lets a
# self-hosted runner keep one venv across jobs: a stamp of the source tree skips reinstalling.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

find_python() {
  local candidate
  for candidate in "${BRICKGATE_PYTHON:-}" python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

case "${1:-}" in
  probe)
    {
      echo "python=$(find_python || true)"
      echo "databricks=$(command -v databricks || true)"
    } >>"$GITHUB_OUTPUT"
    ;;
  install)
    python="$(find_python)" || { echo "::error::brickgate needs Python >= 3.10"; exit 2; }
    venv="${BRICKGATE_VENV:-${RUNNER_TEMP:?}/brickgate-venv}"
    extras="${BRICKGATE_EXTRAS:-}"
    spec="$root"
    [ -z "$extras" ] || spec="$root[$extras]"
    stamp="$venv/.brickgate-$( (cd "$root" && find pyproject.toml toolkit/brickgate -type f \
      ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum; echo "$extras") | sha256sum | cut -c1-16)"
    mkdir -p "$(dirname "$venv")"
    exec 9>"$venv.lock"  # jobs sharing one BRICKGATE_VENV on a self-hosted machine install in turn
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    if [ ! -f "$stamp" ]; then
      [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
      touch "$stamp"
    fi
    echo "bin=$venv/bin/brickgate" >>"$GITHUB_OUTPUT"
    "$venv/bin/brickgate" --version
    ;;
  *)
    echo "usage: install.sh probe|install" >&2
    exit 2
    ;;
esac
