# Shared by bench/tokens.sh and bench/tenants.sh (sourced after
# bench/rounds.sh): server start and stop, and oha with a credential, as
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

# oha for SECONDS_PER_RUN at $3 connections with body $1 and credential
# $2: "rps p50ms cpu" (cpu: the server's CPU ms per request; n/a if any
# answer was not a 200, which would make the rate meaningless).
oha_run() {
  local before after json
  before="$(cpu_ticks "$PID")"
  json="$(oha --no-tui --output-format json -w -z "${SECONDS_PER_RUN}s" -c "$3" -m POST \
    -H 'content-type: application/json' -H "$(header "$2")" -d "$1" "$URL" 2>/dev/null)"
  after="$(cpu_ticks "$PID")"
  jq -r --argjson ticks "$((after - before))" --argjson hz "$(getconf CLK_TCK)" '
    ([.statusCodeDistribution[]] | add // 0) as $n |
    if ((.statusCodeDistribution | keys) - ["200"] | length) > 0 then "0 0 n/a"
    else "\(.summary.requestsPerSec | floor) \((.latencyPercentiles.p50 // 0) * 1000 * 1000 | round / 1000) \(if $n > 0 then ($ticks * 1000 / $hz / $n * 1000 | round / 1000) else "n/a" end)" end' <<<"$json"
}

# timed KEY BODY CREDENTIAL: records the rate as KEY and CPU as "KEY cpu".
timed() {
  local rps p50 cpu
  read -r rps p50 cpu <<<"$(oha_run "$2" "$3" 20)"
  [[ "$rps" == 0 ]] && log "non-200 answers for $1"
  record "$1" "$rps"
  record "$1 cpu" "$cpu"
}

ratio() { awk -v o="$1" -v n="$2" 'BEGIN { if (o + 0 > 0 && n + 0 > 0) printf "%.2f", n / o; else print "n/a" }'; }
