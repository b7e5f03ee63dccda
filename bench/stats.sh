#!/usr/bin/env bash
# Issue 29: taskStats over 50,000 tasks in one tenant on PostgreSQL. One
# database, made once: the server migrates it, bench/stats/fill.sql writes
# tenant `bench`'s 20 agents, 50 goals, 100 plans and 50,000 tasks (mixed
# statuses, 5 types, a tenth unassigned), then VACUUM ANALYZE. Then in
# rounds, the measures' order turned each round, wrk at ONE connection
# (sequential requests) for STA_SECONDS each:
#   S    taskStats(groupBy: [STATUS]) { status count oldestCreatedAt }
#   ST   groupBy: [STATUS, TASK_TYPE]
#   A    groupBy: [AGENT]
#   SP   groupBy: [STATUS], filter: { planId: one plan } (500 tasks)
# each's median and p95 latency (ms, as the client sees it), its request
# count and the server's CPU ms per request. The target: S's median
# < 20 ms. Then every statement of one request of each with its
# EXPLAIN (ANALYZE, BUFFERS), as auto_explain logs it (as bench/tenants.sh),
# in bench/results/stats-<time>/explain-*.txt.
#
# Usage: bench/stats.sh BINARY
# Settings: STA_ROUNDS (3), STA_SECONDS (8), STA_PORT (8360), STA_KEEP (set:
#   keep the database agentgraph_stabench), STA_SETTINGS (planner settings
#   for the database, `;`-separated, e.g. "random_page_cost = 1.1": set
#   with ALTER DATABASE before the server starts, so every pooled
#   connection has them), STA_OTHER_TENANTS (N: N more tenants beside
#   `bench`, each filled by fill.sql alike, so that `bench` is 1 / (N + 1)
#   of the table and the planner sees a selective tenant), PG_LOG
#   (/var/log/postgresql/postgresql-15-main.log), PGHOST/PGPORT/PGUSER.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:?usage: bench/stats.sh BINARY}"
ROUNDS="${STA_ROUNDS:-3}"
SECONDS_PER_RUN="${STA_SECONDS:-8}"
PORT="${STA_PORT:-8360}"
PG_LOG="${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/stats-$(date -u +%Y-%m-%dT%H%M%SZ)"
DB=agentgraph_stabench
mkdir -p "$OUT"

source "$ROOT/bench/rounds.sh"
source "$ROOT/bench/tokens/lib.sh"
for tool in jq curl wrk openssl psql; do command -v "$tool" >/dev/null || { log "stats: $tool is missing"; exit 1; }; done
[[ -x "$BIN" ]] || { log "stats: no binary $BIN"; exit 1; }
cleanup() {
  stop
  psql -q -d "$DB" -c "ALTER DATABASE $DB RESET ALL" 2>/dev/null
  [[ -n "${STA_KEEP:-}" ]] || dropdb --if-exists "$DB" 2>/dev/null
}
trap cleanup EXIT

"$ROOT/bench/tokens/mint.sh" "$OUT/creds" bench >/dev/null
CRED="key:$(cat "$OUT/creds/api-key")"
serve() {
  start env RUST_LOG=warn "$BIN" --database-url "postgres://$PGUSER@$PGHOST:$PGPORT/$DB?sslmode=disable" \
    serve --listen "127.0.0.1:$PORT" --api-keys-file "$OUT/creds/keys.txt"
}

# The database: migrated by the binary, filled by SQL, vacuumed.
dropdb --if-exists "$DB" && createdb "$DB" || exit 1
RUST_LOG=warn "$BIN" --database-url "postgres://$PGUSER@$PGHOST:$PGPORT/$DB?sslmode=disable" migrate >>"$OUT/server.log" 2>&1 || exit 1
psql -q -d "$DB" -f "$ROOT/bench/stats/fill.sql" || exit 1
for ((t = 1; t <= ${STA_OTHER_TENANTS:-0}; t++)); do
  sed -e "s/'bench'/'other$t'/g" -e "s/'did:stats:'/'did:stats:other$t:'/" "$ROOT/bench/stats/fill.sql" | psql -q -d "$DB" || exit 1
done
IFS=';' read -r -a settings <<<"${STA_SETTINGS:-}"
for setting in "${settings[@]}"; do
  [[ -n "${setting// /}" ]] && { psql -q -d "$DB" -c "ALTER DATABASE $DB SET $setting" || exit 1; }
done
psql -q -d "$DB" -c 'VACUUM ANALYZE'
psql -At -d "$DB" -c "SELECT count(*) || ' tasks, ' || count(DISTINCT plan_id) || ' plans, ' || count(DISTINCT agent_id) || ' agents, ' || count(*) FILTER (WHERE agent_id IS NULL) || ' unassigned, ' || count(DISTINCT task_type) || ' types' FROM tasks WHERE tenant = 'bench'" | tee "$OUT/setup.txt" >&2
psql -At -d "$DB" -c "SELECT 'tasks in all: ' || count(*) || ' in ' || count(DISTINCT tenant) || ' tenants' FROM tasks" | tee -a "$OUT/setup.txt" >&2
echo "settings: ${STA_SETTINGS:-none}" | tee -a "$OUT/setup.txt" >&2
PLAN="$(psql -At -d "$DB" -c "SELECT plan_id FROM tasks WHERE tenant = 'bench' LIMIT 1")"

FIELDS='status agentId taskType planId count oldestCreatedAt'
doc() { jq -cn --arg a "$1" --arg f "$FIELDS" '{query: ("{ taskStats(" + $a + ") { " + $f + " } }")}'; }
NAMES=(S ST A SP)
declare -A BODY=(
  [S]="$(doc 'groupBy: [STATUS]')"
  [ST]="$(doc 'groupBy: [STATUS, TASK_TYPE]')"
  [A]="$(doc 'groupBy: [AGENT]')"
  [SP]="$(doc "filter: { planId: \"$PLAN\" }, groupBy: [STATUS]")"
)
# A plan's 500 tasks fall in 2 statuses with fill.sql's digits (i % 100 leaves i % 60 three values).
declare -A GROUPS_EXPECTED=([S]=6 [ST]=30 [A]=21 [SP]=2)

# The measures' order in round $1: S ST A SP, then turned by one.
order() {
  local i s=$((($1 - 1) % 4))
  for i in 0 1 2 3; do printf '%s ' "${NAMES[$(((i + s) % 4))]}"; done
}

# wrk at one connection: "requests p50 p95 cpu", or "0 0 0 n/a" on any non-2xx.
latency_run() {
  local before after line
  before="$(cpu_ticks "$PID")"
  line="$(WRK_BODY="$1" WRK_HEADER="$(header "$CRED")" wrk -t 1 -c 1 -d "${SECONDS_PER_RUN}s" \
    -s "$ROOT/bench/stats/latency.lua" "$URL" 2>/dev/null | grep '^LAT ')"
  after="$(cpu_ticks "$PID")"
  awk -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" '
    { n = $2; if (n == 0 || $6 > 0) { print "0 0 0 n/a"; exit }
      printf "%d %s %s %.3f\n", n, $3, $4, ticks * 1000 / hz / n }' <<<"$line"
}

serve || exit 1
for name in "${NAMES[@]}"; do
  got="$(gql "${BODY[$name]}" | tee "$OUT/answer-$name.json" | jq '.data.taskStats | length')"
  [[ "$got" == "${GROUPS_EXPECTED[$name]}" ]] || log "stats: $name answers $got groups, not ${GROUPS_EXPECTED[$name]}"
  [[ "$(jq '[.data.taskStats[].count] | add' "$OUT/answer-$name.json")" == "$([[ $name == SP ]] && echo 500 || echo 50000)" ]] ||
    log "stats: $name's counts do not add up"
done
for round in $(seq 1 "$ROUNDS"); do
  log "stats: round $round, $(order "$round")"
  for name in $(order "$round"); do
    read -r n p50 p95 cpu <<<"$(latency_run "${BODY[$name]}")"
    [[ "$n" == 0 ]] && log "stats: non-200 answers for $name"
    ((n > 0 && n < 200)) && log "stats: only $n requests for $name"
    record "$name,n" "$n"; record "$name,p50" "$p50"; record "$name,p95" "$p95"; record "$name,cpu" "$cpu"
  done
done
stop

# Every statement of one request of each, as auto_explain logs it.
if [[ -r "$PG_LOG" ]]; then
  psql -q -d "$DB" -c "ALTER DATABASE $DB SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER DATABASE $DB SET auto_explain.log_min_duration = 0" \
    -c "ALTER DATABASE $DB SET auto_explain.log_analyze = on" \
    -c "ALTER DATABASE $DB SET auto_explain.log_buffers = on" || exit 1
  serve || exit 1
  for name in "${NAMES[@]}"; do
    gql "${BODY[$name]}" >/dev/null; gql "${BODY[$name]}" >/dev/null # warm
    sleep 0.2
    from=$(($(stat -c %s "$PG_LOG") + 1))
    gql "${BODY[$name]}" >/dev/null
    sleep 0.5
    tail -c "+$from" "$PG_LOG" | awk -v db="@$DB " '
      /^[0-9]{4}-[0-9]{2}-[0-9]{2} / { keep = index($0, db) > 0 }
      keep' >"$OUT/explain-$name.txt"
  done
  stop
  psql -q -d "$DB" -c "ALTER DATABASE $DB RESET ALL"
else
  log "stats: $PG_LOG is not readable, no plans"
fi

{
  echo "# bench/stats.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s at one connection"
  echo
  echo "- binary: \`$BIN\`; $(paste -sd ';' "$OUT/setup.txt" | sed 's/;/; /g')"
  echo "- latency in ms as wrk sees it; \"cpu\": the server's CPU ms per request; n: requests in a round"
  echo
  echo "| measure | p50 | p95 | cpu | n |"
  echo "|---|---|---|---|---|"
  for name in "${NAMES[@]}"; do
    case $name in S) what='[STATUS]' ;; ST) what='[STATUS, TASK_TYPE]' ;; A) what='[AGENT]' ;; SP) what='[STATUS], one plan' ;; esac
    echo "| $name $what | $(cell "$name,p50") | $(cell "$name,p95") | $(cell "$name,cpu") | $(cell "$name,n") |"
  done
} | tee "$OUT/results.md"
