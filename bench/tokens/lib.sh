# Shared by bench/tokens.sh and bench/tenants.sh (sourced after
# bench/rounds.sh): server start and stop, and wrk with a credential, as
# in bench/ab.sh. Needs OUT, PORT, URL, SECONDS_PER_RUN.

PID=""
stop() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  PID=""
}
trap stop EXIT

# Starts "$@" and waits until it answers.
start() {
  "$@" >>"$OUT/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 1000); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && return 0
    sleep 0.01
  done
  log "$1 did not start"; tail -5 "$OUT/server.log" >&2; return 1
}

# The header a credential travels in: "key:VALUE" is an API key,
# anything else a bearer token.
header() {
  case "$1" in
    key:*) printf 'x-api-key: %s' "${1#key:}" ;;
    *) printf 'authorization: Bearer %s' "$1" ;;
  esac
}

# gql DOCUMENT [CREDENTIAL] (CRED by default).
gql() {
  curl -s -X POST "$URL" -H 'content-type: application/json' -H "$(header "${2:-$CRED}")" --data-binary "$1"
}

# wrk (2 threads) for SECONDS_PER_RUN at $3 connections with body $1 and
# credential $2: "rps p50ms cpu" (cpu: the server's CPU ms per request),
# or "0 0 n/a" when any answer was not a 2xx (the rate would mean nothing).
# wrk rather than bench/ab.sh's oha: oha was not on the machine, and wrk
# came from apt in seconds.
load_run() {
  local before after line
  before="$(cpu_ticks "$PID")"
  line="$(WRK_BODY="$1" WRK_HEADER="$(header "$2")" wrk -t 2 -c "$3" -d "${SECONDS_PER_RUN}s" \
    -s "$ROOT/bench/tokens/post.lua" "$URL" 2>/dev/null | grep '^WRK ')"
  after="$(cpu_ticks "$PID")"
  awk -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" '
    { n = $2; if (n == 0 || $4 > 0) { print "0 0 n/a"; exit }
      printf "%d %s %.3f\n", n / ($5 / 1e6), $3, ticks * 1000 / hz / n }' <<<"$line"
}

# timed KEY BODY CREDENTIAL: records the rate as KEY and CPU as "KEY cpu".
timed() {
  local rps p50 cpu
  read -r rps p50 cpu <<<"$(load_run "$2" "$3" 20)"
  [[ "$rps" == 0 ]] && log "non-200 answers for $1"
  record "$1" "$rps"
  record "$1 cpu" "$cpu"
}

ratio() { awk -v o="$1" -v n="$2" 'BEGIN { if (o + 0 > 0 && n + 0 > 0) printf "%.2f", n / o; else print "n/a" }'; }
