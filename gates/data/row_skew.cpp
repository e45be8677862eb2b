#include "gates/data/row_skew.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "gates/common/string_map.h"
#include "gates/common/text.h"

namespace modelgate::gates {
namespace {

// Append-only storage for the serving sample's text: the views it hands out stay valid (and
// unmoved) for its lifetime, so the key index and the cells can point into it.
class Arena {
 public:
  std::string_view Copy(std::string_view text) {
    if (text.empty()) return {};
    char* out;
    if (text.size() > kBlockBytes / 4) {
      // A large value gets a block of its own, kept before the block being filled.
      auto own = std::make_unique<char[]>(text.size());
      out = own.get();
      blocks_.insert(blocks_.empty() ? blocks_.end() : blocks_.end() - 1, std::move(own));
    } else {
      if (blocks_.empty() || used_ + text.size() > kBlockBytes) {
        blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
        used_ = 0;
      }
      out = blocks_.back().get() + used_;
      used_ += text.size();
    }
    std::memcpy(out, text.data(), text.size());
    return {out, text.size()};
  }

 private:
  static constexpr size_t kBlockBytes = size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0;
};

// Numbers: as numbers when both values parse (declared integer/number columns and undeclared
// ones); text: exact (declared string/boolean columns).
enum class Comparison { kNumbers, kText };

bool SameValue(bool training_null, std::string_view training, bool serving_null,
               std::string_view serving, Comparison how, double tolerance) {
  if (training_null || serving_null) return training_null && serving_null;
  if (training == serving) return true;
  if (how == Comparison::kText) return false;
  auto a = ParseNumber(training), b = ParseNumber(serving);
  if (!a || !b) return false;
  if (std::isnan(*a) || std::isnan(*b)) return std::isnan(*a) && std::isnan(*b);
  if (*a == *b) return true;  // equal infinities (their difference is NaN)
  return std::fabs(*a - *b) <= tolerance * std::max({1.0, std::fabs(*a), std::fabs(*b)});
}

std::string ValueText(const std::optional<std::string>& value) { return value ? *value : "null"; }

int FindColumn(const std::vector<std::string>& columns, const std::string& name) {
  auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

Status MissingColumn(const std::string& source, const std::string& column, const std::string& field,
                     const std::vector<std::string>& columns) {
  std::string hint = NearestName(column, columns);
  return Status::Invalid(source + ": no column '" + column + "' (" + field + ")" +
                         (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
}

}  // namespace

std::string SharePercent(double share) { return FormatFixed(100 * share, 2); }
std::string LimitPercent(double share) { return FormatNumber(std::round(share * 1e8) / 1e6); }

Status SavedProfileCannotJoin(const std::string& source) {
  return Status::Invalid(source +
                         ": a saved profile has no rows to join on skew.join_key; pass the "
                         "serving sample itself");
}

class RowSkewJoin::State {
 public:
  explicit State(const DataPolicy& policy) : rule_(policy.row_skew) {
    for (const auto& c : policy.columns) {
      if (c.type == ColumnType::kString || c.type == ColumnType::kBoolean)
        declared_text_.push_back(c.name);
    }
    // Columns the policy names: `compare`, then per_column's (compared too, as in drift).
    explicit_ = rule_.compare;
    for (const auto& [name, limit] : rule_.per_column_max) {
      if (std::find(explicit_.begin(), explicit_.end(), name) == explicit_.end()) {
        explicit_.push_back(name);
      }
    }
  }

  Status StartServing(const std::vector<std::string>& columns, const std::string& source) {
    serving_source_ = source;
    if (Status s = CheckHeader(columns, source, &serving_key_); !s.ok()) return s;
    const std::vector<std::string>& kept = rule_.compare.empty() ? columns : explicit_;
    for (const auto& name : kept) {
      if (name == rule_.join_key) continue;
      stored_names_.push_back(name);
      stored_positions_.push_back(static_cast<size_t>(FindColumn(columns, name)));
    }
    return Status::Ok();
  }

  void AddServing(const Record& record) {
    ++serving_rows_;
    if (record.null[serving_key_]) {
      ++serving_null_keys_;
      return;
    }
    std::string_view key = record.fields[serving_key_];
    if (auto it = index_.find(key); it != index_.end()) {
      Entry& e = entries_[it->second];
      if (e.serving_rows < kSaturated) ++e.serving_rows;
      return;
    }
    std::string_view stored_key = arena_.Copy(key);
    index_.emplace(stored_key, entries_.size());
    entries_.push_back({stored_key, 1, 0});
    for (size_t position : stored_positions_) {
      bool null = record.null[position] != 0;
      cells_.push_back(null ? std::string_view() : arena_.Copy(record.fields[position]));
      cell_nulls_.push_back(null ? 1 : 0);
    }
  }

  Status StartTraining(const std::vector<std::string>& columns, const std::string& source) {
    training_source_ = source;
    if (Status s = CheckHeader(columns, source, &training_key_); !s.ok()) return s;
    const std::vector<std::string>& wanted = rule_.compare.empty() ? columns : explicit_;
    std::vector<std::string> training_only;
    for (const auto& name : wanted) {
      if (name == rule_.join_key) continue;
      int stored = FindColumn(stored_names_, name);
      if (stored < 0) {
        training_only.push_back(name);
        continue;
      }
      Compared c;
      c.name = name;
      c.training_position = static_cast<size_t>(FindColumn(columns, name));
      c.stored = static_cast<size_t>(stored);
      c.how = Contains(declared_text_, name) ? Comparison::kText : Comparison::kNumbers;
      auto own = rule_.per_column_max.find(name);
      c.max = own != rule_.per_column_max.end() ? own->second : rule_.max_mismatch_rate;
      compared_.push_back(std::move(c));
    }
    if (rule_.compare.empty()) {
      std::vector<std::string> serving_only;
      for (const auto& name : stored_names_) {
        if (FindColumn(columns, name) < 0) serving_only.push_back(name);
      }
      if (!training_only.empty() || !serving_only.empty()) {
        notes_.push_back("row-level skew compares the columns in both samples; only in " + source +
                         ": " + List(training_only) + "; only in " + serving_source_ + ": " +
                         List(serving_only));
      }
    }
    mismatch_.assign(entries_.size() * compared_.size(), 0);
    return Status::Ok();
  }

  void AddTraining(const Record& record) {
    ++training_rows_;
    if (record.null[training_key_]) {
      ++training_only_;
      return;
    }
    auto it = index_.find(record.fields[training_key_]);
    if (it == index_.end()) {
      ++training_only_;
      return;
    }
    const size_t entry = it->second;
    Entry& e = entries_[entry];
    if (e.training_rows < kSaturated) ++e.training_rows;
    if (e.serving_rows != 1) return;  // a duplicate serving key: not compared
    if (e.training_rows == 2) {
      // The key turned out duplicate: its first row's mismatches no longer count (Finish skips
      // the entry), and its examples are withdrawn.
      for (auto& c : compared_) {
        std::erase_if(c.examples, [&](const auto& example) { return example.first == entry; });
      }
      return;
    }
    if (e.training_rows != 1) return;
    for (size_t i = 0; i < compared_.size(); ++i) {
      Compared& c = compared_[i];
      const size_t cell = entry * stored_names_.size() + c.stored;
      bool training_null = record.null[c.training_position] != 0;
      std::string_view training = record.fields[c.training_position];
      if (SameValue(training_null, training, cell_nulls_[cell] != 0, cells_[cell], c.how,
                    rule_.numeric_tolerance)) {
        continue;
      }
      mismatch_[entry * compared_.size() + i] = 1;
      if (c.examples.size() < kMaxRowSkewExamples) {
        RowSkewExample example{Shorten(e.key), std::nullopt, std::nullopt};
        if (!training_null) example.training = Shorten(training);
        if (cell_nulls_[cell] == 0) example.serving = Shorten(cells_[cell]);
        c.examples.emplace_back(entry, std::move(example));
      }
    }
  }

  // The two halves of the join as ProfileDataset's observers.
  class Side : public RowObserver {
   public:
    Side(State* state, bool serving) : state_(state), serving_(serving) {}
    Status Start(const std::vector<std::string>& columns, const std::string& source) override {
      return serving_ ? state_->StartServing(columns, source)
                      : state_->StartTraining(columns, source);
    }
    void Row(const Record& record) override {
      serving_ ? state_->AddServing(record) : state_->AddTraining(record);
    }

   private:
    State* state_;
    bool serving_;
  };
  Side serving_side{this, true}, training_side{this, false};

  RowSkewResult Finish() const {
    RowSkewResult r;
    r.join_key = rule_.join_key;
    r.training_source = training_source_;
    r.serving_source = serving_source_;
    r.training_rows = training_rows_;
    r.serving_rows = serving_rows_;
    r.training_only = training_only_;
    r.serving_only = serving_null_keys_;
    r.min_joined_rows = rule_.min_joined_rows;
    r.max_duplicate_keys = rule_.max_duplicate_keys;
    r.notes = notes_;
    std::vector<int64_t> mismatches(compared_.size(), 0);
    std::string first_duplicate;
    for (size_t entry = 0; entry < entries_.size(); ++entry) {
      const Entry& e = entries_[entry];
      if (e.serving_rows > 1 || e.training_rows > 1) {
        if (r.duplicate_keys++ == 0) first_duplicate = Shorten(e.key);
      }
      if (e.training_rows == 0) r.serving_only += e.serving_rows;
      if (e.serving_rows != 1 || e.training_rows != 1) continue;
      ++r.joined_rows;
      for (size_t i = 0; i < compared_.size(); ++i) {
        mismatches[i] += mismatch_[entry * compared_.size() + i];
      }
    }
    const std::string pair = r.training_source + " and " + r.serving_source;
    if (r.joined_rows < r.min_joined_rows) {
      r.failures.push_back("skew: " + std::to_string(r.joined_rows) + " rows of " + pair +
                           " joined on " + r.join_key + "; at least " +
                           std::to_string(r.min_joined_rows) + " required (" +
                           std::to_string(r.training_only) + " training rows and " +
                           std::to_string(r.serving_only) + " serving rows have no counterpart, " +
                           std::to_string(r.duplicate_keys) + " duplicate keys)");
    }
    if (r.duplicate_keys > r.max_duplicate_keys) {
      r.failures.push_back("skew: " + std::to_string(r.duplicate_keys) + " " + r.join_key +
                           " values appear more than once in " + pair + " (at most " +
                           std::to_string(r.max_duplicate_keys) + " allowed), e.g. " +
                           first_duplicate + "; their rows were not compared");
    }
    if (compared_.empty()) {
      r.failures.push_back("skew: " + pair + " have no column to compare besides the join key " +
                           r.join_key);
    }
    for (size_t i = 0; i < compared_.size(); ++i) {
      const Compared& c = compared_[i];
      RowSkewColumn column;
      column.name = c.name;
      column.compared = r.joined_rows;
      column.mismatches = mismatches[i];
      column.max = c.max;
      for (const auto& [entry, example] : c.examples) column.examples.push_back(example);
      if (r.joined_rows > 0) {
        double rate = static_cast<double>(column.mismatches) / static_cast<double>(r.joined_rows);
        column.mismatch_rate = rate;
        column.passed = rate <= c.max;
        // The highest rate; of equal rates, a failing column before a passing one.
        const RowSkewColumn* worst = r.worst_column ? &r.columns[*r.worst_column] : nullptr;
        if (column.mismatches > 0 &&
            (!worst || rate > *worst->mismatch_rate ||
             (rate == *worst->mismatch_rate && worst->passed && !column.passed))) {
          r.worst_column = r.columns.size();
        }
        if (!column.passed) {
          std::string sentence = "skew: " + c.name + " differs between training and serving on " +
                                 std::to_string(column.mismatches) + " of " +
                                 std::to_string(r.joined_rows) + " joined rows (" +
                                 SharePercent(rate) + " %, max " + LimitPercent(c.max) + " %)";
          if (!column.examples.empty()) {
            const RowSkewExample& e = column.examples.front();
            sentence += "; e.g. key " + e.key + ": training " + ValueText(e.training) +
                        ", serving " + ValueText(e.serving);
          }
          r.failures.push_back(std::move(sentence));
        }
      }
      r.columns.push_back(std::move(column));
    }
    r.passed = r.failures.empty();
    return r;
  }

 private:
  static constexpr uint32_t kSaturated = std::numeric_limits<uint32_t>::max();

  struct Entry {
    std::string_view key;  // in the arena
    uint32_t serving_rows = 0, training_rows = 0;
  };

  struct Compared {
    std::string name;
    size_t training_position = 0;
    size_t stored = 0;  // index into stored_names_
    Comparison how = Comparison::kText;
    double max = 0;
    std::vector<std::pair<size_t, RowSkewExample>> examples;  // (entry, example)
  };

  static bool Contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  static std::string List(const std::vector<std::string>& names) {
    if (names.empty()) return "none";
    std::string text;
    for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
  }

  // The key's position into *key; the join key and every listed column must be in the header.
  Status CheckHeader(const std::vector<std::string>& columns, const std::string& source,
                     int* key) const {
    *key = FindColumn(columns, rule_.join_key);
    if (*key < 0) return MissingColumn(source, rule_.join_key, "skew.join_key", columns);
    for (const auto& name : explicit_) {
      if (FindColumn(columns, name) < 0) return MissingColumn(source, name, FieldOf(name), columns);
    }
    return Status::Ok();
  }

  std::string FieldOf(const std::string& name) const {
    return Contains(rule_.compare, name) ? "skew.compare" : "skew.per_column." + name;
  }

  const RowSkewRule rule_;
  std::vector<std::string> declared_text_, explicit_;
  // Serving side: one entry per distinct key; its stored columns' cells at entry * width.
  Arena arena_;
  std::unordered_map<std::string_view, size_t, StringViewHash, std::equal_to<>> index_;
  std::vector<Entry> entries_;
  std::vector<std::string> stored_names_;
  std::vector<size_t> stored_positions_;
  std::vector<std::string_view> cells_;
  std::vector<uint8_t> cell_nulls_;
  int serving_key_ = -1;
  int64_t serving_rows_ = 0, serving_null_keys_ = 0;
  std::string serving_source_;
  // Training side.
  int training_key_ = -1;
  std::vector<Compared> compared_;
  std::vector<uint8_t>
      mismatch_;  // entry * compared_.size() + column: the first training row differed
  int64_t training_rows_ = 0, training_only_ = 0;
  std::string training_source_;
  std::vector<std::string> notes_;
};

RowSkewJoin::RowSkewJoin(const DataPolicy& policy) : state_(std::make_unique<State>(policy)) {}
RowSkewJoin::~RowSkewJoin() = default;

RowObserver& RowSkewJoin::serving() { return state_->serving_side; }
RowObserver& RowSkewJoin::training() { return state_->training_side; }
RowSkewResult RowSkewJoin::Finish() const { return state_->Finish(); }

}  // namespace modelgate::gates
