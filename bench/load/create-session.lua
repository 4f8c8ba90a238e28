-- POST /api/cv2/sessions: a cart of two mugs and a T-shirt; the server prices it and asks PAYONE (the sandbox's
-- simulator) for a checkout session.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"items":[{"sku":"mug","quantity":2},{"sku":"tshirt","quantity":1}],"language":"en"}'

function response(status, headers, body)
  count_ok(status, nil)
end
