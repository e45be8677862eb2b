// FakeObjectServer: a tiny API server for the traffic router tests, on top of FakeTransport.
// It keeps objects by path (a /status subresource path is the object's own); GET returns the
// stored object (404 when absent); PUT checks
// metadata.resourceVersion (409 Conflict when stale), stores the body with a new
// resourceVersion and returns it. Tests can make the next N PUTs conflict (another writer raced
// us), or rewrite every stored PUT (a mutating webhook / a server that ignores a field), to
// exercise the conflict retry and the read-back check. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "tests/operator/kube/fake_transport.h"

namespace modelgate::traffic::testing {

using nlohmann::json;
using kube::testing::ErrorResponse;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;

class FakeObjectServer {
 public:
  FakeObjectServer() : transport_(std::make_shared<FakeTransport>()), client_(transport_) {
    transport_->Handle("GET", "/", [this](const kube::HttpRequest& request) {
      std::lock_guard lock(mu_);
      auto it = objects_.find(ObjectPathOf(request.path));
      if (it == objects_.end()) return kube::Result<kube::HttpResponse>(ErrorResponse(404, "NotFound"));
      return kube::Result<kube::HttpResponse>(JsonResponse(200, it->second));
    });
    transport_->Handle("PUT", "/", [this](const kube::HttpRequest& request) {
      std::lock_guard lock(mu_);
      auto it = objects_.find(ObjectPathOf(request.path));
      if (it == objects_.end()) return kube::Result<kube::HttpResponse>(ErrorResponse(404, "NotFound"));
      json body = json::parse(request.body);
      if (conflicts_left_ > 0) {
        --conflicts_left_;
        BumpVersion(it->second);  // someone else wrote in between
        return kube::Result<kube::HttpResponse>(ErrorResponse(409, "Conflict"));
      }
      if (body["metadata"].value("resourceVersion", "") !=
          it->second["metadata"].value("resourceVersion", "")) {
        return kube::Result<kube::HttpResponse>(ErrorResponse(409, "Conflict"));
      }
      if (rewrite_) rewrite_(body);
      it->second = body;
      BumpVersion(it->second);
      return kube::Result<kube::HttpResponse>(JsonResponse(200, it->second));
    });
  }

  // Stores `object` at the path of `resource` (namespace and name from its metadata).
  void Put(const kube::Resource& resource, json object) {
    std::lock_guard lock(mu_);
    object["metadata"]["resourceVersion"] = "1";
    const std::string path = resource.ObjectPath(object["metadata"]["namespace"].get<std::string>(),
                                                 object["metadata"]["name"].get<std::string>());
    objects_[path] = std::move(object);
  }
  json Get(const kube::Resource& resource, const std::string& ns, const std::string& name) const {
    std::lock_guard lock(mu_);
    return objects_.at(resource.ObjectPath(ns, name));
  }
  // The next `count` PUTs answer 409 (and the stored resourceVersion moves on).
  void ConflictNext(int count) {
    std::lock_guard lock(mu_);
    conflicts_left_ = count;
  }
  // Applied to every accepted PUT body before it is stored.
  void RewriteWrites(std::function<void(json&)> rewrite) {
    std::lock_guard lock(mu_);
    rewrite_ = std::move(rewrite);
  }
  size_t Puts() const { return transport_->SentMatching("PUT", "/").size(); }

  const kube::Client& client() const { return client_; }
  FakeTransport& transport() { return *transport_; }

 private:
  static std::string ObjectPathOf(std::string path) {
    const std::string status = "/status";
    if (path.size() > status.size() && path.compare(path.size() - status.size(), status.size(), status) == 0) {
      path.resize(path.size() - status.size());
    }
    return path;
  }
  static void BumpVersion(json& object) {
    const int version = std::stoi(object["metadata"].value("resourceVersion", "0"));
    object["metadata"]["resourceVersion"] = std::to_string(version + 1);
  }

  mutable std::mutex mu_;
  std::shared_ptr<FakeTransport> transport_;
  kube::Client client_;
  std::map<std::string, json> objects_;
  int conflicts_left_ = 0;
  std::function<void(json&)> rewrite_;
};

}  // namespace modelgate::traffic::testing
