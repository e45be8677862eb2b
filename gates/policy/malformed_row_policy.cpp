#include "gates/policy/malformed_row_policy.h"

namespace modelgate::gates {

const std::vector<std::string> kMalformedRowKeys = {"on_malformed_row", "max_malformed_rows",
                                                    "max_malformed_rate"};

Status ParseMalformedRowPolicy(const YamlFields& y, const YAML::Node& root, MalformedRowPolicy* out) {
  if (root["on_malformed_row"].IsDefined()) {
    auto mode = y.Text(root["on_malformed_row"], "on_malformed_row");
    if (!mode.ok()) return mode.status();
    if (*mode != "error" && *mode != "count") {
      return y.Error(root["on_malformed_row"], "on_malformed_row",
                     "expected 'error' or 'count', got '" + *mode + "'");
    }
    out->count = *mode == "count";
  }
  if (root["max_malformed_rows"].IsDefined()) {
    auto n = y.Integer(root["max_malformed_rows"], "max_malformed_rows");
    if (!n.ok()) return n.status();
    if (*n < 0) return y.Error(root["max_malformed_rows"], "max_malformed_rows", "must not be negative");
    out->max_rows = *n;
  }
  if (Status s = y.OptionalNumber(root, "max_malformed_rate", "", &out->max_rate); !s.ok()) {
    return s;
  }
  if (out->max_rate && !(*out->max_rate >= 0 && *out->max_rate <= 1)) {
    return y.Error(root["max_malformed_rate"], "max_malformed_rate", "expected a share between 0 and 1");
  }
  const bool limited = out->max_rows || out->max_rate;
  if (out->count && !limited) {
    return y.Error(root["on_malformed_row"], "on_malformed_row",
                   "'count' needs max_malformed_rows and/or max_malformed_rate (how many malformed "
                   "rows may be left out before the gate fails)");
  }
  if (!out->count && limited) {
    return y.Error(root[out->max_rows ? "max_malformed_rows" : "max_malformed_rate"],
                   out->max_rows ? "max_malformed_rows" : "max_malformed_rate",
                   "only applies with on_malformed_row: count (the default, error, stops at the "
                   "first malformed row)");
  }
  return Status::Ok();
}

}  // namespace modelgate::gates
