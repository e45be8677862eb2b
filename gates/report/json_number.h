// JSON numbers for reports: NaN and infinities (which JSON cannot encode) become null.
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace modelgate::gates {

inline nlohmann::ordered_json JsonNumber(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

}  // namespace modelgate::gates
