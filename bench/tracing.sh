#!/usr/bin/env bash
# Issue 29: what tracing costs. Three variants, one server per backend,
# round and variant, each on a fresh database seeded with bench/seed.sh's
# tree (tenant `bench`, PostgreSQL ANALYZEd after seeding):
#   old     OLD_BINARY (before OpenTelemetry)
#   new     NEW_BINARY, tracing off (target: >= 0.98 of old)
#   traced  NEW_BINARY with TRACE_FLAGS, exporting to bench/tracing/sink.py,
#           a local OTLP/HTTP stand-in that answers 200 and counts what it
#           receives (target: >= 0.90 of old)
# the variants' order turned by one each round so the machine's noise
# falls on all three alike; per server, as bench/tokens.sh measures them:
#   Q2  20 agents -> goals -> plans -> tasks (1,000 tasks), wrk at 20
#   Q1  agent by id, wrk at 20
#   M1  createTask, wrk at 20
# and the server's CPU ms per request. The traced runs also record the
# sink's requests and bytes (spans were exported, or the run says so).
# Prints one Markdown table per backend, each cell the median of the
# rounds with the rounds in brackets; keeps everything in
# bench/results/tracing-<time>/.
#
# Usage: bench/tracing.sh OLD_BINARY NEW_BINARY
# Settings: TRACE_ROUNDS (3), TRACE_SECONDS (8 per run), TRACE_BACKENDS
#   ("postgres sqlite"), TRACE_PORT (8370), SINK_PORT (4318),
#   TRACE_FLAGS (the traced variant's extra server flags, default
#   "--otlp-endpoint http://127.0.0.1:$SINK_PORT"), TRACE_ENV (extra
#   environment for it, e.g. "OTEL_SERVICE_NAME=bench"), TRACE_SKIP (set:
#   old and new only, no sink), PGHOST/PGPORT/PGUSER; the PostgreSQL
#   database agentgraph_trbench is made and dropped.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OLD="${1:?usage: bench/tracing.sh OLD_BINARY NEW_BINARY}"
NEW="${2:?usage: bench/tracing.sh OLD_BINARY NEW_BINARY}"
ROUNDS="${TRACE_ROUNDS:-3}"
SECONDS_PER_RUN="${TRACE_SECONDS:-8}"
BACKENDS="${TRACE_BACKENDS:-postgres sqlite}"
PORT="${TRACE_PORT:-8370}"
SINK_PORT="${SINK_PORT:-4318}"
TRACE_FLAGS="${TRACE_FLAGS:---otlp-endpoint http://127.0.0.1:$SINK_PORT}"
TRACE_ENV="${TRACE_ENV:-}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/tracing-$(date -u +%Y-%m-%dT%H%M%SZ)"
DBNAME=agentgraph_trbench
SINK_PID=""
mkdir -p "$OUT"

source "$ROOT/bench/rounds.sh"
source "$ROOT/bench/seed.sh"
source "$ROOT/bench/tokens/lib.sh" # its gql (with a credential) replaces seed.sh's
for tool in jq curl wrk openssl psql python3; do command -v "$tool" >/dev/null || { log "tracing: $tool is missing"; exit 1; }; done
for bin in "$OLD" "$NEW"; do [[ -x "$bin" ]] || { log "tracing: no binary $bin"; exit 1; }; done
cleanup() {
  stop
  if [[ -n "$SINK_PID" ]]; then
    kill -TERM "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
    log "tracing: the sink received, in all: $(tail -1 "$OUT/sink.log")"
  fi
  dropdb --if-exists "$DBNAME" 2>/dev/null
}
trap cleanup EXIT

if [[ -n "${TRACE_SKIP:-}" ]]; then
  VARIANTS=(old new)
else
  VARIANTS=(old new traced)
  python3 "$ROOT/bench/tracing/sink.py" "$SINK_PORT" >"$OUT/sink.log" 2>&1 &
  SINK_PID=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$SINK_PORT/stats" && break; sleep 0.01; done
  curl -s -o /dev/null "http://127.0.0.1:$SINK_PORT/stats" || { log "tracing: the sink did not start"; exit 1; }
fi
NV=${#VARIANTS[@]}

"$ROOT/bench/tokens/mint.sh" "$OUT/creds" bench >/dev/null
CRED="key:$(cat "$OUT/creds/api-key")"

fresh_db() {
  case "$1" in
    sqlite) rm -f "$OUT"/tr.db*; echo "sqlite://$OUT/tr.db?mode=rwc" ;;
    postgres)
      dropdb --if-exists "$DBNAME" >&2 && createdb "$DBNAME" >&2
      echo "postgres://$PGUSER@$PGHOST:$PGPORT/$DBNAME?sslmode=disable"
      ;;
  esac
}

# The variants' order in round $1: as listed, then turned by one.
order() {
  local i s=$((($1 - 1) % NV))
  for ((i = 0; i < NV; i++)); do printf '%s ' "${VARIANTS[$(((i + s) % NV))]}"; done
}

# The sink's totals for /v1/traces: "requests bytes".
sink_totals() {
  curl -s "http://127.0.0.1:$SINK_PORT/stats" | jq -r '.["/v1/traces"] // {requests: 0, bytes: 0} | "\(.requests) \(.bytes)"'
}

measure() {
  local backend=$1 variant=$2 db m1 q1 q2 measure body bin extra=() envs=() r0 b0 r1 b1
  db="$(fresh_db "$backend")"
  case $variant in
    old) bin=$OLD ;;
    new) bin=$NEW ;;
    traced)
      bin=$NEW
      read -r -a extra <<<"$TRACE_FLAGS"
      read -r -a envs <<<"$TRACE_ENV"
      ;;
  esac
  start env RUST_LOG=warn "${envs[@]}" "$bin" --database-url "$db" serve --listen "127.0.0.1:$PORT" \
    --api-keys-file "$OUT/creds/keys.txt" "${extra[@]}" || return
  seed || { log "tracing: seeding failed"; stop; return; }
  [[ $backend == postgres ]] && psql -q -d "$DBNAME" -c ANALYZE
  m1="$(jq -cn --arg p "$PLAN" '{query: "mutation M1($p: UUID!) { createTask(input: { planId: $p, description: \"benchmark task\", inputData: { n: 1 } }) { id } }", variables: {p: $p}}')"
  q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }", variables: {id: $id}}')"
  q2='{"query":"query Q2 { agents(first: 20) { nodes { goals { nodes { plans { nodes { tasks { nodes { id } } } } } } } } }"}'
  [[ "$(gql "$q2" | jq '[.data.agents.nodes[].goals.nodes[].plans.nodes[].tasks.nodes[]] | length')" == 1000 ]] ||
    log "tracing: Q2 does not return 1,000 tasks ($variant)"
  [[ $variant == traced ]] && read -r r0 b0 <<<"$(sink_totals)"
  for measure in Q2 Q1 M1; do
    case $measure in Q2) body=$q2 ;; Q1) body=$q1 ;; M1) body=$m1 ;; esac
    timed "$backend,$variant,$measure" "$body" "$CRED"
  done
  if [[ $variant == traced ]]; then
    sleep 2 # the exporter's last batch
    read -r r1 b1 <<<"$(sink_totals)"
    record "$backend,traced,exports" "$((r1 - r0))"
    record "$backend,traced,export MiB" "$(awk -v b="$((b1 - b0))" 'BEGIN { printf "%.1f", b / 1048576 }')"
    ((r1 > r0)) || log "tracing: the traced server exported nothing to the sink ($backend)"
  fi
  stop
}

for round in $(seq 1 "$ROUNDS"); do
  for backend in $BACKENDS; do
    for variant in $(order "$round"); do
      log "tracing: round $round, $backend, $variant"
      measure "$backend" "$variant"
    done
  done
done

{
  echo "# bench/tracing.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s"
  echo
  echo "- old: \`$OLD\`; new: \`$NEW\`"
  [[ -z "${TRACE_SKIP:-}" ]] && echo "- traced: new with \`$TRACE_FLAGS\` ${TRACE_ENV:+(env \`$TRACE_ENV\`)}, exporting to bench/tracing/sink.py"
  echo "- req/s unless named; \"cpu\": the server's CPU ms per request"
  for backend in $BACKENDS; do
    echo
    echo "## $backend"
    echo
    if [[ -n "${TRACE_SKIP:-}" ]]; then
      echo "| measure | old | new | new / old |"
      echo "|---|---|---|---|"
    else
      echo "| measure | old | new | traced | new / old | traced / old |"
      echo "|---|---|---|---|---|---|"
    fi
    for m in Q1 "Q1 cpu" Q2 "Q2 cpu" M1 "M1 cpu"; do
      o="$(median <<<"${R[$backend,old,$m]:-}")"
      n="$(median <<<"${R[$backend,new,$m]:-}")"
      if [[ -n "${TRACE_SKIP:-}" ]]; then
        echo "| $m | $(cell "$backend,old,$m") | $(cell "$backend,new,$m") | $(ratio "$o" "$n") |"
      else
        t="$(median <<<"${R[$backend,traced,$m]:-}")"
        echo "| $m | $(cell "$backend,old,$m") | $(cell "$backend,new,$m") | $(cell "$backend,traced,$m") | $(ratio "$o" "$n") | $(ratio "$o" "$t") |"
      fi
    done
    [[ -z "${TRACE_SKIP:-}" ]] &&
      echo "| exports to the sink (requests, MiB) per traced server | | | $(cell "$backend,traced,exports"); $(cell "$backend,traced,export MiB") | | |"
  done
} | tee "$OUT/results.md"
