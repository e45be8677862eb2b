-- Roll back (traffic first) and end Aborted. Set spec.abort back to false to retry from the start.
obj.spec.abort = true
return obj
