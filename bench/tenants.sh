#!/usr/bin/env bash
# Issue 28: a tenant's lists and pages cost what they cost with the
# tenant alone in the database. Two PostgreSQL databases, made once:
#   alone   tenant t050 alone, seeded through the API with bench/seed.sh's
#           tree (20 agents x 5 goals x 2 plans x 5 tasks)
#   shared  the same tree seeded as t000, then copied by SQL into
#           t001..t099 (bench/tenants/clone.sql): 100 tenants, 2,000
#           agents, 100,000 tasks, a copied tenant's rows spread over the
#           heap among the others'
# and in alternating rounds, tenant t050's API key (wrk at 20):
#   L1  tasks(first: 20), with endCursor and hasNextPage
#   L2  agents(first: 20) { nodes { goals { nodes { id } } } }
#   L3  tasks(first: 20, after: the 500th task's cursor)
#   C   tasks(first: 1) { totalCount }
# and the server's CPU ms per request. Then every statement of one L1, L2,
# L3 and C request in each database, with its EXPLAIN (ANALYZE, BUFFERS)
# as auto_explain logs it (session_preload_libraries on that database
# alone, for that server alone), in bench/results/tenants-<time>/explain-*.
#
# Usage: bench/tenants.sh BINARY
# Settings: TEN_ROUNDS (3), TEN_SECONDS (8), TEN_PORT (8340), TEN_KEEP (set:
#   keep the two databases), PG_LOG (/var/log/postgresql/postgresql-15-main.log,
#   must be readable and its log_line_prefix name the database), PGHOST/...

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:?usage: bench/tenants.sh BINARY}"
ROUNDS="${TEN_ROUNDS:-3}"
SECONDS_PER_RUN="${TEN_SECONDS:-8}"
PORT="${TEN_PORT:-8340}"
PG_LOG="${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
OUT="$ROOT/bench/results/tenants-$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$OUT"

source "$ROOT/bench/rounds.sh"
source "$ROOT/bench/seed.sh"
source "$ROOT/bench/tokens/lib.sh"
for tool in jq curl wrk openssl psql; do command -v "$tool" >/dev/null || { log "tenants: $tool is missing"; exit 1; }; done
[[ -x "$BIN" ]] || { log "tenants: no binary $BIN"; exit 1; }
cleanup() {
  stop
  [[ -n "${TEN_KEEP:-}" ]] || for s in alone shared; do dropdb --if-exists "agentgraph_ten_$s" 2>/dev/null; done
}
trap cleanup EXIT

MINT_TENANTS=t000 "$ROOT/bench/tokens/mint.sh" "$OUT/creds" t050
T050="key:$(cat "$OUT/creds/api-key")"
T000="key:$(cat "$OUT/creds/api-key.t000")"
url_of() { echo "postgres://$PGUSER@$PGHOST:$PGPORT/agentgraph_ten_$1?sslmode=disable"; }
serve() {
  start env RUST_LOG=warn "$BIN" --database-url "$(url_of "$1")" serve --listen "127.0.0.1:$PORT" \
    --api-keys-file "$OUT/creds/keys.txt"
}

# The two databases.
for s in alone shared; do
  dropdb --if-exists "agentgraph_ten_$s" && createdb "agentgraph_ten_$s" || exit 1
  serve "$s" || exit 1
  if [[ $s == alone ]]; then CRED=$T050; else CRED=$T000; fi
  seed || { log "tenants: seeding $s failed"; exit 1; }
  stop
  if [[ $s == shared ]]; then
    psql -q -v ON_ERROR_STOP=1 -d agentgraph_ten_shared -f "$ROOT/bench/tenants/clone.sql" || exit 1
  fi
  psql -q -d "agentgraph_ten_$s" -c 'VACUUM ANALYZE'
  psql -At -d "agentgraph_ten_$s" -c "SELECT '$s: ' || count(DISTINCT tenant) || ' tenants, ' || count(*) || ' tasks' FROM tasks" | tee -a "$OUT/setup.txt" >&2
done
CRED=$T050

l1='{"query":"{ tasks(first: 20) { nodes { id } pageInfo { endCursor hasNextPage } } }"}'
l2='{"query":"{ agents(first: 20) { nodes { goals { nodes { id } } } } }"}'
c='{"query":"{ tasks(first: 1) { totalCount } }"}'

# The 500th task's cursor, by pages of 20 (whatever the largest page is).
cursor_500() {
  local cur="" i
  for i in $(seq 1 25); do
    cur="$(gql "$(jq -cn --arg c "$cur" '{query: "query($c: String) { tasks(first: 20, after: $c) { pageInfo { endCursor } } }", variables: {c: (if $c == "" then null else $c end)}}')" |
      jq -r .data.tasks.pageInfo.endCursor)"
  done
  echo "$cur"
}

measure() {
  local s=$1 l3 n
  serve "$s" || return
  n="$(gql "$c" | jq .data.tasks.totalCount)"
  [[ "$n" == 1000 ]] || log "tenants: t050 sees $n tasks in $s, not 1000"
  l3="$(jq -cn --arg c "$(cursor_500)" '{query: "query($c: String) { tasks(first: 20, after: $c) { nodes { id } pageInfo { endCursor } } }", variables: {c: $c}}')"
  timed "$s,L1" "$l1" "$T050"
  timed "$s,L2" "$l2" "$T050"
  timed "$s,L3" "$l3" "$T050"
  timed "$s,C" "$c" "$T050"
  stop
}

for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then order="alone shared"; else order="shared alone"; fi
  for s in $order; do
    log "tenants: round $round, $s"
    measure "$s"
  done
done

# Every statement of one request of each, as auto_explain logs it.
explain() {
  local s=$1 db="agentgraph_ten_$1" q name from l3
  psql -q -d "$db" -c "ALTER DATABASE $db SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER DATABASE $db SET auto_explain.log_min_duration = 0" \
    -c "ALTER DATABASE $db SET auto_explain.log_analyze = on" \
    -c "ALTER DATABASE $db SET auto_explain.log_buffers = on" || return
  serve "$s" || return
  l3="$(jq -cn --arg c "$(cursor_500)" '{query: "query($c: String) { tasks(first: 20, after: $c) { nodes { id } pageInfo { endCursor } } }", variables: {c: $c}}')"
  for name in L1 L2 L3 C; do
    case $name in L1) q=$l1 ;; L2) q=$l2 ;; L3) q=$l3 ;; C) q=$c ;; esac
    gql "$q" >/dev/null; gql "$q" >/dev/null # warm
    sleep 0.2
    from=$(($(stat -c %s "$PG_LOG") + 1))
    gql "$q" >/dev/null
    sleep 0.5
    # Lines of this database's entries and their continuation lines.
    tail -c "+$from" "$PG_LOG" | awk -v db="@$db " '
      /^[0-9]{4}-[0-9]{2}-[0-9]{2} / { keep = index($0, db) > 0 }
      keep' >"$OUT/explain-$s-$name.txt"
  done
  stop
  psql -q -d "$db" -c "ALTER DATABASE $db RESET ALL"
}
if [[ -r "$PG_LOG" ]]; then
  explain alone
  explain shared
else
  log "tenants: $PG_LOG is not readable, no plans"
fi

{
  echo "# bench/tenants.sh, $(date -u +%FT%TZ), $ROUNDS rounds of ${SECONDS_PER_RUN}s"
  echo
  echo "- binary: \`$BIN\`; tenant t050's API key; req/s unless named; \"cpu\": the server's CPU ms per request"
  sed 's/^/- /' "$OUT/setup.txt"
  echo
  echo "| measure | alone | shared (100 tenants) | shared / alone |"
  echo "|---|---|---|---|"
  for m in L1 "L1 cpu" L2 "L2 cpu" L3 "L3 cpu" C "C cpu"; do
    a="$(median <<<"${R[alone,$m]:-}")"; s="$(median <<<"${R[shared,$m]:-}")"
    echo "| $m | $(cell "alone,$m") | $(cell "shared,$m") | $(ratio "$a" "$s") |"
  done
  echo
  echo "Per statement (auto_explain): duration ms, then the top plan node and its buffers"
  for f in "$OUT"/explain-*.txt; do
    echo
    echo "### $(basename "$f" .txt)"
    echo
    awk 'function flush() { if (wantbuf) printf "- %s ms: `%s` | %s | %s\n", d, q, substr(node, 1, 90), b; d = ""; b = ""; wantbuf = 0 }
         /duration: .* plan:/ { flush(); sub(/.*duration: /, ""); d = $1 }
         /Query Text:/ { sub(/.*Query Text: /, ""); q = substr($0, 1, 110) }
         /^[[:space:]]*(Limit|Index|Seq|Sort|Aggregate|Nested|Hash|Bitmap|Merge|Result|Unique|Incremental|Gather)/ && d != "" && !wantbuf { node = $0; sub(/^[[:space:]]+/, "", node); wantbuf = 1; next }
         wantbuf && /Buffers:/ { b = $0; sub(/^[[:space:]]+/, "", b); flush() }
         END { flush() }' "$f"
  done
} | tee "$OUT/results.md"
