#!/usr/bin/env bash
# make conformance: start a hub on a free loopback port with a throwaway SQLite database,
# run the graphql-http audit suite (npm, installed into a temporary folder) and a
# schemathesis fuzz against it, print the counts, stop the hub. Exits non-zero on any
# MUST or SHOULD failure, or any schemathesis failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
work=$(mktemp -d)
hub_pid=""
cleanup() {
  if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HUB_DATABASE_URL="sqlite:///$work/hub.sqlite3" HUB_HOST=127.0.0.1 HUB_PORT="$port"
export HUB_RATE_LIMIT_PER_MINUTE=0  # the suites send thousands of requests from one address
$BIN/hub migrate >/dev/null
$BIN/hub load-fixtures >/dev/null
$BIN/hub serve >"$work/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.5
done
url="http://127.0.0.1:$port/graphql"

echo "== graphql-http audit against $url"
(cd "$work" && npm init -y >/dev/null 2>&1 && npm install --silent --no-audit --no-fund graphql-http@1 graphql@16 >/dev/null)
cp scripts/graphql_http_audit.mjs "$work/"
audit_status=0
node "$work/graphql_http_audit.mjs" "$url" || audit_status=$?

echo "== schemathesis (GraphQL) against $url"
# positive_data_acceptance is left out: it counts a documented refusal of a schema-valid
# value (first above 1000, a province that does not exist) as a failure.
fuzz_status=0
$BIN/schemathesis run "$url" --checks all --exclude-checks positive_data_acceptance \
  --max-examples "${CONFORMANCE_EXAMPLES:-100}" --request-timeout 10 --seed 20251122 \
  --no-color >"$work/fuzz.log" 2>&1 || fuzz_status=$?
tail -n 12 "$work/fuzz.log"
generated=$(grep -Eo '[0-9]+ generated' "$work/fuzz.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '[0-9]+ (unique )?failures?' "$work/fuzz.log" | tail -1 | grep -Eo '^[0-9]+' || echo 0)
unexpected=$(grep -c '"unexpected error' "$work/hub.log" || true)
echo "schemathesis: $generated cases generated, $failed failures; hub logged $unexpected unexpected errors"

if [ "$audit_status" -ne 0 ] || [ "$fuzz_status" -ne 0 ] || [ "$unexpected" -ne 0 ]; then
  echo "conformance: FAILED"
  exit 1
fi
echo "conformance: passed"
