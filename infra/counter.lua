-- A fixed-window counter, put before each gate script that counts calls (infra/state.py).
local function over(key, limit, window)
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, window) end
  return count > tonumber(limit)
end

