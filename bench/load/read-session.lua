-- GET /api/cv2/sessions/{workorderId}: round-robin over checkouts whose buyer has chosen on the sandbox's Amazon
-- pages (bench/load.mjs prepares them and lists their ids, one a line, in BENCH_WORKORDERS).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local ids = {}
for line in io.lines(os.getenv("BENCH_WORKORDERS")) do table.insert(ids, line) end
local n = 0

function init(args)
  n = id * 7919
end

function request()
  n = n + 1
  return wrk.format("GET", "/api/cv2/sessions/" .. ids[(n % #ids) + 1] .. "?lang=en")
end

function response(status, headers, body)
  count_ok(status, nil)
end
