-- wrk script: signed plain-mode text questions, each with its own MsgId (so none is a retry).
-- The query string (signature, timestamp, nonce) is signed once by bench/webhook.py; WeChat's
-- plain-mode signature does not cover the body.
local questions = {"废电池是什么垃圾", "请问用过的纸巾是什么垃圾？", "电池和剩饭分别扔哪",
                   "塑料瓶", "过期的药扔哪个桶", "旧衣服和玻璃瓶"}
local thread_count = 0
local counter = 0
local thread_id = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

function request()
  counter = counter + 1
  local question = questions[(counter % #questions) + 1]
  local msg_id = thread_id * 1000000000 + counter
  local body = "<xml><ToUserName><![CDATA[gh_wufei]]></ToUserName><FromUserName><![CDATA[o-bench-"
    .. (counter % 500) .. "]]></FromUserName><CreateTime>" .. os.time()
    .. "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" .. question
    .. "]]></Content><MsgId>" .. msg_id .. "</MsgId></xml>"
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/xml"}, body)
end

function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
