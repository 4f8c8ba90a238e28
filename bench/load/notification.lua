-- POST /payone/transaction-status: PAYONE's TransactionStatus form with a valid key (md5 of the portal key, in
-- BENCH_TS_KEY) and a distinct txid per request, so none is a replay. Counts the answers that are exactly TSOK.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
expected_body = "TSOK"
local key = os.getenv("BENCH_TS_KEY")
local portalid = os.getenv("BENCH_PORTALID")
local aid = os.getenv("BENCH_AID")
local base = tonumber(os.getenv("BENCH_TXID_BASE"))
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=ISO-8859-1"
wrk.headers["User-Agent"] = "PAYONE FinanceGate"

function request()
  n = n + 1
  local txid = base + id * 10000000 + n
  local body = "key=" .. key .. "&portalid=" .. portalid .. "&aid=" .. aid ..
    "&txaction=appointed&transaction_status=completed&mode=test&clearingtype=wlt&notify_version=7.6" ..
    "&txid=" .. txid .. "&reference=BENCH" .. txid .. "&sequencenumber=0&currency=EUR&price=30.70&balance=0.00" ..
    "&receivable=0.00&txtime=1700000000&userid=1&param=&lastname=M%FCller"
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  count_ok(status, body)
end
