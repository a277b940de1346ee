#!/usr/bin/env bash
# Install what the tests need and the machine lacks, the same way on a developer's machine
# and in CI (`make test` and `.ci/run` both call this). Each need is one line below: a Debian
# package (apt-get, needs root), or an npm package (installed into ./node_modules, pinned in
# package-lock.json). Python packages come from pyproject.toml through the Makefile's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# command the tests run  -> Debian package that provides it
debian_needs=(
  "chromium:chromium"
  "virtuoso-t:virtuoso-opensource-7-bin"
  "curl:curl"
)

missing=()
for need in "${debian_needs[@]}"; do
  command -v "${need%%:*}" >/dev/null 2>&1 || missing+=("${need##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the tests need Debian packages that are missing: ${missing[*]}" >&2
    echo "install them as root: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages the browser and client tests load (package.json lists them)
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package.json -nt node_modules ] || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules ]; }; then
    command -v npm >/dev/null 2>&1 || {
      if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq npm >/dev/null
      else echo "the tests need npm: apt-get install -y npm (as root)" >&2; exit 2; fi
    }
    echo "installing npm packages (package.json)"
    npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
    touch node_modules
  fi
fi
