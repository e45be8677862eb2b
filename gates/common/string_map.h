// A hash map keyed by std::string that can be probed with a std::string_view without allocating
// (C++20 heterogeneous lookup); the per-row category counting of gates 1 and 3 uses it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace modelgate::gates {

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, StringViewHash, std::equal_to<>>;

}  // namespace modelgate::gates
