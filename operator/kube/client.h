// Client: typed request helpers for the Kubernetes REST API over a Transport. Objects are
// nlohmann::json documents as the API server sends them. Every call returns a Status/Result that
// says what the caller should do (see status.h); nothing throws.
// Thread-safe: one Client is shared by every informer, worker and the leader elector.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/kube/status.h"
#include "operator/kube/transport.h"

namespace modelgate::kube {

using json = nlohmann::json;

// A resource type: group ("" for core), version, plural resource name, namespaced or cluster-scoped.
struct Resource {
  std::string group;
  std::string version;
  std::string plural;
  bool namespaced = true;

  // "/api/v1" for the core group, "/apis/<group>/<version>" otherwise.
  std::string ApiPrefix() const;
  // Collection path: <prefix>[/namespaces/<ns>]/<plural>. An empty ns on a namespaced resource
  // means all namespaces.
  std::string CollectionPath(std::string_view ns) const;
  // Object path: <collection>/<name>[/<subresource>].
  std::string ObjectPath(std::string_view ns, std::string_view name,
                         std::string_view subresource = "") const;
};

// Well-known resources used by modelgate.
namespace resources {
const Resource& ModelCandidates();   // modelgate.io/v1alpha1 modelcandidates
const Resource& ModelRollouts();     // modelgate.io/v1alpha1 modelrollouts
const Resource& ModelPipelines();    // modelgate.io/v1alpha1 modelpipelines
const Resource& Secrets();           // v1 secrets
const Resource& Leases();            // coordination.k8s.io/v1 leases
const Resource& Events();            // events.k8s.io/v1 events
const Resource& ConfigMaps();        // v1 configmaps
const Resource& Deployments();       // apps/v1 deployments
const Resource& Services();          // v1 services
const Resource& Jobs();              // batch/v1 jobs
const Resource& Pods();              // v1 pods
const Resource& HTTPRoutes();        // gateway.networking.k8s.io/v1 httproutes
const Resource& VirtualServices();   // networking.istio.io/v1 virtualservices
}  // namespace resources

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" = most recent (quorum read)
  int limit = 0;                 // 0 = no paging
  std::string continue_token;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;     // start after this version
  int timeout_seconds = 300;        // server-side end of the watch (randomise per call)
  bool allow_bookmarks = true;
};

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

struct PatchOptions {
  std::string subresource;    // "" or "status"
  std::string field_manager;  // required for kApply
  bool force = false;         // kApply: take ownership of conflicting fields
};

enum class DeletePropagation { kDefault, kForeground, kBackground, kOrphan };

class Client {
 public:
  explicit Client(std::shared_ptr<Transport> transport, std::string user_agent = "modelgate");

  Result<json> Get(const Resource& r, std::string_view ns, std::string_view name) const;
  // Returns the List object as sent (items[], metadata.resourceVersion, metadata.continue).
  Result<json> List(const Resource& r, std::string_view ns, const ListOptions& opts = {}) const;
  // Lists all pages (following metadata.continue) and returns one List object with all items and
  // the resourceVersion of the first page. A 410 on a continue token restarts from the beginning once.
  Result<json> ListAll(const Resource& r, std::string_view ns, ListOptions opts = {}) const;

  // Streams watch events. on_event receives the event type (ADDED, MODIFIED, DELETED, BOOKMARK,
  // ERROR) and the object; returning false ends the watch. An ERROR event is passed through as is
  // (its object is a metav1.Status; code 410 means the caller must relist). A line that is not
  // JSON ends the watch with kInternal. Returns as Transport::Stream.
  Status Watch(const Resource& r, std::string_view ns, const WatchOptions& opts,
               const std::function<bool(std::string_view type, const json& object)>& on_event,
               const std::atomic<bool>* cancel) const;

  // POST. With dry_run the API server validates and admits the object (schema, CEL rules,
  // defaults, admission) without storing it: an Invalid answer names the fields.
  Result<json> Create(const Resource& r, std::string_view ns, const json& object, bool dry_run = false) const;
  // PUT of the whole object; metadata.resourceVersion gives optimistic concurrency (kConflict).
  Result<json> Update(const Resource& r, std::string_view ns, const json& object) const;
  // PUT of the status subresource.
  Result<json> UpdateStatus(const Resource& r, std::string_view ns, const json& object) const;
  // PATCH with the given type; `patch` is the JSON body (an array for kJson).
  Result<json> Patch(const Resource& r, std::string_view ns, std::string_view name,
                     PatchType type, const json& patch, const PatchOptions& opts = {}) const;
  // Server-side apply of a full object (uses metadata.name), field manager required.
  Result<json> Apply(const Resource& r, std::string_view ns, const json& object,
                     std::string_view field_manager, bool force = true) const;
  // DELETE. kNotFound is returned as is (callers that only want it gone treat it as success).
  Status Delete(const Resource& r, std::string_view ns, std::string_view name,
                DeletePropagation propagation = DeletePropagation::kDefault) const;

  Transport& transport() const { return *transport_; }

 private:
  Result<json> Do(HttpRequest request) const;

  std::shared_ptr<Transport> transport_;
  std::string user_agent_;
};

// Percent-encodes a query value (RFC 3986 unreserved characters kept).
std::string UrlEncode(std::string_view value);

}  // namespace modelgate::kube
