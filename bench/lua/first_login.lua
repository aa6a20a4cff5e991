-- POST /api/login with a new access token (so a new user) every request:
-- "n<thread>x<counter>x<runid>"; the tokeninfo stand-in makes it user n…@bench.example.
-- Arguments: runid
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local n = 0
function init(args)
   runid = args[1]
end
function request()
   n = n + 1
   return wrk.format("POST", "/api/login", json_headers,
                     string.format('{"access_token":"n%dx%dx%s"}', tid, n, runid))
end
