-- A reader for the subset of YAML the Argo CD customization tests use, so that the tests need only
-- lua5.1 from Debian (no YAML library). Supported:
--   block mappings ("key: value", "key:" followed by an indented block), block sequences ("- x",
--   "- key: value" starting a mapping item), plain scalars, 'single' and "double" quoted scalars
--   (\" \\ \n \t escapes), integers and decimals, true/false, null/~, the empty collections {} and
--   [], comments (whole line, or " #" after a value), and a leading "---".
-- Anything else (flow collections with content, anchors, block scalars, multi-document files,
-- tabs) is refused with "FILE:LINE: unsupported YAML: …", never guessed.
-- Empty mappings and sequences both become an empty Lua table, as they do in Argo CD.
local M = {}

local function fail(file, lineno, what)
  error(file .. ":" .. lineno .. ": " .. what, 0)
end

-- Strips a trailing comment that is outside quotes.
local function strip_comment(text)
  local quote = nil
  for i = 1, #text do
    local ch = text:sub(i, i)
    if quote then
      if ch == quote and (quote == "'" or text:sub(i - 1, i - 1) ~= "\\") then quote = nil end
    elseif ch == "'" or ch == '"' then
      quote = ch
    elseif ch == "#" and (i == 1 or text:sub(i - 1, i - 1):match("%s")) then
      return (text:sub(1, i - 1):gsub("%s+$", ""))
    end
  end
  return (text:gsub("%s+$", ""))
end

local function scalar(text, file, lineno)
  if text == "" or text == "null" or text == "~" then return nil end
  if text == "{}" or text == "[]" then return {} end
  if text == "true" then return true end
  if text == "false" then return false end
  local first = text:sub(1, 1)
  if first == '"' then
    if text:sub(-1) ~= '"' or #text < 2 then fail(file, lineno, "unterminated double-quoted string") end
    local body = text:sub(2, -2)
    local escapes = {n = "\n", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/"}
    return (body:gsub("\\(.)", function(c)
      if escapes[c] == nil then fail(file, lineno, "unsupported YAML: escape \\" .. c) end
      return escapes[c]
    end))
  end
  if first == "'" then
    if text:sub(-1) ~= "'" or #text < 2 then fail(file, lineno, "unterminated single-quoted string") end
    return (text:sub(2, -2):gsub("''", "'"))
  end
  if first == "{" or first == "[" then fail(file, lineno, "unsupported YAML: flow collection " .. text) end
  if first == "&" or first == "*" or first == "!" then fail(file, lineno, "unsupported YAML: " .. text) end
  if first == "|" or first == ">" then fail(file, lineno, "unsupported YAML: block scalar") end
  if text == "-" or text:sub(1, 2) == "- " then
    fail(file, lineno, "unsupported YAML: a sequence on the line of its parent item")
  end
  if text:match("^%-?%d+$") or text:match("^%-?%d+%.%d+$") then return tonumber(text) end
  return text
end

-- Splits "key: rest" (key plain or quoted); nil when the text is not a mapping entry.
local function split_key(text)
  local key, rest = text:match('^"([^"]*)":%s*(.*)$')
  if key == nil then key, rest = text:match("^'([^']*)':%s*(.*)$") end
  if key == nil then
    key, rest = text:match("^([^%s:'\"][^:]-):%s+(.*)$")
    if key == nil then key = text:match("^([^%s:'\"][^:]-):$"); rest = "" end
  end
  return key, rest
end

-- lines: array of {indent, text, lineno}; parses the block starting at lines[pos] with exactly
-- `indent` and returns value, next position.
local function parse_block(lines, pos, indent, file)
  local line = lines[pos]
  if line.text:sub(1, 2) == "- " or line.text == "-" then
    local list = {}
    while pos <= #lines and lines[pos].indent == indent and
          (lines[pos].text:sub(1, 2) == "- " or lines[pos].text == "-") do
      local item = lines[pos]
      local rest = item.text == "-" and "" or item.text:sub(3):gsub("^%s+", "")
      if rest == "" then
        if pos + 1 <= #lines and lines[pos + 1].indent > indent then
          local value
          value, pos = parse_block(lines, pos + 1, lines[pos + 1].indent, file)
          list[#list + 1] = value
        else
          list[#list + 1] = nil
          pos = pos + 1
        end
      elseif split_key(rest) ~= nil then
        -- "- key: value": a mapping whose first entry sits after the dash; the following
        -- entries are indented to the column of that key.
        local inner = indent + (#item.text - #rest)
        lines[pos] = {indent = inner, text = rest, lineno = item.lineno}
        local value
        value, pos = parse_block(lines, pos, inner, file)
        list[#list + 1] = value
      else
        list[#list + 1] = scalar(rest, file, item.lineno)
        pos = pos + 1
      end
    end
    if pos <= #lines and lines[pos].indent > indent then
      fail(file, lines[pos].lineno, "unexpected indentation")
    end
    return list, pos
  end

  local map = {}
  while pos <= #lines and lines[pos].indent == indent do
    local entry = lines[pos]
    if entry.text:sub(1, 2) == "- " then fail(file, entry.lineno, "a sequence item where a mapping entry was expected") end
    local key, rest = split_key(entry.text)
    if key == nil then fail(file, entry.lineno, "expected 'key: value', got '" .. entry.text .. "'") end
    if map[key] ~= nil then fail(file, entry.lineno, "duplicate key '" .. key .. "'") end
    if rest == "" then
      local nxt = lines[pos + 1]
      if nxt ~= nil and (nxt.indent > indent or
                         (nxt.indent == indent and nxt.text:sub(1, 2) == "- ")) then
        map[key], pos = parse_block(lines, pos + 1, nxt.indent, file)
      else
        pos = pos + 1  -- "key:" with nothing below: null
      end
    else
      map[key] = scalar(rest, file, entry.lineno)
      pos = pos + 1
    end
  end
  if pos <= #lines and lines[pos].indent > indent then
    fail(file, lines[pos].lineno, "unexpected indentation")
  end
  return map, pos
end

-- Parses YAML text; `file` names it in errors. Returns the document (nil for an empty one).
function M.parse(text, file)
  local lines = {}
  local lineno = 0
  for raw in (text .. "\n"):gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    if raw:find("\t") then fail(file, lineno, "unsupported YAML: tab character") end
    local body = strip_comment(raw)
    if body == "---" and #lines == 0 then
      body = ""
    elseif body == "---" or body == "..." then
      fail(file, lineno, "unsupported YAML: more than one document")
    end
    if body:match("%S") then
      local spaces = body:match("^( *)")
      lines[#lines + 1] = {indent = #spaces, text = body:sub(#spaces + 1), lineno = lineno}
    end
  end
  if #lines == 0 then return nil end
  local value, pos = parse_block(lines, 1, lines[1].indent, file)
  if pos <= #lines then fail(file, lines[pos].lineno, "unexpected text at a lower indentation") end
  return value
end

function M.read_file(path)
  local f, err = io.open(path, "r")
  if f == nil then error(err, 0) end
  local text = f:read("*a")
  f:close()
  return M.parse(text, path)
end

return M
