// A duration as the plugin prints it ("4m5s", "1h2m0s", "12s"), shared by the views and messages.
#pragma once

#include <chrono>
#include <string>

namespace modelgate::plugin {

// Rounded down to seconds; a negative duration prints as "0s".
inline std::string HumanDuration(std::chrono::milliseconds d) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (secs < 0) secs = 0;
  const auto hours = secs / 3600, minutes = (secs % 3600) / 60, seconds = secs % 60;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  return out + std::to_string(seconds) + "s";
}

}  // namespace modelgate::plugin
