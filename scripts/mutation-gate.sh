#!/usr/bin/env bash
# Mutation testing of the refresh protocol and the webhook signature (docs/mutation.md), in CI
# only when it can tell something new: when the target files, their tests or the Stryker config
# changed since the run recorded in docs/mutation-score.json, or when that run is more than
# 7 days old. Needs neither the network nor git history (CI runs on a fresh clone).
#
#   bash scripts/mutation-gate.sh            run Stryker if needed (fails under a 90 % score)
#   bash scripts/mutation-gate.sh --record   run Stryker now and rewrite docs/mutation-score.json
#   bash scripts/mutation-gate.sh --record-report  rewrite it from the last run's report only
#   bash scripts/mutation-gate.sh --hash     print the hash of the files it watches
set -euo pipefail
cd "$(dirname "$0")/.."

RECORD=docs/mutation-score.json
REPORT=reports/mutation/mutation.json
MAX_AGE_DAYS=7
MIN_SCORE=90
# The mutated files, the tests Stryker runs against them, and its config.
FILES=(
  src/zoom/token-manager.ts
  src/store/lock.ts
  src/store/single-flight.ts
  src/store/token-store.ts
  src/zoom/webhook.ts
  test/integration/token-manager.test.ts
  test/integration/token-manager-edges.test.ts
  test/integration/tokens.test.ts
  test/integration/token-store.test.ts
  test/integration/rotate-keys.test.ts
  test/integration/lock.test.ts
  test/integration/single-flight.test.ts
  test/integration/refresh-fakes.ts
  test/unit/webhook.test.ts
  test/unit/crypto.test.ts
  stryker.config.json
)

files_sha256() {
  # One line per file ("<sha256>  <path>"), in the order above, hashed again.
  sha256sum -- "${FILES[@]}" | sha256sum | cut -d' ' -f1
}

# Writes the record from the JSON report of the run that just finished; fails if a file, or the
# signature part of webhook.ts, scores under MIN_SCORE.
record_and_check() {
  local write=$1
  node - "$REPORT" "$RECORD" "$write" "$(files_sha256)" "$MIN_SCORE" <<'NODE'
const fs = require('node:fs');
const [report, record, write, sha, min] = process.argv.slice(2);
const { files } = JSON.parse(fs.readFileSync(report, 'utf8'));
const detected = ['Killed', 'Timeout'];
const counted = [...detected, 'Survived', 'NoCoverage'];
function score(mutants) {
  const n = (s) => mutants.filter((m) => m.status === s).length;
  const valid = mutants.filter((m) => counted.includes(m.status)).length;
  const hit = mutants.filter((m) => detected.includes(m.status)).length;
  return {
    score: valid === 0 ? 100 : Math.round((10000 * hit) / valid) / 100,
    killed: n('Killed'),
    timeout: n('Timeout'),
    survived: n('Survived'),
    no_coverage: n('NoCoverage'),
    compile_errors: n('CompileError'),
  };
}
const scores = {};
for (const [file, { mutants, source }] of Object.entries(files)) {
  scores[file] = score(mutants);
  if (file.endsWith('webhook.ts')) {
    // The signature check: signatureFor and verifySignature, with their constants, up to the
    // URL-validation answer.
    const lines = source.split('\n');
    const from = lines.findIndex((l) => l.startsWith('export const SIGNATURE_TOLERANCE_SECONDS'));
    const to = lines.findIndex((l) => l.startsWith('/** The answer to `endpoint.url_validation`'));
    const part = mutants.filter(
      (m) => m.location.start.line > from && m.location.start.line <= to,
    );
    scores[`${file} (signature check, lines ${from + 1}-${to})`] = score(part);
  }
}
const all = Object.values(files).flatMap((f) => f.mutants);
scores.total = score(all);
let failed = false;
for (const [name, s] of Object.entries(scores)) {
  const low = s.score < Number(min);
  if (low && !(name.endsWith('webhook.ts') && !name.includes('('))) failed = true;
  console.log(
    `mutation: ${name.padEnd(58)} ${String(s.score).padStart(6)} %  killed ${s.killed}, ` +
      `timeout ${s.timeout}, survived ${s.survived}, no coverage ${s.no_coverage}` +
      (low ? '  << under ' + min + ' %' : ''),
  );
}
if (write === 'yes') {
  const today = new Date().toISOString().slice(0, 10);
  fs.writeFileSync(record, JSON.stringify({ files_sha256: sha, date: today, scores }, null, 2) + '\n');
  console.log(`mutation: recorded in ${record} (${today}, files ${sha.slice(0, 12)}…)`);
}
if (failed) {
  console.error(`mutation: a target scores under ${min} %`);
  process.exit(1);
}
NODE
}

# Incremental (stryker.config.json): mutants whose code and tests are unchanged since
# docs/mutation-incremental.json keep their result, so a small change costs minutes, not 45.
# The weekly run passes --force and tests every mutant again.
run_stryker() {
  local started=$SECONDS
  npm run --silent test:mutation -- "$@"
  echo "mutation: Stryker took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
}

case "${1:-}" in
  --hash)
    files_sha256
    exit 0
    ;;
  --record)
    echo "mutation: running Stryker to record a new score"
    run_stryker
    record_and_check yes
    exit 0
    ;;
  --record-report)
    record_and_check yes
    exit 0
    ;;
  '') ;;
  *)
    echo "usage: $0 [--record | --record-report | --hash]" >&2
    exit 2
    ;;
esac

current=$(files_sha256)
reason=''
if [ ! -f "$RECORD" ]; then
  reason="no recorded run ($RECORD is missing)"
else
  recorded=$(node -p "require('./$RECORD').files_sha256 || ''")
  recorded_date=$(node -p "require('./$RECORD').date || ''")
  if [ "$recorded" != "$current" ]; then
    reason="the target files, their tests or the Stryker config changed since the run of $recorded_date (files ${recorded:0:12}… now ${current:0:12}…)"
  else
    age_days=$((($(date -u +%s) - $(date -u -d "$recorded_date" +%s)) / 86400))
    if [ "$age_days" -gt "$MAX_AGE_DAYS" ]; then
      reason="the recorded run ($recorded_date) is $age_days days old, more than $MAX_AGE_DAYS"
    fi
  fi
fi

if [ -z "$reason" ]; then
  echo "mutation: up to date for these files (recorded $recorded_date, $age_days days ago, files ${current:0:12}…): skipped"
  exit 0
fi
echo "mutation: running npm run test:mutation, because $reason"
if [ "${age_days:-0}" -gt "$MAX_AGE_DAYS" ]; then run_stryker --force; else run_stryker; fi
record_and_check no
echo "mutation: done; to record this run: npm run test:mutation:record, then commit $RECORD"
