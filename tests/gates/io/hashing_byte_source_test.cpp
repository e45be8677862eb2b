#include "gates/io/hashing_byte_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

// FIPS 180-2 test vectors.
constexpr const char* kSha256OfAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kSha256OfNothing = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kSha256OfMillionAs = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

// A source as stored: hands out the bytes without gzip detection, `chunk` at most per Read.
class Stored : public ByteSource {
 public:
  Stored(std::string data, size_t chunk = SIZE_MAX) : data_(std::move(data)), chunk_(chunk) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    const size_t n = std::min({capacity, chunk_, data_.size() - offset_});
    data_.copy(buffer, n, offset_);
    offset_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  size_t chunk_;
  size_t offset_ = 0;
  std::string name_ = "stored.csv";
};

// Fails the Read after `good_reads` successful ones, then claims the end of input.
class FailsOnce : public ByteSource {
 public:
  explicit FailsOnce(int good_reads) : good_reads_(good_reads) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    ++reads_;
    if (reads_ <= good_reads_ && capacity > 0) {
      buffer[0] = 'x';
      return size_t{1};
    }
    if (reads_ == good_reads_ + 1) return Status(ErrorCode::kIo, "flaky.csv: read failed");
    return size_t{0};
  }
  const std::string& name() const override { return name_; }

 private:
  int good_reads_;
  int reads_ = 0;
  std::string name_ = "flaky.csv";
};

// Reads `source` to its end with reads of `capacity` bytes; what was read.
std::string Drain(ByteSource& source, size_t capacity = 65536) {
  std::string out;
  std::string buffer(capacity, '\0');
  while (true) {
    auto n = source.Read(buffer.data(), buffer.size());
    EXPECT_TRUE(n.ok()) << n.status().message();
    if (!n.ok() || *n == 0) return out;
    out.append(buffer.data(), *n);
  }
}

TEST(HashingByteSourceTest, DigestOfAbcIsTheFipsVector) {
  auto digest = std::make_shared<StreamDigest>();
  auto source = HashBytes(std::make_unique<Stored>("abc"), digest);
  EXPECT_EQ(Drain(*source), "abc");
  ASSERT_TRUE(digest->complete());
  EXPECT_EQ(digest->sha256(), kSha256OfAbc);
  EXPECT_EQ(digest->bytes(), 3u);
  EXPECT_EQ(Sha256Hex("abc"), kSha256OfAbc);
}

TEST(HashingByteSourceTest, EmptyInputHasTheDigestOfNoBytes) {
  auto digest = std::make_shared<StreamDigest>();
  auto source = HashBytes(std::make_unique<Stored>(""), digest);
  EXPECT_EQ(Drain(*source), "");
  ASSERT_TRUE(digest->complete());
  EXPECT_EQ(digest->sha256(), kSha256OfNothing);
  EXPECT_EQ(digest->bytes(), 0u);
  EXPECT_EQ(Sha256Hex(""), kSha256OfNothing);
}

TEST(HashingByteSourceTest, ManyReadsOfOddSizesHashTheWholeStreamOnce) {
  const std::string million(1'000'000, 'a');
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{63}, size_t{64}, size_t{65}, size_t{65536}}) {
    auto digest = std::make_shared<StreamDigest>();
    auto source = HashBytes(std::make_unique<Stored>(million, chunk), digest);
    EXPECT_EQ(Drain(*source, 4099).size(), million.size()) << "chunk " << chunk;
    ASSERT_TRUE(digest->complete()) << "chunk " << chunk;
    EXPECT_EQ(digest->sha256(), kSha256OfMillionAs) << "chunk " << chunk;
    EXPECT_EQ(digest->bytes(), million.size());
  }
  EXPECT_EQ(Sha256Hex(million), kSha256OfMillionAs);
}

TEST(HashingByteSourceTest, AStreamReadOnlyInPartHasNoDigest) {
  auto digest = std::make_shared<StreamDigest>();
  auto source = HashBytes(std::make_unique<Stored>("label,score\n1,0.9\n"), digest);
  char buffer[5];
  ASSERT_TRUE(source->Read(buffer, sizeof buffer).ok());
  EXPECT_FALSE(digest->complete());
  EXPECT_EQ(digest->sha256(), "");
  EXPECT_EQ(digest->bytes(), 5u);
}

TEST(HashingByteSourceTest, AReadErrorLeavesTheDigestIncompleteEvenIfTheEndFollows) {
  auto digest = std::make_shared<StreamDigest>();
  auto source = HashBytes(std::make_unique<FailsOnce>(2), digest);
  char buffer[16];
  EXPECT_TRUE(source->Read(buffer, sizeof buffer).ok());
  EXPECT_TRUE(source->Read(buffer, sizeof buffer).ok());
  auto failed = source->Read(buffer, sizeof buffer);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "flaky.csv: read failed");  // the inner error, unchanged
  auto end = source->Read(buffer, sizeof buffer);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 0u);
  EXPECT_FALSE(digest->complete());
  EXPECT_EQ(digest->sha256(), "");
}

TEST(HashingByteSourceTest, HashesTheBytesAsStoredBeneathGzipInflation) {
  const std::string plain = "label,score\n1,0.9\n0,0.1\n";
  const std::string stored = testing::Gzip(plain);
  auto digest = std::make_shared<StreamDigest>();
  auto inflated = DetectGzip(HashBytes(std::make_unique<Stored>(stored, 3), digest));
  ASSERT_TRUE(inflated.ok()) << inflated.status().message();
  EXPECT_EQ(Drain(**inflated), plain);
  ASSERT_TRUE(digest->complete());
  EXPECT_EQ(digest->sha256(), Sha256Hex(stored));  // what `sha256sum data.csv.gz` prints
  EXPECT_NE(digest->sha256(), Sha256Hex(plain));
  EXPECT_EQ(digest->bytes(), stored.size());
}

TEST(HashingByteSourceTest, ReadingAgainAfterTheEndKeepsTheDigest) {
  auto digest = std::make_shared<StreamDigest>();
  auto source = HashBytes(std::make_unique<Stored>("abc"), digest);
  Drain(*source);
  char buffer[4];
  auto again = source->Read(buffer, sizeof buffer);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  EXPECT_EQ(digest->sha256(), kSha256OfAbc);
}

}  // namespace
}  // namespace modelgate::gates
