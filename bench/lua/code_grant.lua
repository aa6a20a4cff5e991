-- The broker's code grant without an upstream: GET /oauth/authorize?provider=guest (a new guest
-- and a Latchkey code, 302 to the game's loopback redirect), then POST /oauth/token with that
-- code and its PKCE verifier (a session). A code read from a 302 is queued in the thread and
-- redeemed by its next request; with none queued the request is a new authorization. So half
-- the requests are authorizations and half redemptions: one guest sign-in is two requests.
-- A 302 without a code, or a non-2xx token answer, counts as non-2xx.
-- No arguments.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local verifier = "bench-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
-- base64url(SHA-256(verifier)), computed once:
-- printf %s "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
local challenge = "Pav_2bL23Q_zW68HAy3C3F5IYGguFkNZtqFj79uZWmU"
local redirect = "http%3A%2F%2F127.0.0.1%3A5555%2Fcallback"
local authorize = "/oauth/authorize?response_type=code&client_id=latchkey-demo&redirect_uri=" ..
   redirect .. "&code_challenge=" .. challenge .. "&code_challenge_method=S256&state=s&provider=guest"
local form_headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
function request()
   local code = (not verify_call()) and queue.pop() or nil
   if not code then
      return wrk.format("GET", authorize)
   end
   return wrk.format("POST", "/oauth/token", form_headers,
                     "grant_type=authorization_code&client_id=latchkey-demo&redirect_uri=" ..
                     redirect .. "&code_verifier=" .. verifier .. "&code=" .. code)
end
function response(status, headers, body)
   if status == 302 then
      local location = headers["Location"] or headers["location"] or ""
      local code = location:match("[?&]code=([^&]+)")
      if code then queue.push(code) else non2xx = non2xx + 1 end
   else
      count(status)
   end
end
