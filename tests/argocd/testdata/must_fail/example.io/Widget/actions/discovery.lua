local actions = {}
actions["noop"] = {["disabled"] = false}
return actions
