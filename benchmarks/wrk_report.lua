-- wrk script: count answers other than 200 (a lost session answers 302) and print p95.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  io.write(string.format("BENCH p95_ms=%.3f p50_ms=%.3f requests=%d not_200=%d errors=%d\n",
    latency:percentile(95) / 1000, latency:percentile(50) / 1000, summary.requests, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
