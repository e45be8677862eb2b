-- Ask the operator to skip the remaining steps and promote the challenger now: a new value of the
-- modelgate.io/promote annotation is one request (the operator acts once per value).
local os = require("os")
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
obj.metadata.annotations["modelgate.io/promote"] = "argocd-" .. os.time()
return obj
