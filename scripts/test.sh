#!/usr/bin/env bash
# Every test: sets up what is missing (redis-server, Chromium, node_modules), builds the
# production server once, then runs the unit, integration, fuzz and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_CHROMIUM=1 bash scripts/setup.sh
npm run --silent build
npx jest "$@"
