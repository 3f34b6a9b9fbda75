#!/usr/bin/env bash
# The tests: sets up what is missing, then runs every test against a real redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
