#include "operator/kube/rest_config.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "operator/kube/file_util.h"

namespace modelgate::kube {
namespace {


std::string DirOf(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return dir + "/" + path;
}

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// One named entry of clusters[] / users[] / contexts[], remembered with where it came from so
// errors and relative paths refer to the defining file.
struct Entry {
  YAML::Node body;    // the inner cluster/user/context map
  std::string file;
  std::string field;  // e.g. "users[0].user"
};

struct Merged {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
  std::string current_context_file;
};

Status Invalid(const std::string& file, const std::string& what) {
  return Status(StatusCode::kInvalid, "kubeconfig " + file + ": " + what);
}

// Reads a scalar string field; absent -> "". Non-scalar -> error.
Result<std::string> StringField(const Entry& e, const char* key) {
  const YAML::Node n = e.body[key];
  if (!n || n.IsNull()) return std::string();
  if (!n.IsScalar()) {
    return Invalid(e.file, e.field + "." + key + ": expected a string");
  }
  return n.as<std::string>();
}

Status MergeFile(const std::string& file, Merged& merged) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    return Invalid(file, "cannot read file");
  } catch (const YAML::Exception& e) {
    return Invalid(file, std::string("not valid YAML: ") + e.what());
  }
  if (root.IsNull()) return Status::Ok();  // an empty file contributes nothing
  if (!root.IsMap()) return Invalid(file, "expected a mapping at the top level");

  struct Section { const char* list; const char* inner; std::map<std::string, Entry>* into; };
  const Section sections[] = {{"clusters", "cluster", &merged.clusters},
                              {"users", "user", &merged.users},
                              {"contexts", "context", &merged.contexts}};
  for (const Section& s : sections) {
    const YAML::Node list = root[s.list];
    if (!list || list.IsNull()) continue;
    if (!list.IsSequence()) return Invalid(file, std::string(s.list) + ": expected a list");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = std::string(s.list) + "[" + std::to_string(i) + "]";
      const YAML::Node item = list[i];
      if (!item.IsMap()) return Invalid(file, at + ": expected a mapping");
      const YAML::Node name = item["name"];
      if (!name || !name.IsScalar() || name.as<std::string>().empty()) {
        return Invalid(file, at + ".name: expected a non-empty string");
      }
      YAML::Node body = item[s.inner];
      if (body && !body.IsNull() && !body.IsMap()) {
        return Invalid(file, at + "." + s.inner + ": expected a mapping");
      }
      if (!body || body.IsNull()) body = YAML::Node(YAML::NodeType::Map);
      // First file that defines a name wins (kubectl's merge rule).
      s.into->emplace(name.as<std::string>(), Entry{body, file, at + "." + s.inner});
    }
  }
  const YAML::Node current = root["current-context"];
  if (current && current.IsScalar() && merged.current_context.empty()) {
    merged.current_context = current.as<std::string>();
    merged.current_context_file = file;
  }
  return Status::Ok();
}

// Fills `out` from a "<key>" file path field or a "<key>-data" base64 field.
Status FileOrData(const Entry& e, const std::string& key, std::string& out) {
  Result<std::string> data = StringField(e, (key + "-data").c_str());
  if (!data.ok()) return data.status();
  if (!data->empty()) {
    std::optional<std::string> decoded = DecodeBase64(*data);
    if (!decoded) return Invalid(e.file, e.field + "." + key + "-data: expected base64");
    out = std::move(*decoded);
    return Status::Ok();
  }
  Result<std::string> path = StringField(e, key.c_str());
  if (!path.ok()) return path.status();
  if (path->empty()) return Status::Ok();
  const std::string resolved = Resolve(DirOf(e.file), *path);
  std::optional<std::string> content = ReadFileToString(resolved);
  if (!content) return Invalid(e.file, e.field + "." + key + ": file " + resolved + " not found");
  out = std::move(*content);
  return Status::Ok();
}

Status ParseExec(const Entry& user, RestConfig& config) {
  const YAML::Node exec = user.body["exec"];
  if (!exec || exec.IsNull()) return Status::Ok();
  const std::string at = user.field + ".exec";
  if (!exec.IsMap()) return Invalid(user.file, at + ": expected a mapping");
  Entry e{exec, user.file, at};
  ExecConfig out;
  Result<std::string> command = StringField(e, "command");
  if (!command.ok()) return command.status();
  if (command->empty()) return Invalid(user.file, at + ".command: required");
  out.command = *command;
  if (out.command.find('/') != std::string::npos) out.command = Resolve(DirOf(user.file), out.command);
  Result<std::string> api_version = StringField(e, "apiVersion");
  if (!api_version.ok()) return api_version.status();
  out.api_version = api_version->empty() ? "client.authentication.k8s.io/v1" : *api_version;
  if (out.api_version != "client.authentication.k8s.io/v1" &&
      out.api_version != "client.authentication.k8s.io/v1beta1") {
    return Invalid(user.file, at + ".apiVersion: expected client.authentication.k8s.io/v1 or "
                              "v1beta1, got '" + out.api_version + "'");
  }
  if (const YAML::Node args = exec["args"]; args && !args.IsNull()) {
    if (!args.IsSequence()) return Invalid(user.file, at + ".args: expected a list of strings");
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (!args[i].IsScalar()) {
        return Invalid(user.file, at + ".args[" + std::to_string(i) + "]: expected a string");
      }
      out.args.push_back(args[i].as<std::string>());
    }
  }
  if (const YAML::Node env = exec["env"]; env && !env.IsNull()) {
    if (!env.IsSequence()) return Invalid(user.file, at + ".env: expected a list");
    for (std::size_t i = 0; i < env.size(); ++i) {
      const YAML::Node name = env[i]["name"];
      const YAML::Node value = env[i]["value"];
      if (!name || !name.IsScalar()) {
        return Invalid(user.file, at + ".env[" + std::to_string(i) + "].name: expected a string");
      }
      out.env.emplace_back(name.as<std::string>(),
                           value && value.IsScalar() ? value.as<std::string>() : "");
    }
  }
  if (const YAML::Node p = exec["provideClusterInfo"]; p && p.IsScalar()) {
    out.provide_cluster_info = p.as<std::string>() == "true";
  }
  config.exec = std::move(out);
  return Status::Ok();
}

std::vector<std::string> KubeconfigPaths(std::string_view path_override) {
  if (!path_override.empty()) return {std::string(path_override)};
  std::vector<std::string> paths;
  const std::string list = Getenv("KUBECONFIG");
  std::size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    const std::size_t colon = list.find(':', start);
    const std::string path = list.substr(start, colon == std::string::npos ? std::string::npos
                                                                            : colon - start);
    if (!path.empty()) {
      bool seen = false;
      for (const auto& p : paths) seen = seen || p == path;
      if (!seen) paths.push_back(path);
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (paths.empty()) paths.push_back(Getenv("HOME") + "/.kube/config");
  return paths;
}

bool FileExists(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view encoded) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : encoded) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') { padding = true; continue; }
    const int v = value(c);
    if (v < 0 || padding) return std::nullopt;  // bad character, or data after padding
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character cannot encode a byte
  return out;
}

std::string JoinHostPort(std::string_view host, std::string_view port) {
  std::string out;
  if (host.find(':') != std::string_view::npos && host.front() != '[') {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  return out + ":" + std::string(port);
}

Result<RestConfig> LoadKubeconfig(std::string_view path_override, std::string_view context_override) {
  const std::vector<std::string> paths = KubeconfigPaths(path_override);
  Merged merged;
  int loaded = 0;
  for (const std::string& path : paths) {
    // kubectl skips missing files of a KUBECONFIG list, but an explicit path must exist.
    if (path_override.empty() && paths.size() > 1 && !FileExists(path)) continue;
    if (!FileExists(path)) return Invalid(path, "file not found");
    if (Status s = MergeFile(path, merged); !s.ok()) return s;
    ++loaded;
  }
  const std::string where = paths.size() == 1 ? paths.front() : "[" + Getenv("KUBECONFIG") + "]";
  if (loaded == 0) return Invalid(where, "none of the files exist");

  const std::string context_name =
      context_override.empty() ? merged.current_context : std::string(context_override);
  if (context_name.empty()) return Invalid(where, "current-context: not set and no context given");
  const auto context_it = merged.contexts.find(context_name);
  if (context_it == merged.contexts.end()) {
    return Invalid(context_override.empty() ? merged.current_context_file : where,
                   "current-context: context '" + context_name + "' not found in contexts[]");
  }
  const Entry& context = context_it->second;

  RestConfig config;
  config.origin = "kubeconfig " + where + " context " + context_name;
  Result<std::string> cluster_name = StringField(context, "cluster");
  if (!cluster_name.ok()) return cluster_name.status();
  const auto cluster_it = merged.clusters.find(*cluster_name);
  if (cluster_it == merged.clusters.end()) {
    return Invalid(context.file, context.field + ".cluster: cluster '" + *cluster_name +
                                     "' not found in clusters[]");
  }
  const Entry& cluster = cluster_it->second;
  Result<std::string> server = StringField(cluster, "server");
  if (!server.ok()) return server.status();
  if (server->empty()) return Invalid(cluster.file, cluster.field + ".server: required");
  if (server->rfind("https://", 0) != 0 && server->rfind("http://", 0) != 0) {
    return Invalid(cluster.file, cluster.field + ".server: expected an https:// URL, got '" +
                                     *server + "'");
  }
  while (!server->empty() && server->back() == '/') server->pop_back();
  config.server = *server;
  if (Status s = FileOrData(cluster, "certificate-authority", config.ca_pem); !s.ok()) return s;
  Result<std::string> insecure = StringField(cluster, "insecure-skip-tls-verify");
  if (!insecure.ok()) return insecure.status();
  config.insecure_skip_tls_verify = *insecure == "true";

  Result<std::string> ns = StringField(context, "namespace");
  if (!ns.ok()) return ns.status();
  config.default_namespace = ns->empty() ? "default" : *ns;

  Result<std::string> user_name = StringField(context, "user");
  if (!user_name.ok()) return user_name.status();
  if (user_name->empty()) return config;  // anonymous
  const auto user_it = merged.users.find(*user_name);
  if (user_it == merged.users.end()) {
    return Invalid(context.file,
                   context.field + ".user: user '" + *user_name + "' not found in users[]");
  }
  const Entry& user = user_it->second;
  if (Status s = FileOrData(user, "client-certificate", config.client_cert_pem); !s.ok()) return s;
  if (Status s = FileOrData(user, "client-key", config.client_key_pem); !s.ok()) return s;
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    return Invalid(user.file, user.field + ": client-certificate and client-key must be set together");
  }
  Result<std::string> token = StringField(user, "token");
  if (!token.ok()) return token.status();
  config.bearer_token = *token;
  Result<std::string> token_file = StringField(user, "tokenFile");
  if (!token_file.ok()) return token_file.status();
  if (!token_file->empty()) {
    config.token_file = Resolve(DirOf(user.file), *token_file);
    if (!FileExists(config.token_file)) {
      return Invalid(user.file, user.field + ".tokenFile: file " + config.token_file + " not found");
    }
  }
  if (Status s = ParseExec(user, config); !s.ok()) return s;
  return config;
}

Result<RestConfig> InClusterConfig(std::string_view sa_dir) {
  const std::string host = Getenv("KUBERNETES_SERVICE_HOST");
  const std::string port = Getenv("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return Status(StatusCode::kUnavailable,
                  "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
                  "set (not running in a pod?)");
  }
  RestConfig config;
  config.origin = "in-cluster";
  config.server = "https://" + JoinHostPort(host, port);
  const std::string dir(sa_dir);
  config.token_file = dir + "/token";
  std::optional<std::string> token = ReadFileToString(config.token_file);
  if (!token) {
    return Status(StatusCode::kInvalid, "in-cluster config: token file " + config.token_file +
                                            " cannot be read");
  }
  std::optional<std::string> ca = ReadFileToString(dir + "/ca.crt");
  if (!ca) {
    return Status(StatusCode::kInvalid,
                  "in-cluster config: CA file " + dir + "/ca.crt cannot be read");
  }
  config.ca_pem = std::move(*ca);
  std::optional<std::string> ns = ReadFileToString(dir + "/namespace");
  config.default_namespace = ns && !ns->empty() ? *ns : "default";
  while (!config.default_namespace.empty() &&
         (config.default_namespace.back() == '\n' || config.default_namespace.back() == ' ')) {
    config.default_namespace.pop_back();
  }
  return config;
}

Result<RestConfig> LoadDefaultConfig(std::string_view path_override,
                                     std::string_view context_override) {
  if (path_override.empty() && context_override.empty() && !Getenv("KUBERNETES_SERVICE_HOST").empty() &&
      Getenv("KUBECONFIG").empty()) {
    return InClusterConfig();
  }
  return LoadKubeconfig(path_override, context_override);
}

}  // namespace modelgate::kube
