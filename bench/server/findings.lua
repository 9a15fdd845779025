-- wrk script: a school's findings page as the web UI loads it
-- (web/src/views/compliance/ComplianceView.vue: GET /api/v1/findings with
-- limit=20 and the page's offset, optionally filtered by status), cycling
-- over the pages and filters so the server answers several distinct
-- queries, as a school's users paging through their findings would.
--
--   COOKIE='edugov_session=…' PATHS='/api/v1/findings?limit=20&offset=0 …' \
--     wrk -t2 -c64 -d30s -s bench/server/findings.lua URL
--
-- PATHS: space-separated request targets (default: the first page).
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "", "%S+") do paths[#paths + 1] = p end
if #paths == 0 then paths[1] = "/api/v1/findings?limit=20&offset=0" end
local headers = {["Cookie"] = os.getenv("COOKIE") or "", ["Accept"] = "application/json"}
local n = 0

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end
