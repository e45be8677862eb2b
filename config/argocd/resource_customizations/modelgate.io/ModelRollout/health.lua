-- Argo CD health of a modelgate.io/v1alpha1 ModelRollout (docs/argocd.md).
--   Progressing  no status yet, status for an older generation, or Pending, Shadowing, Canary,
--                Promoting
--   Suspended    Paused (spec.paused, or the analysis paused it for lack of data: a human resumes
--                or aborts)
--   Healthy      Promoted
--   Degraded     RollingBack, RolledBack, Aborted, Failed, or a spec the operator refused
--                (Invalid=True or Accepted=False), with the operator's message
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

local function message(default)
  if nonempty(obj.status.message) then return obj.status.message end
  return default
end

if obj.status == nil or not nonempty(obj.status.phase) then
  hs.status = "Progressing"
  hs.message = "Waiting for the modelgate operator to admit the rollout"
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
local degraded = {RollingBack = true, RolledBack = true, Aborted = true, Failed = true}

if phase == "Pending" then
  hs.status = "Progressing"
  hs.message = message("Waiting for the candidate to be Ready")
elseif phase == "Shadowing" then
  hs.status = "Progressing"
  hs.message = message("Shadowing: " .. (obj.status.shadowPercent or 0) .. "% of traffic mirrored to the challenger")
elseif phase == "Canary" then
  hs.status = "Progressing"
  hs.message = message("Canary step " .. (obj.status.currentStep or 0) .. ": " ..
    (obj.status.canaryWeight or 0) .. "% of traffic on the challenger")
elseif phase == "Promoting" then
  hs.status = "Progressing"
  hs.message = message("Promoting the challenger")
elseif phase == "Paused" then
  hs.status = "Suspended"
  hs.message = message("Paused")
elseif phase == "Promoted" then
  hs.status = "Healthy"
  hs.message = message("Promoted")
elseif degraded[phase] then
  hs.status = "Degraded"
  hs.message = message(phase)
else
  hs.status = "Unknown"
  hs.message = "Unknown phase '" .. phase .. "'"
end
return hs
