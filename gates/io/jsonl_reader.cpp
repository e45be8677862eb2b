#include <cstring>

#include <nlohmann/json.hpp>

#include "gates/common/text.h"
#include "gates/io/http_source.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {
namespace {

// Splits the source into lines (LF or CRLF) and parses each as one JSON object.
class JsonLinesReader : public RecordReader {
 public:
  explicit JsonLinesReader(std::unique_ptr<ByteSource> source)
      : source_(std::move(source)), buffer_(1 << 20) {}

  Status ReadFirst() {
    auto got = ReadObject();
    // The first object defines the columns: without it nothing can be read.
    if (!got.ok()) return Status(ErrorCode::kInvalidInput, got.status().message());
    if (!*got) return Status::Invalid(source_->name() + ": empty input (no JSON object)");
    for (auto it = object_.begin(); it != object_.end(); ++it) columns_.push_back(it.key());
    pending_ = true;
    return Status::Ok();
  }

  const std::vector<std::string>& columns() const override { return columns_; }
  const std::string& source_name() const override { return source_->name(); }

  Result<bool> Next(Record& record) override {
    if (!pending_) {
      auto got = ReadObject();
      if (!got.ok()) {
        record.line = line_number_;
        return got;
      }
      if (!*got) return false;
    }
    pending_ = false;
    text_.clear();
    record.fields.assign(columns_.size(), std::string_view());
    record.null.assign(columns_.size(), 1);
    record.line = object_line_;
    std::vector<std::pair<size_t, size_t>> bounds(columns_.size(), {0, 0});
    for (size_t i = 0; i < columns_.size(); ++i) {
      auto it = object_.find(columns_[i]);
      if (it == object_.end() || it->is_null()) continue;
      size_t start = text_.size();
      if (it->is_string()) {
        text_ += it->get_ref<const std::string&>();
      } else {
        text_ += it->dump();
      }
      bounds[i] = {start, text_.size()};
      record.null[i] = 0;
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (!record.null[i]) {
        record.fields[i] = std::string_view(text_).substr(bounds[i].first,
                                                          bounds[i].second - bounds[i].first);
      }
    }
    return true;
  }

 private:
  // Reads the next non-blank line into line_; false at end of input.
  Result<bool> ReadLine() {
    line_.clear();
    bool any = false;
    for (;;) {
      if (pos_ == end_) {
        if (eof_) break;
        auto got = source_->Read(buffer_.data(), buffer_.size());
        if (!got.ok()) return got.status();
        pos_ = 0;
        end_ = *got;
        if (end_ == 0) {
          eof_ = true;
          break;
        }
      }
      any = true;
      const char* begin = buffer_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
      if (nl == nullptr) {
        line_.append(begin, end_ - pos_);
        pos_ = end_;
        continue;
      }
      line_.append(begin, nl);
      pos_ = nl - buffer_.data() + 1;
      return true;
    }
    return any;
  }

  Result<bool> ReadObject() {
    for (;;) {
      auto got = ReadLine();
      if (!got.ok()) return got;
      if (!*got) return false;
      ++line_number_;
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (line_.find_first_not_of(" \t") == std::string::npos) continue;
      object_ = nlohmann::ordered_json::parse(line_, nullptr, /*allow_exceptions=*/false);
      if (object_.is_discarded()) {
        return Status(ErrorCode::kMalformedRow, source_->name() + " line " + std::to_string(line_number_) +
                                                    ": not valid JSON: " + Shorten(line_));
      }
      if (!object_.is_object()) {
        return Status(ErrorCode::kMalformedRow, source_->name() + " line " + std::to_string(line_number_) +
                                                    ": expected a JSON object, got " + Shorten(line_));
      }
      object_line_ = line_number_;
      return true;
    }
  }

  std::unique_ptr<ByteSource> source_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  std::string line_;
  int64_t line_number_ = 0;
  int64_t object_line_ = 0;
  nlohmann::ordered_json object_;
  bool pending_ = false;
  std::string text_;
  std::vector<std::string> columns_;
};

}  // namespace

Result<std::unique_ptr<RecordReader>> OpenJsonLinesReader(std::unique_ptr<ByteSource> source) {
  auto reader = std::make_unique<JsonLinesReader>(std::move(source));
  Status first = reader->ReadFirst();
  if (!first.ok()) return first;
  return std::unique_ptr<RecordReader>(std::move(reader));
}

DataFormat ResolveFormat(DataFormat requested, const std::string& name) {
  if (requested != DataFormat::kAuto) return requested;
  std::string_view base = name;
  if (EndsWith(base, ".gz")) base.remove_suffix(3);
  return EndsWith(base, ".jsonl") || EndsWith(base, ".ndjson") ? DataFormat::kJsonLines
                                                               : DataFormat::kCsv;
}

Result<std::unique_ptr<RecordReader>> OpenRecordReader(std::unique_ptr<ByteSource> source,
                                                       const ReadOptions& options) {
  if (options.max_bytes > 0) source = LimitBytes(std::move(source), options.max_bytes);
  if (ResolveFormat(options.format, source->name()) == DataFormat::kJsonLines) {
    return OpenJsonLinesReader(std::move(source));
  }
  return OpenCsvReader(std::move(source), options.delimiter);
}

Result<std::unique_ptr<RecordReader>> OpenRecordReader(const std::string& location,
                                                       const ReadOptions& options) {
  auto source = OpenByteSource(location, HttpSourceOptions{.timeout = options.http_timeout});
  if (!source.ok()) return source.status();
  return OpenRecordReader(std::move(source).value(), options);
}

}  // namespace modelgate::gates
