#!/usr/bin/env bash
# agentgraph benchmarks: builds the release binaries, then measures on SQLite
# and on PostgreSQL
#   - the load test at the original conditions (20 users, think time 1-3 s),
#   - the load test as a throughput run (20 users, think time 0),
#   - Q1 point read, Q2 nested read and M1 createTask with oha at 20 and 64
#     connections,
#   - keyset depth: the page after the 50,000th task against the first page,
#   - the server's peak RSS, and cold start to /ready on an existing database,
#   - on request (BENCH_PARTS=soak), a 30-minute soak: the throughput load
#     test with the server's memory sampled every 15 s.
# It prints the numbers and writes them to bench/results/<date>/results.md,
# with one tab-separated table and one SVG chart (throughput and latency per
# target, drawn by bench/charts.sh) per part beside it. Timing never fails
# it: only a broken build or a missing tool does.
#
# Usage: bench/run.sh                 (a full run: about 15 minutes on 2 cores)
#        BENCH_QUICK=1 bench/run.sh   (a smoke run of the script: about 3 minutes)
#
# Settings (environment):
#   BENCH_BACKENDS     backends to measure           (default "sqlite postgres")
#   BENCH_PARTS        what to measure  (default "original throughput oha keyset coldstart")
#   BENCH_SECONDS      length of each oha run, s      (default 15; quick 3)
#   LOADTEST_SECONDS   throughput load test, s        (default 60; quick 10)
#   ORIGINAL_SECONDS   original-conditions load test, s, 0 skips it
#                                                     (default 120; quick 0)
#   KEYSET_TASKS       tasks before the deep page     (default 50000; quick 2000)
#   SOAK_SECONDS       length of the soak, s          (default 1800; quick 120)
#   BENCH_PORT         port of the server under test  (default 8300)
#   PGHOST PGPORT PGUSER  PostgreSQL to use           (default 127.0.0.1 5432 postgres)
#   BENCH_PG_DB        database created and dropped   (default agentgraph_bench)
#   BENCH_PG_PARAMS    query string for its URL      (default sslmode=disable:
#                      PostgreSQL is on loopback here, and TLS to it costs
#                      CPU on every statement; set it empty to measure TLS)
#   CARGO_TARGET_DIR   where cargo builds             (default ./target)
#   BENCH_PROFILE      cargo profile of the binaries  (default release;
#                      profiling builds in a fraction of the time)
#   BENCH_NO_BUILD=1   use the release binaries already built there

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  : "${BENCH_SECONDS:=3}" "${LOADTEST_SECONDS:=10}" "${ORIGINAL_SECONDS:=0}" "${KEYSET_TASKS:=2000}" "${SOAK_SECONDS:=120}"
fi
BENCH_BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
BENCH_PARTS="${BENCH_PARTS:-original throughput oha keyset coldstart}"
BENCH_SECONDS="${BENCH_SECONDS:-15}"
LOADTEST_SECONDS="${LOADTEST_SECONDS:-60}"
ORIGINAL_SECONDS="${ORIGINAL_SECONDS:-120}"
KEYSET_TASKS="${KEYSET_TASKS:-50000}"
SOAK_SECONDS="${SOAK_SECONDS:-1800}"
BENCH_PORT="${BENCH_PORT:-8300}"
BENCH_PG_PARAMS="${BENCH_PG_PARAMS-sslmode=disable}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
BENCH_PG_DB="${BENCH_PG_DB:-agentgraph_bench}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BENCH_PROFILE="${BENCH_PROFILE:-release}"
SERVER="$TARGET_DIR/$BENCH_PROFILE/agentgraph"
LOADTEST="$TARGET_DIR/$BENCH_PROFILE/loadtest"
CHART="$TARGET_DIR/$BENCH_PROFILE/bench-chart"
BASE="http://127.0.0.1:$BENCH_PORT"
URL="$BASE/graphql"

STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
RESULTS_DIR="$ROOT/bench/results/$STAMP"
mkdir -p "$RESULTS_DIR"
RESULTS="$RESULTS_DIR/results.md"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/agentgraph-bench.XXXXXX")"
SERVER_PID=""

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }
# Appends a line to the results (and shows it).
out() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
# Appends a row to the chart table of part $1: the target, then its values
# (throughput first, then latencies in ms); the first row made is the header.
tsv() {
  local part="$1"
  shift
  local IFS=$'\t'
  printf '%s\n' "$*" >>"$RESULTS_DIR/$part.tsv"
}

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  rm -rf "$WORK"
  if [[ " $BENCH_BACKENDS " == *" postgres "* ]]; then
    dropdb --if-exists "$BENCH_PG_DB" >/dev/null 2>&1
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools

command -v jq >/dev/null || die "jq is needed (apt-get install jq)"
command -v curl >/dev/null || die "curl is needed (apt-get install curl)"

if [[ "${BENCH_NO_BUILD:-0}" == 1 ]]; then
  [[ -x "$SERVER" && -x "$LOADTEST" ]] || die "BENCH_NO_BUILD=1 but $SERVER or $LOADTEST is missing"
else
  log "bench: building $BENCH_PROFILE binaries (agentgraph, loadtest)"
  cargo build --profile "$BENCH_PROFILE" -p agentgraph -p loadtest >&2 || die "the $BENCH_PROFILE build failed"
fi

if ! command -v oha >/dev/null; then
  log "bench: installing oha (cargo install oha --locked)"
  cargo install oha --locked >&2 || die "cannot install oha"
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

# ---------------------------------------------------------------- helpers

now_ns() { date +%s%N; }

# Starts the server on $1 (a database URL) and waits for /ready; sets
# SERVER_PID, and READY_MS to the milliseconds from process start to ready.
# (Not to be called in a subshell: SERVER_PID must reach stop_server.)
start_server() {
  local db_url="$1" started code
  READY_MS=""
  if curl -s -o /dev/null "$BASE/health" 2>/dev/null; then
    log "bench: something already listens on port $BENCH_PORT (set BENCH_PORT)"
    return 1
  fi
  started="$(now_ns)"
  RUST_LOG="${RUST_LOG:-warn}" "$SERVER" --database-url "$db_url" serve --listen "127.0.0.1:$BENCH_PORT" \
    >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 6000); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$BASE/ready" 2>/dev/null)"
    if [[ "$code" == 200 ]]; then
      READY_MS=$((($(now_ns) - started) / 1000000))
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.005
  done
  log "bench: the server did not become ready; its log:"
  tail -n 30 "$WORK/server.log" >&2
  SERVER_PID=""
  return 1
}

# Peak resident set of the server so far, in MiB.
peak_rss_mib() {
  awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo "n/a"
}

# The server's resident memory now, in MiB: "rss anon file".
rss_now_mib() {
  awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
    END { printf "%.1f %.1f %.1f", r / 1024, a / 1024, f / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null
}

# The size of backend $1's database (for SQLite with its WAL), in MiB.
database_mib() {
  case "$1" in
    sqlite) du -cm "$WORK"/bench.db* 2>/dev/null | awk 'END { print $1 }' ;;
    postgres) psql -d "$BENCH_PG_DB" -Atc "SELECT pg_database_size(current_database()) / 1048576" 2>/dev/null ;;
  esac
}

# POSTs a GraphQL request body (JSON) and prints the response; fails on a
# GraphQL error.
gql() {
  local response
  response="$(curl -s -X POST "$URL" -H 'content-type: application/json' --data-binary "$1")" || return 1
  if [[ "$(jq -r '(.errors // []) | length' <<<"$response" 2>/dev/null)" != 0 ]]; then
    log "bench: request failed: $(head -c 400 <<<"$response")"
    return 1
  fi
  printf '%s' "$response"
}

# Body of one request of $1 aliased copies of a mutation: $2 is the field,
# with `%d` standing for the alias number; $3 the variables (JSON object);
# $4 their declaration (default `($p: UUID!)`).
batch_body() {
  local count="$1" field="$2" variables="$3" declaration="${4-(\$p: UUID!)}" i doc
  doc="mutation Seed$declaration {"
  for ((i = 0; i < count; i++)); do
    # shellcheck disable=SC2059
    doc+=" m$i: $(printf "$field" "$i")"
  done
  doc+=" }"
  jq -cn --arg q "$doc" --argjson v "$variables" '{query: $q, variables: $v}'
}

# Runs oha for BENCH_SECONDS at $2 connections with body $1; prints
# "rps p50 p95 p99 non200" (latencies in ms).
oha_run() {
  local body="$1" conns="$2" json
  json="$(oha --no-tui --output-format json -w -z "${BENCH_SECONDS}s" -c "$conns" -m POST \
    -H 'content-type: application/json' -d "$body" "$URL" 2>>"$WORK/oha.log")" || {
    echo "n/a n/a n/a n/a n/a"
    return
  }
  jq -r '[
      (.summary.requestsPerSec | floor),
      ((.latencyPercentiles.p50 // 0) * 1000 * 100 | round / 100),
      ((.latencyPercentiles.p95 // 0) * 1000 * 100 | round / 100),
      ((.latencyPercentiles.p99 // 0) * 1000 * 100 | round / 100),
      ([(.statusCodeDistribution // {}) | to_entries[] | select(.key != "200") | .value] | add // 0)
        + ([(.errorDistribution // {}) | to_entries[] | .value] | add // 0)
    ] | map(tostring) | join(" ")' <<<"$json"
}

# Runs the load test; prints "ops_per_s p50 p95 p99 requests failures".
loadtest_run() {
  local seconds="$1" think="$2" report="$WORK/loadtest-$3.json"
  "$LOADTEST" --url "$URL" --users 20 --spawn-rate 5 --duration "${seconds}s" \
    --think-time "$think" --report "$report" >"$WORK/loadtest-$3.txt" 2>&1
  if [[ ! -s "$report" ]]; then
    echo "n/a n/a n/a n/a n/a n/a"
    return
  fi
  jq -r '[
      (.operations_total.rps | floor),
      (.all_requests.p50_ms * 100 | round / 100),
      (.all_requests.p95_ms * 100 | round / 100),
      (.all_requests.p99_ms * 100 | round / 100),
      .all_requests.requests, .all_requests.failures
    ] | map(tostring) | join(" ")' "$report"
  # Keep the failures, if any, for the results.
  jq -r --arg run "$3" '.failures[] | "| \($run) | \(.operation) | \(.count) | \(.message) |"' "$report" >>"$WORK/failures.md"
}

# Runs the throughput load test for $2 seconds against backend $1's server,
# writing its memory every 15 s to soak-$1.tsv; prints "rss_1min rss_end
# end/1min peak ops_per_s requests failures" (MiB; RSS at the first sample
# at or after 60 s, and at the last).
soak_run() {
  local backend="$1" seconds="$2" table="$RESULTS_DIR/soak-$1.tsv" report="$WORK/loadtest-$1-soak.json"
  local started next now rss anon file first="" last="" peak runner
  {
    echo "# chart: none (the server's memory during the soak on $backend, $STAMP)"
    printf 'seconds\tRSS MiB\tanon MiB\tfile MiB\tpeak MiB\tdatabase MiB\n'
  } >"$table"
  "$LOADTEST" --url "$URL" --users 20 --spawn-rate 5 --duration "${seconds}s" \
    --think-time 0 --report "$report" >"$WORK/loadtest-$1-soak.txt" 2>&1 &
  runner=$!
  started="$(date +%s)"
  next=$((started + 15))
  while kill -0 "$runner" 2>/dev/null; do
    now="$(date +%s)"
    ((next > now)) && sleep $((next - now))
    kill -0 "$runner" 2>/dev/null || break
    read -r rss anon file <<<"$(rss_now_mib)"
    [[ -n "$rss" ]] || break
    peak="$(peak_rss_mib)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' $((next - started)) "$rss" "$anon" "$file" "$peak" "$(database_mib "$backend")" >>"$table"
    [[ -z "$first" ]] && ((next - started >= 60)) && first="$rss"
    last="$rss"
    next=$((next + 15))
  done
  wait "$runner"
  peak="$(peak_rss_mib)"
  [[ -n "$first" && -n "$last" ]] || { echo "n/a n/a n/a $peak n/a n/a n/a"; return; }
  printf '%s %s %s %s ' "$first" "$last" "$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%.2f", b / a }')" "$peak"
  if [[ -s "$report" ]]; then
    jq -r '[(.operations_total.rps | floor), .all_requests.requests, .all_requests.failures] | map(tostring) | join(" ")' "$report"
    jq -r --arg run "$backend-soak" '.failures[] | "| \($run) | \(.operation) | \(.count) | \(.message) |"' "$report" >>"$WORK/failures.md"
  else
    echo "n/a n/a n/a"
  fi
}

fresh_database() {
  case "$1" in
    sqlite)
      rm -f "$WORK"/bench.db*
      echo "sqlite://$WORK/bench.db?mode=rwc"
      ;;
    postgres)
      dropdb --if-exists "$BENCH_PG_DB" >&2 && createdb "$BENCH_PG_DB" >&2 || return 1
      echo "postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_PG_DB${BENCH_PG_PARAMS:+?$BENCH_PG_PARAMS}"
      ;;
  esac
}

# Whether part $1 is to run (BENCH_PARTS).
part() { [[ " $BENCH_PARTS " == *" $1 "* ]]; }

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "n/a" }'; }

# ---------------------------------------------------------------- queries

Q1_DOC='query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }'
Q2_DOC='query Q2 { agents(first: 20) { nodes { goals { nodes { plans { nodes { tasks { nodes { id } } } } } } } } }'
M1_DOC='mutation M1($p: UUID!) { createTask(input: { planId: $p, description: "benchmark task", inputData: { n: 1 } }) { id } }'
# One page of a plan's tasks under an ordering ($o, null for the default),
# forward (first/after) or backward (last/before).
PAGE_DOC='query Page($p: UUID!, $after: String, $o: TaskOrder) { tasks(first: 20, after: $after, orderBy: $o, filter: { planId: $p }) { nodes { id description status } pageInfo { endCursor hasNextPage } } }'
BACK_DOC='query Back($p: UUID!, $before: String) { tasks(last: 20, before: $before, filter: { planId: $p }) { nodes { id description status } pageInfo { startCursor hasPreviousPage } } }'
NEWEST_CHANGE='{"field": "UPDATED_AT", "direction": "DESC"}'

# Prints the ids a batch of creations returned, in alias order.
batch_ids() {
  local response
  response="$(gql "$1")" || return 1
  jq -r '.data | to_entries | sort_by(.key | ltrimstr("m") | tonumber)[] | .value.id' <<<"$response"
}

# Seeds 20 agents x 5 goals x 2 plans x 5 tasks for Q2; prints one agent id
# and one plan id.
seed_tree() {
  local agents=() goals=() plans=() parent batch
  batch="$(batch_ids "$(batch_body 20 'createAgent(input: { name: "bench agent %d", configuration: { max_tokens: 500 } }) { id }' '{}' '')")" || return 1
  mapfile -t agents <<<"$batch"
  for parent in "${agents[@]}"; do
    batch="$(batch_ids "$(batch_body 5 'createGoal(input: { agentId: $p, description: "bench goal %d" }) { id }' "{\"p\": \"$parent\"}")")" || return 1
    mapfile -t -O "${#goals[@]}" goals <<<"$batch"
  done
  for parent in "${goals[@]}"; do
    batch="$(batch_ids "$(batch_body 2 'createPlan(input: { goalId: $p, description: "bench plan %d" }) { id }' "{\"p\": \"$parent\"}")")" || return 1
    mapfile -t -O "${#plans[@]}" plans <<<"$batch"
  done
  for parent in "${plans[@]}"; do
    batch_ids "$(batch_body 5 'createTask(input: { planId: $p, description: "bench task %d" }) { id }' "{\"p\": \"$parent\"}")" >/dev/null || return 1
  done
  log "bench: seeded ${#agents[@]} agents, ${#goals[@]} goals, ${#plans[@]} plans, $((${#plans[@]} * 5)) tasks"
  echo "${agents[0]} ${plans[0]}"
}

# Seeds KEYSET_TASKS + 100 tasks into plan $1 (so that a full page follows
# task KEYSET_TASKS) with oha, 50 per request (the most top-level fields a
# request may have), then prints how many the plan has.
seed_tasks() {
  local plan="$1" requests=$(((KEYSET_TASKS + 100 + 49) / 50)) body
  body="$(batch_body 50 'createTask(input: { planId: $p, description: "keyset task %d" }) { id }' "{\"p\": \"$plan\"}")"
  oha --no-tui --output-format json -n "$requests" -c 4 -m POST -H 'content-type: application/json' \
    -d "$body" "$URL" >/dev/null 2>>"$WORK/oha.log" || return 1
  gql "$(jq -cn --arg p "$plan" '{query: "query($p: UUID!) { plan(id: $p) { tasks { totalCount } } }", variables: {p: $p}}')" |
    jq -r '.data.plan.tasks.totalCount'
}

# Creates an agent, a goal and a plan; prints the plan's id.
make_plan() {
  local agent goal
  agent="$(gql '{"query": "mutation { createAgent(input: { name: \"keyset agent\" }) { id } }"}' | jq -r '.data.createAgent.id')"
  goal="$(gql "$(jq -cn --arg a "$agent" '{query: "mutation($a: UUID!) { createGoal(input: { agentId: $a, description: \"keyset goal\" }) { id } }", variables: {a: $a}}')" |
    jq -r '.data.createGoal.id')"
  gql "$(jq -cn --arg g "$goal" '{query: "mutation($g: UUID!) { createPlan(input: { goalId: $g, description: \"keyset plan\" }) { id } }", variables: {g: $g}}')" |
    jq -r '.data.createPlan.id'
}

# Walks plan $1's tasks 100 at a time under ordering $3 (JSON, null for the
# default); prints the cursor after task number $2.
deep_cursor() {
  local plan="$1" depth="$2" order="${3:-null}" after="null" walked=0 page
  while ((walked < depth)); do
    page="$(gql "$(jq -cn --arg p "$plan" --argjson after "$after" --argjson o "$order" \
      '{query: "query($p: UUID!, $after: String, $o: TaskOrder) { tasks(first: 100, after: $after, orderBy: $o, filter: { planId: $p }) { pageInfo { endCursor hasNextPage } } }", variables: {p: $p, after: $after, o: $o}}')")" || return 1
    after="$(jq -c '.data.tasks.pageInfo.endCursor' <<<"$page")"
    walked=$((walked + 100))
    [[ "$(jq -r '.data.tasks.pageInfo.hasNextPage' <<<"$page")" == true ]] || break
  done
  jq -r . <<<"$after"
}

# The request body of a page of plan $1: forward after cursor $2 under
# ordering $3, or (with $4 = back) backward before cursor $2.
page_body() {
  local plan="$1" cursor="${2:-}" order="${3:-null}" way="${4:-}"
  if [[ "$way" == back ]]; then
    jq -cn --arg q "$BACK_DOC" --arg p "$plan" --arg c "$cursor" \
      '{query: $q, variables: ({p: $p} + (if $c == "" then {} else {before: $c} end))}'
  else
    jq -cn --arg q "$PAGE_DOC" --arg p "$plan" --arg c "$cursor" --argjson o "$order" \
      '{query: $q, variables: ({p: $p, o: $o} + (if $c == "" then {} else {after: $c} end))}'
  fi
}

# ---------------------------------------------------------------- run

: >"$RESULTS"
out "# agentgraph benchmarks, $STAMP"
out ""
out "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
out "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
out "- oha: $(oha --version 2>/dev/null | head -n1); oha runs: ${BENCH_SECONDS}s each; throughput load test: ${LOADTEST_SECONDS}s; original-conditions load test: ${ORIGINAL_SECONDS}s; keyset depth: ${KEYSET_TASKS} tasks"
out "- load generator, server and database share the machine; a load average"
out "  above ~2 means something else was competing for the 2 cores"
out ""

declare -A R

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

for backend in $BENCH_BACKENDS; do
  log ""
  log "bench: ===== $backend ====="
  out "$backend: started $(date -u +%H:%M:%SZ), load average $(loadavg)"
  if [[ "$backend" == postgres ]] && ! pg_isready -q; then
    log "bench: PostgreSQL at $PGHOST:$PGPORT is not reachable; skipping it"
    continue
  fi

  # 1. The original conditions, then the throughput run, each on a fresh database.
  if part original && ((ORIGINAL_SECONDS > 0)); then
    db="$(fresh_database "$backend")" || { log "bench: cannot create the database"; continue; }
    start_server "$db" || continue
    log "bench: $backend: load test, original conditions (think time 1-3 s, ${ORIGINAL_SECONDS}s)"
    R[$backend,orig]="$(loadtest_run "$ORIGINAL_SECONDS" 1-3s "$backend-original")"
    R[$backend,orig_rss]="$(peak_rss_mib)"
    stop_server
  fi

  if part throughput; then
    db="$(fresh_database "$backend")" || { log "bench: cannot create the database"; continue; }
    start_server "$db" || continue
    log "bench: $backend: load test, throughput (think time 0, ${LOADTEST_SECONDS}s)"
    R[$backend,lt]="$(loadtest_run "$LOADTEST_SECONDS" 0 "$backend-throughput")"
    R[$backend,lt_rss]="$(peak_rss_mib)"
    stop_server
  fi

  if part soak; then
    db="$(fresh_database "$backend")" || { log "bench: cannot create the database"; continue; }
    start_server "$db" || continue
    log "bench: $backend: soak (think time 0, ${SOAK_SECONDS}s, memory every 15 s)"
    R[$backend,soak]="$(soak_run "$backend" "$SOAK_SECONDS")"
    stop_server
  fi

  part oha || part keyset || part coldstart || { out "$backend: finished $(date -u +%H:%M:%SZ), load average $(loadavg)"; continue; }

  # 2. oha on a fresh database seeded for Q2.
  db="$(fresh_database "$backend")" || continue
  start_server "$db" || continue
  if part oha; then
    log "bench: $backend: seeding 20 x 5 x 2 x 5 rows"
    read -r agent plan < <(seed_tree)
    if [[ -n "${plan:-}" ]]; then
      q1="$(jq -cn --arg q "$Q1_DOC" --arg id "$agent" '{query: $q, variables: {id: $id}}')"
      q2="$(jq -cn --arg q "$Q2_DOC" '{query: $q}')"
      m1="$(jq -cn --arg q "$M1_DOC" --arg p "$plan" '{query: $q, variables: {p: $p}}')"
      # Each must succeed once before it is timed: oha sees only HTTP statuses.
      tasks_seen="$(gql "$q2" | jq '[.data.agents.nodes[].goals.nodes[].plans.nodes[].tasks.nodes[]] | length')"
      log "bench: Q2 returns $tasks_seen tasks (1000 expected)"
      gql "$q1" >/dev/null && gql "$m1" >/dev/null || log "bench: a benchmark query fails; its numbers mean nothing"
      for name in q1 q2 m1; do
        for conns in 20 64; do
          log "bench: $backend: ${name^^} at $conns connections (${BENCH_SECONDS}s)"
          R[$backend,$name,$conns]="$(oha_run "${!name}" "$conns")"
        done
      done
    else
      log "bench: seeding failed"
    fi
    R[$backend,oha_rss]="$(peak_rss_mib)"
  fi

  # 3. Keyset depth.
  if part keyset; then
    log "bench: $backend: seeding $KEYSET_TASKS + 100 tasks into one plan"
    deep_plan="$(make_plan)"
    seed_started="$(now_ns)"
    seeded="$(seed_tasks "$deep_plan")"
    R[$backend,seeded]="$seeded tasks in $((($(now_ns) - seed_started) / 1000000)) ms"
    deep_count_of() { gql "$1" | jq '.data.tasks.nodes | length'; }
    # Oldest first: the first page, and the page after task KEYSET_TASKS.
    cursor="$(deep_cursor "$deep_plan" "$KEYSET_TASKS")"
    first_page="$(page_body "$deep_plan")"
    deep_page="$(page_body "$deep_plan" "$cursor")"
    # Latest change first: the same two pages of that ordering.
    newest_cursor="$(deep_cursor "$deep_plan" "$KEYSET_TASKS" "$NEWEST_CHANGE")"
    newest_first="$(page_body "$deep_plan" "" "$NEWEST_CHANGE")"
    newest_deep="$(page_body "$deep_plan" "$newest_cursor" "$NEWEST_CHANGE")"
    # Backward: the last page, and the page before the task KEYSET_TASKS
    # from the end (the 100th from the start).
    back_cursor="$(deep_cursor "$deep_plan" 100)"
    back_last="$(page_body "$deep_plan" "" null back)"
    back_deep="$(page_body "$deep_plan" "$back_cursor" null back)"
    for body in "$deep_page" "$newest_deep" "$back_deep"; do
      deep_count="$(deep_count_of "$body")"
      [[ "$deep_count" == 20 ]] || log "bench: a deep page has ${deep_count:-no} tasks, not 20"
    done
    log "bench: $backend: first pages vs pages $KEYSET_TASKS deep, 1 connection"
    R[$backend,first]="$(oha_run "$first_page" 1)"
    R[$backend,deep]="$(oha_run "$deep_page" 1)"
    R[$backend,newest_first]="$(oha_run "$newest_first" 1)"
    R[$backend,newest_deep]="$(oha_run "$newest_deep" 1)"
    R[$backend,back_last]="$(oha_run "$back_last" 1)"
    R[$backend,back_deep]="$(oha_run "$back_deep" 1)"
  fi
  R[$backend,rss]="$(peak_rss_mib)"
  stop_server

  # 4. Cold start on the database just used, median of three.
  if part coldstart; then
    starts=""
    for _ in 1 2 3; do
      start_server "$db" && starts+=" $READY_MS"
      stop_server
    done
    R[$backend,cold]="$(median <<<"$starts") ms (runs:${starts})"
  fi
  out "$backend: finished $(date -u +%H:%M:%SZ), load average $(loadavg)"
done

# ---------------------------------------------------------------- report

field() { awk -v n="$2" '{ print $n }' <<<"${R[$1]:-}"; }
dash() { local v="$1"; echo "${v:-n/a}"; }

if part original || part throughput; then
out ""
out "## Load test (20 users, spawn rate 5/s)"
out ""
out "| backend | run | ops/s | p50 ms | p95 ms | p99 ms | requests | failures | server peak RSS MiB |"
out "|---|---|---:|---:|---:|---:|---:|---:|---:|"
tsv loadtest "# title: Load test, 20 users, $STAMP"
tsv loadtest target ops/s "p50 ms" "p95 ms" "p99 ms"
for backend in $BENCH_BACKENDS; do
  for run in orig lt; do
    [[ -n "${R[$backend,$run]:-}" ]] || continue
    label="original, think 1-3 s"
    [[ "$run" == lt ]] && label="throughput, think 0"
    tsv loadtest "$backend $label" "$(field "$backend,$run" 1)" "$(field "$backend,$run" 2)" "$(field "$backend,$run" 3)" "$(field "$backend,$run" 4)"
  done
  if [[ -n "${R[$backend,orig]:-}" ]]; then
    out "| $backend | original: think 1-3 s, ${ORIGINAL_SECONDS}s | $(field "$backend,orig" 1) | $(field "$backend,orig" 2) | $(field "$backend,orig" 3) | $(field "$backend,orig" 4) | $(field "$backend,orig" 5) | $(field "$backend,orig" 6) | $(dash "${R[$backend,orig_rss]:-}") |"
  fi
  if [[ -n "${R[$backend,lt]:-}" ]]; then
    out "| $backend | throughput: think 0, ${LOADTEST_SECONDS}s | $(field "$backend,lt" 1) | $(field "$backend,lt" 2) | $(field "$backend,lt" 3) | $(field "$backend,lt" 4) | $(field "$backend,lt" 5) | $(field "$backend,lt" 6) | $(dash "${R[$backend,lt_rss]:-}") |"
  fi
done
fi
if part soak; then
out ""
out "## Soak (throughput load test, think time 0, ${SOAK_SECONDS}s; memory every 15 s in soak-<backend>.tsv)"
out ""
out "| backend | RSS at 1 min MiB | RSS at the end MiB | end / 1 min | peak RSS MiB | ops/s | requests | failures |"
out "|---|---:|---:|---:|---:|---:|---:|---:|"
for backend in $BENCH_BACKENDS; do
  [[ -n "${R[$backend,soak]:-}" ]] || continue
  out "| $backend | $(field "$backend,soak" 1) | $(field "$backend,soak" 2) | $(field "$backend,soak" 3) | $(field "$backend,soak" 4) | $(field "$backend,soak" 5) | $(field "$backend,soak" 6) | $(field "$backend,soak" 7) |"
done
fi
if part original || part throughput || part soak; then
out ""
if [[ -s "$WORK/failures.md" ]]; then
  out "Load test failures:"
  out ""
  out "| run | operation | count | message |"
  out "|---|---|---:|---|"
  while IFS= read -r line; do out "$line"; done <"$WORK/failures.md"
else
  out "No load test request failed."
fi
fi
if part oha; then
out ""
out "## oha (${BENCH_SECONDS}s per run)"
out ""
out "| backend | query | connections | req/s | p50 ms | p95 ms | p99 ms | non-200 |"
out "|---|---|---:|---:|---:|---:|---:|---:|"
tsv oha "# title: oha, ${BENCH_SECONDS} s per run, $STAMP"
tsv oha target req/s "p50 ms" "p95 ms" "p99 ms"
for backend in $BENCH_BACKENDS; do
  for name in q1 q2 m1; do
    for conns in 20 64; do
      key="$backend,$name,$conns"
      [[ -n "${R[$key]:-}" ]] || continue
      out "| $backend | ${name^^} | $conns | $(field "$key" 1) | $(field "$key" 2) | $(field "$key" 3) | $(field "$key" 4) | $(field "$key" 5) |"
      tsv oha "$backend ${name^^} @$conns" "$(field "$key" 1)" "$(field "$key" 2)" "$(field "$key" 3)" "$(field "$key" 4)"
    done
  done
done
fi
if part keyset; then
out ""
out "## Keyset depth (tasks of one plan, 20 a page, 1 connection, ${BENCH_SECONDS}s each)"
out ""
out "Each ordering's first page against the page $KEYSET_TASKS tasks into it: oldest first (first/after), latest change first (orderBy UPDATED_AT DESC, first/after), and backward (last/before: the last page against the page $KEYSET_TASKS tasks before the end)."
out ""
out "| backend | seeded | ordering | first page req/s | its p50 ms | page $KEYSET_TASKS deep req/s | its p50 ms |"
out "|---|---|---|---:|---:|---:|---:|"
tsv keyset "# title: Keyset depth, 1 connection, $STAMP"
tsv keyset target req/s "p50 ms"
for backend in $BENCH_BACKENDS; do
  [[ -n "${R[$backend,first]:-}" ]] || continue
  for kind in "oldest first:first:deep" "UPDATED_AT DESC:newest_first:newest_deep" "last/before:back_last:back_deep"; do
    IFS=: read -r label shallow deep <<<"$kind"
    out "| $backend | ${R[$backend,seeded]} | $label | $(field "$backend,$shallow" 1) | $(field "$backend,$shallow" 2) | $(field "$backend,$deep" 1) | $(field "$backend,$deep" 2) |"
    tsv keyset "$backend $label first" "$(field "$backend,$shallow" 1)" "$(field "$backend,$shallow" 2)"
    tsv keyset "$backend $label $KEYSET_TASKS deep" "$(field "$backend,$deep" 1)" "$(field "$backend,$deep" 2)"
  done
done
fi
if part oha || part keyset || part coldstart; then
out ""
out "## Memory and cold start"
out ""
out "| backend | peak RSS after oha, MiB | peak RSS after oha and keyset, MiB | cold start to /ready (median of 3) |"
out "|---|---:|---:|---|"
for backend in $BENCH_BACKENDS; do
  [[ -n "${R[$backend,rss]:-}" ]] || continue
  out "| $backend | ${R[$backend,oha_rss]:-n/a} | ${R[$backend,rss]} | ${R[$backend,cold]:-n/a} |"
done
fi
out ""
# The charts, each beside its table; a part with no measured row has none.
for table in "$RESULTS_DIR"/*.tsv; do
  [[ -e "$table" ]] || continue
  (($(grep -cv '^#' "$table") > 1)) || rm -f "$table"
done
if [[ ! -x "$CHART" ]]; then
  log "bench: $CHART is missing (BENCH_NO_BUILD=1 with an older build?); no charts"
elif compgen -G "$RESULTS_DIR/*.tsv" >/dev/null && BENCH_CHART="$CHART" "$ROOT/bench/charts.sh" "$RESULTS_DIR" >&2; then
  out "## Charts"
  out ""
  for part in loadtest oha keyset; do
    [[ -e "$RESULTS_DIR/$part.svg" ]] && out "![$part: throughput and latency per target]($part.svg)"
  done
  out ""
else
  log "bench: drawing the charts failed"
fi
log "bench: results written to $RESULTS"
exit 0
