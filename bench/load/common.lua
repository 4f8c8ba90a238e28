-- Shared by the wrk scripts (loaded with dofile): per-thread counters and one JSON line of results at the end,
-- which bench/load.mjs reads. Latencies are in microseconds.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

ok = 0
function count_ok(status, body)
  if status == 200 and (expected_body == nil or body == expected_body) then ok = ok + 1 end
end

function done(summary, latency, requests)
  local answered_ok = 0
  for _, t in ipairs(threads) do answered_ok = answered_ok + (t:get("ok") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"ok":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, answered_ok, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
