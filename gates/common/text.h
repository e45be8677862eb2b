// Small text helpers shared by the readers, the policy parser and the reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modelgate::gates {

// Parses a whole field as a decimal or scientific number ("12", "-0.5", "1e-3", " 3 " is NOT
// accepted: surrounding spaces are part of the field). Accepts "nan", "inf", "-inf" (any case)
// so that callers can reject them with a precise message. Returns nullopt for anything else.
std::optional<double> ParseNumber(std::string_view text);

// True when `text` ends with `suffix`.
bool EndsWith(std::string_view text, std::string_view suffix);

// Shortest text that reads back as the same double ("0.1", "1e-09"); "nan", "inf", "-inf".
std::string FormatNumber(double value);

// Fixed-precision text for tables ("0.8712"); "n/a" for NaN.
std::string FormatFixed(double value, int digits);

// Levenshtein distance, used to suggest the nearest known name for a typo.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or empty when none is within a plausible distance (at most
// max(2, |word|/3) edits) or shares its first 3+ characters as a whole prefix ("minimum" -> "min").
std::string NearestName(std::string_view word, const std::vector<std::string>& candidates);

// Truncates long user text for error messages ("abc…" after 40 bytes).
std::string Shorten(std::string_view text, size_t max_bytes = 40);

// `text` cut to at most `max_bytes` bytes without splitting a UTF-8 character; when cut, it ends
// in "..." (within the bound). Invalid UTF-8 bytes are kept as they are. For values with a hard
// size limit (Kubernetes fields, MLflow tags).
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace modelgate::gates
