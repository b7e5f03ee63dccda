#!/usr/bin/env bash
# Keyed creates against unkeyed ones, in short pairs on one server so that
# the machine's noise, which moves the rate far more between runs a minute
# apart than within a pair, falls on both halves of each pair alike.
# write-bench runs `task` and `task-keyed` alternately (ABBA order: task,
# keyed, keyed, task, …) for PAIRS pairs, after a warm-up run; the script
# prints each pair's keyed / unkeyed ratio, sorted, and their median.
#
# Usage: bench/keyed-pairs.sh BACKEND BINARY [PAIRS (12)] [SECONDS (4)]
#   BACKEND: sqlite or postgres (a fresh database agentgraph_pairs)
# Settings: WRITE_BENCH (default target/release/write-bench), PAIRS_PORT
#   (8322), PGHOST/PGPORT/PGUSER.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKEND="${1:?usage: bench/keyed-pairs.sh sqlite|postgres BINARY [PAIRS] [SECONDS]}"
BIN="${2:?usage: bench/keyed-pairs.sh sqlite|postgres BINARY [PAIRS] [SECONDS]}"
PAIRS="${3:-12}"
SECONDS_PER_RUN="${4:-4}"
WRITE_BENCH="${WRITE_BENCH:-${CARGO_TARGET_DIR:-$ROOT/target}/release/write-bench}"
PORT="${PAIRS_PORT:-8322}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL="http://127.0.0.1:$PORT/graphql"
WORK="$(mktemp -d)"
PID=""
stop() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap stop EXIT
for bin in "$BIN" "$WRITE_BENCH"; do [[ -x "$bin" ]] || { echo "keyed-pairs: no binary $bin" >&2; exit 1; }; done

case "$BACKEND" in
  sqlite) db="sqlite://$WORK/pairs.db?mode=rwc" ;;
  postgres)
    dropdb --if-exists agentgraph_pairs && createdb agentgraph_pairs || exit 1
    db="postgres://$PGUSER@$PGHOST:$PGPORT/agentgraph_pairs?sslmode=disable"
    ;;
  *) echo "keyed-pairs: backend is sqlite or postgres" >&2; exit 1 ;;
esac
RUST_LOG=warn "$BIN" --database-url "$db" serve --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 1000); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.01; done

modes=(task)
for i in $(seq 1 "$PAIRS"); do
  if ((i % 2)); then modes+=(task task-keyed); else modes+=(task-keyed task); fi
done
# Rows 1 and 2 are the table's header, row 3 the warm-up.
"$WRITE_BENCH" --url "$URL" --seconds "$SECONDS_PER_RUN" --workers 20 "${modes[@]}" 2>/dev/null |
  awk -F'|' 'NR > 3 { mode = $2; gsub(/ /, "", mode); rate = $4; gsub(/[ ,]/, "", rate); print mode, rate }' |
  paste - - |
  awk '{ if ($1 == "task") r = $4 / $2; else r = $2 / $4; printf "%.2f\n", r }' |
  sort -n |
  awk '{ a[NR] = $1; printf "%s ", $1 } END { if (NR) printf "\nmedian %.2f of %d pairs\n", (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2, NR }'
