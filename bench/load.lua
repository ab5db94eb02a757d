-- wrk script of bench/bench_load.py: each thread walks the list of paths (one per line, in
-- the weighted order the benchmark wrote) from its own offset, sends the header the reverse
-- proxy would (X-Forwarded-Proto: https), and the summary is printed as one JSON line.
local paths = {}
local position = 0
local headers = { ["X-Forwarded-Proto"] = "https" }
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count * 7919)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  position = (offset or 0) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_ms": {"p50": %.2f, "p90": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f, "mean": %.2f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
