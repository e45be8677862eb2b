#include <cstring>
#include <vector>

#include "gates/io/csv_part.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {
namespace {

constexpr size_t kInitialBufferBytes = 1 << 20;

// Parses records straight out of a large buffer: unquoted fields and quoted fields without doubled
// quotes are views into the buffer (no copy); only fields with doubled quotes are unescaped into a
// side buffer. A record that runs past the end of the buffered bytes is re-parsed from its start
// after the buffer is compacted and refilled (grown when one record is larger than the buffer), so
// a record never has to be stitched across reads.
class CsvReader : public CsvPartReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, char delimiter, CsvPartOptions part)
      : source_(std::move(source)),
        delimiter_(delimiter),
        buffer_(kInitialBufferBytes),
        line_(part.first_line),
        stop_after_header_(part.stop_at) {
    if (!part.columns.empty()) {
      columns_ = std::move(part.columns);
      bom_checked_ = true;  // a part after the first starts mid-file: no byte-order mark there
      stop_at_ = part.stop_at;
    }
    std::memset(kind_, 0, sizeof(kind_));
    kind_[static_cast<unsigned char>(delimiter_)] = 1;
    kind_[static_cast<unsigned char>('\n')] = 1;
    kind_[static_cast<unsigned char>('\r')] = 1;
    kind_[static_cast<unsigned char>('"')] = 1;
  }

  Status ReadHeader() {
    Record header;
    auto got = ReadRow(header, /*expected_fields=*/0);
    if (!got.ok()) return Status::Invalid(got.status().message());
    if (!*got) return Status::Invalid(source_->name() + ": empty input (no header row)");
    for (size_t i = 0; i < header.fields.size(); ++i) {
      std::string name(header.fields[i]);
      for (size_t j = 0; j < columns_.size(); ++j) {
        if (columns_[j] == name) {
          return Status::Invalid(source_->name() + " line " + std::to_string(header.line) +
                                 ": duplicate column name '" + name + "' (columns " +
                                 std::to_string(j + 1) + " and " + std::to_string(i + 1) + ")");
        }
      }
      columns_.push_back(std::move(name));
    }
    stop_at_ = stop_after_header_;  // the header is read whatever the stop
    return Status::Ok();
  }

  const std::vector<std::string>& columns() const override { return columns_; }
  const std::string& source_name() const override { return source_->name(); }
  Result<bool> Next(Record& record) override { return ReadRow(record, columns_.size()); }
  uint64_t offset() const override { return consumed_ + pos_; }
  int64_t line() const override { return line_; }

 private:
  enum class Parse { kRecord, kEnd, kNeedMore, kError };

  Status Error(int64_t line, const std::string& what) const {
    return Status::Invalid(source_->name() + " line " + std::to_string(line) + ": " + what);
  }
  // A malformed record the reader can step over: Next() continues after it.
  Status RowError(int64_t line, const std::string& what) const {
    return Status(ErrorCode::kMalformedRow, source_->name() + " line " + std::to_string(line) + ": " + what);
  }

  // After a quoting error, drops the rest of the physical line where it was found (the record
  // cannot be trusted past that point); false when more bytes are needed first.
  bool SkipRestOfLine() {
    const char* buf = buffer_.data();
    const char* nl = static_cast<const char*>(std::memchr(buf + pos_, '\n', end_ - pos_));
    if (nl == nullptr) {
      pos_ = end_;
      if (!eof_) return false;
      skip_line_ = false;
      return true;
    }
    pos_ = static_cast<size_t>(nl - buf) + 1;
    ++line_;
    skip_line_ = false;
    return true;
  }

  // CsvPartOptions::stop_at: the reader is at a record boundary at or after the stop offset.
  bool StopReached() const { return stop_at_ != 0 && consumed_ + pos_ >= stop_at_; }

  // Moves the unparsed bytes to the front and reads more; grows the buffer when it is full.
  Status Refill() {
    if (pos_ > 0) {
      consumed_ += pos_;
      std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    auto got = source_->Read(buffer_.data() + end_, buffer_.size() - end_);
    if (!got.ok()) return got.status();
    if (*got == 0) eof_ = true;
    end_ += *got;
    if (!bom_checked_ && (end_ >= 3 || eof_)) {
      bom_checked_ = true;
      if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
    }
    return Status::Ok();
  }

  Result<bool> ReadRow(Record& record, size_t expected_fields) {
    for (;;) {
      Parse outcome = TryParse(record);
      if (outcome == Parse::kRecord) break;
      if (outcome == Parse::kEnd) return false;
      if (outcome == Parse::kError) return error_;
      if (Status s = Refill(); !s.ok()) return s;
    }
    if (expected_fields != 0 && record.fields.size() != expected_fields) {
      return RowError(record.line, "expected " + std::to_string(expected_fields) +
                                    " fields as in the header, got " +
                                    std::to_string(record.fields.size()));
    }
    return true;
  }

  // Parses one record from buffer_[pos_, end_). kNeedMore leaves pos_/line_ at the record start
  // (blank lines already skipped are committed).
  Parse TryParse(Record& record) {
    if (!bom_checked_ && !eof_) return Parse::kNeedMore;
    if (skip_line_ && !SkipRestOfLine()) return Parse::kNeedMore;
    if (StopReached()) return Parse::kEnd;
    const char* buf = buffer_.data();
    size_t p = pos_;
    // Skip completely empty lines.
    while (p < end_ && (buf[p] == '\n' || buf[p] == '\r')) {
      if (buf[p] == '\r') {
        if (p + 1 >= end_ && !eof_) break;
        if (p + 1 < end_ && buf[p + 1] == '\n') ++p;
      }
      ++p;
      ++line_;
      pos_ = p;
      if (StopReached()) return Parse::kEnd;  // a blank line's end is a boundary too
    }
    if (p >= end_) return eof_ ? Parse::kEnd : Parse::kNeedMore;
    if (buf[p] == '\r') return Parse::kNeedMore;  // a CR at the end of the buffer

    const int64_t start_line = line_;
    int64_t lines = 0;
    spans_.clear();
    side_.clear();
    record.null.clear();
    for (;;) {  // one field per iteration
      Span span;
      if (p < end_ && buf[p] == '"') {
        const int64_t quote_line = start_line + lines;
        size_t q = p + 1, close;
        bool escaped = false;
        for (;;) {
          const char* quote = static_cast<const char*>(std::memchr(buf + q, '"', end_ - q));
          if (quote == nullptr) {
            if (!eof_) return Parse::kNeedMore;
            error_ = Error(quote_line, "unterminated quoted field " + std::to_string(spans_.size() + 1) +
                                           " (the closing '\"' is missing)");
            return Parse::kError;
          }
          for (const char* c = buf + q; c < quote; ++c) lines += (*c == '\n');
          size_t at = static_cast<size_t>(quote - buf);
          if (at + 1 >= end_ && !eof_) return Parse::kNeedMore;
          if (at + 1 < end_ && buf[at + 1] == '"') {
            escaped = true;
            q = at + 2;
            continue;
          }
          close = at;
          break;
        }
        if (escaped) {
          span.side = true;
          span.begin = side_.size();
          for (size_t i = p + 1; i < close; ++i) {
            side_.push_back(buf[i]);
            if (buf[i] == '"') ++i;  // the second of a doubled quote
          }
          span.end = side_.size();
        } else {
          span.begin = p + 1;
          span.end = close;
        }
        p = close + 1;
        if (p < end_) {
          char c = buf[p];
          if (c != delimiter_ && c != '\n' && c != '\r') {
            StepOverBadRecord(p, start_line + lines);
            record.line = start_line;
            error_ = RowError(start_line + lines, "unexpected character '" + std::string(1, c) +
                                                  "' after the closing quote of field " +
                                                  std::to_string(spans_.size() + 1));
            return Parse::kError;
          }
        }
        record.null.push_back(0);
      } else {
        size_t q = p;
        while (q < end_ && !kind_[static_cast<unsigned char>(buf[q])]) ++q;
        if (q < end_ && buf[q] == '"') {
          StepOverBadRecord(q, start_line + lines);
          record.line = start_line;
          error_ = RowError(start_line + lines, "a '\"' inside unquoted field " + std::to_string(spans_.size() + 1) +
                                                 " (quote the whole field and double the quote)");
          return Parse::kError;
        }
        if (q >= end_ && !eof_) return Parse::kNeedMore;
        span.begin = p;
        span.end = q;
        record.null.push_back(q == p ? 1 : 0);
        p = q;
      }
      spans_.push_back(span);
      // The terminator: a delimiter continues the record; a line end or the end of input ends it.
      if (p >= end_) break;  // only reached at end of input
      char c = buf[p];
      if (c == delimiter_) {
        ++p;
        continue;
      }
      if (c == '\r') {
        if (p + 1 >= end_ && !eof_) return Parse::kNeedMore;
        if (p + 1 < end_ && buf[p + 1] == '\n') ++p;
      }
      ++p;
      ++lines;
      break;
    }
    pos_ = p;
    line_ = start_line + lines;
    record.line = start_line;
    record.fields.resize(spans_.size());
    for (size_t i = 0; i < spans_.size(); ++i) {
      const Span& s = spans_[i];
      record.fields[i] = s.side ? std::string_view(side_).substr(s.begin, s.end - s.begin)
                                : std::string_view(buffer_.data() + s.begin, s.end - s.begin);
    }
    return Parse::kRecord;
  }

  // Positions the reader at the bad byte so that the next parse first skips the rest of its line.
  void StepOverBadRecord(size_t at, int64_t line) {
    pos_ = at;
    line_ = line;
    skip_line_ = true;
  }

  struct Span {
    size_t begin = 0, end = 0;
    bool side = false;  // in side_ (unescaped) rather than in buffer_
  };

  std::unique_ptr<ByteSource> source_;
  char delimiter_;
  unsigned char kind_[256];  // 1 for bytes that end a plain run: delimiter, CR, LF, quote
  std::vector<char> buffer_;
  uint64_t stop_at_ = 0;   // CsvPartOptions::stop_at
  uint64_t consumed_ = 0;  // bytes of the source before buffer_[0]
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool bom_checked_ = false;
  bool skip_line_ = false;  // resume after a malformed record: drop the rest of the line first
  int64_t line_;
  std::vector<Span> spans_;
  std::string side_;
  Status error_;
  std::vector<std::string> columns_;
  uint64_t stop_after_header_;  // CsvPartOptions::stop_at, applied once the header is read
};

}  // namespace

Result<std::unique_ptr<RecordReader>> OpenCsvReader(std::unique_ptr<ByteSource> source,
                                                    char delimiter) {
  auto reader = OpenCsvPartReader(std::move(source), delimiter, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<RecordReader>(std::move(reader).value());
}

Result<std::unique_ptr<CsvPartReader>> OpenCsvPartReader(std::unique_ptr<ByteSource> source,
                                                         char delimiter, CsvPartOptions part) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    return Status(ErrorCode::kUsage, "the CSV delimiter cannot be a quote or a line break");
  }
  const bool header = part.columns.empty();
  auto reader = std::make_unique<CsvReader>(std::move(source), delimiter, std::move(part));
  if (header) {
    if (Status s = reader->ReadHeader(); !s.ok()) return s;
  }
  return std::unique_ptr<CsvPartReader>(std::move(reader));
}

}  // namespace modelgate::gates
