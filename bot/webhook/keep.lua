-- The webhook's one round trip after answering a message (bot/webhook/retries.py: keep).
-- KEYS: 1 the message's stored answer, 2 the ledger's stream, 3.. keys the handler set soon.
-- ARGV: 1 answer, 2 its ttl, 3 the number of ledger records, 4 the fields of one record (names
--       and values), then each record's names and values, then a value and a ttl per KEYS[3..].
local unpack = unpack or table.unpack
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local width, at = tonumber(ARGV[4]), 5
for _ = 1, tonumber(ARGV[3]) do
  redis.call('XADD', KEYS[2], '*', unpack(ARGV, at, at + width - 1))
  at = at + width
end
for i = 3, #KEYS do
  redis.call('SET', KEYS[i], ARGV[at], 'EX', ARGV[at + 1])
  at = at + 2
end
