-- Hold where it is: traffic unchanged, soak clock stopped.
obj.spec.paused = true
return obj
