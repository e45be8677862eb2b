#include "operator/mlflow_registry.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <limits>
#include <set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/common/text.h"
#include "operator/kube/client.h"
#include "operator/kube/cpprest_transport.h"

namespace modelgate {
namespace {

using controllers::registry::ModelRegistry;
using controllers::registry::ModelVersion;
using controllers::registry::RegisteredModel;
using controllers::registry::RunInfo;
using kube::Result;
using kube::Status;
using kube::StatusCode;
using nlohmann::json;

constexpr std::string_view kApi = "/api/2.0/mlflow/";
constexpr std::string_view kArtifactsApi = "/api/2.0/mlflow-artifacts/artifacts/";
constexpr size_t kMaxBodyInMessage = 200;
constexpr size_t kMaxMlflowMessage = 500;  // the duplicate-experiment error carries whole SQL statements
// MLflow's log-batch limits (mlflow/utils/validation.py): 100 params, 100 tags, 1000 metrics and
// 1000 entries in all per request.
constexpr size_t kBatchParamsOrTags = 100;
constexpr size_t kBatchEntries = 1000;
constexpr int kSearchPageSize = 1000;

// Text for a one-line message: control characters (an HTML page's newlines) become spaces.
std::string OneLine(std::string_view text, size_t max_bytes) {
  std::string out = gates::Shorten(text, max_bytes);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  const auto last = out.find_last_not_of(' ');
  out.erase(last == std::string::npos ? 0 : last + 1);
  return out;
}

// dump() throws on invalid UTF-8; a caller's odd byte must not end the operation.
std::string Dump(const json& doc) { return doc.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint32_t(uint8_t(in[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// --- reading MLflow's answers: every field optional, lists omitted when empty ----------------------

std::string Str(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

int64_t Int(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    std::optional<double> n = gates::ParseNumber(it->get<std::string>());
    return n && std::isfinite(*n) ? static_cast<int64_t>(*n) : 0;
  }
  return 0;
}

const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// [{"key": k, "value": v}, ...] -> map (missing list: empty).
std::map<std::string, std::string> KeyValues(const json& list) {
  std::map<std::string, std::string> out;
  if (!list.is_array()) return out;
  for (const json& item : list) {
    if (item.is_object() && item.contains("key")) out[Str(item, "key")] = Str(item, "value");
  }
  return out;
}

// A metric value: a number, or "NaN" / "Infinity" / "-Infinity" (protobuf JSON for doubles).
double MetricValue(const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (std::optional<double> n = gates::ParseNumber(text)) return *n;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

json MetricJson(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

json KeyValueList(const std::map<std::string, std::string>& values) {
  json out = json::array();
  for (const auto& [key, value] : values) out.push_back({{"key", key}, {"value", value}});
  return out;
}

ModelVersion ParseModelVersion(const json& mv) {
  ModelVersion out;
  out.name = Str(mv, "name");
  out.version = Str(mv, "version");
  out.current_stage = Str(mv, "current_stage");
  out.source = Str(mv, "source");
  out.run_id = Str(mv, "run_id");
  out.status = Str(mv, "status");
  const json& aliases = Member(mv, "aliases");
  if (aliases.is_array()) {
    for (const json& alias : aliases) {
      if (alias.is_string()) out.aliases.push_back(alias.get<std::string>());
    }
  }
  out.tags = KeyValues(Member(mv, "tags"));
  return out;
}

RegisteredModel ParseRegisteredModel(const json& rm) {
  RegisteredModel out;
  out.name = Str(rm, "name");
  const json& aliases = Member(rm, "aliases");
  if (aliases.is_array()) {
    for (const json& alias : aliases) out.aliases[Str(alias, "alias")] = Str(alias, "version");
  }
  out.tags = KeyValues(Member(rm, "tags"));
  return out;
}

RunInfo ParseRun(const json& run) {
  RunInfo out;
  const json& info = Member(run, "info");
  out.run_id = Str(info, "run_id");
  if (out.run_id.empty()) out.run_id = Str(info, "run_uuid");
  out.run_name = Str(info, "run_name");
  out.status = Str(info, "status");
  out.artifact_uri = Str(info, "artifact_uri");
  out.experiment_id = Str(info, "experiment_id");
  out.start_time_ms = Int(info, "start_time");
  const json& data = Member(run, "data");
  out.tags = KeyValues(Member(data, "tags"));
  out.params = KeyValues(Member(data, "params"));
  const json& metrics = Member(data, "metrics");
  if (metrics.is_array()) {
    for (const json& metric : metrics) {
      if (metric.is_object() && metric.contains("key")) out.metrics[Str(metric, "key")] = MetricValue(metric["value"]);
    }
  }
  return out;
}

// Splits a relative artifact path into segments; nullopt when it is empty, absolute, or has an
// empty, "." or ".." segment (the server would refuse it or resolve it outside the run).
std::optional<std::vector<std::string>> PathSegments(std::string_view path) {
  std::vector<std::string> segments;
  if (path.empty() || path.front() == '/') return std::nullopt;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    segments.emplace_back(segment);
    if (slash == std::string_view::npos) return segments;
    start = slash + 1;
  }
}

std::string EncodeSegments(const std::vector<std::string>& segments) {
  std::string out;
  for (const std::string& segment : segments) {
    if (!out.empty()) out += '/';
    out += kube::UrlEncode(segment);
  }
  return out;
}

Status InvalidArtifactPath(std::string_view path) {
  return Status(StatusCode::kInvalid, "MLflow artifact path '" + gates::Shorten(path, 200) +
                                          "': expected a relative path like audit/event.json (no leading '/', "
                                          "no empty, '.' or '..' segment)");
}

// Split of a tracking URI: server ("http://host:port") and path prefix ("" or "/mlflow").
struct TrackingUri {
  std::string server;
  std::string prefix;
};

Result<TrackingUri> ParseTrackingUri(const std::string& uri) {
  const std::string what = "MLflow tracking URI";
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) {
    return Status(StatusCode::kInvalid, what + " '" + gates::Shorten(uri, 200) + "': expected http(s)://host[:port][/prefix]");
  }
  std::string scheme = uri.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  const size_t authority_start = scheme_end + 3;
  const size_t authority_end = std::min(uri.find_first_of("/?#", authority_start), uri.size());
  const std::string authority = uri.substr(authority_start, authority_end - authority_start);
  // Checked before anything echoes the URI: user:password@ must not reach a message.
  if (authority.find('@') != std::string::npos) {
    return Status(StatusCode::kInvalid, what + ": credentials in the URI (user:password@host) are not supported; "
                                               "give them as username/password or a token");
  }
  if (scheme != "http" && scheme != "https") {
    return Status(StatusCode::kInvalid, what + " '" + gates::Shorten(uri, 200) + "': expected http:// or https://");
  }
  if (authority.empty()) return Status(StatusCode::kInvalid, what + " '" + gates::Shorten(uri, 200) + "': no host");
  if (uri.find_first_of("?#") != std::string::npos) {
    return Status(StatusCode::kInvalid, what + " '" + gates::Shorten(uri, 200) + "': a query or fragment is not allowed");
  }
  if (std::any_of(uri.begin(), uri.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return Status(StatusCode::kInvalid, what + " '" + gates::Shorten(uri, 200) + "': contains whitespace or control characters");
  }
  TrackingUri out{.server = scheme + "://" + authority, .prefix = uri.substr(authority_end)};
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  return out;
}

class MlflowRegistry final : public ModelRegistry {
 public:
  MlflowRegistry(std::shared_ptr<kube::Transport> transport, std::string prefix, std::string authorization,
                 std::chrono::milliseconds timeout)
      : transport_(std::move(transport)),
        prefix_(std::move(prefix)),
        authorization_(std::move(authorization)),
        timeout_(timeout) {}

  Result<RegisteredModel> GetRegisteredModel(const std::string& name) override {
    return Guard<RegisteredModel>([&]() -> Result<RegisteredModel> {
      Result<json> answer = Call("GET", Api("registered-models/get") + "?name=" + kube::UrlEncode(name));
      if (!answer.ok()) return answer.status();
      return ParseRegisteredModel(Member(*answer, "registered_model"));
    });
  }

  Result<ModelVersion> GetModelVersion(const std::string& name, const std::string& version) override {
    return Guard<ModelVersion>([&]() -> Result<ModelVersion> {
      Result<json> answer = Call("GET", Api("model-versions/get") + "?name=" + kube::UrlEncode(name) +
                                            "&version=" + kube::UrlEncode(version));
      if (!answer.ok()) return answer.status();
      return ParseModelVersion(Member(*answer, "model_version"));
    });
  }

  Status SetAlias(const std::string& name, const std::string& alias, const std::string& version) override {
    return GuardStatus([&] {
      return Call("POST", Api("registered-models/alias"), json{{"name", name}, {"alias", alias}, {"version", version}})
          .status();
    });
  }

  Status DeleteAlias(const std::string& name, const std::string& alias) override {
    return GuardStatus([&] {
      Status status = Call("DELETE", Api("registered-models/alias"), json{{"name", name}, {"alias", alias}}).status();
      // MLflow 3.17 answers 200 for an absent alias; an older server's "alias not found" (mapped to
      // kNotFound) is the same outcome. An unknown model stays kNotFound (message: Registered Model).
      if (status.code() == StatusCode::kNotFound && status.message().find("Registered model alias ") != std::string::npos) {
        return Status::Ok();
      }
      return status;
    });
  }

  Status SetModelVersionTag(const std::string& name, const std::string& version, const std::string& key,
                            const std::string& value) override {
    return GuardStatus([&] {
      return Call("POST", Api("model-versions/set-tag"),
                  json{{"name", name}, {"version", version}, {"key", key}, {"value", value}})
          .status();
    });
  }

  Status TransitionStage(const std::string& name, const std::string& version, const std::string& stage) override {
    return GuardStatus([&] {
      return Call("POST", Api("model-versions/transition-stage"),
                  json{{"name", name}, {"version", version}, {"stage", stage}, {"archive_existing_versions", false}})
          .status();
    });
  }

  Result<std::string> GetOrCreateExperiment(const std::string& name) override {
    return Guard<std::string>([&]() -> Result<std::string> {
      Result<std::string> found = GetExperimentId(name);
      if (found.ok() || found.status().code() != StatusCode::kNotFound) return found;
      Result<json> created = Call("POST", Api("experiments/create"), json{{"name", name}});
      if (created.ok()) {
        std::string id = Str(*created, "experiment_id");
        if (id.empty()) return Unexpected("POST", Api("experiments/create"), "no experiment_id", Dump(*created));
        return id;
      }
      // Someone else created it between our get and create.
      if (created.status().code() == StatusCode::kAlreadyExists) return GetExperimentId(name);
      return created.status();
    });
  }

  Result<std::optional<RunInfo>> FindRunByTag(const std::string& experiment_id, const std::string& key,
                                              const std::string& value) override {
    return Guard<std::optional<RunInfo>>([&]() -> Result<std::optional<RunInfo>> {
      Result<std::string> filter = MlflowTagFilter(key, value);
      if (!filter.ok()) return filter.status();
      Result<std::vector<RunInfo>> runs = SearchRuns(experiment_id, *filter, 1);
      if (!runs.ok()) return runs.status();
      if (runs->empty()) return std::optional<RunInfo>();
      return std::optional<RunInfo>(std::move(runs->front()));
    });
  }

  Result<RunInfo> CreateRun(const std::string& experiment_id, const std::string& run_name,
                            const std::map<std::string, std::string>& tags, int64_t start_time_ms) override {
    return Guard<RunInfo>([&]() -> Result<RunInfo> {
      json body{{"experiment_id", experiment_id}, {"run_name", run_name}, {"start_time", start_time_ms}};
      if (!tags.empty()) body["tags"] = KeyValueList(tags);
      Result<json> answer = Call("POST", Api("runs/create"), body);
      if (!answer.ok()) return answer.status();
      RunInfo run = ParseRun(Member(*answer, "run"));
      if (run.run_id.empty()) return Unexpected("POST", Api("runs/create"), "no run.info.run_id", Dump(*answer));
      return run;
    });
  }

  Status LogBatch(const std::string& run_id, const std::map<std::string, std::string>& params,
                  const std::map<std::string, double>& metrics, const std::map<std::string, std::string>& tags,
                  int64_t timestamp_ms) override {
    return GuardStatus([&]() -> Status {
      auto param = params.begin();
      auto metric = metrics.begin();
      auto tag = tags.begin();
      while (param != params.end() || metric != metrics.end() || tag != tags.end()) {
        json body{{"run_id", run_id}};
        size_t entries = 0;
        json param_list = json::array(), metric_list = json::array(), tag_list = json::array();
        for (; param != params.end() && param_list.size() < kBatchParamsOrTags; ++param, ++entries) {
          param_list.push_back({{"key", param->first}, {"value", param->second}});
        }
        for (; tag != tags.end() && tag_list.size() < kBatchParamsOrTags; ++tag, ++entries) {
          tag_list.push_back({{"key", tag->first}, {"value", tag->second}});
        }
        for (; metric != metrics.end() && entries < kBatchEntries; ++metric, ++entries) {
          metric_list.push_back(
              {{"key", metric->first}, {"value", MetricJson(metric->second)}, {"timestamp", timestamp_ms}, {"step", 0}});
        }
        if (!param_list.empty()) body["params"] = std::move(param_list);
        if (!metric_list.empty()) body["metrics"] = std::move(metric_list);
        if (!tag_list.empty()) body["tags"] = std::move(tag_list);
        if (Status status = Call("POST", Api("runs/log-batch"), body).status(); !status.ok()) return status;
      }
      return Status::Ok();
    });
  }

  Status UploadArtifact(const RunInfo& run, const std::string& path, const std::string& content) override {
    return GuardStatus([&]() -> Status {
      Result<std::string> target = MlflowArtifactUploadPath(prefix_, run.artifact_uri, path);
      if (!target.ok()) {
        return Status(target.status().code(), "MLflow run " + run.run_id + ": " + target.status().message());
      }
      kube::HttpRequest request = Request("PUT", *target);
      request.headers.emplace_back("Content-Type", "application/octet-stream");
      request.body = content;
      return Exchange(request).status();
    });
  }

  Result<std::vector<RunInfo>> SearchRuns(const std::string& experiment_id, const std::string& filter,
                                          int max_results) override {
    return Guard<std::vector<RunInfo>>([&]() -> Result<std::vector<RunInfo>> {
      if (max_results < 1) {
        return Status(StatusCode::kInvalid, "MLflow runs/search: max_results must be at least 1, got " +
                                                std::to_string(max_results));
      }
      std::vector<RunInfo> out;
      std::set<std::string> seen;  // offset paging repeats a run when another run is inserted before it
      std::string page_token;
      while (static_cast<int>(out.size()) < max_results) {
        json body{{"experiment_ids", json::array({experiment_id})},
                  {"run_view_type", "ACTIVE_ONLY"},
                  {"max_results", std::min(max_results - static_cast<int>(out.size()), kSearchPageSize)},
                  {"order_by", json::array({"attributes.start_time ASC"})}};
        if (!filter.empty()) body["filter"] = filter;
        if (!page_token.empty()) body["page_token"] = page_token;
        Result<json> answer = Call("POST", Api("runs/search"), body);
        if (!answer.ok()) return answer.status();
        const json& runs = Member(*answer, "runs");
        if (runs.is_array()) {
          for (const json& run : runs) {
            RunInfo parsed = ParseRun(run);
            if (static_cast<int>(out.size()) < max_results && seen.insert(parsed.run_id).second) {
              out.push_back(std::move(parsed));
            }
          }
        }
        std::string next = Str(*answer, "next_page_token");
        if (next.empty() || next == page_token) break;
        page_token = std::move(next);
      }
      return out;
    });
  }

  Result<std::vector<std::string>> ListArtifacts(const std::string& run_id, const std::string& path) override {
    return Guard<std::vector<std::string>>([&]() -> Result<std::vector<std::string>> {
      std::vector<std::string> files, dirs;
      if (Status status = ListOneLevel(run_id, path, files, dirs); !status.ok()) return status;
      for (const std::string& dir : dirs) {
        std::vector<std::string> ignored_dirs;
        if (Status status = ListOneLevel(run_id, dir, files, ignored_dirs); !status.ok()) return status;
      }
      std::sort(files.begin(), files.end());
      return files;
    });
  }

  Result<std::string> DownloadArtifact(const std::string& run_id, const std::string& path) override {
    return Guard<std::string>([&]() -> Result<std::string> {
      if (!PathSegments(path)) return InvalidArtifactPath(path);
      Result<kube::HttpResponse> answer = Exchange(Request(
          "GET", prefix_ + "/get-artifact?run_uuid=" + kube::UrlEncode(run_id) + "&path=" + kube::UrlEncode(path)));
      if (!answer.ok()) return answer.status();
      return std::move(answer->body);
    });
  }

 private:
  std::string Api(std::string_view endpoint) const { return prefix_ + std::string(kApi) + std::string(endpoint); }

  kube::HttpRequest Request(const std::string& method, std::string path) const {
    kube::HttpRequest request;
    request.method = method;
    request.path = std::move(path);
    request.timeout = timeout_;
    if (!authorization_.empty()) request.headers.emplace_back("Authorization", authorization_);
    return request;
  }

  // Sends a request; a non-2xx answer becomes the mapped Status with " [METHOD path]".
  Result<kube::HttpResponse> Exchange(const kube::HttpRequest& request) const {
    Result<kube::HttpResponse> answer = transport_->Send(request);
    if (!answer.ok()) return Status(answer.status().code(), "MLflow " + answer.status().message());
    if (answer->status < 200 || answer->status >= 300) {
      auto retry_after = answer->headers.find("retry-after");
      Status status = MlflowStatusFromResponse(answer->status, answer->body,
                                               retry_after == answer->headers.end() ? "" : retry_after->second);
      Status with_call(status.code(), status.message() + " [" + request.method + " " + WithoutQuery(request.path) + "]");
      with_call.set_http_status(status.http_status());
      if (status.retry_after()) with_call.set_retry_after(*status.retry_after());
      return with_call;
    }
    return answer;
  }

  // A JSON API call: the JSON object of a 2xx answer ("" counts as {}).
  Result<json> Call(const std::string& method, std::string path, const std::optional<json>& body = std::nullopt) const {
    kube::HttpRequest request = Request(method, std::move(path));
    request.headers.emplace_back("Accept", "application/json");
    if (body) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = Dump(*body);
    }
    Result<kube::HttpResponse> answer = Exchange(request);
    if (!answer.ok()) return answer.status();
    if (answer->body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
    json doc = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return Unexpected(method, request.path, "the answer is not a JSON object", answer->body, answer->status);
    }
    return doc;
  }

  static std::string WithoutQuery(const std::string& path) { return path.substr(0, path.find('?')); }

  static Status Unexpected(const std::string& method, const std::string& path, const std::string& why,
                           std::string_view body, int http_status = 200) {
    return Status(StatusCode::kInternal, "MLflow " + std::to_string(http_status) + ": " + why + ": " +
                                             OneLine(body, kMaxBodyInMessage) + " [" + method + " " +
                                             WithoutQuery(path) + "]");
  }

  Result<std::string> GetExperimentId(const std::string& name) const {
    const std::string path = Api("experiments/get-by-name") + "?experiment_name=" + kube::UrlEncode(name);
    Result<json> answer = Call("GET", path);
    if (!answer.ok()) return answer.status();
    const json& experiment = Member(*answer, "experiment");
    std::string id = Str(experiment, "experiment_id");
    if (id.empty()) return Unexpected("GET", path, "no experiment.experiment_id", Dump(*answer));
    if (Str(experiment, "lifecycle_stage") == "deleted") {
      return Status(StatusCode::kInvalid, "MLflow experiment '" + name + "' (id " + id +
                                              ") is deleted and keeps its name: restore it "
                                              "(mlflow experiments restore --experiment-id " + id +
                                              ") or use another experiment name");
    }
    return id;
  }

  // One artifacts/list of `path`, following pages: files and directories (paths relative to the
  // run's artifact root).
  Status ListOneLevel(const std::string& run_id, const std::string& path, std::vector<std::string>& files,
                      std::vector<std::string>& dirs) const {
    std::string page_token;
    while (true) {
      std::string query = Api("artifacts/list") + "?run_id=" + kube::UrlEncode(run_id);
      if (!path.empty()) query += "&path=" + kube::UrlEncode(path);
      if (!page_token.empty()) query += "&page_token=" + kube::UrlEncode(page_token);
      Result<json> answer = Call("GET", query);
      if (!answer.ok()) return answer.status();
      const json& listed = Member(*answer, "files");
      if (listed.is_array()) {
        for (const json& file : listed) {
          const std::string file_path = Str(file, "path");
          if (file_path.empty()) continue;
          const json& is_dir = Member(file, "is_dir");
          (is_dir.is_boolean() && is_dir.get<bool>() ? dirs : files).push_back(file_path);
        }
      }
      std::string next = Str(*answer, "next_page_token");
      if (next.empty() || next == page_token) return Status::Ok();
      page_token = std::move(next);
    }
  }

  // "Never throws": a surprise inside (a JSON library error on data we did not foresee) becomes
  // kInternal instead of ending the caller's thread.
  template <typename T, typename F>
  static Result<T> Guard(F&& body) {
    try {
      return body();
    } catch (const std::exception& e) {
      return Status(StatusCode::kInternal, std::string("MLflow adapter: unexpected error: ") + e.what());
    }
  }
  template <typename F>
  static Status GuardStatus(F&& body) {
    try {
      return body();
    } catch (const std::exception& e) {
      return Status(StatusCode::kInternal, std::string("MLflow adapter: unexpected error: ") + e.what());
    }
  }

  const std::shared_ptr<kube::Transport> transport_;
  const std::string prefix_;
  const std::string authorization_;  // "Basic ..." / "Bearer ..." / ""
  const std::chrono::milliseconds timeout_;
};

}  // namespace

Status MlflowStatusFromResponse(int http_status, std::string_view body, std::string_view retry_after) {
  std::string error_code, message;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool mlflow_error = doc.is_object() && doc.contains("error_code") && doc["error_code"].is_string();
  if (mlflow_error) {
    error_code = doc["error_code"].get<std::string>();
    message = Str(doc, "message");
  }
  std::string text = "MLflow " + std::to_string(http_status);
  if (mlflow_error) {
    text += " " + error_code + ": " + OneLine(message, kMaxMlflowMessage);
  } else {
    text += ": " + OneLine(body, kMaxBodyInMessage);
  }

  StatusCode code = StatusCode::kInvalid;
  if (http_status == 400) {
    // An unknown alias is a 400 (not a 404) in MLflow 3.17: "Registered model alias X not found."
    const bool unknown_alias = error_code == "INVALID_PARAMETER_VALUE" && message.starts_with("Registered model alias ") &&
                               message.ends_with(" not found.");
    if (unknown_alias || error_code == "RESOURCE_DOES_NOT_EXIST") {
      code = StatusCode::kNotFound;
    } else if (error_code == "RESOURCE_ALREADY_EXISTS") {
      code = StatusCode::kAlreadyExists;
    }
  } else if (http_status == 401) {
    code = StatusCode::kUnauthorized;
  } else if (http_status == 403) {
    code = StatusCode::kForbidden;
  } else if (http_status == 404) {
    if (mlflow_error) {
      code = StatusCode::kNotFound;
    } else {
      // Not MLflow's answer about a resource: the route does not exist (wrong path prefix?).
      text += " (not an MLflow API answer: is the tracking URI, including its path prefix, right?)";
    }
  } else if (http_status == 408) {
    code = StatusCode::kTimeout;
  } else if (http_status == 409) {
    code = StatusCode::kConflict;
  } else if (http_status == 429) {
    code = StatusCode::kTooManyRequests;
  } else if (http_status >= 500) {
    code = StatusCode::kUnavailable;
  }
  Status status = Status(code, std::move(text)).set_http_status(http_status);
  if (!retry_after.empty()) {
    std::optional<double> seconds = gates::ParseNumber(std::string(retry_after));
    if (seconds && *seconds >= 0 && *seconds < 86400) status.set_retry_after(std::chrono::seconds(int64_t(*seconds)));
  }
  return status;
}

Result<std::string> MlflowTagFilter(std::string_view key, std::string_view value) {
  if (key.empty() || key.find('`') != std::string_view::npos) {
    return Status(StatusCode::kInvalid, "MLflow search filter: tag key '" + gates::Shorten(key, 200) +
                                            "' cannot be written (empty, or contains a backtick)");
  }
  const bool has_single = value.find('\'') != std::string_view::npos;
  const bool has_double = value.find('"') != std::string_view::npos;
  if (has_single && has_double) {
    return Status(StatusCode::kInvalid, "MLflow search filter: tag value '" + gates::Shorten(value, 200) +
                                            "' contains both ' and \", which MLflow's filter syntax cannot quote");
  }
  const char quote = has_single ? '"' : '\'';
  return "tags.`" + std::string(key) + "` = " + quote + std::string(value) + quote;
}

Result<std::string> MlflowArtifactUploadPath(std::string_view path_prefix, std::string_view artifact_uri,
                                             std::string_view path) {
  constexpr std::string_view kScheme = "mlflow-artifacts:";
  if (!artifact_uri.starts_with(kScheme)) {
    return Status(StatusCode::kInvalid,
                  "artifact_uri '" + gates::Shorten(artifact_uri, 200) +
                      "' is not mlflow-artifacts:/...; uploads go through the tracking server's artifact proxy, so "
                      "the server needs --serve-artifacts with --artifacts-destination (and no --default-artifact-root "
                      "outside it), or the experiment an artifact_location under mlflow-artifacts:/");
  }
  std::string_view root = artifact_uri.substr(kScheme.size());
  if (root.starts_with("//")) {  // mlflow-artifacts://host:port/path: the path is what the proxy serves
    const size_t slash = root.find('/', 2);
    root = slash == std::string_view::npos ? std::string_view() : root.substr(slash);
  }
  while (root.starts_with('/')) root.remove_prefix(1);
  while (root.ends_with('/')) root.remove_suffix(1);
  std::optional<std::vector<std::string>> segments = PathSegments(path);
  if (!segments) return InvalidArtifactPath(path);
  std::string out = std::string(path_prefix) + std::string(kArtifactsApi);
  if (!root.empty()) {
    std::optional<std::vector<std::string>> root_segments = PathSegments(root);
    if (!root_segments) {
      return Status(StatusCode::kInvalid, "artifact_uri '" + gates::Shorten(artifact_uri, 200) + "' has an empty, '.' or '..' segment");
    }
    out += EncodeSegments(*root_segments) + "/";
  }
  return out + EncodeSegments(*segments);
}

Result<std::unique_ptr<ModelRegistry>> MakeMlflowRegistry(const MlflowConfig& config,
                                                          std::shared_ptr<kube::Transport> transport) {
  Result<TrackingUri> uri = ParseTrackingUri(config.tracking_uri);
  if (!uri.ok()) return uri.status();
  const bool basic = !config.username.empty() || !config.password.empty();
  if (basic && !config.token.empty()) {
    return Status(StatusCode::kInvalid, "MLflow credentials: both username/password and a token are set; use one");
  }
  if (basic && (config.username.empty() || config.password.empty())) {
    return Status(StatusCode::kInvalid, std::string("MLflow credentials: a ") +
                                            (config.username.empty() ? "password without a username"
                                                                     : "username without a password"));
  }
  if (config.username.find(':') != std::string::npos) {
    return Status(StatusCode::kInvalid, "MLflow credentials: a basic-auth username cannot contain ':'");
  }
  std::string authorization;
  if (basic) authorization = "Basic " + Base64(config.username + ":" + config.password);
  if (!config.token.empty()) authorization = "Bearer " + config.token;
  if (config.timeout <= std::chrono::milliseconds::zero()) {
    return Status(StatusCode::kInvalid, "MLflow timeout must be positive");
  }
  return std::unique_ptr<ModelRegistry>(
      std::make_unique<MlflowRegistry>(std::move(transport), uri->prefix, std::move(authorization), config.timeout));
}

Result<std::unique_ptr<ModelRegistry>> MakeMlflowRegistry(const MlflowConfig& config) {
  Result<TrackingUri> uri = ParseTrackingUri(config.tracking_uri);
  if (!uri.ok()) return uri.status();
  kube::RestConfig rest{.server = uri->server, .ca_pem = config.ca_pem, .origin = "MLflow " + config.tracking_uri};
  auto transport = std::make_shared<kube::CppRestTransport>(std::move(rest));
  if (Status init = transport->init_status(); !init.ok()) return init;
  return MakeMlflowRegistry(config, std::move(transport));
}

}  // namespace modelgate
