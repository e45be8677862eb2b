-- Unit tests of yaml_subset.lua: what it reads, and what it refuses with FILE:LINE.
local script_dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = script_dir .. "/?.lua;" .. package.path
local yaml = require("yaml_subset")
local passed, failed = 0, 0
local function check(what, ok, detail)
  if ok then passed = passed + 1 else failed = failed + 1; print("FAIL: " .. what .. " " .. tostring(detail or "")) end
end

local doc = yaml.parse([[
---
# comment
a: 1
b: -2.5
c: "x: \"y\" # not a comment"
d: 'it''s'
e: plain text: with colon # comment
f: true
g: ~
h: {}
list:
- one
- k: v
  k2:
    deep: []
]], "inline")
check("integer", doc.a == 1)
check("decimal", doc.b == -2.5)
check("double-quoted with escapes and #", doc.c == 'x: "y" # not a comment', doc.c)
check("single-quoted with ''", doc.d == "it's", doc.d)
check("plain scalar with ': ' and a trailing comment", doc.e == "plain text: with colon", doc.e)
check("boolean", doc.f == true)
check("null", doc.g == nil)
check("empty mapping", type(doc.h) == "table" and next(doc.h) == nil)
check("sequence of scalars and mappings", doc.list[1] == "one" and doc.list[2].k == "v")
check("nested mapping under a sequence item", type(doc.list[2].k2) == "table")
check("empty sequence", type(doc.list[2].k2.deep) == "table" and next(doc.list[2].k2.deep) == nil)

local function refuses(text, expected)
  local ok, err = pcall(yaml.parse, text, "t.yaml")
  check("refuses: " .. expected, not ok and tostring(err):find(expected, 1, true) ~= nil, err)
end
refuses("a: [1, 2]\n", "t.yaml:1: unsupported YAML: flow collection")
refuses("a: &x 1\n", "t.yaml:1: unsupported YAML")
refuses("a: |\n  text\n", "t.yaml:1: unsupported YAML: block scalar")
refuses("a: 1\n---\nb: 2\n", "t.yaml:2: unsupported YAML: more than one document")
refuses("a:\n\tb: 1\n", "t.yaml:2: unsupported YAML: tab character")
refuses("a: 1\na: 2\n", "t.yaml:2: duplicate key 'a'")
refuses("a: 1\n  b: 2\n", "t.yaml:2: unexpected indentation")
refuses('a: "open\n', "t.yaml:1: unterminated double-quoted string")
refuses("- - nested\n", "t.yaml:1: unsupported YAML: a sequence on the line of its parent item")

print("yaml_subset: " .. passed .. " passed, " .. failed .. " failed")
os.exit(failed == 0 and 0 or 1)
