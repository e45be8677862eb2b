#include "operator/kube/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/file_util.h"
#include "operator/kube/time_format.h"

extern char** environ;

namespace modelgate::kube {
namespace {

std::string TrimSpace(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

}  // namespace

Result<ExecCredential> ParseExecCredential(const std::string& json_text,
                                           const std::string& expected_api_version) {
  auto invalid = [](const std::string& what) {
    return Status(StatusCode::kInvalid, "exec plugin output: " + what);
  };
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return invalid("not a JSON object");
  if (doc.value("kind", "") != "ExecCredential") return invalid("kind: expected ExecCredential");
  const std::string api_version = doc.value("apiVersion", "");
  if (!expected_api_version.empty() && api_version != expected_api_version) {
    return invalid("apiVersion: expected " + expected_api_version + ", got '" + api_version + "'");
  }
  const auto status = doc.find("status");
  if (status == doc.end() || !status->is_object()) return invalid("status: required");
  auto str = [&](const char* key) -> std::string {
    const auto it = status->find(key);
    return it != status->end() && it->is_string() ? it->get<std::string>() : "";
  };
  ExecCredential out;
  out.token = str("token");
  out.client_cert_pem = str("clientCertificateData");
  out.client_key_pem = str("clientKeyData");
  if (out.client_cert_pem.empty() != out.client_key_pem.empty()) {
    return invalid(out.client_cert_pem.empty()
                       ? "status.clientCertificateData: required with status.clientKeyData"
                       : "status.clientKeyData: required with status.clientCertificateData");
  }
  if (out.token.empty() && out.client_cert_pem.empty()) {
    return invalid("status: expected token or clientCertificateData+clientKeyData");
  }
  const std::string expiry = str("expirationTimestamp");
  if (!expiry.empty()) {
    out.expiry = ParseRfc3339(expiry);
    if (!out.expiry) return invalid("status.expirationTimestamp: expected RFC 3339, got '" + expiry + "'");
  }
  return out;
}

Result<ExecCredential> RunExecPlugin(const ExecConfig& exec, const std::string& server) {
  nlohmann::json info = {{"apiVersion", exec.api_version},
                         {"kind", "ExecCredential"},
                         {"spec", {{"interactive", false}}}};
  if (exec.provide_cluster_info) info["spec"]["cluster"] = {{"server", server}};

  // Environment: inherited, then exec.env (overriding), then KUBERNETES_EXEC_INFO.
  std::vector<std::string> env_strings;
  auto overridden = [&](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    if (name == "KUBERNETES_EXEC_INFO") return true;
    for (const auto& [k, v] : exec.env) if (k == name) return true;
    return false;
  };
  for (char** e = environ; e && *e; ++e) {
    if (!overridden(*e)) env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : exec.env) env_strings.push_back(k + "=" + v);
  env_strings.push_back("KUBERNETES_EXEC_INFO=" + info.dump());
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{exec.command};
  argv_strings.insert(argv_strings.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Status(StatusCode::kUnauthorized, "exec plugin " + exec.command + ": pipe: " + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    return Status(StatusCode::kUnauthorized,
                  "exec plugin " + exec.command + ": cannot start: " + std::strerror(spawned));
  }
  std::string output;
  char buf[4096];
  while (true) {
    const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n > 0) { output.append(buf, static_cast<std::size_t>(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(pipe_fds[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status(StatusCode::kUnauthorized,
                  "exec plugin " + exec.command + ": exited with status " +
                      std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1));
  }
  Result<ExecCredential> parsed = ParseExecCredential(output, exec.api_version);
  if (!parsed.ok()) {
    return Status(StatusCode::kInvalid, exec.command + ": " + parsed.status().message());
  }
  return parsed;
}

CredentialProvider::CredentialProvider(RestConfig config, Clock& clock,
                                       std::chrono::milliseconds token_file_period)
    : config_(std::move(config)), clock_(clock), token_file_period_(token_file_period) {
  current_.client_cert_pem = config_.client_cert_pem;
  current_.client_key_pem = config_.client_key_pem;
}

Result<Credentials> CredentialProvider::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_.Now();
  if (config_.exec) {
    const bool expired = exec_credential_ && exec_credential_->expiry && now >= *exec_credential_->expiry;
    if (!exec_credential_ || expired) {
      Result<ExecCredential> fresh = RunExecPlugin(*config_.exec, config_.server);
      if (!fresh.ok()) return fresh.status();
      exec_credential_ = std::move(*fresh);
      if (!exec_credential_->client_cert_pem.empty() &&
          (exec_credential_->client_cert_pem != current_.client_cert_pem ||
           exec_credential_->client_key_pem != current_.client_key_pem)) {
        current_.client_cert_pem = exec_credential_->client_cert_pem;
        current_.client_key_pem = exec_credential_->client_key_pem;
        ++current_.generation;
      }
    }
    current_.bearer_token = exec_credential_->token;
    if (!current_.bearer_token.empty()) return current_;
  }
  if (!config_.bearer_token.empty()) {
    current_.bearer_token = config_.bearer_token;
    return current_;
  }
  if (!config_.token_file.empty()) {
    if (!file_token_read_at_ || now - *file_token_read_at_ >= token_file_period_) {
      std::optional<std::string> token = ReadFileToString(config_.token_file);
      if (!token) {
        // Keep using the last token when a rotation briefly removes the file.
        if (file_token_.empty()) {
          return Status(StatusCode::kUnauthorized,
                        "token file " + config_.token_file + " cannot be read");
        }
      } else {
        file_token_ = TrimSpace(std::move(*token));
        file_token_read_at_ = now;
      }
    }
    current_.bearer_token = file_token_;
  }
  return current_;
}

void CredentialProvider::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  file_token_read_at_.reset();
  exec_credential_.reset();
}

}  // namespace modelgate::kube
