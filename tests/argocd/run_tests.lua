-- Runs Argo CD resource-customization tests with lua5.1, in the layout of the argo-cd repository:
--   <dir>/health.lua + <dir>/health_test.yaml
--     tests: [{healthStatus: {status, message}, inputPath}]
--   <dir>/actions/discovery.lua, <dir>/actions/<name>/action.lua + <dir>/actions/action_test.yaml
--     discoveryTests: [{inputPath, result: [{name, disabled}]}]   (every action, and only those)
--     actionTests: [{action, inputPath, expectedOutputPath}]       (whole object compared)
-- Paths in the test files are relative to the test file. Scripts see `obj` as Argo CD gives it and
-- may `require("os")`; os.time() and os.date() are pinned to FIXED_TIME so expected outputs are
-- deterministic.
-- Usage: lua5.1 run_tests.lua DIR...   Prints one line per case; exits 1 if any case fails or if
-- a DIR has no test at all.
local script_dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = script_dir .. "/?.lua;" .. package.path
local yaml = require("yaml_subset")

local FIXED_TIME = 1700000000  -- 2023-11-14T22:13:20Z

local passed, failed = 0, 0

local function report(ok, what, detail)
  if ok then
    passed = passed + 1
    print("PASS: " .. what)
  else
    failed = failed + 1
    print("FAIL: " .. what .. (detail and (": " .. detail) or ""))
  end
end

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

local fixed_os = {
  time = function() return FIXED_TIME end,
  date = function(format) return os.date(format or "%c", FIXED_TIME) end,
}

-- Runs a script file with `obj` bound, in a sandbox close to Argo CD's; returns its result.
local function run_script(path, object)
  local chunk, err = loadfile(path)
  if chunk == nil then error("cannot load " .. path .. ": " .. err, 0) end
  local env = {
    obj = object,
    os = fixed_os,
    require = function(name)
      if name == "os" then return fixed_os end
      error("require('" .. name .. "') is not available to Argo CD scripts", 0)
    end,
    pairs = pairs, ipairs = ipairs, next = next, type = type, tostring = tostring,
    tonumber = tonumber, string = string, table = table, math = math, error = error,
    pcall = pcall, select = select, unpack = unpack,
  }
  setfenv(chunk, env)
  return chunk()
end

-- Deep equality; returns nil when equal, else the path and the two values.
local function difference(expected, actual, path)
  if actual == nil and expected ~= nil then return path .. ": missing" end
  if type(expected) ~= type(actual) then
    return path .. ": expected " .. tostring(expected) .. " (" .. type(expected) .. "), got " ..
      tostring(actual) .. " (" .. type(actual) .. ")"
  end
  if type(expected) ~= "table" then
    if expected ~= actual then
      return path .. ": expected '" .. tostring(expected) .. "', got '" .. tostring(actual) .. "'"
    end
    return nil
  end
  for k, v in pairs(expected) do
    local d = difference(v, actual[k], path .. "." .. tostring(k))
    if d then return d end
  end
  for k, v in pairs(actual) do
    if expected[k] == nil then return path .. "." .. tostring(k) .. ": unexpected '" .. tostring(v) .. "'" end
  end
  return nil
end

local function health_tests(dir)
  local spec = yaml.read_file(dir .. "/health_test.yaml")
  if spec == nil or spec.tests == nil or #spec.tests == 0 then
    report(false, dir .. "/health_test.yaml", "no tests")
    return
  end
  for _, case in ipairs(spec.tests) do
    local name = dir .. " health " .. tostring(case.inputPath)
    local ok, result = pcall(function()
      return run_script(dir .. "/health.lua", yaml.read_file(dir .. "/" .. case.inputPath))
    end)
    if not ok then
      report(false, name, result)
    elseif type(result) ~= "table" then
      report(false, name, "health.lua returned " .. type(result))
    else
      local want = case.healthStatus or {}
      local d = difference({status = want.status, message = want.message},
                           {status = result.status, message = result.message}, "healthStatus")
      report(d == nil, name .. " -> " .. tostring(want.status), d)
    end
  end
end

local function action_tests(dir)
  local actions = dir .. "/actions"
  local spec = yaml.read_file(actions .. "/action_test.yaml")
  local cases = 0
  for _, case in ipairs((spec and spec.discoveryTests) or {}) do
    cases = cases + 1
    local name = dir .. " discovery " .. tostring(case.inputPath)
    local ok, result = pcall(function()
      return run_script(actions .. "/discovery.lua", yaml.read_file(actions .. "/" .. case.inputPath))
    end)
    if not ok then
      report(false, name, result)
    else
      local want, got = {}, {}
      for _, a in ipairs(case.result or {}) do want[a.name] = {disabled = a.disabled == true} end
      for action_name, a in pairs(result or {}) do got[action_name] = {disabled = a.disabled == true} end
      report(difference(want, got, "actions") == nil, name, difference(want, got, "actions"))
    end
  end
  for _, case in ipairs((spec and spec.actionTests) or {}) do
    cases = cases + 1
    local name = dir .. " action " .. tostring(case.action) .. " on " .. tostring(case.inputPath)
    local ok, d = pcall(function()
      local script = actions .. "/" .. case.action .. "/action.lua"
      if not exists(script) then error("no " .. script, 0) end
      local result = run_script(script, yaml.read_file(actions .. "/" .. case.inputPath))
      return difference(yaml.read_file(actions .. "/" .. case.expectedOutputPath), result, "obj")
    end)
    if not ok then report(false, name, d) else report(d == nil, name, d) end
  end
  if cases == 0 then report(false, actions .. "/action_test.yaml", "no tests") end
end

if #arg == 0 then
  io.stderr:write("usage: lua5.1 run_tests.lua CUSTOMIZATION_DIR...\n")
  os.exit(2)
end
for _, dir in ipairs(arg) do
  local any = false
  if exists(dir .. "/health_test.yaml") then any = true; health_tests(dir) end
  if exists(dir .. "/actions/action_test.yaml") then any = true; action_tests(dir) end
  if not any then report(false, dir, "no health_test.yaml or actions/action_test.yaml") end
end
print(passed .. " passed, " .. failed .. " failed")
os.exit((failed == 0 and passed > 0) and 0 or 1)
