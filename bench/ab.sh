#!/usr/bin/env bash
# Side by side: two agentgraph binaries (before and after a change) and,
# on PostgreSQL, the bare axum + sqlx handler (bench/bare), measured in
# alternating rounds on one machine, so that its noise falls on both
# alike. Each round, per backend and per binary, on a fresh database seeded
# with 20 agents x 5 goals x 2 plans x 5 tasks:
#   M1    createTask, no key, oha at 20 connections and at 1 (latency)
#   M1w   createTask, no key, by write-bench (20 workers)
#   M1k   createTask with a fresh idempotency key each (write-bench, 20 workers)
#   Q1    agent by id, oha at 20 connections
#   Q2    20 agents -> goals -> plans -> tasks (1,320 objects), oha at 20
# and, for each oha run at 20, the server's CPU time per request.
# then the bare handler's M1 and Q1 over the same database. It prints one
# Markdown table per backend, each cell the median of the rounds with the
# rounds in brackets, and keeps everything in bench/results/ab-<time>/.
#
# Usage: bench/ab.sh OLD_BINARY NEW_BINARY
# Settings: AB_ROUNDS (3), AB_SECONDS (8 per run), AB_BACKENDS
#   ("sqlite postgres"), AB_WRITES_ONLY (set: M1w and M1k alone, no oha),
#   AB_PORT (8320), WRITE_BENCH and BARE (binaries; default
#   target/release/{write-bench,bare-handler}), PGHOST/PGPORT/PGUSER.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OLD="${1:?usage: bench/ab.sh OLD_BINARY NEW_BINARY}"
NEW="${2:?usage: bench/ab.sh OLD_BINARY NEW_BINARY}"
ROUNDS="${AB_ROUNDS:-3}"
SECONDS_PER_RUN="${AB_SECONDS:-8}"
BACKENDS="${AB_BACKENDS:-sqlite postgres}"
PORT="${AB_PORT:-8320}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WRITE_BENCH="${WRITE_BENCH:-$TARGET_DIR/release/write-bench}"
BARE="${BARE:-$TARGET_DIR/release/bare-handler}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/ab-$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$OUT"
PID=""

source "$ROOT/bench/rounds.sh"
stop() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  PID=""
}
trap stop EXIT
needed="jq curl"; [[ -n "${AB_WRITES_ONLY:-}" ]] || needed+=" oha"
for tool in $needed; do command -v "$tool" >/dev/null || { log "ab: $tool is missing"; exit 1; }; done
for bin in "$OLD" "$NEW" "$WRITE_BENCH"; do [[ -x "$bin" ]] || { log "ab: no binary $bin"; exit 1; }; done

fresh_db() {
  case "$1" in
    sqlite) rm -f "$OUT"/ab.db*; echo "sqlite://$OUT/ab.db?mode=rwc" ;;
    postgres)
      dropdb --if-exists agentgraph_ab >&2 && createdb agentgraph_ab >&2
      echo "postgres://$PGUSER@$PGHOST:$PGPORT/agentgraph_ab?sslmode=disable"
      ;;
  esac
}

# Starts "$@" and waits until $URL's server answers.
start() {
  "$@" >>"$OUT/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 1000); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && return 0
    curl -s -o /dev/null -X POST "$URL" -H 'content-type: application/json' -d '{}' && return 0
    sleep 0.01
  done
  log "ab: $1 did not start"; tail -5 "$OUT/server.log" >&2; return 1
}

# gql and seed (the Q2 tree; sets AGENT and PLAN).
source "$ROOT/bench/seed.sh"

# oha for SECONDS_PER_RUN at $2 connections with body $1: "rps p50ms
# cpu", cpu being the server's own CPU time (user + system) per request in
# ms, which the machine's noise moves far less than the rate.
oha_run() {
  local before after json
  before="$(cpu_ticks "$PID")"
  json="$(oha --no-tui --output-format json -w -z "${SECONDS_PER_RUN}s" -c "$2" -m POST \
    -H 'content-type: application/json' -d "$1" "$URL" 2>/dev/null)"
  after="$(cpu_ticks "$PID")"
  jq -r --argjson ticks "$((after - before))" --argjson hz "$(getconf CLK_TCK)" '
    ([.statusCodeDistribution[]] | add // 0) as $n |
    "\(.summary.requestsPerSec | floor) \((.latencyPercentiles.p50 // 0) * 1000 * 1000 | round / 1000) \(if $n > 0 then ($ticks * 1000 / $hz / $n * 1000 | round / 1000) else "n/a" end)"' <<<"$json"
}

# Runs oha and records its rate as $2 and its CPU per request as "$2 cpu".
timed() {
  local key=$1 body=$2 conns=$3 rps p50 cpu
  read -r rps p50 cpu <<<"$(oha_run "$body" "$conns")"
  record "$key" "$rps"
  record "$key cpu" "$cpu"
}

# write-bench in mode $2 at 20 workers: its rate as $1, the server's CPU
# ms per create as "$1 cpu".
written() {
  local key=$1 mode=$2 before after rate
  before="$(cpu_ticks "$PID")"
  "$WRITE_BENCH" --url "$URL" --seconds "$SECONDS_PER_RUN" --workers 20 "$mode" >"$OUT/writes.md" 2>/dev/null
  after="$(cpu_ticks "$PID")"
  rate="$(awk -F'|' -v m="$mode" '{ mode = $2; gsub(/ /, "", mode) } mode == m { gsub(/[ ,]/, "", $4); print int($4) }' "$OUT/writes.md")"
  record "$key" "$rate"
  record "$key cpu" "$(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v r="${rate:-0}" -v s="$SECONDS_PER_RUN" \
    'BEGIN { if (r > 0) printf "%.3f", t * 1000 / hz / (r * s); else print "n/a" }')"
}

# M1w and M1k, and their ratio in this round as "M1k / M1w". The second
# run finds the first one's rows in the tables, so which goes first
# alternates by round.
writes() {
  if ((round % 2)); then
    written "$1,M1w" task
    written "$1,M1k" task-keyed
  else
    written "$1,M1k" task-keyed
    written "$1,M1w" task
  fi
  local w="${R[$1,M1w]##* }" k="${R[$1,M1k]##* }"
  record "$1,M1k / M1w" "$(awk -v w="${w:-0}" -v k="${k:-0}" 'BEGIN { if (w > 0) printf "%.2f", k / w; else print "n/a" }')"
}

measure_agentgraph() {
  local backend=$1 name=$2 bin=$3 db m1 q1 q2
  db="$(fresh_db "$backend")"
  start env RUST_LOG=warn "$bin" --database-url "$db" serve --listen "127.0.0.1:$PORT" || return
  seed || { log "ab: seeding failed"; stop; return; }
  if [[ -n "${AB_WRITES_ONLY:-}" ]]; then
    writes "$backend,$name"
    stop
    return
  fi
  m1="$(jq -cn --arg p "$PLAN" '{query: "mutation M1($p: UUID!) { createTask(input: { planId: $p, description: \"benchmark task\", inputData: { n: 1 } }) { id } }", variables: {p: $p}}')"
  q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }", variables: {id: $id}}')"
  q2='{"query":"query Q2 { agents(first: 20) { nodes { goals { nodes { plans { nodes { tasks { nodes { id } } } } } } } } }"}'
  [[ "$(gql "$q2" | jq '[.data.agents.nodes[].goals.nodes[].plans.nodes[].tasks.nodes[]] | length')" == 1000 ]] ||
    log "ab: Q2 does not return 1,000 tasks"
  timed "$backend,$name,Q2" "$q2" 20
  timed "$backend,$name,Q1" "$q1" 20
  timed "$backend,$name,M1" "$m1" 20
  record "$backend,$name,M1 p50 ms, 1 conn" "$(oha_run "$m1" 1 | cut -d' ' -f2)"
  writes "$backend,$name"
  record "$backend,$name,RSS MiB" "$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")"
  stop
  if [[ "$backend" == postgres && -x "$BARE" && "$name" == new ]]; then
    start "$BARE" "${db%%\?*}" "127.0.0.1:$PORT" || return
    timed "$backend,bare,M1" "$m1" 20
    timed "$backend,bare,Q1" "$q1" 20
    stop
  fi
}

for round in $(seq 1 "$ROUNDS"); do
  for backend in $BACKENDS; do
    # Alternate which goes first, so neither always gets the cooler machine.
    if ((round % 2)); then order="old new"; else order="new old"; fi
    for name in $order; do
      log "ab: round $round, $backend, $name"
      if [[ $name == old ]]; then measure_agentgraph "$backend" old "$OLD"; else measure_agentgraph "$backend" new "$NEW"; fi
    done
  done
done

{
  echo "# bench/ab.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s"
  echo
  echo "- old: \`$OLD\`; new: \`$NEW\`; req/s unless named; \"cpu\": the server's CPU ms per request"
  for backend in $BACKENDS; do
    echo
    echo "## $backend"
    echo
    echo "| measure | old | new | new / old | bare handler |"
    echo "|---|---|---|---|---|"
    for m in M1 "M1 cpu" M1w "M1w cpu" M1k "M1k cpu" "M1k / M1w" Q1 "Q1 cpu" Q2 "Q2 cpu" "M1 p50 ms, 1 conn" "RSS MiB"; do
      o="$(median <<<"${R[$backend,old,$m]:-}")"; n="$(median <<<"${R[$backend,new,$m]:-}")"
      ratio="$(awk -v o="$o" -v n="$n" 'BEGIN { if (o + 0 > 0 && n + 0 > 0) printf "%.2f", n / o; else print "n/a" }')"
      echo "| $m | $(cell "$backend,old,$m") | $(cell "$backend,new,$m") | $ratio | $(cell "$backend,bare,$m") |"
    done
  done
} | tee "$OUT/results.md"
