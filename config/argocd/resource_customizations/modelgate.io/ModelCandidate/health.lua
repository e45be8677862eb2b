-- Argo CD health of a modelgate.io/v1alpha1 ModelCandidate (docs/argocd.md).
--   Progressing  no status yet, status for an older generation, or the gates are running
--                (Pending, ValidatingData, Training, ValidatingTraining, Evaluating, RollingOut)
--   Healthy      a settled good outcome: Ready, ChampionRetained (did not beat the champion: a
--                clean exit), Production (the champion), Archived (a former champion kept as
--                rollback target and audit record: a normal end state, not something to act on)
--   Degraded     Rejected by a gate, RolledBack, or a spec the operator refused (Invalid=True or
--                Accepted=False), with the operator's message
--   Unknown      a phase this script does not know (a newer operator): never reported as Healthy
local hs = {}

local function condition(kind)
  if obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then return c end
  end
  return nil
end

local function nonempty(s)
  return s ~= nil and s ~= ""
end

-- The operator's own summary, else the first failed gate's message, else the default.
local function message(default)
  if nonempty(obj.status.message) then return obj.status.message end
  if obj.status.gates ~= nil then
    for _, g in ipairs(obj.status.gates) do
      if (g.state == "Failed" or g.state == "Error") then
        if nonempty(g.message) then return g.name .. " " .. g.state .. ": " .. g.message end
        return g.name .. " " .. g.state
      end
    end
  end
  return default
end

if obj.status == nil or not nonempty(obj.status.phase) then
  hs.status = "Progressing"
  hs.message = "Waiting for the modelgate operator to admit the candidate"
  return hs
end

local generation = obj.metadata.generation or 0
local observed = obj.status.observedGeneration or 0
if observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation ..
    " (status is for generation " .. observed .. ")"
  return hs
end

local invalid = condition("Invalid")
if invalid ~= nil and invalid.status == "True" then
  hs.status = "Degraded"
  hs.message = nonempty(invalid.message) and invalid.message or "The operator refused the spec (Invalid)"
  return hs
end
local accepted = condition("Accepted")
if accepted ~= nil and accepted.status == "False" then
  hs.status = "Degraded"
  hs.message = nonempty(accepted.message) and accepted.message or "The operator did not accept the spec"
  return hs
end

local phase = obj.status.phase
local progressing = {Pending = true, ValidatingData = true, Training = true, ValidatingTraining = true,
                     Evaluating = true, RollingOut = true}
local healthy = {Ready = true, ChampionRetained = true, Production = true, Archived = true}
local degraded = {Rejected = true, RolledBack = true}

if progressing[phase] then
  hs.status = "Progressing"
  local default = phase
  if nonempty(obj.status.currentGate) then default = phase .. " (gate " .. obj.status.currentGate .. ")" end
  hs.message = message(default)
elseif healthy[phase] then
  hs.status = "Healthy"
  hs.message = message(phase)
elseif degraded[phase] then
  hs.status = "Degraded"
  hs.message = message(phase)
else
  hs.status = "Unknown"
  hs.message = "Unknown phase '" .. phase .. "'"
end
return hs
