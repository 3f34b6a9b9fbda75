#!/usr/bin/env bash
# The demo: sets up what is missing, builds, then starts Redis, the Zoom sandbox and the app.
# `npm run demo` execs this and this execs node, so npm's own child is the demo: a signal to
# npm reaches it (and scripts/demo.ts stops everything it started).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# tsc says nothing while it works: say what is happening, or the first run is 30 s of silence.
echo "demo: building the app (TypeScript to dist/; about 30 s the first time)…"
npm run --silent build
echo "demo: starting Redis, the Zoom sandbox and the app…"
exec node --require tsx/cjs scripts/demo.ts
