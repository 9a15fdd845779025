-- wrk script: one-row homework submissions (POST /api/v1/datasets/homework/rows)
-- as a teacher would send them from the daily-homework form. Every request
-- is a new (class, date) key, so each one inserts a row, writes its imports
-- row and audit entry and runs the re-check.
--
--   CLASSES=12,13,14 COOKIE='edugov_session=…' CSRF=… wrk -t2 -c64 -d30s -s bench/server/submit.lua URL
--
-- CLASSES: the class ids the signed-in user may submit for (comma-separated).
-- Thread t of wrk takes its own span of dates (t × 4000 days on from
-- 2030-01-01), so keys never collide between threads.
local classes = {}
for id in string.gmatch(os.getenv("CLASSES") or "", "[^,]+") do classes[#classes + 1] = id end
local cookie = os.getenv("COOKIE") or ""
local csrf = os.getenv("CSRF") or ""
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0
local base = os.time({year = 2030, month = 1, day = 1, hour = 12})

function request()
  local class = classes[(n % #classes) + 1]
  local day = (tid or 0) * 4000 + math.floor(n / #classes)
  n = n + 1
  local date = os.date("!%Y-%m-%d", base + day * 86400)
  local body = string.format('{"class_id": "%s", "date": "%s", "written_minutes": %d}', class, date, 30 + n % 60)
  return wrk.format("POST", "/api/v1/datasets/homework/rows",
                    {["Content-Type"] = "application/json", ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf}, body)
end

-- Counts non-2xx answers by status so the summary shows what failed.
local failures = {}
function response(status, headers, body)
  if status >= 300 then
    failures[status] = (failures[status] or 0) + 1
    if failures[status] == 1 then io.stderr:write("HTTP " .. status .. ": " .. body .. "\n") end
  end
end
