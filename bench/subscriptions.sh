#!/usr/bin/env bash
# The figures of live changes (issue 11), on PostgreSQL:
#   1. M1 (createTask, oha, 20 connections) of OLD_BIN and NEW_BIN side by
#      side, alternating ROUNDS times, each on a fresh database: the cost of
#      the change log and the notifications to writes;
#   2. delivery latency: 1,000 taskChanged subscribers on two instances of
#      NEW_BIN over one database, a writer creating tasks through the first
#      (sub-bench latency; from the mutation's response to each event);
#   3. memory: 10,000 idle subscriptions over 100 sockets (sub-bench idle).
#
# Usage: OLD_BIN=… NEW_BIN=… SUB_BENCH=… bench/subscriptions.sh
# (binaries of the same profile; oha or ab, jq and psql on PATH). Prints
# Markdown. PARTS="m1 latency idle" picks what to run.
set -uo pipefail

: "${OLD_BIN:?}" "${NEW_BIN:?}" "${SUB_BENCH:?}"
ROUNDS="${ROUNDS:-2}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-8}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
PARAMS="sslmode=disable"

start() { # binary port database → pid
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $3 WITH (FORCE)" >/dev/null
  psql "$PG/postgres" -qc "CREATE DATABASE $3" >/dev/null
  RUST_LOG=warn "$1" serve --listen "127.0.0.1:$2" --database-url "$PG/$3?$PARAMS" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$2/ready" >/dev/null && break; sleep 0.1; done
  echo "$pid"
}

gql() { # port document → data
  curl -sf "http://127.0.0.1:$1/graphql" -H 'content-type: application/json' -d "$(jq -cn --arg q "$2" '{query: $q}')"
}

m1() { # binary label
  local pid plan body
  pid="$(start "$1" 8451 agentgraph_bench_m1)"
  local agent goal
  agent="$(gql 8451 'mutation { createAgent(input: { name: "m1" }) { id } }' | jq -r .data.createAgent.id)"
  goal="$(gql 8451 "mutation { createGoal(input: { agentId: \"$agent\", description: \"m1\", plans: [{ description: \"m1\" }] }) { plans { nodes { id } } } }")"
  plan="$(jq -r '.data.createGoal.plans.nodes[0].id' <<<"$goal")"
  body="$(jq -cn --arg p "$plan" '{query: "mutation M1($p: UUID!) { createTask(input: { planId: $p, description: \"benchmark task\", inputData: { n: 1 } }) { id } }", variables: {p: $p}}')"
  local rps
  if command -v oha >/dev/null; then
    rps="$(oha --no-tui --output-format json -z "${SECONDS_PER_RUN}s" -c 20 -m POST -H 'content-type: application/json' -d "$body" "http://127.0.0.1:8451/graphql" | jq -r '.summary.requestsPerSec | floor')"
  else
    # ApacheBench (apt install apache2-utils) where oha is not installed.
    printf '%s' "$body" >"${TMPDIR:-/tmp}/m1-body.json"
    rps="$(ab -q -k -c 20 -t "$SECONDS_PER_RUN" -n 10000000 -p "${TMPDIR:-/tmp}/m1-body.json" -T application/json "http://127.0.0.1:8451/graphql" | awk '/Requests per second/ { print int($4) }')"
  fi
  echo "| M1 PostgreSQL @20 | $2 | $rps |"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null
}

PARTS="${PARTS:-m1 latency idle}"
if [[ " $PARTS " == *" m1 "* ]]; then
  echo "| target | build | req/s |"
  echo "|---|---|---|"
  for round in $(seq 1 "$ROUNDS"); do
    m1 "$OLD_BIN" "old (round $round)"
    m1 "$NEW_BIN" "new (round $round)"
  done
fi
[[ " $PARTS " == *" latency "* || " $PARTS " == *" idle "* ]] || exit 0

a="$(start "$NEW_BIN" 8452 agentgraph_bench_live)"
RUST_LOG=warn "$NEW_BIN" serve --listen 127.0.0.1:8453 --database-url "$PG/agentgraph_bench_live?$PARAMS" >/dev/null 2>&1 &
b=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:8453/ready" >/dev/null && break; sleep 0.1; done
echo
echo "| delivery | events | p50 | p95 | p99 | max |"
echo "|---|---|---|---|---|---|"
[[ " $PARTS " == *" latency "* ]] && "$SUB_BENCH" latency --write-url http://127.0.0.1:8452/graphql \
  --subscribe-url http://127.0.0.1:8452/graphql --subscribe-url http://127.0.0.1:8453/graphql \
  --subscriptions 1000 --sockets 10 --changes 300 --rate 50
echo
echo "| idle subscriptions | RSS | per subscription |"
echo "|---|---|---|"
[[ " $PARTS " == *" idle "* ]] && "$SUB_BENCH" idle --write-url http://127.0.0.1:8453/graphql --subscribe-url http://127.0.0.1:8453/graphql \
  --subscriptions 10000 --sockets 100 --pid "$b"
kill -TERM "$a" "$b"; wait "$a" "$b" 2>/dev/null
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS agentgraph_bench_m1 WITH (FORCE)" >/dev/null
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS agentgraph_bench_live WITH (FORCE)" >/dev/null
