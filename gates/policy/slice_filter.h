// The slice filter language of eval_slices.yaml, e.g.
//   platform == 'mobile'
//   account_age_days < 30 and region in ['EU', 'UK']
//   not (country is null) or tier != "gold"
//
// Grammar (keywords are case-insensitive):
//   expr       := and_expr ( 'or' and_expr )*
//   and_expr   := not_expr ( 'and' not_expr )*
//   not_expr   := 'not' not_expr | '(' expr ')' | predicate
//   predicate  := column ( op literal | ['not'] 'in' '[' literal (',' literal)* ']'
//                        | 'is' ['not'] 'null' )
//   op         := '==' | '!=' | '<' | '<=' | '>' | '>='
//   column     := identifier ([A-Za-z_][A-Za-z0-9_.]*) or `any text in backquotes`
//   literal    := number | 'text' | "text"   (a quote inside is written twice: 'O''Brien')
//
// Semantics: a number literal compares the field as a number (a field that is not a number is an
// input error naming the line); a text literal compares the field's text exactly (byte order for
// < and >). Null fields follow SQL's three-valued logic: any comparison with null is unknown,
// `not unknown` is unknown, `false and unknown` is false, `true or unknown` is true; a row belongs
// to the slice only when the filter is true. `is null` / `is not null` test nullness.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gates/common/status.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

enum class Truth : uint8_t { kFalse, kTrue, kUnknown };

struct FilterNode;

class SliceFilter {
 public:
  // Parses `text`. On error the message names `context` (e.g. "policy eval_slices.yaml:
  // slices[0].filter") and points at the character with a caret line.
  static Result<SliceFilter> Parse(const std::string& text, const std::string& context);

  // Column names the filter reads, in first-use order.
  const std::vector<std::string>& columns() const { return columns_; }
  const std::string& text() const { return text_; }

  // Binds column names to positions in `data_columns`; an unknown column is an error naming it
  // and suggesting the nearest existing column.
  Status Bind(const std::vector<std::string>& data_columns, const std::string& data_name);

  // Evaluates on one record (after Bind). A number comparison on a non-numeric field sets
  // *error (naming the source and line) and returns kUnknown.
  Truth Evaluate(const Record& record, const std::string& source_name, Status* error) const;

  SliceFilter(SliceFilter&&) noexcept;
  SliceFilter& operator=(SliceFilter&&) noexcept;
  ~SliceFilter();

 private:
  SliceFilter();
  std::string text_;
  std::string context_;
  std::vector<std::string> columns_;
  std::vector<int> bound_;  // column position in the data, per entry of columns_
  std::unique_ptr<FilterNode> root_;
};

}  // namespace modelgate::gates
