#!/usr/bin/env bash
# Issue 28: what verifying a credential costs. One binary, one server per
# backend and round, configured with an API keys file, an HS256 secret and
# an RS256 JWKS at once, on a fresh database seeded with bench/seed.sh's
# tree (20 agents x 5 goals x 2 plans x 5 tasks, in one tenant); then per
# measure the three credentials back to back, their order turning each
# round, so the machine's noise falls on all three alike:
#   Q2  20 agents -> goals -> plans -> tasks (1,000 tasks), wrk at 20
#   Q1  agent by id, wrk at 20
#   M1  createTask, wrk at 20
# and the server's CPU ms per request. Prints one Markdown table per
# backend, each cell the median of the rounds with the rounds in brackets;
# keeps everything in bench/results/tokens-<time>/.
#
# Usage: bench/tokens.sh BINARY
# Settings: TOK_ROUNDS (3), TOK_SECONDS (8 per run), TOK_BACKENDS
#   ("postgres sqlite"), TOK_PORT (8330), PGHOST/PGPORT/PGUSER; the
#   PostgreSQL database agentgraph_tokbench is made and dropped.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:?usage: bench/tokens.sh BINARY}"
ROUNDS="${TOK_ROUNDS:-3}"
SECONDS_PER_RUN="${TOK_SECONDS:-8}"
BACKENDS="${TOK_BACKENDS:-postgres sqlite}"
PORT="${TOK_PORT:-8330}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/tokens-$(date -u +%Y-%m-%dT%H%M%SZ)"
DBNAME=agentgraph_tokbench
mkdir -p "$OUT"

source "$ROOT/bench/rounds.sh"
source "$ROOT/bench/seed.sh"
source "$ROOT/bench/tokens/lib.sh" # its gql (with a credential) replaces seed.sh's
for tool in jq curl wrk openssl xxd; do command -v "$tool" >/dev/null || { log "tokens: $tool is missing"; exit 1; }; done
[[ -x "$BIN" ]] || { log "tokens: no binary $BIN"; exit 1; }
trap 'stop; dropdb --if-exists "$DBNAME" 2>/dev/null' EXIT

"$ROOT/bench/tokens/mint.sh" "$OUT/creds" bench
declare -A CREDS=(
  [key]="key:$(cat "$OUT/creds/api-key")"
  [hs256]="$(cat "$OUT/creds/hs256.jwt")"
  [rs256]="$(cat "$OUT/creds/rs256.jwt")"
)
NAMES=(key hs256 rs256)

fresh_db() {
  case "$1" in
    sqlite) rm -f "$OUT"/tok.db*; echo "sqlite://$OUT/tok.db?mode=rwc" ;;
    postgres)
      dropdb --if-exists "$DBNAME" >&2 && createdb "$DBNAME" >&2
      echo "postgres://$PGUSER@$PGHOST:$PGPORT/$DBNAME?sslmode=disable"
      ;;
  esac
}

# The credentials' order in round $1: key hs256 rs256, then turned by one.
order() {
  local i s=$((($1 - 1) % 3))
  for i in 0 1 2; do printf '%s ' "${NAMES[$(((i + s) % 3))]}"; done
}

measure() {
  local backend=$1 db m1 q1 q2 name measure body
  db="$(fresh_db "$backend")"
  start env RUST_LOG=warn "$BIN" --database-url "$db" serve --listen "127.0.0.1:$PORT" \
    --api-keys-file "$OUT/creds/keys.txt" --jwt-secret-file "$OUT/creds/jwt-secret" \
    --jwks-file "$OUT/creds/jwks.json" || return
  CRED="${CREDS[key]}"
  seed || { log "tokens: seeding failed"; stop; return; }
  for name in "${NAMES[@]}"; do
    [[ "$(gql '{"query":"{ viewer { role tenant name } }"}' "${CREDS[$name]}" | jq -c .data.viewer)" == *'"tenant":"bench"'* ]] ||
      log "tokens: $name is not a caller of tenant bench"
  done
  m1="$(jq -cn --arg p "$PLAN" '{query: "mutation M1($p: UUID!) { createTask(input: { planId: $p, description: \"benchmark task\", inputData: { n: 1 } }) { id } }", variables: {p: $p}}')"
  q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }", variables: {id: $id}}')"
  q2='{"query":"query Q2 { agents(first: 20) { nodes { goals { nodes { plans { nodes { tasks { nodes { id } } } } } } } } }"}'
  [[ "$(gql "$q2" | jq '[.data.agents.nodes[].goals.nodes[].plans.nodes[].tasks.nodes[]] | length')" == 1000 ]] ||
    log "tokens: Q2 does not return 1,000 tasks"
  for measure in Q2 Q1 M1; do
    case $measure in Q2) body=$q2 ;; Q1) body=$q1 ;; M1) body=$m1 ;; esac
    for name in $(order "$round"); do
      timed "$backend,$name,$measure" "$body" "${CREDS[$name]}"
    done
  done
  record "$backend,all,RSS MiB" "$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")"
  stop
}

for round in $(seq 1 "$ROUNDS"); do
  for backend in $BACKENDS; do
    log "tokens: round $round, $backend, order $(order "$round")"
    measure "$backend"
  done
done

{
  echo "# bench/tokens.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s"
  echo
  echo "- binary: \`$BIN\`; req/s unless named; \"cpu\": the server's CPU ms per request"
  for backend in $BACKENDS; do
    echo
    echo "## $backend"
    echo
    echo "| measure | API key | HS256 | RS256 | HS256 / key | RS256 / key |"
    echo "|---|---|---|---|---|---|"
    for m in Q1 "Q1 cpu" Q2 "Q2 cpu" M1 "M1 cpu"; do
      k="$(median <<<"${R[$backend,key,$m]:-}")"
      h="$(median <<<"${R[$backend,hs256,$m]:-}")"
      r="$(median <<<"${R[$backend,rs256,$m]:-}")"
      echo "| $m | $(cell "$backend,key,$m") | $(cell "$backend,hs256,$m") | $(cell "$backend,rs256,$m") | $(ratio "$k" "$h") | $(ratio "$k" "$r") |"
    done
  done
} | tee "$OUT/results.md"
