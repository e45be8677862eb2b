#include "gates/io/csv_split.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gates/io/byte_source.h"

namespace modelgate::gates {
namespace {

constexpr size_t kScanChunk = 1 << 20;
constexpr size_t kHeadBytes = 1 << 16;  // sampled for the row estimate

int64_t CountLineFeeds(const char* begin, const char* end) {
  int64_t n = 0;
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\n', end - p))); ++p)
    ++n;
  return n;
}

}  // namespace

std::optional<CsvSplit> CsvSplit::Plan(const std::string& location, const ReadOptions& options,
                                       uint64_t min_bytes) {
  // Read as OpenRecordReader(location) would: only a local file read as CSV (gzip is excluded by
  // its magic bytes below).
  const std::string path = LocalPathOf(location);
  if (ResolveFormat(options.format, location) != DataFormat::kCsv) return std::nullopt;
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
    return std::nullopt;
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size < min_bytes || size < 2 || (options.max_bytes > 0 && size > options.max_bytes)) {
    return std::nullopt;
  }
  std::vector<char> head(kHeadBytes);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::nullopt;
  size_t got = std::fread(head.data(), 1, head.size(), file);
  std::fclose(file);
  if (got < 2 || (static_cast<unsigned char>(head[0]) == 0x1f &&
                  static_cast<unsigned char>(head[1]) == 0x8b)) {
    return std::nullopt;
  }
  const int64_t line_feeds = CountLineFeeds(head.data(), head.data() + got);

  CsvSplit split;
  split.path_ = path;
  split.name_ = location;
  split.delimiter_ = options.delimiter;
  split.size_ = size;
  split.cut_ = size / 2;
  if (line_feeds > 1) {
    const double rows_per_byte = static_cast<double>(line_feeds) / static_cast<double>(got);
    split.estimated_rows_ = static_cast<int64_t>(static_cast<double>(size) * rows_per_byte);
    split.estimated_second_rows_ =
        static_cast<int64_t>(static_cast<double>(size - split.cut_) * rows_per_byte);
  }
  return split;
}

Result<std::unique_ptr<CsvPartReader>> CsvSplit::OpenFirst() const {
  auto source = OpenFileAt(path_, name_, 0);
  if (!source.ok()) return source.status();
  CsvPartOptions part;
  part.stop_at = cut_;
  return OpenCsvPartReader(std::move(source).value(), delimiter_, std::move(part));
}

Result<SecondPart> FindSecondPart(ByteSource& whole, uint64_t cut) {
  // A record starting at `cut` or later follows a line feed at cut - 1 or later.
  const uint64_t search_from = cut == 0 ? 0 : cut - 1;
  std::vector<char> buffer(kScanChunk);
  uint64_t base = 0;
  int64_t line_feeds = 0;
  for (;;) {
    auto got = whole.Read(buffer.data(), buffer.size());
    if (!got.ok()) return got.status();
    if (*got == 0) return SecondPart{base, 1 + line_feeds};  // no line feed after the cut
    const char* begin = buffer.data();
    const char* end = begin + *got;
    const char* from =
        base + *got <= search_from ? end : begin + (search_from > base ? search_from - base : 0);
    line_feeds += CountLineFeeds(begin, from);
    if (const auto* lf = static_cast<const char*>(std::memchr(from, '\n', end - from))) {
      return SecondPart{base + static_cast<uint64_t>(lf - begin) + 1, 2 + line_feeds};
    }
    base += *got;
  }
}

Result<std::unique_ptr<CsvPartReader>> CsvSplit::OpenSecond(
    const std::vector<std::string>& columns) {
  auto whole = OpenFileAt(path_, name_, 0);
  if (!whole.ok()) return whole.status();
  auto second = FindSecondPart(**whole, cut_);
  if (!second.ok()) return second.status();
  second_ = *second;
  auto source = OpenFileAt(path_, name_, second_.start);
  if (!source.ok()) return source.status();
  CsvPartOptions part;
  part.columns = columns;
  part.first_line = second_.first_line;
  return OpenCsvPartReader(std::move(source).value(), delimiter_, std::move(part));
}

bool PartsAgree(const CsvPartReader& first, const SecondPart& second) {
  return first.offset() == second.start && first.line() == second.first_line;
}

bool CsvSplit::Agrees(const CsvPartReader& first) const { return PartsAgree(first, second_); }

}  // namespace modelgate::gates
