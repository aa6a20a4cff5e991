-- Shared by every bench/lua script (loaded with dofile from $BENCH_LUA_DIR).
-- Counts non-2xx answers in response() per thread and prints one machine-readable line
-- in done():  BENCH requests= rps= p50_ms= p99_ms= non2xx_lua= non2xx_wrk= sock_errors= timeouts= starved=
-- Script arguments (after --): a file or run id, then the number of wrk threads.
-- BENCH_DELAY_MS (environment, bench/soak.sh): each connection waits that long before each
-- request, so the load is a fixed rate instead of as fast as the server answers.

local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause then
   function delay() return pause end
end

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("tid", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

non2xx = 0   -- per thread (each thread has its own Lua state)
starved = 0  -- requests sent without a token of their own (a chain was lost)

function count(status)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      return false
   end
   return true
end

function response(status, headers, body)
   count(status)
end

-- wrk calls request() once in thread 0, after init() and before any connection, only to check
-- the request it builds (script_verify_request); that request is never sent. A script that
-- pops a token in request() must not lose one to it: it returns true for that one call.
local verified = false
function verify_call()
   if tid == 0 and not verified then
      verified = true
      return true
   end
   return false
end

-- A FIFO queue of tokens, one per thread.
queue = { first = 1, last = 0, items = {} }
function queue.push(x)
   queue.last = queue.last + 1
   queue.items[queue.last] = x
end
function queue.pop()
   if queue.first > queue.last then return nil end
   local x = queue.items[queue.first]
   queue.items[queue.first] = nil
   queue.first = queue.first + 1
   return x
end

-- Lines of a file that belong to this thread (round robin by line number).
function my_lines(path, nthreads)
   local lines = {}
   local i = 0
   for line in io.lines(path) do
      if line ~= "" then
         if i % nthreads == tid then table.insert(lines, line) end
         i = i + 1
      end
   end
   return lines
end

json_headers = { ["Content-Type"] = "application/json" }

function done(summary, latency, requests)
   local n2, st = 0, 0
   for _, t in ipairs(threads) do
      n2 = n2 + (t:get("non2xx") or 0)
      st = st + (t:get("starved") or 0)
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx_lua=%d non2xx_wrk=%d sock_errors=%d timeouts=%d starved=%d\n",
      summary.requests, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      n2, e.status, e.connect + e.read + e.write, e.timeout, st))
end
