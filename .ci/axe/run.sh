#!/usr/bin/env bash
# The accessibility guard: serve the app with the demo data on a loopback port, then
# run axe-core in headless Chromium on every page (check.mjs). Exits non-zero on any
# violation. Needs Debian's chromium and the node packages (npm ci in this folder).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FLASK="${FLASK:-$ROOT/.venv/bin/flask}"
GUNICORN="${GUNICORN:-$ROOT/.venv/bin/gunicorn}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
  echo "Chromium is not installed: apt-get install -y chromium" >&2
  exit 1
fi
if [ ! -d "$HERE/node_modules/axe-core" ] || [ ! -d "$HERE/node_modules/puppeteer-core" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund)
fi

WORK="$(mktemp -d)"
PORT="$("$ROOT/.venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# Its own instance folder and SQLite database, so nothing of the developer's is touched.
export INSTANCE_PATH="$WORK" APP_ENV=development OUTBOX_SEND_IN_PROCESS=0
export DATABASE_URL="sqlite:///$WORK/axe.sqlite" SITE_URL="http://127.0.0.1:$PORT"
unset TEST_DATABASE_URL

SERVER=""
finish() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap finish EXIT

cd "$ROOT"
"$FLASK" --app wsgi db upgrade >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; exit 1; }
"$FLASK" --app wsgi demo >>"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; exit 1; }
"$GUNICORN" --workers 2 --bind "127.0.0.1:$PORT" wsgi:app >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do
  if "$ROOT/.venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

status=0
BASE_URL="http://127.0.0.1:$PORT" node "$HERE/check.mjs" || status=$?
if [ "$status" -ne 0 ] && grep -q "Traceback" "$WORK/server.log"; then
  echo "--- server log ---"
  tail -n 60 "$WORK/server.log"
fi
exit "$status"
