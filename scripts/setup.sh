#!/usr/bin/env bash
# Installs what the demo and the tests need when it is missing: redis-server (Debian package)
# and node_modules (npm ci). Safe to run again: it only does what is not done yet.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# redis-cli makes the test cluster (redis-cli --cluster create)
command -v redis-cli >/dev/null 2>&1 || need_apt+=(redis-tools)
if [ "${WITH_CHROMIUM:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then need_apt+=(chromium); fi

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]}), then run this again" >&2
    exit 1
  fi
fi

# Never under a test run (the demo's test starts the demo): it would reinstall the modules
# the running tests are loaded from.
if [ ! -d node_modules ] || { [ -z "${JEST_WORKER_ID:-}" ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
