-- POST /api/update_username {"new_username":"u<thread>x<counter>x<runid>"} with a Bearer token.
-- Arguments: token file, number of wrk threads, run id
dofile(os.getenv("BENCH_LUA_DIR") .. "/bearer.lua")
local n = 0
function request()
   local _, token = next_user()
   n = n + 1
   return wrk.format("POST", "/api/update_username",
                     { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
                     string.format('{"new_username":"u%dx%dx%s"}', tid, n, runid))
end
