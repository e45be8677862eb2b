#include "gates/io/byte_source.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

#include "gates/io/http_source.h"

namespace modelgate::gates {
namespace {

class FileSource : public ByteSource {
 public:
  FileSource(std::FILE* file, std::string name) : file_(file), name_(std::move(name)) {}
  ~FileSource() override { std::fclose(file_); }
  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = std::fread(buffer, 1, capacity, file_);
    if (n == 0 && std::ferror(file_)) {
      return Status(ErrorCode::kIo, name_ + ": read failed: " + std::strerror(errno));
    }
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::FILE* file_;
  std::string name_;
};

class IstreamSource : public ByteSource {
 public:
  IstreamSource(std::istream& stream, std::string name) : stream_(stream), name_(std::move(name)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    stream_.read(buffer, static_cast<std::streamsize>(capacity));
    auto n = static_cast<size_t>(stream_.gcount());
    if (n == 0 && stream_.bad()) return Status(ErrorCode::kIo, name_ + ": read failed");
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::istream& stream_;
  std::string name_;
};

class StringSource : public ByteSource {
 public:
  StringSource(std::string data, std::string name) : data_(std::move(data)), name_(std::move(name)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = std::min(capacity, data_.size() - offset_);
    std::memcpy(buffer, data_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  size_t offset_ = 0;
  std::string name_;
};

// Replays a few already-read bytes (the sniffed magic) before continuing with the inner source.
class PrefixedSource : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> inner)
      : prefix_(std::move(prefix)), inner_(std::move(inner)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = 0;
    if (offset_ < prefix_.size()) {
      n = std::min(capacity, prefix_.size() - offset_);
      std::memcpy(buffer, prefix_.data() + offset_, n);
      offset_ += n;
      if (n == capacity) return n;
    }
    auto more = inner_->Read(buffer + n, capacity - n);
    if (!more.ok()) return more;
    return n + *more;
  }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::string prefix_;
  size_t offset_ = 0;
  std::unique_ptr<ByteSource> inner_;
};

// Inflates a gzip stream (possibly several concatenated members, as `cat a.gz b.gz` produces).
class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> inner) : inner_(std::move(inner)), in_(1 << 16) {
    std::memset(&z_, 0, sizeof(z_));
    ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&z_); }

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (!ok_) return Status(ErrorCode::kIo, name() + ": cannot initialise gzip decoder");
    capacity = std::min<size_t>(capacity, 1u << 30);
    z_.next_out = reinterpret_cast<Bytef*>(buffer);
    z_.avail_out = static_cast<uInt>(capacity);
    size_t produced = 0;
    while (produced == 0) {
      if (z_.avail_in == 0) {
        auto got = inner_->Read(in_.data(), in_.size());
        if (!got.ok()) return got.status();
        if (*got == 0) {
          if (!at_member_end_) {
            return Status(ErrorCode::kIo,
                          name() + ": truncated gzip stream (unexpected end of file)");
          }
          return size_t{0};
        }
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(*got);
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      produced = capacity - z_.avail_out;
      if (rc == Z_STREAM_END) {
        at_member_end_ = true;
        inflateReset(&z_);
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status(ErrorCode::kIo, name() + ": corrupt gzip data (" +
                                          (z_.msg ? z_.msg : "inflate failed") + ")");
      }
      at_member_end_ = false;
    }
    return produced;
  }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::vector<char> in_;
  z_stream z_;
  bool ok_ = false;
  bool at_member_end_ = false;
};

class LimitedSource : public ByteSource {
 public:
  LimitedSource(std::unique_ptr<ByteSource> inner, uint64_t max_bytes)
      : inner_(std::move(inner)), max_bytes_(max_bytes) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    auto got = inner_->Read(buffer, capacity);
    if (!got.ok()) return got;
    total_ += *got;
    if (total_ > max_bytes_) {
      return Status(ErrorCode::kLimitExceeded, name() + ": input is larger than the limit of " +
                                                   std::to_string(max_bytes_) + " bytes");
    }
    return got;
  }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  uint64_t max_bytes_;
  uint64_t total_ = 0;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> DetectGzip(std::unique_ptr<ByteSource> raw) {
  std::string head;
  char buf[2];
  while (head.size() < 2) {
    auto got = raw->Read(buf, 2 - head.size());
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    head.append(buf, *got);
  }
  bool gzip = head.size() == 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
              static_cast<unsigned char>(head[1]) == 0x8b;
  std::unique_ptr<ByteSource> replay = std::make_unique<PrefixedSource>(head, std::move(raw));
  if (gzip) return std::unique_ptr<ByteSource>(std::make_unique<GzipSource>(std::move(replay)));
  return replay;
}

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& location) {
  return OpenByteSource(location, HttpSourceOptions{});
}

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& location,
                                                   const HttpSourceOptions& http) {
  if (IsHttpUrl(location)) return OpenHttpSource(location, http);
  const std::string path = LocalPathOf(location);
  if (path.empty()) return Status(ErrorCode::kUsage, "empty data path");
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    int err = errno;
    return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                  location + ": cannot open: " + std::strerror(err));
  }
  return DetectGzip(std::make_unique<FileSource>(file, location));
}

std::string LocalPathOf(const std::string& location) {
  if (IsHttpUrl(location)) return "";
  return location.rfind("file://", 0) == 0 ? location.substr(7) : location;
}

Result<std::unique_ptr<ByteSource>> OpenFileAt(const std::string& path, const std::string& name,
                                               uint64_t offset) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr || fseeko(file, static_cast<off_t>(offset), SEEK_SET) != 0) {
    int err = errno;
    if (file != nullptr) std::fclose(file);
    return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                  name + ": cannot open: " + std::strerror(err));
  }
  return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(file, name));
}

Result<std::string> ReadAllText(const std::string& location, const std::string& what) {
  auto source = OpenByteSource(location);
  if (!source.ok()) return Status(source.status().code(), what + " " + source.status().message());
  std::string text;
  std::vector<char> buffer(1 << 16);
  while (true) {
    auto got = (*source)->Read(buffer.data(), buffer.size());
    if (!got.ok()) return Status(got.status().code(), what + " " + got.status().message());
    if (*got == 0) return text;
    text.append(buffer.data(), *got);
  }
}

std::unique_ptr<ByteSource> StreamByteSource(std::istream& stream, std::string name) {
  auto sniffed = DetectGzip(std::make_unique<IstreamSource>(stream, std::move(name)));
  // Sniffing an istream cannot fail except on a bad stream; then replay nothing.
  if (!sniffed.ok()) return std::make_unique<StringSource>(std::string(), "<bad stream>");
  return std::move(sniffed).value();
}

std::unique_ptr<ByteSource> StringByteSource(std::string data, std::string name) {
  auto sniffed = DetectGzip(std::make_unique<StringSource>(std::move(data), std::move(name)));
  return std::move(sniffed).value();  // a string source never fails
}

std::unique_ptr<ByteSource> LimitBytes(std::unique_ptr<ByteSource> inner, uint64_t max_bytes) {
  return std::make_unique<LimitedSource>(std::move(inner), max_bytes);
}

}  // namespace modelgate::gates
