obj.spec.size = 2
return obj
