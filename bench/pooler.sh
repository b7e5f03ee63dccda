#!/usr/bin/env bash
# Issue 30: what a transaction-mode pooler costs. Two variants of one
# binary on PostgreSQL, each round on a fresh database seeded with
# bench/seed.sh's tree (tenant `bench`, ANALYZEd after seeding):
#   direct  --database-url PostgreSQL itself
#   pooled  --database-url PgBouncer (pool_mode = transaction, the stock
#           pgbouncer.ini of .ci/pgbouncer), --listen-database-url
#           PostgreSQL, --pooler transaction (target: >= 0.80 of direct)
# the variants' order turned by one each round; per server, as
# bench/tokens.sh measures them:
#   Q1  agent by id, wrk at 20
#   M1  createTask, wrk at 20
#   M1k createTask with a fresh idempotency key each, wrk at 20
# with the server's CPU ms per request and, pooled, PgBouncer's.
# Prints one Markdown table, each cell the median of the rounds with the
# rounds in brackets; keeps everything in bench/results/pooler-<time>/.
#
# Usage: bench/pooler.sh BINARY
# Settings: POOL_ROUNDS (2), POOL_SECONDS (8 per run), POOL_PORT (8380),
#   PGB_PORT (16440), PGHOST/PGPORT/PGUSER; the database agentgraph_poolbench
#   is made and dropped. Run as root: PgBouncer is started as postgres.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:?usage: bench/pooler.sh BINARY}"
ROUNDS="${POOL_ROUNDS:-2}"
SECONDS_PER_RUN="${POOL_SECONDS:-8}"
PORT="${POOL_PORT:-8380}"
PGB_PORT="${PGB_PORT:-16440}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/pooler-$(date -u +%Y-%m-%dT%H%M%SZ)"
DBNAME=agentgraph_poolbench
VARIANTS=(direct pooled)
NV=${#VARIANTS[@]}
PGB_DIR=""
mkdir -p "$OUT"

source "$ROOT/bench/rounds.sh"
source "$ROOT/bench/seed.sh"
source "$ROOT/bench/tokens/lib.sh" # its gql (with a credential) replaces seed.sh's
for tool in jq curl wrk openssl psql pgbouncer runuser; do command -v "$tool" >/dev/null || { log "pooler: $tool is missing"; exit 1; }; done
[[ -x "$BIN" ]] || { log "pooler: no binary $BIN"; exit 1; }
cleanup() {
  stop
  [[ -n "$PGB_DIR" && -f "$PGB_DIR/pgbouncer.pid" ]] && kill -TERM "$(cat "$PGB_DIR/pgbouncer.pid")" 2>/dev/null
  sleep 0.2
  [[ -n "$PGB_DIR" ]] && rm -rf "$PGB_DIR"
  dropdb --if-exists --force "$DBNAME" 2>/dev/null
}
trap cleanup EXIT

PGB_DIR="$(mktemp -d)"
chmod 755 "$PGB_DIR"
cat >"$PGB_DIR/pgbouncer.ini" <<INI
[databases]
* = host=$PGHOST port=$PGPORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
ignore_startup_parameters = extra_float_digits
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
INI
echo "\"$PGUSER\" \"\"" >"$PGB_DIR/userlist.txt"
chown -R postgres "$PGB_DIR"
runuser -u postgres -- pgbouncer -d -q "$PGB_DIR/pgbouncer.ini" || { log "pooler: pgbouncer did not start"; exit 1; }
for _ in $(seq 1 50); do [[ -f "$PGB_DIR/pgbouncer.pid" ]] && break; sleep 0.1; done
PGB_PID="$(cat "$PGB_DIR/pgbouncer.pid")"

"$ROOT/bench/tokens/mint.sh" "$OUT/creds" bench >/dev/null
CRED="key:$(cat "$OUT/creds/api-key")"

order() {
  local i s=$((($1 - 1) % NV))
  for ((i = 0; i < NV; i++)); do printf '%s ' "${VARIANTS[$(((i + s) % NV))]}"; done
}

measure() {
  local variant=$1 m1 m1k q1 m body direct pooled extra=() before after
  dropdb --if-exists --force "$DBNAME" && createdb "$DBNAME"
  direct="postgres://$PGUSER@$PGHOST:$PGPORT/$DBNAME?sslmode=disable"
  pooled="postgres://$PGUSER@127.0.0.1:$PGB_PORT/$DBNAME?sslmode=disable"
  case $variant in
    direct) extra=(--database-url "$direct") ;;
    pooled) extra=(--database-url "$pooled" --listen-database-url "$direct" --pooler transaction) ;;
  esac
  start env RUST_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" \
    --api-keys-file "$OUT/creds/keys.txt" "${extra[@]}" || return
  seed || { log "pooler: seeding failed"; stop; return; }
  psql -q -d "$DBNAME" -c ANALYZE
  m1="$(jq -cn --arg p "$PLAN" '{query: "mutation M1($p: UUID!) { createTask(input: { planId: $p, description: \"benchmark task\", inputData: { n: 1 } }) { id } }", variables: {p: $p}}')"
  m1k="$(jq -cn --arg p "$PLAN" '{query: "mutation M1k($p: UUID!, $k: String!) { createTask(input: { planId: $p, description: \"benchmark task\", inputData: { n: 1 }, idempotencyKey: $k }) { id } }", variables: {p: $p, k: "%KEY%"}}')"
  q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }", variables: {id: $id}}')"
  for m in Q1 M1 M1k; do
    case $m in Q1) body=$q1 ;; M1) body=$m1 ;; M1k) body=$m1k ;; esac
    before="$(cpu_ticks "$PGB_PID")"
    timed "$variant,$m" "$body" "$CRED"
    after="$(cpu_ticks "$PGB_PID")"
    if [[ $variant == pooled ]]; then
      # PgBouncer's CPU ms per request of the run just made.
      local n="${R[$variant,$m]##* }"
      record "$variant,$m pgbouncer cpu" "$(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$n" -v s="$SECONDS_PER_RUN" \
        'BEGIN { if (n > 0) printf "%.3f", t * 1000 / hz / (n * s); else print "n/a" }')"
    fi
  done
  stop
}

for round in $(seq 1 "$ROUNDS"); do
  for variant in $(order "$round"); do
    log "pooler: round $round, $variant"
    measure "$variant"
  done
done

{
  echo "# bench/pooler.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s"
  echo
  echo "- binary: \`$BIN\`; PgBouncer $(pgbouncer --version | head -1 | awk '{ print $2 }'), pool_mode = transaction"
  echo "- req/s unless named; \"cpu\": the server's CPU ms per request; \"pgbouncer cpu\": PgBouncer's"
  echo
  echo "| measure | direct | pooled | pooled / direct |"
  echo "|---|---|---|---|"
  for m in Q1 "Q1 cpu" M1 "M1 cpu" M1k "M1k cpu"; do
    d="$(median <<<"${R[direct,$m]:-}")"
    p="$(median <<<"${R[pooled,$m]:-}")"
    echo "| $m | $(cell "direct,$m") | $(cell "pooled,$m") | $(ratio "$d" "$p") |"
  done
  for m in Q1 M1 M1k; do
    echo "| $m pgbouncer cpu | | $(cell "pooled,$m pgbouncer cpu") | |"
  done
} | tee "$OUT/results.md"
