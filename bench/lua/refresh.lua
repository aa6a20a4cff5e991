-- POST /api/refresh along independent chains. Every line of the token file is one session's
-- refresh token; each thread takes its share into a queue. request() pops a token, response()
-- pushes the successor parsed from the answer, so every token is presented exactly once and
-- no two requests in flight ever share one (a thread has at least as many chains as
-- connections). A chain whose answer is not 200 is lost; a request that finds the queue
-- empty sends an invalid token (a visible non-2xx) and counts as "starved".
-- Arguments: token file, number of wrk threads
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function init(args)
   for _, t in ipairs(my_lines(args[1], tonumber(args[2]))) do queue.push(t) end
end
function request()
   if verify_call() then
      return wrk.format("POST", "/api/refresh", json_headers, '{"refresh_token":"verify"}')
   end
   local t = queue.pop()
   if not t then
      starved = starved + 1
      t = "starved"
   end
   return wrk.format("POST", "/api/refresh", json_headers, '{"refresh_token":"' .. t .. '"}')
end
function response(status, headers, body)
   if count(status) then
      local t = body:match('"refresh_token":"([^"]+)"')
      if t then queue.push(t) else non2xx = non2xx + 1 end
   end
end
