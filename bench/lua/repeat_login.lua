-- POST /api/login as an existing user: token "r<k>", k uniform in 1..pool (logged in beforehand).
-- Arguments: pool size
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function init(args)
   pool = tonumber(args[1])
   math.randomseed(os.time() * 16 + tid)
end
function request()
   return wrk.format("POST", "/api/login", json_headers,
                     string.format('{"access_token":"r%d"}', math.random(1, pool)))
end
