// The version of a ModelCandidate (spec.version, or an MLflow model version) as a whole number,
// for ordering: "45" -> 45; anything that is not 1 to 15 decimal digits -> -1. Pure.
#pragma once

#include <string>

namespace modelgate::controllers {

inline long long NumericVersion(const std::string& version) {
  if (version.empty() || version.size() > 15) return -1;
  for (char c : version) {
    if (c < '0' || c > '9') return -1;
  }
  return std::stoll(version);
}

}  // namespace modelgate::controllers
