#include "operator/kube/client.h"

#include <cctype>
#include <cstdio>

namespace modelgate::kube {

std::string Resource::ApiPrefix() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string Resource::CollectionPath(std::string_view ns) const {
  std::string path = ApiPrefix();
  if (namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += ns;
  }
  path += "/" + plural;
  return path;
}

std::string Resource::ObjectPath(std::string_view ns, std::string_view name,
                                 std::string_view subresource) const {
  std::string path = CollectionPath(ns) + "/" + std::string(name);
  if (!subresource.empty()) {
    path += "/";
    path += subresource;
  }
  return path;
}

namespace resources {
const Resource& ModelCandidates() {
  static const Resource r{"modelgate.io", "v1alpha1", "modelcandidates", true};
  return r;
}
const Resource& ModelRollouts() {
  static const Resource r{"modelgate.io", "v1alpha1", "modelrollouts", true};
  return r;
}
const Resource& ModelPipelines() {
  static const Resource r{"modelgate.io", "v1alpha1", "modelpipelines", true};
  return r;
}
const Resource& Secrets() {
  static const Resource r{"", "v1", "secrets", true};
  return r;
}
const Resource& Leases() {
  static const Resource r{"coordination.k8s.io", "v1", "leases", true};
  return r;
}
const Resource& Events() {
  static const Resource r{"events.k8s.io", "v1", "events", true};
  return r;
}
const Resource& ConfigMaps() {
  static const Resource r{"", "v1", "configmaps", true};
  return r;
}
const Resource& Deployments() {
  static const Resource r{"apps", "v1", "deployments", true};
  return r;
}
const Resource& Services() {
  static const Resource r{"", "v1", "services", true};
  return r;
}
const Resource& Jobs() {
  static const Resource r{"batch", "v1", "jobs", true};
  return r;
}
const Resource& Pods() {
  static const Resource r{"", "v1", "pods", true};
  return r;
}
const Resource& HTTPRoutes() {
  static const Resource r{"gateway.networking.k8s.io", "v1", "httproutes", true};
  return r;
}
const Resource& VirtualServices() {
  static const Resource r{"networking.istio.io", "v1", "virtualservices", true};
  return r;
}
}  // namespace resources

std::string UrlEncode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

namespace {

void AddQuery(std::string& path, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  path += (path.find('?') == std::string::npos) ? '?' : '&';
  path += key;
  path += '=';
  path += UrlEncode(value);
}

const char* PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kJson: return "application/json-patch+json";
    case PatchType::kStrategicMerge: return "application/strategic-merge-patch+json";
    case PatchType::kApply: return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

// Serialises a request body. Invalid UTF-8 in a string (user text in an annotation or a note) is
// replaced by U+FFFD instead of making nlohmann::json throw out of the client.
std::string Serialize(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string MetadataField(const json& object, const char* field) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  const auto it = meta->find(field);
  return (it != meta->end() && it->is_string()) ? it->get<std::string>() : "";
}

}  // namespace

Client::Client(std::shared_ptr<Transport> transport, std::string user_agent)
    : transport_(std::move(transport)), user_agent_(std::move(user_agent)) {}

Result<json> Client::Do(HttpRequest request) const {
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("User-Agent", user_agent_);
  Result<HttpResponse> response = transport_->Send(request);
  if (!response.ok()) return response.status();
  const auto retry_after = response->headers.find("retry-after");
  Status mapped = FromKubernetesResponse(
      response->status, response->body,
      retry_after == response->headers.end() ? "" : retry_after->second);
  if (!mapped.ok()) return mapped;
  if (response->body.empty()) return json::object();
  json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status(StatusCode::kInternal,
                  request.method + " " + request.path + ": response is not JSON");
  }
  return parsed;
}

Result<json> Client::Get(const Resource& r, std::string_view ns, std::string_view name) const {
  return Do({.method = "GET", .path = r.ObjectPath(ns, name)});
}

Result<json> Client::List(const Resource& r, std::string_view ns, const ListOptions& opts) const {
  std::string path = r.CollectionPath(ns);
  AddQuery(path, "labelSelector", opts.label_selector);
  AddQuery(path, "fieldSelector", opts.field_selector);
  AddQuery(path, "resourceVersion", opts.resource_version);
  if (opts.limit > 0) AddQuery(path, "limit", std::to_string(opts.limit));
  AddQuery(path, "continue", opts.continue_token);
  return Do({.method = "GET", .path = path, .timeout = std::chrono::seconds(60)});
}

Result<json> Client::ListAll(const Resource& r, std::string_view ns, ListOptions opts) const {
  bool restarted = false;
  json all;
  while (true) {
    Result<json> page = List(r, ns, opts);
    if (!page.ok()) {
      if (page.status().code() == StatusCode::kGone && !opts.continue_token.empty() && !restarted) {
        restarted = true;
        opts.continue_token.clear();
        all = json();
        continue;
      }
      return page.status();
    }
    if (all.is_null()) {
      all = *page;
      if (!all.contains("items") || !all["items"].is_array()) all["items"] = json::array();
    } else if (page->contains("items") && (*page)["items"].is_array()) {
      for (auto& item : (*page)["items"]) all["items"].push_back(std::move(item));
    }
    std::string next = (*page)["metadata"].value("continue", "");
    if (next.empty()) break;
    opts.continue_token = next;
  }
  if (all.contains("metadata")) all["metadata"].erase("continue");
  return all;
}

Status Client::Watch(const Resource& r, std::string_view ns, const WatchOptions& opts,
                     const std::function<bool(std::string_view, const json&)>& on_event,
                     const std::atomic<bool>* cancel) const {
  std::string path = r.CollectionPath(ns) + "?watch=true";
  AddQuery(path, "labelSelector", opts.label_selector);
  AddQuery(path, "fieldSelector", opts.field_selector);
  AddQuery(path, "resourceVersion", opts.resource_version);
  if (opts.allow_bookmarks) AddQuery(path, "allowWatchBookmarks", "true");
  AddQuery(path, "timeoutSeconds", std::to_string(opts.timeout_seconds));
  HttpRequest request{.method = "GET", .path = path,
                      // Silence longer than the server-side timeout plus slack means a dead peer.
                      .timeout = std::chrono::seconds(opts.timeout_seconds + 30)};
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("User-Agent", user_agent_);
  Status parse_error;
  Status streamed = transport_->Stream(
      request,
      [&](std::string_view line) {
        if (line.empty()) return true;
        json event = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (event.is_discarded() || !event.is_object() || !event.contains("type")) {
          parse_error = Status(StatusCode::kInternal, "watch " + r.plural + ": malformed event line");
          return false;
        }
        const std::string type = event["type"].is_string() ? event["type"].get<std::string>() : "";
        return on_event(type, event.contains("object") ? event["object"] : json::object());
      },
      cancel);
  if (!parse_error.ok()) return parse_error;
  return streamed;
}

Result<json> Client::Create(const Resource& r, std::string_view ns, const json& object, bool dry_run) const {
  HttpRequest request{.method = "POST", .path = r.CollectionPath(ns) + (dry_run ? "?dryRun=All" : ""),
                      .body = Serialize(object)};
  request.headers.emplace_back("Content-Type", "application/json");
  return Do(std::move(request));
}

Result<json> Client::Update(const Resource& r, std::string_view ns, const json& object) const {
  HttpRequest request{.method = "PUT", .path = r.ObjectPath(ns, MetadataField(object, "name")),
                      .body = Serialize(object)};
  request.headers.emplace_back("Content-Type", "application/json");
  return Do(std::move(request));
}

Result<json> Client::UpdateStatus(const Resource& r, std::string_view ns, const json& object) const {
  HttpRequest request{.method = "PUT",
                      .path = r.ObjectPath(ns, MetadataField(object, "name"), "status"),
                      .body = Serialize(object)};
  request.headers.emplace_back("Content-Type", "application/json");
  return Do(std::move(request));
}

Result<json> Client::Patch(const Resource& r, std::string_view ns, std::string_view name,
                           PatchType type, const json& patch, const PatchOptions& opts) const {
  std::string path = r.ObjectPath(ns, name, opts.subresource);
  AddQuery(path, "fieldManager", opts.field_manager);
  if (type == PatchType::kApply && opts.force) AddQuery(path, "force", "true");
  HttpRequest request{.method = "PATCH", .path = path, .body = Serialize(patch)};
  request.headers.emplace_back("Content-Type", PatchContentType(type));
  return Do(std::move(request));
}

Result<json> Client::Apply(const Resource& r, std::string_view ns, const json& object,
                           std::string_view field_manager, bool force) const {
  return Patch(r, ns, MetadataField(object, "name"), PatchType::kApply, object,
               {.field_manager = std::string(field_manager), .force = force});
}

Status Client::Delete(const Resource& r, std::string_view ns, std::string_view name,
                      DeletePropagation propagation) const {
  HttpRequest request{.method = "DELETE", .path = r.ObjectPath(ns, name)};
  if (propagation != DeletePropagation::kDefault) {
    const char* policy = propagation == DeletePropagation::kForeground   ? "Foreground"
                         : propagation == DeletePropagation::kBackground ? "Background"
                                                                         : "Orphan";
    request.body = json{{"kind", "DeleteOptions"}, {"apiVersion", "v1"},
                        {"propagationPolicy", policy}}.dump();
    request.headers.emplace_back("Content-Type", "application/json");
  }
  Result<json> result = Do(std::move(request));
  return result.ok() ? Status::Ok() : result.status();
}

}  // namespace modelgate::kube
