// Shared inputs for the candidate controller tests: an InputFetcher over in-memory ConfigMaps and
// URIs, and small generated datasets.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "controllers/candidate/gate_run.h"

namespace modelgate::controllers::candidate::testing {

// An in-memory body handed out as is (no gzip detection), as InputFetcher::OpenUri promises.
class RawBody final : public gates::ByteSource {
 public:
  RawBody(std::string data, std::string name) : data_(std::move(data)), name_(std::move(name)) {}
  gates::Result<size_t> Read(char* buffer, size_t capacity) override {
    const size_t n = std::min(capacity, data_.size() - offset_);
    data_.copy(buffer, n, offset_);
    offset_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  size_t offset_ = 0;
  std::string name_;
};

class FakeFetcher final : public InputFetcher {
 public:
  std::map<std::string, std::string> config_maps;  // "name/key" -> value
  std::map<std::string, std::string> uris;         // uri -> body; absent = unavailable

  gates::Result<std::string> ReadConfigMapKey(const std::string&, const std::string& name,
                                              const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = config_maps.find(name + "/" + key);
    if (it == config_maps.end()) return gates::Status(gates::ErrorCode::kNotFound, "ConfigMap " + name + " has no key " + key);
    return it->second;
  }
  gates::Result<std::unique_ptr<gates::ByteSource>> OpenUri(const std::string& uri, std::chrono::milliseconds,
                                                            uint64_t) override {
    std::lock_guard lock(mu_);
    auto it = uris.find(uri);
    if (it == uris.end()) return gates::Status(gates::ErrorCode::kIo, uri + ": connection refused");
    return std::unique_ptr<gates::ByteSource>(std::make_unique<RawBody>(it->second, uri));
  }

 private:
  std::mutex mu_;
};

// Held-out predictions: desktop rows where the challenger ranks perfectly and the champion
// poorly; mobile rows where the challenger ranks poorly and the champion perfectly. Globally the
// challenger wins; on the mobile slice it regresses.
inline std::string SliceRegressionCsv() {
  std::ostringstream csv;
  csv << "platform,label,score,champion_score\n";
  for (int i = 0; i < 200; ++i) {
    const int label = i % 2;
    const double good = label ? 0.6 + (i % 7) * 0.05 : 0.1 + (i % 5) * 0.05;
    const double noisy = ((i * 37) % 100) / 100.0;
    csv << "desktop," << label << "," << good << "," << noisy << "\n";
  }
  for (int i = 0; i < 60; ++i) {
    const int label = i % 2;
    const double good = label ? 0.6 + (i % 7) * 0.05 : 0.1 + (i % 5) * 0.05;
    const double noisy = ((i * 53) % 100) / 100.0;
    csv << "mobile," << label << "," << noisy << "," << good << "\n";
  }
  return csv.str();
}

inline const char* kSlicePolicyYaml = R"(columns: {label: label, score: score, champion_score: champion_score}
global_metrics:
  auc_roc: {min: 0.6, max_regression_vs_champion: 0.02}
slices:
  - name: mobile_users
    filter: "platform == 'mobile'"
    min_rows: 10
    metrics:
      auc_roc: {max_regression_vs_champion: 0.02}
)";

}  // namespace modelgate::controllers::candidate::testing
