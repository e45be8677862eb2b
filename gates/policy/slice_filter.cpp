#include "gates/policy/slice_filter.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "gates/common/text.h"

namespace modelgate::gates {

struct Literal {
  bool is_number = false;
  double number = 0;
  std::string text;
};

enum class NodeKind { kOr, kAnd, kNot, kCompare, kIn, kIsNull };
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

// Evaluation, binding and destruction recurse over the tree, so its depth is bounded (a policy's
// filter is input: "((((..." must be an error, not a stack overflow).
constexpr int kMaxFilterDepth = 256;

struct FilterNode {
  NodeKind kind;
  int depth = 1;                            // levels of nodes from this one down
  std::unique_ptr<FilterNode> left, right;  // kOr/kAnd: both; kNot: left
  int column = -1;                          // index into SliceFilter::columns_
  CompareOp op = CompareOp::kEq;
  bool negated = false;                     // kIn: "not in"; kIsNull: "is not null"
  std::vector<Literal> literals;            // kCompare: one; kIn: the list
  std::string predicate_text;               // for error messages
};

namespace {

enum class TokenKind { kIdentifier, kNumber, kString, kOp, kLParen, kRParen, kLBracket,
                       kRBracket, kComma, kEnd };

struct Token {
  TokenKind kind;
  std::string text;  // identifier / string contents / operator
  double number = 0;
  size_t offset = 0;
};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Parser {
 public:
  Parser(const std::string& text, const std::string& context, std::vector<std::string>& columns)
      : text_(text), context_(context), columns_(columns) {}

  Result<std::unique_ptr<FilterNode>> Run() {
    Status lexed = Lex();
    if (!lexed.ok()) return lexed;
    auto expr = ParseOr();
    if (!expr.ok()) return expr;
    if (Peek().kind != TokenKind::kEnd) return ErrorAt(Peek().offset, "expected 'and', 'or' or the end of the filter");
    return expr;
  }

 private:
  Status ErrorAt(size_t offset, const std::string& what) const {
    std::string caret(offset, ' ');
    return Status::Invalid(context_ + ": " + what + " at character " + std::to_string(offset + 1) +
                           "\n  " + text_ + "\n  " + caret + "^");
  }

  Status Lex() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      size_t start = i;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (i < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i])) ||
                                    text_[i] == '_' || text_[i] == '.')) {
          ++i;
        }
        tokens_.push_back({TokenKind::kIdentifier, text_.substr(start, i - start), 0, start});
        continue;
      }
      if (c == '`') {
        size_t close = text_.find('`', i + 1);
        if (close == std::string::npos) return ErrorAt(start, "unterminated `column name`");
        tokens_.push_back({TokenKind::kIdentifier, text_.substr(i + 1, close - i - 1), 0, start});
        tokens_.back().number = 1;  // marks a quoted identifier (never a keyword)
        i = close + 1;
        continue;
      }
      if (c == '\'' || c == '"') {
        std::string value;
        ++i;
        bool closed = false;
        while (i < text_.size()) {
          if (text_[i] == c) {
            if (i + 1 < text_.size() && text_[i + 1] == c) {
              value.push_back(c);
              i += 2;
              continue;
            }
            closed = true;
            ++i;
            break;
          }
          value.push_back(text_[i++]);
        }
        if (!closed) return ErrorAt(start, std::string("unterminated string (missing closing ") + c + ")");
        tokens_.push_back({TokenKind::kString, value, 0, start});
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' ||
          (c == '.' && i + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        ++i;
        while (i < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i])) ||
                                    text_[i] == '.' ||
                                    ((text_[i] == '-' || text_[i] == '+') &&
                                     (text_[i - 1] == 'e' || text_[i - 1] == 'E')))) {
          ++i;
        }
        std::string number_text = text_.substr(start, i - start);
        auto number = ParseNumber(number_text);
        if (!number || !std::isfinite(*number)) {
          return ErrorAt(start, "'" + number_text + "' is not a number");
        }
        tokens_.push_back({TokenKind::kNumber, number_text, *number, start});
        continue;
      }
      static const char* kOps[] = {"==", "!=", "<=", ">=", "<", ">"};
      bool matched = false;
      for (const char* op : kOps) {
        size_t len = std::char_traits<char>::length(op);
        if (text_.compare(i, len, op) == 0) {
          tokens_.push_back({TokenKind::kOp, op, 0, start});
          i += len;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      TokenKind kind;
      switch (c) {
        case '(': kind = TokenKind::kLParen; break;
        case ')': kind = TokenKind::kRParen; break;
        case '[': kind = TokenKind::kLBracket; break;
        case ']': kind = TokenKind::kRBracket; break;
        case ',': kind = TokenKind::kComma; break;
        case '=': return ErrorAt(start, "'=' is not an operator (use '==')");
        default: return ErrorAt(start, std::string("unexpected character '") + c + "'");
      }
      tokens_.push_back({kind, std::string(1, c), 0, start});
      ++i;
    }
    tokens_.push_back({TokenKind::kEnd, "", 0, text_.size()});
    return Status::Ok();
  }

  const Token& Peek() const { return tokens_[pos_]; }
  bool IsKeyword(const Token& t, const char* word) const {
    return t.kind == TokenKind::kIdentifier && t.number == 0 && Lower(t.text) == word;
  }

  Result<std::unique_ptr<FilterNode>> ParseOr() {
    auto left = ParseAnd();
    if (!left.ok()) return left;
    std::unique_ptr<FilterNode> node = std::move(left).value();
    while (IsKeyword(Peek(), "or")) {
      ++pos_;
      size_t at = Peek().offset;
      auto right = ParseAnd();
      if (!right.ok()) return right;
      auto joined = Join(NodeKind::kOr, std::move(node), std::move(right).value(), at);
      if (!joined.ok()) return joined;
      node = std::move(joined).value();
    }
    return node;
  }

  Result<std::unique_ptr<FilterNode>> ParseAnd() {
    auto left = ParseNot();
    if (!left.ok()) return left;
    std::unique_ptr<FilterNode> node = std::move(left).value();
    while (IsKeyword(Peek(), "and")) {
      ++pos_;
      size_t at = Peek().offset;
      auto right = ParseNot();
      if (!right.ok()) return right;
      auto joined = Join(NodeKind::kAnd, std::move(node), std::move(right).value(), at);
      if (!joined.ok()) return joined;
      node = std::move(joined).value();
    }
    return node;
  }

  // A parent of `left` (and `right`), or an error pointing at `at` when it would be too deep.
  Result<std::unique_ptr<FilterNode>> Join(NodeKind kind, std::unique_ptr<FilterNode> left,
                                           std::unique_ptr<FilterNode> right, size_t at) const {
    auto node = std::make_unique<FilterNode>();
    node->kind = kind;
    node->depth = 1 + std::max(left->depth, right ? right->depth : 0);
    if (node->depth > kMaxFilterDepth) return TooDeep(at);
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }
  Status TooDeep(size_t at) const {
    return ErrorAt(at, "the filter nests more than " + std::to_string(kMaxFilterDepth) +
                           " levels (parentheses, 'not', and 'and'/'or' terms); use 'in [...]' for "
                           "long lists of values");
  }

  Result<std::unique_ptr<FilterNode>> ParseNot() {
    // Recursion here follows the nesting of the text: bound it before it can exhaust the stack.
    if (++nesting_ > kMaxFilterDepth) return TooDeep(Peek().offset);
    auto node = ParseNested();
    --nesting_;
    return node;
  }

  Result<std::unique_ptr<FilterNode>> ParseNested() {
    if (IsKeyword(Peek(), "not")) {
      size_t at = Peek().offset;
      ++pos_;
      auto inner = ParseNot();
      if (!inner.ok()) return inner;
      return Join(NodeKind::kNot, std::move(inner).value(), nullptr, at);
    }
    if (Peek().kind == TokenKind::kLParen) {
      size_t open = Peek().offset;
      ++pos_;
      auto inner = ParseOr();
      if (!inner.ok()) return inner;
      if (Peek().kind != TokenKind::kRParen) {
        return ErrorAt(Peek().offset, "expected ')' (to close the '(' opened at character " + std::to_string(open + 1) + ")");
      }
      ++pos_;
      return inner;
    }
    return ParsePredicate();
  }

  Result<Literal> ParseLiteral() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kNumber) {
      ++pos_;
      return Literal{true, t.number, t.text};
    }
    if (t.kind == TokenKind::kString) {
      ++pos_;
      return Literal{false, 0, t.text};
    }
    if (t.kind == TokenKind::kIdentifier) {
      return ErrorAt(t.offset, "expected a number or a quoted string, got '" + t.text +
                                   "' (quote text values: '" + t.text + "')");
    }
    return ErrorAt(t.offset, "expected a number or a quoted string");
  }

  Result<std::unique_ptr<FilterNode>> ParsePredicate() {
    const Token& column = Peek();
    if (column.kind != TokenKind::kIdentifier ||
        (column.number == 0 && (IsKeyword(column, "and") || IsKeyword(column, "or") ||
                                IsKeyword(column, "in") || IsKeyword(column, "is")))) {
      return ErrorAt(column.offset, column.kind == TokenKind::kEnd
                                        ? "expected a column name but the filter ended"
                                        : "expected a column name");
    }
    size_t start = column.offset;
    ++pos_;
    auto node = std::make_unique<FilterNode>();
    node->column = ColumnIndex(column.text);
    const Token& next = Peek();
    if (next.kind == TokenKind::kOp) {
      static const std::pair<const char*, CompareOp> kMap[] = {
          {"==", CompareOp::kEq}, {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
          {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
      for (auto& [name, op] : kMap) {
        if (next.text == name) node->op = op;
      }
      ++pos_;
      auto literal = ParseLiteral();
      if (!literal.ok()) return literal.status();
      node->kind = NodeKind::kCompare;
      node->literals.push_back(std::move(literal).value());
    } else if (IsKeyword(next, "is")) {
      ++pos_;
      if (IsKeyword(Peek(), "not")) {
        node->negated = true;
        ++pos_;
      }
      if (!IsKeyword(Peek(), "null")) return ErrorAt(Peek().offset, "expected 'null'");
      ++pos_;
      node->kind = NodeKind::kIsNull;
    } else if (IsKeyword(next, "in") || IsKeyword(next, "not")) {
      if (IsKeyword(next, "not")) {
        node->negated = true;
        ++pos_;
        if (!IsKeyword(Peek(), "in")) return ErrorAt(Peek().offset, "expected 'in' after 'not'");
      }
      ++pos_;
      if (Peek().kind != TokenKind::kLBracket) return ErrorAt(Peek().offset, "expected '[' after 'in'");
      ++pos_;
      for (;;) {
        auto literal = ParseLiteral();
        if (!literal.ok()) return literal.status();
        node->literals.push_back(std::move(literal).value());
        if (Peek().kind == TokenKind::kComma) {
          ++pos_;
          continue;
        }
        if (Peek().kind == TokenKind::kRBracket) {
          ++pos_;
          break;
        }
        return ErrorAt(Peek().offset, "expected ',' or ']' in the list");
      }
      node->kind = NodeKind::kIn;
    } else {
      return ErrorAt(next.offset, "expected a comparison (==, !=, <, <=, >, >=), 'in' or 'is' after '" +
                                      column.text + "'");
    }
    size_t end = Peek().offset;
    node->predicate_text = text_.substr(start, end - start);
    while (!node->predicate_text.empty() && node->predicate_text.back() == ' ') node->predicate_text.pop_back();
    return node;
  }

  int ColumnIndex(const std::string& name) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i] == name) return static_cast<int>(i);
    }
    columns_.push_back(name);
    return static_cast<int>(columns_.size() - 1);
  }

  const std::string& text_;
  const std::string& context_;
  std::vector<std::string>& columns_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;  // ParseNot calls in progress
};

Truth Not(Truth t) {
  if (t == Truth::kUnknown) return t;
  return t == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
}

bool CompareNumbers(double a, CompareOp op, double b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return a != b;
    case CompareOp::kLt: return a < b;
    case CompareOp::kLe: return a <= b;
    case CompareOp::kGt: return a > b;
    case CompareOp::kGe: return a >= b;
  }
  return false;
}

bool CompareText(std::string_view a, CompareOp op, std::string_view b) {
  int c = a.compare(b);
  return CompareNumbers(c, op, 0);
}

}  // namespace

SliceFilter::SliceFilter() = default;
SliceFilter::SliceFilter(SliceFilter&&) noexcept = default;
SliceFilter& SliceFilter::operator=(SliceFilter&&) noexcept = default;
SliceFilter::~SliceFilter() = default;

Result<SliceFilter> SliceFilter::Parse(const std::string& text, const std::string& context) {
  SliceFilter filter;
  filter.text_ = text;
  filter.context_ = context;
  Parser parser(filter.text_, context, filter.columns_);
  auto root = parser.Run();
  if (!root.ok()) return root.status();
  filter.root_ = std::move(root).value();
  return filter;
}

Status SliceFilter::Bind(const std::vector<std::string>& data_columns, const std::string& data_name) {
  bound_.assign(columns_.size(), -1);
  for (size_t i = 0; i < columns_.size(); ++i) {
    for (size_t j = 0; j < data_columns.size(); ++j) {
      if (data_columns[j] == columns_[i]) bound_[i] = static_cast<int>(j);
    }
    if (bound_[i] < 0) {
      std::string hint = NearestName(columns_[i], data_columns);
      return Status::Invalid(context_ + ": column '" + columns_[i] + "' is not in " + data_name +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
  return Status::Ok();
}

namespace {

struct Evaluator {
  const std::vector<int>& bound;
  const std::vector<std::string>& columns;
  const Record& record;
  const std::string& source_name;
  Status* error;

  // Number value of a field for a number comparison; nullopt on a non-numeric field (error set).
  std::optional<double> Number(const FilterNode& node, std::string_view field) const {
    auto number = ParseNumber(field);
    if (!number) {
      if (error->ok()) {
        *error = Status::Invalid(source_name + " line " + std::to_string(record.line) + ": column " +
                                 columns[node.column] + ": expected a number for the filter '" +
                                 node.predicate_text + "', got '" + Shorten(field) + "'");
      }
      return std::nullopt;
    }
    return number;
  }

  Truth Matches(const FilterNode& node, const Literal& literal, std::string_view field,
                CompareOp op) const {
    if (literal.is_number) {
      auto number = Number(node, field);
      if (!number || std::isnan(*number)) return Truth::kUnknown;
      return CompareNumbers(*number, op, literal.number) ? Truth::kTrue : Truth::kFalse;
    }
    return CompareText(field, op, literal.text) ? Truth::kTrue : Truth::kFalse;
  }

  Truth Eval(const FilterNode& node) const {
    switch (node.kind) {
      case NodeKind::kOr: {
        Truth a = Eval(*node.left);
        if (a == Truth::kTrue) return a;
        Truth b = Eval(*node.right);
        if (b == Truth::kTrue) return b;
        return (a == Truth::kUnknown || b == Truth::kUnknown) ? Truth::kUnknown : Truth::kFalse;
      }
      case NodeKind::kAnd: {
        Truth a = Eval(*node.left);
        if (a == Truth::kFalse) return a;
        Truth b = Eval(*node.right);
        if (b == Truth::kFalse) return b;
        return (a == Truth::kUnknown || b == Truth::kUnknown) ? Truth::kUnknown : Truth::kTrue;
      }
      case NodeKind::kNot:
        return Not(Eval(*node.left));
      case NodeKind::kIsNull: {
        bool is_null = record.null[bound[node.column]] != 0;
        return (is_null != node.negated) ? Truth::kTrue : Truth::kFalse;
      }
      case NodeKind::kCompare: {
        size_t position = bound[node.column];
        if (record.null[position]) return Truth::kUnknown;
        return Matches(node, node.literals[0], record.fields[position], node.op);
      }
      case NodeKind::kIn: {
        size_t position = bound[node.column];
        if (record.null[position]) return Truth::kUnknown;
        Truth found = Truth::kFalse;
        for (const auto& literal : node.literals) {
          Truth t = Matches(node, literal, record.fields[position], CompareOp::kEq);
          if (t == Truth::kTrue) {
            found = Truth::kTrue;
            break;
          }
          if (t == Truth::kUnknown) found = Truth::kUnknown;
        }
        return node.negated ? Not(found) : found;
      }
    }
    return Truth::kUnknown;
  }
};

}  // namespace

Truth SliceFilter::Evaluate(const Record& record, const std::string& source_name,
                            Status* error) const {
  Evaluator evaluator{bound_, columns_, record, source_name, error};
  return evaluator.Eval(*root_);
}

}  // namespace modelgate::gates
