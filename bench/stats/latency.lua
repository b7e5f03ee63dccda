-- wrk script for bench/stats.sh: POSTs WRK_BODY with the header
-- WRK_HEADER ("name: value"), and prints one line for the shell:
-- "LAT requests p50_ms p95_ms p99_ms non_2xx_or_errors duration_us".
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/json"
local name, value = os.getenv("WRK_HEADER"):match("^([^:]+):%s*(.*)$")
wrk.headers[name] = value

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LAT %d %.3f %.3f %.3f %d %d\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration))
end
