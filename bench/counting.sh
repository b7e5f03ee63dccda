#!/usr/bin/env bash
# Issue 29: what taskCounts costs on Q2's shape. One binary, one server per
# backend and round, on a fresh database seeded with bench/seed.sh's tree
# (20 agents x 5 goals x 2 plans x 5 tasks, tenant `bench`, PostgreSQL
# ANALYZEd after seeding so its plans are not made without statistics);
# then, back to back and their order turned each round:
#   Q2   20 agents -> goals -> plans -> tasks (1,000 tasks), wrk at 20
#   Q2C  the same with taskCounts { total pending running completed failed
#        cancelled blocked } on every agent, goal and plan
#   Q2T  the same with taskCounts { total } alone (the same statements,
#        six fields fewer per parent: what the fields cost, not the counting)
# and the server's CPU ms per request. The target: Q2C's rate >= 0.90 of
# Q2's and its CPU per request <= 1.10. Prints one Markdown table, each cell
# the median of the rounds with the rounds in brackets; keeps everything in
# bench/results/counting-<time>/.
#
# Usage: bench/counting.sh BINARY
# Settings: CNT_ROUNDS (3), CNT_SECONDS (8 per run), CNT_BACKENDS
#   ("postgres sqlite"), CNT_PORT (8350), CNT_PERF (set: each run also
#   under `perf record` with DWARF call graphs at CNT_PERF_FREQ (199) Hz,
#   into perf-<backend>-<measure>-<round>.data; perf's own cost lands on the
#   numbers, so such a run profiles and does not measure), PGHOST/PGPORT/PGUSER; the
#   PostgreSQL database agentgraph_cntbench is made and dropped.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:?usage: bench/counting.sh BINARY}"
ROUNDS="${CNT_ROUNDS:-3}"
SECONDS_PER_RUN="${CNT_SECONDS:-8}"
BACKENDS="${CNT_BACKENDS:-postgres sqlite}"
PORT="${CNT_PORT:-8350}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/counting-$(date -u +%Y-%m-%dT%H%M%SZ)"
DBNAME=agentgraph_cntbench
mkdir -p "$OUT"

source "$ROOT/bench/rounds.sh"
source "$ROOT/bench/seed.sh"
source "$ROOT/bench/tokens/lib.sh" # its gql (with a credential) replaces seed.sh's
for tool in jq curl wrk openssl psql; do command -v "$tool" >/dev/null || { log "counting: $tool is missing"; exit 1; }; done
[[ -x "$BIN" ]] || { log "counting: no binary $BIN"; exit 1; }
trap 'stop; dropdb --if-exists "$DBNAME" 2>/dev/null' EXIT

"$ROOT/bench/tokens/mint.sh" "$OUT/creds" bench >/dev/null
CRED="key:$(cat "$OUT/creds/api-key")"

fresh_db() {
  case "$1" in
    sqlite) rm -f "$OUT"/cnt.db*; echo "sqlite://$OUT/cnt.db?mode=rwc" ;;
    postgres)
      dropdb --if-exists "$DBNAME" >&2 && createdb "$DBNAME" >&2
      echo "postgres://$PGUSER@$PGHOST:$PGPORT/$DBNAME?sslmode=disable"
      ;;
  esac
}

COUNTS='taskCounts { total pending running completed failed cancelled blocked }'
Q2='{"query":"query Q2 { agents(first: 20) { nodes { goals { nodes { plans { nodes { tasks { nodes { id } } } } } } } } }"}'
Q2C="$(jq -cn --arg c "$COUNTS" '{query: ("query Q2C { agents(first: 20) { nodes { " + $c + " goals { nodes { " + $c + " plans { nodes { " + $c + " tasks { nodes { id } } } } } } } } }")}')"
Q2T="$(jq -cn '{query: ("query Q2T { agents(first: 20) { nodes { taskCounts { total } goals { nodes { taskCounts { total } plans { nodes { taskCounts { total } tasks { nodes { id } } } } } } } } }")}')"
NAMES=(Q2 Q2C Q2T)
# The measures' order in round $1: as listed, then turned by one.
order() {
  local i s=$((($1 - 1) % 3))
  for i in 0 1 2; do printf '%s ' "${NAMES[$(((i + s) % 3))]}"; done
}

measure() {
  local backend=$1 db name body perf_pid
  db="$(fresh_db "$backend")"
  start env RUST_LOG=warn "$BIN" --database-url "$db" serve --listen "127.0.0.1:$PORT" \
    --api-keys-file "$OUT/creds/keys.txt" || return
  seed || { log "counting: seeding failed"; stop; return; }
  [[ $backend == postgres ]] && psql -q -d "$DBNAME" -c ANALYZE
  [[ "$(gql "$Q2" | jq '[.data.agents.nodes[].goals.nodes[].plans.nodes[].tasks.nodes[]] | length')" == 1000 ]] ||
    log "counting: Q2 does not return 1,000 tasks"
  # Every plan counts its 5 tasks, every goal its 10 (all pending).
  [[ "$(gql "$Q2C" | jq -c '[([.data.agents.nodes[].goals.nodes[].plans.nodes[].taskCounts.total] | unique), ([.data.agents.nodes[].goals.nodes[].taskCounts.pending] | unique), .errors]')" == '[[5],[10],null]' ]] ||
    log "counting: Q2C's counts are not 5 per plan and 10 per goal"
  for name in $(order "$round"); do
    case $name in Q2) body=$Q2 ;; Q2C) body=$Q2C ;; Q2T) body=$Q2T ;; esac
    if [[ -n "${CNT_PERF:-}" ]]; then
      perf record -q -F "${CNT_PERF_FREQ:-199}" --call-graph dwarf,16384 -p "$PID" \
        -o "$OUT/perf-$backend-$name-$round.data" -- sleep "$SECONDS_PER_RUN" 2>>"$OUT/perf.log" &
      perf_pid=$!
    fi
    timed "$backend,$name" "$body" "$CRED"
    [[ -n "${CNT_PERF:-}" ]] && wait "$perf_pid"
  done
  stop
}

for round in $(seq 1 "$ROUNDS"); do
  for backend in $BACKENDS; do
    log "counting: round $round, $backend, $(order "$round")"
    measure "$backend"
  done
done

{
  echo "# bench/counting.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s"
  echo
  echo "- binary: \`$BIN\`; req/s unless named; \"cpu\": the server's CPU ms per request"
  echo
  echo "| backend | measure | Q2 | Q2C (7 counts) | Q2C / Q2 | Q2T (total only) | Q2T / Q2 |"
  echo "|---|---|---|---|---|---|---|"
  for backend in $BACKENDS; do
    for m in "" " cpu"; do
      a="$(median <<<"${R[$backend,Q2$m]:-}")"; b="$(median <<<"${R[$backend,Q2C$m]:-}")"; t="$(median <<<"${R[$backend,Q2T$m]:-}")"
      echo "| $backend | ${m:- req/s} | $(cell "$backend,Q2$m") | $(cell "$backend,Q2C$m") | $(ratio "$a" "$b") | $(cell "$backend,Q2T$m") | $(ratio "$a" "$t") |"
    done
  done
} | tee "$OUT/results.md"
