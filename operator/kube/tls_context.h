// TLS material for the API server connection: PEM parsing from memory into an OpenSSL SSL_CTX.
#pragma once

#include <string>

#include <openssl/ssl.h>

#include "operator/kube/status.h"

namespace modelgate::kube {

// Checks that ca_pem (if non-empty) holds at least one certificate, cert_pem (if non-empty) a
// certificate, key_pem (if non-empty) a private key matching it. kInvalid naming the part otherwise.
Status ValidateTlsMaterial(const std::string& ca_pem, const std::string& cert_pem,
                           const std::string& key_pem);

// Configures ctx: TLS >= 1.2; when ca_pem is non-empty, replaces the trust store so that ONLY its
// certificates are trusted; loads the client certificate chain and key when given. Returns false
// (and leaves ctx usable, the handshake then fails) when the PEM is broken. Does not take ownership.
bool ConfigureSslContext(SSL_CTX* ctx, const std::string& ca_pem, const std::string& cert_pem,
                         const std::string& key_pem);

}  // namespace modelgate::kube
