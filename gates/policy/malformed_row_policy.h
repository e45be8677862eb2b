// Parses the malformed-row keys shared by the gate-1 and gate-3 policies (semantics in
// gates/io/malformed_rows.h and docs/policy.md):
//   on_malformed_row: error | count, max_malformed_rows: N, max_malformed_rate: 0..1
// `count` needs at least one limit, and a limit is only meaningful with `count`: both mistakes
// are policy errors, so a typo can never turn counting into silent skipping.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "gates/common/status.h"
#include "gates/io/malformed_rows.h"
#include "gates/policy/yaml_fields.h"

namespace modelgate::gates {

// The top-level keys this parser reads, for the policies' allowed-key lists.
extern const std::vector<std::string> kMalformedRowKeys;

Status ParseMalformedRowPolicy(const YamlFields& y, const YAML::Node& root, MalformedRowPolicy* out);

}  // namespace modelgate::gates
