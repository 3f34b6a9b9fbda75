#!/usr/bin/env bash
# Usage: bash scripts/node-line.sh 24 — prints the path of the newest Node binary of that major
# line, installed from the npm registry into .node-lines/<line> (git-ignored; not in
# node_modules, which npm ci empties) when not there yet.
# The registry's `node` package only runs a preinstall that installs `node-<os>-<arch>`, the
# binary; that package is installed directly with --ignore-scripts, so no install script runs.
set -euo pipefail
cd "$(dirname "$0")/.."
line=${1:?a major line, e.g. 24}
dir=.node-lines/$line
bin=$dir/node_modules/.bin/node
if [ ! -x "$bin" ]; then
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case $(uname -m) in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
    --prefix "$dir" "node-$os-$arch@$line" >&2
fi
echo "$PWD/$bin"
