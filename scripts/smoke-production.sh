#!/usr/bin/env bash
# After `npm run build` and `npm prune --omit=dev`: the Procfile's web line must start the
# server with production dependencies only, answer /readyz, and exit 0 on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
rport=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null || true' EXIT

web=$(sed -n 's/^web: *//p' Procfile)
secret=$(node -e "console.log(require('crypto').randomBytes(32).toString('hex'))")
env -i PATH="$PATH" NODE_OPTIONS="${NODE_OPTIONS:-}" NODE_ENV=production PORT="$port" REDIS_URL="redis://127.0.0.1:$rport" \
  ZOOM_CLIENT_ID=smoke ZOOM_CLIENT_SECRET=smoke ZOOM_WEBHOOK_SECRET_TOKEN=smoke \
  ZOOM_REDIRECT_URL=https://smoke.example/oauth/callback \
  SESSION_SECRET="$secret" TOKEN_ENCRYPTION_KEY="$secret" LOG_LEVEL=warn \
  $web &
web_pid=$!

status_of() { node -e "fetch(process.argv[1]).then(r=>console.log(r.status),()=>console.log(0))" "$1"; }
for _ in $(seq 1 100); do
  [ "$(status_of "http://127.0.0.1:$port/readyz")" = 200 ] && break
  sleep 0.1
done
code=$(status_of "http://127.0.0.1:$port/readyz")
kill -TERM "$web_pid"
status=0
wait "$web_pid" || status=$?
if [ "$code" != 200 ] || [ "$status" != 0 ]; then
  echo "smoke: FAILED (readyz $code, exit $status)" >&2
  exit 1
fi
echo "smoke: the Procfile's web line started on production dependencies only, /readyz 200, SIGTERM exit 0"
