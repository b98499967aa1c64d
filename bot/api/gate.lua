-- The API's one round trip before answering a call (bot/api/gate.py).
-- KEYS: 1 the client IP's counter, 2 the signed-in user's counter ('' for none), 3.. keys the
--       answer will read.
-- ARGV: 1 IP limit, 2 IP window, 3 user limit, 4 user window.
-- over(key, limit, window): infra/counter.lua, put before this script.
if over(KEYS[1], ARGV[1], ARGV[2]) then return {'too_many', redis.call('TTL', KEYS[1])} end
local result = {'ok', 0}
if KEYS[2] ~= '' and over(KEYS[2], ARGV[3], ARGV[4]) then result[2] = 1 end
for i = 3, #KEYS do result[#result + 1] = redis.call('GET', KEYS[i]) end
return result
