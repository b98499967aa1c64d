-- wrk script: signed plain-mode text questions, each with its own MsgId and its own signed query
-- (the webhook refuses a signed URL that comes again with another body). bench/webhook.py writes
-- the requests to the file named by the environment variable BENCH_REQUESTS, one per line:
-- "<query string>\t<body>", with @NOW@ for CreateTime; each wrk thread takes every other line.
-- The JSON summary both scripts print (wrk runs from the repository's root).
dofile("bench/summary.lua")

-- BENCH_DELAY_MS paces it: each connection waits that long before each request.
local requests = {}
local pace = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pace then
  function delay() return pace end
end
local thread_count = 0
local index = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  thread:set("threads", 0)
end

function init(args)
  local n = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    n = n + 1
    if n % 2 == thread_id % 2 then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = {line:sub(1, tab - 1), line:sub(tab + 1)}
    end
  end
end

function request()
  index = index % #requests + 1
  local query, body = requests[index][1], requests[index][2]:gsub("@NOW@", tostring(os.time()))
  return wrk.format("POST", wrk.path .. "?" .. query, {["Content-Type"] = "application/xml"}, body)
end
