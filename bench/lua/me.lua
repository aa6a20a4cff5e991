-- GET /api/me with a Bearer access token. Arguments: token file, number of wrk threads
dofile(os.getenv("BENCH_LUA_DIR") .. "/bearer.lua")
function request()
   local _, token = next_user()
   return wrk.format("GET", "/api/me", { ["Authorization"] = "Bearer " .. token })
end
