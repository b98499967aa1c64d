-- The webhook's one round trip before answering a message (bot/webhook/gate.py).
-- KEYS: 1 the signed URL's body digest, 2 the client IP's counter, 3 the message's claim,
--       4 its stored answer, 5 the sender's counter, 6.. keys the answer will read.
-- ARGV: 1 digest, 2 digest ttl, 3 IP limit, 4 IP window, 5 claim ttl, 6 sender limit, 7 window.
-- over(key, limit, window): infra/counter.lua, put before this script.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'reused'} end
end
if over(KEYS[2], ARGV[3], ARGV[4]) then return {'too_many'} end
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[5]) then
  return {'retry', redis.call('GET', KEYS[4])}
end
if over(KEYS[5], ARGV[6], ARGV[7]) then return {'too_fast'} end
local result = {'new', false}
for i = 6, #KEYS do result[#result + 1] = redis.call('GET', KEYS[i]) end
return result
