#include "operator/kube/tls_context.h"

#include <memory>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace modelgate::kube {
namespace {

struct BioDeleter { void operator()(BIO* b) const { BIO_free(b); } };
struct X509Deleter { void operator()(X509* x) const { X509_free(x); } };
struct PkeyDeleter { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::vector<X509Ptr> ReadCertificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return out;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(cert);
  ERR_clear_error();  // the loop ends on a "no start line" error
  return out;
}

std::unique_ptr<EVP_PKEY, PkeyDeleter> ReadKey(const std::string& pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return key;
}

}  // namespace

Status ValidateTlsMaterial(const std::string& ca_pem, const std::string& cert_pem,
                           const std::string& key_pem) {
  if (!ca_pem.empty() && ReadCertificates(ca_pem).empty()) {
    return Status(StatusCode::kInvalid, "certificate-authority: no PEM certificate found");
  }
  if (cert_pem.empty()) return Status::Ok();
  const std::vector<X509Ptr> chain = ReadCertificates(cert_pem);
  if (chain.empty()) return Status(StatusCode::kInvalid, "client-certificate: no PEM certificate found");
  const auto key = ReadKey(key_pem);
  if (!key) return Status(StatusCode::kInvalid, "client-key: no PEM private key found");
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return Status(StatusCode::kInvalid, "client-key: does not match client-certificate");
  }
  return Status::Ok();
}

bool ConfigureSslContext(SSL_CTX* ctx, const std::string& ca_pem, const std::string& cert_pem,
                         const std::string& key_pem) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  bool ok = true;
  if (!ca_pem.empty()) {
    X509_STORE* store = X509_STORE_new();  // owned by ctx after set_cert_store
    for (const X509Ptr& cert : ReadCertificates(ca_pem)) {
      ok = X509_STORE_add_cert(store, cert.get()) == 1 && ok;
    }
    SSL_CTX_set_cert_store(ctx, store);
  }
  if (!cert_pem.empty()) {
    std::vector<X509Ptr> chain = ReadCertificates(cert_pem);
    const auto key = ReadKey(key_pem);
    if (chain.empty() || !key) return false;
    ok = SSL_CTX_use_certificate(ctx, chain.front().get()) == 1 && ok;
    SSL_CTX_clear_chain_certs(ctx);
    for (std::size_t i = 1; i < chain.size(); ++i) {
      // add1 takes its own reference.
      ok = SSL_CTX_add1_chain_cert(ctx, chain[i].get()) == 1 && ok;
    }
    ok = SSL_CTX_use_PrivateKey(ctx, key.get()) == 1 && ok;
  }
  ERR_clear_error();
  return ok;
}

}  // namespace modelgate::kube
