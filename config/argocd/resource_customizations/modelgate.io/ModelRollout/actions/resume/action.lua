-- Continue a rollout paused by spec.paused.
obj.spec.paused = false
return obj
