-- wrk: POST a comment with a body no other request sends, as JSON.
-- Porch (format "porch") and Isso (format "isso") name their fields differently.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  format = args[1] or "porch"
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Origin"] = "http://blog.bench"
  wrk.headers["Referer"] = "http://blog.bench/bench/"
end

function request()
  counter = counter + 1
  local name = string.format("Reader %d-%d", id, counter)
  local text = string.format("Question %d from connection group %d: how does it scale?", counter, id)
  local body
  if format == "isso" then
    body = string.format('{"author":"%s","text":"%s","title":"Bench"}', name, text)
  else
    body = string.format('{"author_name":"%s","body":"%s","fill_seconds":30}', name, text)
  end
  return wrk.format(nil, nil, nil, body)
end
