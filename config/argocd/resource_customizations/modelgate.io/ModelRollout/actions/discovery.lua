-- Argo CD actions of a modelgate.io/v1alpha1 ModelRollout, enabled when they make sense in the
-- current phase (the same rules as `kubectl modelgate promote|abort|pause|resume`):
--   promote  Shadowing, Canary or Paused: skip the remaining steps and promote
--   abort    until the rollout has ended (RolledBack, Aborted, Failed), unless already requested
--   pause    before Promoting, unless spec.paused is already true
--   resume   when spec.paused is true (a rollout Paused by its analysis is resumed by fixing the
--            metrics' data, or aborted)
local actions = {}
local phase = ""
if obj.status ~= nil and obj.status.phase ~= nil then phase = obj.status.phase end
local paused = obj.spec ~= nil and obj.spec.paused == true
local aborting = obj.spec ~= nil and obj.spec.abort == true

local function oneof(value, set)
  for _, v in ipairs(set) do
    if value == v then return true end
  end
  return false
end

actions["promote"] = {["disabled"] = not oneof(phase, {"Shadowing", "Canary", "Paused"})}
actions["abort"] = {["disabled"] = aborting or oneof(phase, {"RolledBack", "Aborted", "Failed"})}
actions["pause"] = {["disabled"] = paused or
  oneof(phase, {"Promoting", "Promoted", "RollingBack", "RolledBack", "Aborted", "Failed"})}
actions["resume"] = {["disabled"] = not paused}
return actions
