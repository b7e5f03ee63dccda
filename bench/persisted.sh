#!/usr/bin/env bash
# Q1 (bench/run.sh's point read) sent as text against Q1 sent as its hash
# alone, `documentId` (from a --persisted-documents manifest) and APQ
# (registered once), with oha (or ab) at BENCH_CONNS connections; the three
# alternate ROUNDS times. Prints a Markdown table: requests per second of
# each run, and the bytes of each request body (the headers are the same).
#
# Usage: SERVER=target/profiling/agentgraph bench/persisted.sh
# Settings: BENCH_BACKENDS ("sqlite postgres"), BENCH_SECONDS (8),
#           BENCH_CONNS (20), ROUNDS (2), BENCH_PORT (8310),
#           PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_PG_DB (agentgraph_bench_pq)
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER="${SERVER:-${CARGO_TARGET_DIR:-target}/profiling/agentgraph}"
BENCH_BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
BENCH_SECONDS="${BENCH_SECONDS:-8}"
BENCH_CONNS="${BENCH_CONNS:-20}"
ROUNDS="${ROUNDS:-2}"
PORT="${BENCH_PORT:-8310}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_DB="${BENCH_PG_DB:-agentgraph_bench_pq}"
URL="http://127.0.0.1:$PORT/graphql"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

Q1_DOC='query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }'
HASH="$(printf '%s' "$Q1_DOC" | sha256sum | cut -d' ' -f1)"
jq -n --arg h "$HASH" --arg q "$Q1_DOC" '{($h): $q}' >"$WORK/manifest.json"

gql() { curl -sf "$URL" -H 'content-type: application/json' -d "$1"; }

# Prints "requests/s non-2xx" for body $1: oha when installed, else
# ApacheBench (apache2-utils) with keep-alive.
rps() {
  if command -v oha >/dev/null; then
    oha --no-tui --output-format json -w -z "${BENCH_SECONDS}s" -c "$BENCH_CONNS" -m POST \
      -H 'content-type: application/json' -d "$1" "$URL" |
      jq -r '"\(.summary.requestsPerSec | floor) \([(.statusCodeDistribution // {}) | to_entries[] | select(.key != "200") | .value] | add // 0)"'
    return
  fi
  printf '%s' "$1" >"$WORK/body.json"
  ab -q -k -t "$BENCH_SECONDS" -n 10000000 -c "$BENCH_CONNS" -T application/json \
    -p "$WORK/body.json" "$URL" 2>/dev/null |
    awk '/^Requests per second/ { r = int($4) } /^Non-2xx responses/ { bad = $3 }
         /^Failed requests/ { failed = $3 } END { print r, bad + failed + 0 }'
}

echo "| backend | sent as | request body, bytes | req/s (each round) |"
echo "|---|---|---:|---|"
for backend in $BENCH_BACKENDS; do
  if [[ $backend == postgres ]]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" -qc "CREATE DATABASE $PG_DB"
    db="$PG_URL/$PG_DB?sslmode=disable"
  else
    db="sqlite://$WORK/bench.db?mode=rwc"
  fi
  RUST_LOG=warn "$SERVER" serve --listen "127.0.0.1:$PORT" --database-url "$db" \
    --persisted-documents "$WORK/manifest.json" --max-concurrent-operations 64 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
  agent="$(gql '{"query":"mutation { createAgent(input: { name: \"bench\", configuration: { max_tokens: 1000 } }) { id } }"}' | jq -r .data.createAgent.id)"
  declare -A body=(
    [text]="$(jq -cn --arg q "$Q1_DOC" --arg id "$agent" '{query: $q, variables: {id: $id}}')"
    [documentId]="$(jq -cn --arg h "sha256:$HASH" --arg id "$agent" '{documentId: $h, variables: {id: $id}}')"
    [apq]="$(jq -cn --arg h "$HASH" --arg id "$agent" '{extensions: {persistedQuery: {version: 1, sha256Hash: $h}}, variables: {id: $id}}')"
  )
  for mode in text documentId apq; do
    gql "${body[$mode]}" | jq -e '.data.agent.id' >/dev/null || { echo "Q1 as $mode fails" >&2; exit 1; }
  done
  declare -A runs=()
  for _ in $(seq 1 "$ROUNDS"); do
    for mode in text documentId apq; do
      read -r r bad < <(rps "${body[$mode]}")
      [[ $bad == 0 ]] || echo "warning: $bad non-200 answers for $mode" >&2
      runs[$mode]+="${runs[$mode]:+, }$r"
    done
  done
  for mode in text documentId apq; do
    echo "| $backend | $mode | ${#body[$mode]} | ${runs[$mode]} |"
  done
  kill -TERM "$pid"; wait "$pid" || true
  unset body runs
  [[ $backend == postgres ]] && psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
done
