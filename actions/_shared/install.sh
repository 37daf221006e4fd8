#!/usr/bin/env bash
# Shared by every brickgate action, so no action carries its own copy of the install logic.
#   install.sh probe    -> outputs `python` (a Python >= 3.10 on PATH, or empty), `databricks`,
#                          `lock` (the hash-locked requirements of $BRICKGATE_EXTRAS) and `cache-key`
#   install.sh install  -> venv with the locked dependencies and the toolkit from this checkout;
#                          output `bin`
# Linux runners only (GitHub-hosted ubuntu-*, self-hosted Linux): anything else stops at `probe`
# with one ::error:: line. Dependencies come from requirements/<extras>.txt with every hash
# checked (uv --require-hashes; uv itself from requirements/uv.txt, hash-checked by pip); the
# toolkit is installed from the action's own folder (two levels up), never from PyPI, so the CLI
# always matches the action's commit. $BRICKGATE_VENV (default $RUNNER_TEMP/brickgate-venv) holds one
# venv per locked set (<folder>/<lock name>), so jobs of other actions sharing the folder (a
# self-hosted runner keeping it across jobs) never change a venv in use: a stamp of the lock, the
# source and the Python skips reinstalling.
# $BRICKGATE_UV_CACHE (default $RUNNER_TEMP/brickgate-uv) is the folder actions/cache restores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
uv_cache="${BRICKGATE_UV_CACHE:-${RUNNER_TEMP:-/tmp}/brickgate-uv}"

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

# Sets `lock`: requirements/<extras sorted, joined by '-'>.txt, `core` for none; fails for a set
# with no lock.
find_lock() {
  local name known
  name="$(printf '%s' "${BRICKGATE_EXTRAS:-}" | tr ',' '\n' | sed '/^[[:space:]]*$/d; s/[[:space:]]//g' | sort -u | paste -sd- -)"
  lock="$root/requirements/${name:-core}.txt"
  if [ ! -f "$lock" ]; then
    known="$(cd "$root/requirements" && ls -- *.txt | sed 's/\.txt$//' | grep -vx uv | paste -sd' ' -)"
    echo "::error::brickgate has no hash-locked requirements for extras '${BRICKGATE_EXTRAS:-}' (locked sets: $known)"
    return 2
  fi
}

case "${1:-}" in
  probe)
    os="${RUNNER_OS:-$(uname -s)}"
    if [ "$os" != Linux ]; then
      echo "::error::brickgate's actions run on Linux runners only (GitHub-hosted ubuntu-*, or self-hosted Linux), not on $os"
      exit 2
    fi
    find_lock || exit 2
    {
      echo "python=$(find_python || true)"
      echo "databricks=$(command -v databricks || true)"
      echo "lock=$lock"
      echo "uv-cache=$uv_cache"
      echo "cache-key=brickgate-uv-$(uname -m)-$(cat "$lock" "$root/requirements/uv.txt" | sha256sum | cut -c1-16)"
    } >>"$GITHUB_OUTPUT"
    ;;
  install)
    python="$(find_python)" || { echo "::error::brickgate needs Python >= 3.10"; exit 2; }
    find_lock || exit 2
    venv="${BRICKGATE_VENV:-${RUNNER_TEMP:?}/brickgate-venv}/$(basename "$lock" .txt)"
    # content only (paths relative to the checkout): jobs with equal sources share the venv
    stamp="$venv/.brickgate-$( (cd "$root" && find "requirements/$(basename "$lock")" pyproject.toml toolkit/brickgate \
      -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum; "$python" --version) | sha256sum | cut -c1-16)"
    mkdir -p "$(dirname "$venv")" "$uv_cache"
    exec 9>"$venv.lock"  # jobs sharing one BRICKGATE_VENV on a self-hosted machine install in turn
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    if [ ! -f "$stamp" ]; then
      uv="$uv_cache/tool/bin/uv"
      if [ ! -x "$uv" ]; then
        "$python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
          --target "$uv_cache/tool" -r "$root/requirements/uv.txt"
      fi
      export UV_CACHE_DIR="$uv_cache/cache" UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
      "$uv" venv --quiet --clear --python "$python" "$venv"
      "$uv" pip install --quiet --python "$venv/bin/python" --require-hashes -r "$lock"
      # The toolkit itself, copied from this checkout into the venv with the `brickgate` entry
      # point of pyproject.toml: what installing its wheel would do, without building one.
      "$venv/bin/python" - "$root/toolkit/brickgate" "$venv/bin/brickgate" <<'PY'
import os, shutil, sys, sysconfig
package, launcher = sys.argv[1], sys.argv[2]
shutil.copytree(package, os.path.join(sysconfig.get_path("purelib"), "brickgate"),
                ignore=shutil.ignore_patterns("__pycache__"))
with open(launcher, "w", encoding="utf-8") as script:
    script.write(f"#!{sys.executable}\nimport sys\nfrom brickgate.cli import main\nsys.exit(main())\n")
os.chmod(launcher, 0o755)
PY
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
