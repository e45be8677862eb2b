// A training log: one record per step with numeric fields (loss, grad_norm, ...) and the final
// metrics. Formats:
//  - JSON Lines: one object per line. An object with a "metrics" object holds final metrics (the
//    last such object wins); every other object is a step. Python's non-standard NaN, Infinity and
//    -Infinity tokens are accepted (json.dumps writes them) so that a NaN loss is seen, not a
//    parse error.
//  - CSV: one row per step; numeric columns are fields ("nan" and "inf" read as such).
// A metric's final value is taken from the final "metrics" object, else from the last step that
// logged a field of that name.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gates/common/status.h"
#include "gates/io/byte_source.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

struct LogSeries {
  std::vector<double> values;   // per step; NaN also for "absent" (see present)
  std::vector<uint8_t> present; // 1 where the step logged this field
};

struct TrainingLog {
  std::string source_name;
  int64_t steps = 0;
  std::vector<double> step_numbers;  // the "step" field when logged, else the 0-based index
  std::vector<int64_t> lines;        // source line of each step
  std::map<std::string, LogSeries> fields;
  std::map<std::string, double> final_metrics;
  // The final value of `name`: final_metrics, else the last logged value; nullopt if never logged.
  std::optional<double> FinalValue(const std::string& name) const;
};

// Reads the whole log (training logs are small: one line per step). Errors name source and line.
Result<TrainingLog> ReadTrainingLog(std::unique_ptr<ByteSource> source, DataFormat format,
                                    const std::string& step_field = "step");

// Rewrites bare NaN / Infinity / -Infinity tokens outside strings as JSON strings. Exposed for tests.
std::string QuoteNonFiniteTokens(const std::string& line);

}  // namespace modelgate::gates
