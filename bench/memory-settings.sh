#!/bin/bash
# Anonymous memory over 4 minutes of think-time-0 load on SQLite, once per
# setting: which per-connection cache the soak's growth comes from.
# Usage: BIN=path/to/agentgraph LT=path/to/loadtest bench/memory-settings.sh
BIN="${BIN:-target/release/agentgraph}"; LT="${LT:-target/release/loadtest}"
for setting in "--statement-cache 0" "--statement-cache 100" "--sqlite-cache-kib 256"; do
  rm -f /tmp/memexp.db*
  $BIN --database-url 'sqlite:///tmp/memexp.db?mode=rwc' serve --listen 127.0.0.1:8350 $setting >/dev/null 2>&1 &
  PID=$!; sleep 1
  $LT --url http://127.0.0.1:8350/graphql --think-time 0 --duration 240s --users 20 --max-p95-ms 600000 --max-failure-rate 100 >/dev/null 2>&1 &
  LPID=$!
  line="$setting:"
  for t in 30 60 120 180 235; do
    while (( $(ps -o etimes= -p $LPID 2>/dev/null || echo 999) < t )); do sleep 1; done
    line+=" t$t=$(awk '/RssAnon/ {printf "%.1f", $2/1024}' /proc/$PID/status)"
  done
  wait $LPID; kill $PID; wait $PID 2>/dev/null
  echo "$line db=$(du -m /tmp/memexp.db | cut -f1)MB"
done
