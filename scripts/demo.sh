#!/usr/bin/env bash
# The demo: sets up what is missing, builds, then starts Redis, the Zoom sandbox and the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent build
exec node_modules/.bin/tsx scripts/demo.ts
