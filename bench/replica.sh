#!/usr/bin/env bash
# Issue 30: what a streaming read replica takes off the primary. One
# streaming replica (.ci/replica-up, its own directory and port), one
# database made on the primary and seeded with bench/seed.sh's tree (tenant
# `bench`, ANALYZEd), read back by two variants of one binary, each two
# instances sharing 20 connections (two wrk, 10 each):
#   primary  --database-url the primary
#   replica  the same, plus --replica-url the replica's copy of the database
# the variants' order turned by one each round; per variant, after an
# unrecorded 3 s warm-up:
#   Q1  agent by id
#   Q2  20 agents -> goals -> plans -> tasks (1,000 tasks)
# with the rate, the CPU ms per read of the primary's and the replica's
# PostgreSQL backends of the bench database (other sessions' databases on
# the same cluster left out), of the two servers, and wrk's timeouts. Then, the replica
# variant only, the token round trip: each wrk connection alternates
# createAgent and reading that agent back with the X-Consistency-Token its
# write returned; reported is the share of those reads the replica served
# (/metrics, both instances, delta over the run) and reads that missed
# their own write (must be 0).
# Prints one Markdown table, each cell the median of the rounds with the
# rounds in brackets; keeps everything in bench/results/replica-<time>/.
#
# Usage: bench/replica.sh BINARY
# Settings: REP_ROUNDS (3), REP_SECONDS (10 per run), REP_PORT (8390; the
#   second instance on REP_PORT+1), REPLICA_PORT (15443), REP_DIR (the
#   replica's directory, /tmp/agentgraph-replica-bench), REP_TOKEN_CONNS
#   (2 per instance), PGHOST/PGPORT/PGUSER; the database
#   agentgraph_replbench is made and dropped. Run as root (the replica runs
#   as postgres).

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:?usage: bench/replica.sh BINARY}"
ROUNDS="${REP_ROUNDS:-3}"
SECONDS_PER_RUN="${REP_SECONDS:-10}"
PORT="${REP_PORT:-8390}"
PORTS=("$PORT" "$((PORT + 1))")
export REPLICA_PORT="${REPLICA_PORT:-15443}"
RDIR="${REP_DIR:-/tmp/agentgraph-replica-bench}"
TOKEN_CONNS="${REP_TOKEN_CONNS:-2}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/replica-$(date -u +%Y-%m-%dT%H%M%SZ)"
DBNAME=agentgraph_replbench
PRIMARY_DB="postgres://$PGUSER@$PGHOST:$PGPORT/$DBNAME?sslmode=disable"
REPLICA_DB="postgres://$PGUSER@127.0.0.1:$REPLICA_PORT/$DBNAME?sslmode=disable"
VARIANTS=(primary replica)
NV=${#VARIANTS[@]}
mkdir -p "$OUT"

source "$ROOT/bench/rounds.sh"
source "$ROOT/bench/seed.sh"
source "$ROOT/bench/tokens/lib.sh" # gql with a credential, header, ratio
for tool in jq curl wrk openssl psql runuser; do command -v "$tool" >/dev/null || { log "replica: $tool is missing"; exit 1; }; done
[[ -x "$BIN" ]] || { log "replica: no binary $BIN"; exit 1; }

PIDS=()
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  PIDS=()
}
cleanup() {
  stop_all
  "$ROOT/.ci/replica-up" --stop "$RDIR"
  cp "$RDIR/replica.log" "$OUT/" 2>/dev/null
  rm -rf "$RDIR/data"
  dropdb --if-exists --force "$DBNAME" 2>/dev/null
}
trap cleanup EXIT

# Starts the two instances, one after the other (the first runs the
# migrations): "$@" are their database flags.
start_all() {
  local port
  for port in "${PORTS[@]}"; do
    RUST_LOG=warn "$BIN" --database-url "$PRIMARY_DB" serve --listen "127.0.0.1:$port" \
      --api-keys-file "$OUT/creds/keys.txt" "$@" >>"$OUT/server.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 1000); do
      curl -s -o /dev/null "http://127.0.0.1:$port/health" && continue 2
      sleep 0.01
    done
    log "replica: the server on $port did not start"; tail -5 "$OUT/server.log" >&2; return 1
  done
}

# "pid ticks" of the postmaster $1's children serving the bench database
# (a backend's title names its database).
pg_ticks() {
  local p
  for p in $(pgrep -P "$1"); do
    grep -qa "$DBNAME" "/proc/$p/cmdline" 2>/dev/null && echo "$p $(cpu_ticks "$p")"
  done
}
# CPU ms between two pg_ticks listings ($1 before, $2 after) per $3 reads:
# processes gone in between are left out, new ones count whole.
pg_ms() {
  awk -v hz="$(getconf CLK_TCK)" -v n="$3" 'NR == FNR { b[$1] = $2; next } { t += $2 - b[$1] }
    END { if (n > 0) printf "%.3f", t * 1000 / hz / n; else print "n/a" }' <(echo "$1") <(echo "$2")
}
servers_ticks() { local p t=0; for p in "${PIDS[@]}"; do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }

# Reads served, summed over both instances' /metrics: $1 served_by, $2 consistency.
reads() {
  local port t=0
  for port in "${PORTS[@]}"; do
    t=$((t + $(curl -s "http://127.0.0.1:$port/metrics" | awk -v s="served_by=\"$1\"" -v c="consistency=\"$2\"" \
      '/^agentgraph_replica_reads_total\{/ && index($0, s) && index($0, c) { n += $NF } END { printf "%d", n }')))
  done
  echo "$t"
}

# load KEY BODY: both wrk at once, 10 connections each on its instance;
# records the rate, and the CPU ms per read of the servers, the primary's
# and the replica's bench backends.
load() {
  local key=$1 i sb pb rb sa pa ra n=0 d=0 bad=0 errs=0 line wrks=()
  sb="$(servers_ticks)"; pb="$(pg_ticks "$PRIMARY_PM")"; rb="$(pg_ticks "$REPLICA_PM")"
  for i in 0 1; do
    WRK_BODY="$2" WRK_HEADER="$(header "$CRED")" wrk -t 1 -c 10 -d "${SECONDS_PER_RUN}s" \
      -s "$ROOT/bench/tokens/post.lua" "http://127.0.0.1:${PORTS[$i]}/graphql" >"$OUT/wrk.$i" 2>&1 &
    wrks+=($!)
  done
  wait "${wrks[@]}"
  sa="$(servers_ticks)"; pa="$(pg_ticks "$PRIMARY_PM")"; ra="$(pg_ticks "$REPLICA_PM")"
  for i in 0 1; do
    line="$(grep '^WRK ' "$OUT/wrk.$i")" || { bad=1; continue; }
    read -r _ req _ err dur <<<"$line"
    n=$((n + req)); errs=$((errs + err))
    ((dur > d)) && d=$dur
    cat "$OUT/wrk.$i" >>"$OUT/wrk.log"
  done
  if ((bad || n == 0)); then log "replica: no wrk result for $key"; return; fi
  # A few timeouts (a stalled replica) keep the run: its rate is what the
  # stall cost; they are counted beside it.
  ((errs > 0)) && log "replica: $errs timeouts or non-2xx answers in $key"
  record "$key errors" "$errs"
  record "$key" "$(awk -v n="$n" -v d="$d" 'BEGIN { printf "%d", n / (d / 1e6) }')"
  record "$key server cpu" "$(awk -v t="$((sa - sb))" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "%.3f", t * 1000 / hz / n }')"
  record "$key primary pg cpu" "$(pg_ms "$pb" "$pa" "$n")"
  record "$key replica pg cpu" "$(pg_ms "$rb" "$ra" "$n")"
}

# warm BODY: both wrk for 3 s, nothing recorded.
warm() {
  local i wrks=()
  for i in 0 1; do
    WRK_BODY="$1" WRK_HEADER="$(header "$CRED")" wrk -t 1 -c 10 -d 3s \
      -s "$ROOT/bench/tokens/post.lua" "http://127.0.0.1:${PORTS[$i]}/graphql" >>"$OUT/warm.log" 2>&1 &
    wrks+=($!)
  done
  wait "${wrks[@]}"
}

# The token round trip's wrk script: one connection per thread, so each
# read follows its own write.
cat >"$OUT/token.lua" <<'LUA'
wrk.method = "POST"
local name, value = os.getenv("WRK_HEADER"):match("^([^:]+):%s*(.*)$")
local create = os.getenv("WRK_CREATE")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) writes, reads, misses, untokened, want, kind = 0, 0, 0, 0, nil, nil end
function request()
  local h = { ["Content-Type"] = "application/json", [name] = value }
  if want then
    kind, h["X-Consistency-Token"] = want, want.token
    local body = '{"query":"query R($id: UUID!) { agent(id: $id) { id } }","variables":{"id":"' .. want.id .. '"}}'
    want = nil
    return wrk.format("POST", nil, h, body)
  end
  kind = nil
  return wrk.format("POST", nil, h, create)
end
function response(status, headers, body)
  if kind then
    reads = reads + 1
    if status ~= 200 or not body:find(kind.id, 1, true) then misses = misses + 1 end
    return
  end
  writes = writes + 1
  local token
  for k, v in pairs(headers) do if k:lower() == "x-consistency-token" then token = v end end
  local id = body:match('"id":"([%x-]+)"')
  if token and id then want = { id = id, token = token } else untokened = untokened + 1 end
end
function done(summary, latency, requests)
  local w, r, m, u = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    w, r, m, u = w + t:get("writes"), r + t:get("reads"), m + t:get("misses"), u + t:get("untokened")
  end
  local e = summary.errors
  io.write(string.format("TOKEN %d %d %d %d %d\n", w, r, m, u, e.status + e.connect + e.read + e.write + e.timeout))
end
LUA

token_run() {
  local i rb pb w=0 r=0 m=0 u=0 e=0 line create wrks=()
  create='{"query":"mutation { createAgent(input: { name: \"token agent\", configuration: { max_tokens: 1 } }) { id } }"}'
  rb="$(reads replica token)"; pb="$(reads primary token)"
  for i in 0 1; do
    WRK_CREATE="$create" WRK_HEADER="$(header "$CRED")" wrk -t "$TOKEN_CONNS" -c "$TOKEN_CONNS" -d "${SECONDS_PER_RUN}s" \
      -s "$OUT/token.lua" "http://127.0.0.1:${PORTS[$i]}/graphql" >"$OUT/token.$i" 2>&1 &
    wrks+=($!)
  done
  wait "${wrks[@]}"
  for i in 0 1; do
    cat "$OUT/token.$i" >>"$OUT/wrk.log"
    line="$(grep '^TOKEN ' "$OUT/token.$i")" || { log "replica: no token result"; return; }
    read -r _ a b c d f <<<"$line"
    w=$((w + a)); r=$((r + b)); m=$((m + c)); u=$((u + d)); e=$((e + f))
  done
  local on_replica=$(($(reads replica token) - rb)) on_primary=$(($(reads primary token) - pb))
  log "replica: token run: $w writes, $r reads ($m missed their write), $u writes without a token, $e errors; by replica $on_replica, by primary $on_primary"
  record "token reads/s" "$((r / SECONDS_PER_RUN))"
  record "token share" "$(awk -v a="$on_replica" -v b="$on_primary" 'BEGIN { if (a + b) printf "%.2f", a / (a + b); else print "n/a" }')"
  record "token misses" "$m"
}

# The replica, then the database on the primary, seeded, and replayed.
"$ROOT/.ci/replica-up" "$RDIR" "postgres://$PGUSER@$PGHOST:$PGPORT/postgres" >&2 || { log "replica: no replica"; exit 1; }
PRIMARY_PM="$(head -1 "$(psql -d postgres -Atc 'show data_directory')/postmaster.pid")"
REPLICA_PM="$(head -1 "$RDIR/data/postmaster.pid")"
"$ROOT/bench/tokens/mint.sh" "$OUT/creds" bench >/dev/null
CRED="key:$(cat "$OUT/creds/api-key")"
dropdb --if-exists --force "$DBNAME" && createdb "$DBNAME" || exit 1
start_all || exit 1
seed || { log "replica: seeding failed"; exit 1; }
stop_all
psql -q -d "$DBNAME" -c ANALYZE
LSN="$(psql -d "$DBNAME" -Atc 'SELECT pg_current_wal_lsn()')"
for _ in $(seq 1 300); do
  [[ "$(psql "$REPLICA_DB" -Atc "SELECT pg_last_wal_replay_lsn() >= '$LSN'" 2>/dev/null)" == t ]] && break
  sleep 0.1
done
[[ "$(psql "$REPLICA_DB" -Atc 'SELECT count(*) FROM tasks' 2>/dev/null)" == 1000 ]] || { log "replica: the replica lacks the seeded tasks"; exit 1; }

Q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }", variables: {id: $id}}')"
Q2='{"query":"query Q2 { agents(first: 20) { nodes { goals { nodes { plans { nodes { tasks { nodes { id } } } } } } } } }"}'

order() {
  local i s=$((($1 - 1) % NV))
  for ((i = 0; i < NV; i++)); do printf '%s ' "${VARIANTS[$(((i + s) % NV))]}"; done
}

for round in $(seq 1 "$ROUNDS"); do
  for variant in $(order "$round"); do
    log "replica: round $round, $variant"
    flags=()
    [[ $variant == replica ]] && flags=(--replica-url "$REPLICA_DB")
    start_all "${flags[@]}" || exit 1
    if [[ $variant == replica ]]; then
      curl -s "http://127.0.0.1:$PORT/ready" | tee -a "$OUT/ready.log" | grep -q '"healthy":true' ||
        log "replica: /ready does not list a healthy replica"
    fi
    [[ "$(gql "$Q2" | jq '[.data.agents.nodes[].goals.nodes[].plans.nodes[].tasks.nodes[]] | length')" == 1000 ]] ||
      log "replica: Q2 does not return 1,000 tasks"
    # Unrecorded: a replica's pool opens lazily, and opening it under the
    # full load made the first seconds' reads wait past wrk's 2 s timeout.
    warm "$Q1"
    for m in Q1 Q2; do
      case $m in Q1) body=$Q1 ;; Q2) body=$Q2 ;; esac
      rb="$(reads replica none)"; pb="$(reads primary none)"
      load "$variant,$m" "$body"
      [[ $variant == replica ]] && record "replica,$m replica share" "$(awk -v a="$(($(reads replica none) - rb))" \
        -v b="$(($(reads primary none) - pb))" 'BEGIN { if (a + b) printf "%.3f", a / (a + b); else print "n/a" }')"
    done
    stop_all
  done
done

# The token round trips last: their agents would change Q2's page.
start_all --replica-url "$REPLICA_DB" || exit 1
warm "$Q1"
for round in $(seq 1 "$ROUNDS"); do
  log "replica: token run $round"
  token_run
done
stop_all

{
  echo "# bench/replica.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s"
  echo
  echo "- binary: \`$BIN\`; PostgreSQL $(psql -d postgres -Atc 'show server_version'), replica on 127.0.0.1:$REPLICA_PORT, same machine"
  echo "- two instances, wrk -t 1 -c 10 on each; \"cpu\": CPU ms per read (servers: both; PostgreSQL: the bench database's backends)"
  echo
  echo "| measure | primary | replica | replica / primary |"
  echo "|---|---|---|---|"
  for m in Q1 Q2; do
    for s in "" " server cpu" " primary pg cpu" " replica pg cpu"; do
      d="$(median <<<"${R[primary,$m$s]:-}")"
      p="$(median <<<"${R[replica,$m$s]:-}")"
      echo "| $m${s:- req/s} | $(cell "primary,$m$s") | $(cell "replica,$m$s") | $(ratio "$d" "$p") |"
    done
    echo "| $m reads the replica served | | $(cell "replica,$m replica share") | |"
    echo "| $m timeouts and non-2xx | $(cell "primary,$m errors") | $(cell "replica,$m errors") | |"
  done
  echo "| token reads/s (${TOKEN_CONNS}+${TOKEN_CONNS} connections) | | $(cell "token reads/s") | |"
  echo "| token reads the replica served (share) | | $(cell "token share") | |"
  echo "| token reads that missed their write | | $(cell "token misses") | |"
} | tee "$OUT/results.md"
