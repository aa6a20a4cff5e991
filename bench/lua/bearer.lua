-- Shared by me.lua and update_username.lua: Bearer access tokens of pre-logged-in users,
-- lines "<user id> <access token>", one user per connection: request() takes a user from the
-- thread's queue, response() gives it back (found by the user id in the answer), so no two
-- requests in flight act for the same user.
-- Arguments: token file, number of wrk threads, run id (update_username only)
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local by_id = {}
function init(args)
   for _, line in ipairs(my_lines(args[1], tonumber(args[2]))) do
      local id, token = line:match("^(%d+)%s+(%S+)$")
      by_id[id] = token
      queue.push(id)
   end
   runid = args[3] or "x"
end
function next_user()
   if verify_call() then return "0", "verify" end
   local id = queue.pop()
   if not id then
      starved = starved + 1
      return "0", "starved"
   end
   return id, by_id[id]
end
function response(status, headers, body)
   if count(status) then
      local id = body:match('"id":(%d+)')
      if id and by_id[id] then queue.push(id) else non2xx = non2xx + 1 end
   end
end
