-- wrk script of tests/bench/http.sh: sends, in turn, the raw pre-signed
-- requests of the Lua file named by its first argument (http_requests.py),
-- each thread starting at its own place.
local reqs, n, i

function init(args)
  reqs = dofile(args[1])
  n = #reqs
  i = math.random(n)
end

function request()
  i = i % n + 1
  return reqs[i]
end
