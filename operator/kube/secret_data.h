// Reading one value out of a Secret object as the API server returns it (data is base64).
// Thread-safe (pure).
#pragma once

#include <string>

#include "operator/kube/client.h"
#include "operator/kube/status.h"

namespace modelgate::kube {

// The decoded value of data[key] of `secret`. kNotFound "Secret <name> has no key <key>" when the
// key is absent (or not a string); kInvalid "Secret <name> key <key>: not base64". With
// `trim_line_feed`, trailing "\n" / "\r" are dropped: a value made with
// `kubectl create secret --from-file` usually ends in one, and a token or password never does.
Result<std::string> SecretDataValue(const json& secret, const std::string& key, bool trim_line_feed);

// Gets Secret `name` in `ns` and returns SecretDataValue of `key`; the API error as it came
// (kNotFound "... not found", kForbidden) when the Secret cannot be read.
Result<std::string> ReadSecretValue(const Client& client, const std::string& ns, const std::string& name,
                                    const std::string& key, bool trim_line_feed);

}  // namespace modelgate::kube
