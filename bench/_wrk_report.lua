-- A wrk script for the closed-loop runs of bench/request_path.py (driven by bench/_loadgen.py).
--
--   WRK_PATHS=paths.txt WRK_HEADERS=headers.txt WRK_THREADS=2 wrk -t2 -c32 -d10s -s bench/_wrk_report.lua URL
--
-- WRK_PATHS   optional: a file with one request path per line, taken round-robin; each thread starts at its
--             own offset so the threads do not ask for the same path at the same moment. Without it: the
--             URL's path.
-- WRK_HEADERS optional: a file with one 'Name: value' header per line, added to every request.
-- WRK_THREADS optional: the -t given to wrk, to spread the threads' offsets over the paths.
--
-- done() prints one JSON line. Latencies from wrk are in microseconds; the JSON gives milliseconds. They are
-- wrk 4's corrected figures: before done() wrk adds, for every latency above the mean cycle of a connection
-- (run time / requests per connection), the latencies the requests behind it would have seen (stats_correct),
-- so tails are higher than the raw samples; requests counts only real answers.
-- errors.status counts every answer outside 2xx (a redirect to the login page must not pass for a fast
-- answer); wrk's own summary.errors.status counts only status > 399 and is given apart as status_4xx_5xx.

local threads = {}
local counter = 0

local function read_lines(name)
   local lines = {}
   if not name or name == "" then
      return lines
   end
   local f = assert(io.open(name, "r"))
   for line in f:lines() do
      line = line:gsub("\r$", "")
      if line ~= "" then
         lines[#lines + 1] = line
      end
   end
   f:close()
   return lines
end

function setup(thread)
   thread:set("id", counter)
   threads[#threads + 1] = thread
   counter = counter + 1
end

function init(args)
   non2xx = 0
   for _, line in ipairs(read_lines(os.getenv("WRK_HEADERS"))) do
      local name, value = line:match("^([^:]+):%s*(.-)%s*$")
      assert(name, "WRK_HEADERS: not a 'Name: value' line: " .. line)
      wrk.headers[name] = value
   end
   local paths = read_lines(os.getenv("WRK_PATHS"))
   if #paths == 0 then
      paths = { wrk.path }
   end
   requests = {}
   for i, path in ipairs(paths) do
      requests[i] = wrk.format(nil, path)
   end
   local n_threads = tonumber(os.getenv("WRK_THREADS") or "") or (id + 1)
   n_threads = math.max(n_threads, id + 1)
   next_index = (math.floor(#requests * id / n_threads) % #requests) + 1
end

function request()
   local r = requests[next_index]
   next_index = next_index % #requests + 1
   return r
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

local function ms(us)
   return string.format("%.3f", us / 1000.0)
end

function done(summary, latency, requests)
   local non2xx_total = 0
   for _, thread in ipairs(threads) do
      non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
   end
   local duration_s = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %s, "p90_ms": %s, "p95_ms": %s, "p99_ms": %s, '
         .. '"p999_ms": %s, "max_ms": %s, "mean_ms": %s, "errors": {"connect": %d, "read": %d, "write": %d, '
         .. '"timeout": %d, "status": %d}, "status_4xx_5xx": %d}\n',
      summary.requests, duration_s, summary.requests / duration_s,
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)), ms(latency:percentile(99)),
      ms(latency:percentile(99.9)), ms(latency.max), ms(latency.mean),
      e.connect, e.read, e.write, e.timeout, non2xx_total, e.status))
end
