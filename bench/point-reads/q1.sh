#!/usr/bin/env bash
# Issue 31, point reads batched across requests: Q1 (agent by id) of two
# binaries, OLD and NEW, alternated by round, with wrk (oha need not be
# installed), and the bare axum + sqlx handler (bench/bare) on PostgreSQL.
# Usage: bench/point-reads/q1.sh OLD_BINARY NEW_BINARY
#   ROUNDS (3), SECS (6), PORT (8321), BACKENDS ("postgres"; add sqlite),
#   BARE (target/release/bare-handler). Then
#   python3 bench/point-reads/summary.py bench/results/point-reads-*/lines.txt
# Per binary per round: fresh DB seeded by bench/seed.sh (20 agents x 5 goals x 2 plans x 5 tasks),
# 1 s warm-up, Q1 at 20 connections (req/s, server CPU ms/req), Q1 at 1 connection (req/s, p50, p99 ms),
# and QL (20 plans, each with its goal and the goal's agent: two by-id loads inside the operation)
# at 20 and at 1 connection.
# On postgres, after "new", the bare handler's Q1 at 20 over the same DB.
set -uo pipefail
OLD=$1 NEW=$2 ROUNDS=${ROUNDS:-3} SECS=${SECS:-6} PORT=${PORT:-8321} BACKENDS=${BACKENDS:-postgres}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/point-reads"
BARE=${BARE:-$ROOT/target/release/bare-handler}
URL="http://127.0.0.1:$PORT/graphql"
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
source "$ROOT/bench/seed.sh"
OUT="$ROOT/bench/results/point-reads-$(date -u +%Y-%m-%dT%H%M%SZ)"; mkdir -p "$OUT"; echo "out: $OUT"
HZ=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' /proc/$1/stat; }
waitup() { for _ in $(seq 1 1000); do curl -s -o /dev/null -X POST $URL -H 'content-type: application/json' -d '{}' && return 0; sleep 0.01; done; echo "did not start"; }
# wrk run: $1 label, $2 conns, $3 threads, $4 body (Q1's when not given); prints label rps p50 p99 cpu_ms_per_req status_err sock_err
run() {
  local b a res; b=$(ticks $PID)
  res=$(Q1_BODY="${4:-$q1}" wrk -t$3 -c$2 -d${SECS}s -s "$HERE/q1.lua" $URL | grep '^RES')
  a=$(ticks $PID)
  read -r _ n rps p50 p99 se ce <<<"$res"
  echo "$1 rps=$rps p50=$p50 p99=$p99 cpu=$(awk -v t=$((a-b)) -v hz=$HZ -v n=$n 'BEGIN{printf "%.4f", t*1000/hz/n}') n=$n errs=$se/$ce" | tee -a $OUT/lines.txt
}
for r in $(seq 1 $ROUNDS); do
 for backend in $BACKENDS; do
  if ((r % 2)); then order="old new"; else order="new old"; fi
  for name in $order; do
    bin=$OLD; [[ $name == new ]] && bin=$NEW
    if [[ $backend == postgres ]]; then
      dropdb --if-exists agentgraph_q1lat 2>/dev/null; createdb agentgraph_q1lat
      db="postgres://postgres@127.0.0.1:5432/agentgraph_q1lat?sslmode=disable"
    else rm -f $OUT/q.db*; db="sqlite://$OUT/q.db?mode=rwc"; fi
    RUST_LOG=warn $bin --database-url "$db" serve --listen 127.0.0.1:$PORT >>$OUT/server.log 2>&1 & PID=$!
    waitup; seed || echo "seed failed"
    q1="$(jq -cn --arg id "$AGENT" '{query: "query Q1($id: UUID!) { agent(id: $id) { id name status configuration } }", variables: {id: $id}}')"
    [[ "$(gql "$q1" | jq -r .data.agent.id)" == "$AGENT" ]] || echo "Q1 wrong answer: $(gql "$q1")"
    Q1_BODY="$q1" wrk -t1 -c4 -d1s -s "$HERE/q1.lua" $URL >/dev/null
    run "$r $backend $name Q1@20" 20 2
    run "$r $backend $name Q1@1" 1 1
    ql='{"query":"query QL { plans(first: 20) { nodes { description goal { description agent { name } } } } }"}'
    [[ "$(gql "$ql" | jq '.data.plans.nodes | map(.goal.agent.name) | length')" == 20 ]] || echo "QL wrong answer: $(gql "$ql")"
    run "$r $backend $name QL@20" 20 2 "$ql"
    run "$r $backend $name QL@1" 1 1 "$ql"
    kill $PID; wait $PID 2>/dev/null
    if [[ $backend == postgres && $name == new && -x $BARE ]]; then
      $BARE "${db%%\?*}" 127.0.0.1:$PORT >>$OUT/server.log 2>&1 & PID=$!
      waitup
      [[ "$(gql "$q1" | jq -r .data.agent.id)" == "$AGENT" ]] || echo "bare Q1 wrong answer: $(gql "$q1")"
      run "$r $backend bare Q1@20" 20 2
      kill $PID; wait $PID 2>/dev/null
    fi
  done
 done
done
