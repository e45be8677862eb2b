#include "gates/io/hashing_byte_source.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace modelgate::gates {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string Hex(const unsigned char* digest, unsigned size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size_t{size} * 2, '0');
  for (unsigned i = 0; i < size; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace

class HashingByteSource final : public ByteSource {
 public:
  HashingByteSource(std::unique_ptr<ByteSource> inner, std::shared_ptr<StreamDigest> digest)
      : inner_(std::move(inner)), digest_(std::move(digest)), ctx_(EVP_MD_CTX_new()) {
    if (ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) ctx_.reset();
  }

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (!ctx_ && !broken_) {
      Break();
      return Status(ErrorCode::kIo, name() + ": cannot compute the SHA-256 of the input (OpenSSL)");
    }
    auto got = inner_->Read(buffer, capacity);
    if (!got.ok()) {
      Break();
      return got;
    }
    if (capacity == 0) return got;  // says nothing about the end of input
    if (broken_) return got;
    if (*got == 0) {
      Finish();
      return got;
    }
    if (digest_->complete_) {
      Break();  // bytes after the end was reported: whatever was hashed is not the whole stream
      return got;
    }
    if (EVP_DigestUpdate(ctx_.get(), buffer, *got) != 1) {
      Break();
      return Status(ErrorCode::kIo, name() + ": cannot compute the SHA-256 of the input (OpenSSL)");
    }
    digest_->bytes_ += *got;
    return got;
  }

  const std::string& name() const override { return inner_->name(); }

 private:
  void Finish() {
    if (digest_->complete_) return;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out, &size) != 1) {
      Break();
      return;
    }
    digest_->sha256_ = Hex(out, size);
    digest_->complete_ = true;
  }

  void Break() {
    broken_ = true;
    digest_->complete_ = false;
    digest_->sha256_.clear();
  }

  std::unique_ptr<ByteSource> inner_;
  std::shared_ptr<StreamDigest> digest_;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx_;
  bool broken_ = false;
};

std::unique_ptr<ByteSource> HashBytes(std::unique_ptr<ByteSource> inner,
                                      std::shared_ptr<StreamDigest> digest) {
  return std::make_unique<HashingByteSource>(std::move(inner), std::move(digest));
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  // Fails only when OpenSSL cannot allocate: nothing sensible is left to do.
  if (EVP_Digest(bytes.data(), bytes.size(), out, &size, EVP_sha256(), nullptr) != 1) std::abort();
  return Hex(out, size);
}

}  // namespace modelgate::gates
