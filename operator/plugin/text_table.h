// TextTable: left-aligned columns separated by two spaces, like `kubectl get`. Cells are plain
// text; an empty cell prints as "-" so that columns stay readable. Not thread-safe (a value).
#pragma once

#include <string>
#include <vector>

namespace modelgate::plugin {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : rows_{std::move(header)} {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // The table, each line prefixed by `indent` and ending in '\n'; trailing spaces trimmed.
  std::string Render(const std::string& indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace modelgate::plugin
