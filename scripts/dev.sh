#!/usr/bin/env bash
# A watching local server with readable logs: tsc --watch rebuilds, node --watch restarts.
# Needs the environment of CONTRACT.md (e.g. from a .env file you source first).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.build.json --watch --preserveWatchOutput >/dev/null &
trap 'kill $!' EXIT
node --watch dist/src/server.js | npx pino-pretty
