wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = os.getenv("Q1_BODY")
done = function(summary, latency, requests)
  io.write(string.format("RES %d %.1f %.3f %.3f %d %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
