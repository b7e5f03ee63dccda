-- wrk script for bench/tokens.sh and bench/tenants.sh: POSTs WRK_BODY with
-- the header WRK_HEADER ("name: value"), and prints one line for the
-- shell: "WRK requests p50_ms non_2xx_or_errors duration_us". Each
-- "%KEY%" in the body is replaced, request by request, by a key no other
-- request of the run sends (bench/pooler.sh's keyed creates).
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/json"
local name, value = os.getenv("WRK_HEADER"):match("^([^:]+):%s*(.*)$")
wrk.headers[name] = value

local template = wrk.body
local run = tostring(os.time())
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
if template and template:find("%KEY%", 1, true) then
  local sent = 0
  request = function()
    sent = sent + 1
    local key = string.format("%s-%s-%d", run, tostring(tid), sent)
    return wrk.format(nil, nil, nil, (template:gsub("%%KEY%%", key)))
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %.3f %d %d\n", summary.requests, latency:percentile(50) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration))
end
