#include "operator/audit_command.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <utility>

#include "controllers/registry/audit_record.h"
#include "gates/analysis/analysis_spec.h"
#include "gates/common/text.h"
#include "operator/kube/cpprest_transport.h"

namespace modelgate {
namespace {

using controllers::registry::ModelRegistry;
using controllers::registry::RegisteredModel;
using controllers::registry::RunInfo;
using kube::Result;
using kube::Status;
using kube::StatusCode;
using ojson = nlohmann::ordered_json;

// More candidates than one model ever has; the search pages through them oldest first.
constexpr int kMaxRuns = 10000;
constexpr size_t kLineWidth = 100;
constexpr size_t kLabelWidth = 18;  // TrainingValidation
constexpr size_t kStateWidth = 7;   // Skipped
// The aliases modelgate sets (docs/registry.md), in the order a reader asks about them.
const char* const kAliasOrder[] = {"champion", "previous-champion", "challenger"};

// --- reading documents as stored: any field may be missing or of another type -------------------

const ojson& Member(const ojson& object, const char* key) {
  static const ojson kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string Text(const ojson& object, const char* key) {
  const ojson& value = Member(object, key);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  return "";
}

std::string Tag(const AuditRun& run, const std::string& key) {
  auto it = run.tags.find(key);
  return it == run.tags.end() ? "" : it->second;
}

// "45" < "100" for MLflow's decimal versions; other strings compare as text, after the numbers.
bool VersionLess(const std::string& a, const std::string& b) {
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  const bool na = numeric(a), nb = numeric(b);
  if (na && nb) return std::stoll(a) < std::stoll(b);
  if (na != nb) return na;
  return a < b;
}

// The run's MLflow version: its tag, else what its first record says.
std::string RunVersion(const AuditRun& run) {
  std::string version = Tag(run, "modelgate.version");
  if (version.empty() && !run.records.empty()) version = Text(run.records.front(), "version");
  return version;
}

// "<namespace>/<name>" of the candidate: the run's tag, else the first record.
std::string RunCandidate(const AuditRun& run) {
  std::string candidate = Tag(run, "modelgate.candidate");
  if (candidate.empty() && !run.records.empty()) {
    const ojson& r = run.records.front();
    candidate = Text(r, "namespace").empty() ? Text(r, "candidate") : Text(r, "namespace") + "/" + Text(r, "candidate");
  }
  return candidate;
}

// spec.trigger as the records hold it; without records, what the run's tags keep of it.
ojson RunTrigger(const AuditRun& run) {
  for (const ojson& record : run.records) {
    if (Member(record, "trigger").is_object()) return record["trigger"];
  }
  ojson trigger = ojson::object();
  for (const char* field : {"type", "source", "commit"}) {
    if (std::string value = Tag(run, std::string("modelgate.trigger.") + field); !value.empty()) trigger[field] = value;
  }
  return trigger;
}

std::optional<kube::TimePoint> RecordTime(const ojson& record) { return kube::ParseRfc3339(Text(record, "time")); }

// Oldest first; a time that cannot be read sorts as text after the readable ones.
bool RecordLess(const ojson& a, const ojson& b) {
  const auto ta = RecordTime(a), tb = RecordTime(b);
  // Our own UTC times: the timeline's order (gates, verdict, rollout, outcome within a second).
  if (ta && tb && Text(a, "time").back() == 'Z' && Text(b, "time").back() == 'Z') {
    return controllers::registry::AuditRecordBefore(Text(a, "time"), Text(a, "id"), Text(b, "time"), Text(b, "id"));
  }
  if (ta && tb && *ta != *tb) return *ta < *tb;
  if (ta.has_value() != tb.has_value()) return ta.has_value();
  if (!ta && Text(a, "time") != Text(b, "time")) return Text(a, "time") < Text(b, "time");
  return Text(a, "id") < Text(b, "id");
}

// --- text --------------------------------------------------------------------------------------

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

// A metric as gate_status writes it: %.4g, "n/a" for null.
std::string Number(const ojson& value) {
  if (!value.is_number()) return value.is_string() ? value.get<std::string>() : "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value.get<double>());
  return buffer;
}

// "auc_roc 0.8764 (champion 0.8801), ks 0.41 (failed)": the deciding numbers of a gate.
std::string MetricsSummary(const ojson& metrics) {
  std::string out;
  if (!metrics.is_object()) return out;
  for (const auto& [name, m] : metrics.items()) {
    std::string notes;
    if (Member(m, "champion").is_number()) notes = "champion " + Number(m["champion"]);
    if (Member(m, "passed").is_boolean() && !m["passed"].get<bool>()) notes += notes.empty() ? "failed" : ", failed";
    out += (out.empty() ? "" : ", ") + name + " " + Number(Member(m, "value"));
    if (!notes.empty()) out += " (" + notes + ")";
  }
  return out;
}

// "DataDrift alertmanager/FeatureDriftHigh: PSI of transaction_amount is 0.35": what asked for the
// candidate, who, and why.
std::string TriggerText(const ojson& trigger) {
  std::string out = Text(trigger, "type").empty() ? "-" : Text(trigger, "type");
  const std::string source = Text(trigger, "source");
  if (!source.empty()) out += " " + source;
  if (const std::string commit = Text(trigger, "commit"); !commit.empty()) out += " commit " + commit.substr(0, 12);
  if (const std::string alert = Text(Member(trigger, "alert"), "name");
      !alert.empty() && source.find(alert) == std::string::npos) {
    out += " alert " + alert;
  }
  if (const std::string pipeline = Text(trigger, "pipeline");
      !pipeline.empty() && source.find(pipeline) == std::string::npos) {
    out += " pipeline " + pipeline;
  }
  if (const std::string scheduled = Text(trigger, "scheduledTime"); !scheduled.empty()) out += " for " + scheduled;
  if (const std::string reason = Text(trigger, "reason"); !reason.empty()) out += ": " + reason;
  return out;
}

// Times at second precision so that the columns line up (records may carry microseconds).
std::string TimeColumn(const ojson& record) {
  const std::string time = Text(record, "time");
  const auto parsed = kube::ParseRfc3339(time);
  return Pad(parsed ? kube::FormatTime(*parsed) : time, 20);
}

// `lead`, then the non-empty `parts` separated by three spaces while the line fits in 100 columns;
// a part that does not fit starts a new line at `indent` columns and is wrapped at its spaces. A
// single word wider than a line is left whole. Every line ends in '\n'.
std::string Layout(const std::string& lead, const std::vector<std::string>& parts, size_t indent) {
  std::string out;
  std::string line = lead;
  bool line_has_detail = false;
  auto next_line = [&] {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    line = std::string(indent, ' ');
    line_has_detail = false;
  };
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    const std::string separator = line_has_detail ? "   " : "";
    if (line.size() + separator.size() + part.size() <= kLineWidth) {
      line += separator + part;
      line_has_detail = true;
      continue;
    }
    if (line_has_detail) next_line();
    // The part on lines of its own, broken at spaces (runs of spaces kept within a line).
    std::vector<std::string> words;
    for (size_t start = 0;;) {
      const size_t space = part.find(' ', start);
      words.push_back(part.substr(start, space == std::string::npos ? std::string::npos : space - start));
      if (space == std::string::npos) break;
      start = space + 1;
    }
    for (const std::string& word : words) {
      if (line_has_detail && line.size() + 1 + word.size() > kLineWidth) next_line();
      if (!line_has_detail && word.empty()) continue;  // no spaces at the start of a line
      line += line_has_detail ? " " + word : word;
      line_has_detail = true;
    }
  }
  next_line();
  return out;
}

std::string ChampionVersion(const ojson& record) { return Text(Member(record, "champion"), "version"); }

// One record: time, what was decided, the details (wrapped under the details column), and for a
// gate one line per failure.
std::string RecordLines(const ojson& record) {
  const ojson& decision = Member(record, "decision");
  const std::string type = Text(decision, "type");
  const std::string message = Text(decision, "message");
  const std::string time = "  " + TimeColumn(record) + "  ";
  const size_t detail_column = time.size() + kLabelWidth + 2;
  auto lines = [&](const std::string& label, std::vector<std::string> parts) {
    return Layout(time + Pad(label, kLabelWidth) + "  ", parts, detail_column);
  };

  if (!Text(decision, "gate").empty() || type.rfind("Gate", 0) == 0) {
    const std::string state = Text(decision, "state");
    const std::string metrics = MetricsSummary(Member(record, "metrics"));
    // A passed gate's reason (ChecksPassed) says nothing its numbers do not.
    std::vector<std::string> parts = {state == "Passed" && !metrics.empty() ? "" : Text(decision, "reason"),
                                      metrics.empty() ? message : metrics};
    // The state is a column of its own: glued to the first detail.
    auto first = std::find_if(parts.begin(), parts.end(), [](const std::string& p) { return !p.empty(); });
    if (first == parts.end()) parts = {state};
    else *first = Pad(state, kStateWidth) + "  " + *first;
    std::string out = lines(Text(decision, "gate"), parts);
    for (const ojson& failure : Member(record, "failures")) {
      if (failure.is_string() && (!metrics.empty() || failure.get<std::string>() != message)) {
        out += Layout(std::string(time.size(), ' ') + "- ", {failure.get<std::string>()}, time.size() + 2);
      }
    }
    return out;
  }
  const std::string champion = ChampionVersion(record);
  if (type.rfind("Candidate", 0) == 0) return lines(type.substr(9), {message});
  if (type == "RolloutStarted") {
    return lines("Rollout started", {champion.empty() ? "" : "against version " + champion, message});
  }
  if (type == "Promoted") {
    // A champion restored by a rollback of its successor is promoted again; it replaced nothing.
    std::string replaced = champion.empty() ? "first champion" : "replaced version " + champion;
    if (message.rfind("restored as champion", 0) == 0) replaced.clear();
    return lines("Promoted", {replaced, message});
  }
  if (type == "RolledBack") {
    return lines("Rolled back", {champion.empty() ? "" : "back to version " + champion, message});
  }
  if (type == "Archived") return lines("Archived", {message});
  if (type == "RolloutStep" || type == "ManualAction") {
    // A rollout's own step (its Event reason) or a human's act on it, with who acted.
    const ojson& actor = Member(record, "actor");
    std::string by;
    if (type == "ManualAction") {
      by = "by " + Text(actor, "name") + (Text(actor, "via").empty() ? "" : " (" + Text(actor, "via") + ")");
    }
    return lines(Text(decision, "reason"), {by, message});
  }
  return lines(type.empty() ? Text(record, "id") : type, {Text(decision, "reason"), message});
}

std::string AliasSummary(const AuditTrail& trail) {
  if (!trail.registered_model_found) return "registered model not found (its audit records remain)";
  std::vector<std::pair<std::string, std::string>> ordered;
  for (const char* alias : kAliasOrder) {
    if (auto it = trail.aliases.find(alias); it != trail.aliases.end()) ordered.emplace_back(it->first, it->second);
  }
  for (const auto& [alias, version] : trail.aliases) {
    if (std::find(std::begin(kAliasOrder), std::end(kAliasOrder), alias) == std::end(kAliasOrder)) {
      ordered.emplace_back(alias, version);
    }
  }
  if (ordered.empty()) return "no aliases";
  std::string out;
  for (const auto& [alias, version] : ordered) out += (out.empty() ? "" : ", ") + alias + " " + version;
  return out;
}

// --- flags ---------------------------------------------------------------------------------------

// --since: "2026-12-01" (midnight UTC) or an RFC 3339 date-time.
std::optional<kube::TimePoint> ParseSince(const std::string& text) {
  const bool date_only = text.size() == 10 && text[4] == '-' && text[7] == '-';
  return kube::ParseRfc3339(date_only ? text + "T00:00:00Z" : text);
}

// The file's bytes; `flag` names the flag in the message.
Result<std::string> ReadFlagFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kInvalid, flag + " " + path + ": cannot read: " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Status(StatusCode::kInvalid, flag + " " + path + ": cannot read");
  return content.str();
}

// A one-line secret from a file (`echo secret > f` leaves a newline).
Result<std::string> ReadSecretFile(const std::string& flag, const std::string& path) {
  Result<std::string> content = ReadFlagFile(flag, path);
  if (!content.ok()) return content.status();
  std::string secret = std::move(content).value();
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) return Status(StatusCode::kInvalid, flag + " " + path + ": the file is empty");
  if (secret.find_first_of("\r\n") != std::string::npos) {
    return Status(StatusCode::kInvalid, flag + " " + path + ": expected one line");
  }
  return secret;
}

// scheme://authority of a tracking URI already accepted by MakeMlflowRegistry.
std::string ServerOf(const std::string& uri) {
  const size_t scheme_end = uri.find("://");
  std::string scheme = uri.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  const size_t authority_end = std::min(uri.find_first_of("/?#", scheme_end + 3), uri.size());
  return scheme + uri.substr(scheme_end, authority_end - scheme_end);
}

class ReadOnlyTransport final : public kube::Transport {
 public:
  explicit ReadOnlyTransport(std::shared_ptr<kube::Transport> inner) : inner_(std::move(inner)) {}

  Result<kube::HttpResponse> Send(const kube::HttpRequest& request) override {
    if (Reads(request)) return inner_->Send(request);
    kube::HttpResponse refused;
    refused.status = 404;
    refused.headers["content-type"] = "application/json";
    refused.body = nlohmann::json{{"error_code", "RESOURCE_DOES_NOT_EXIST"},
                                  {"message", "not found (modelgate audit only reads: " + request.method + " " +
                                                  request.path.substr(0, request.path.find('?')) + " not sent)"}}
                       .dump();
    return refused;
  }

  Status Stream(const kube::HttpRequest& request, const std::function<bool(std::string_view line)>& on_line,
                const std::atomic<bool>* cancel) override {
    if (!Reads(request)) {
      return Status(StatusCode::kInvalid, "modelgate audit only reads: " + request.method + " not sent");
    }
    return inner_->Stream(request, on_line, cancel);
  }

 private:
  static bool Reads(const kube::HttpRequest& request) {
    if (request.method == "GET") return true;
    const std::string path = request.path.substr(0, request.path.find('?'));
    return request.method == "POST" && path.ends_with("/api/2.0/mlflow/runs/search");
  }

  const std::shared_ptr<kube::Transport> inner_;
};

}  // namespace

const char* AuditUsage() {
  return "usage: modelgate audit --mlflow URI --model NAME [flags]\n"
         "Prints the audit trail of a registered model from MLflow: the registry's aliases, then per\n"
         "candidate version (oldest first) its trigger and every decision in time order (gates with\n"
         "the deciding numbers, verdict, rollout, promotion and what it replaced, rollback).\n"
         "  --mlflow URI             the tracking server, http(s)://host[:port][/prefix]\n"
         "  --model NAME             the registered model (experiment modelgate/NAME)\n"
         "  --version V              only this MLflow model version\n"
         "  --since DATE             only records at or after DATE (2026-12-01 or 2026-12-01T08:00:00Z)\n"
         "  -o, --output text|json   json: {model, aliases, versions[{version, candidate, runId, trigger,\n"
         "                           records[the audit documents as stored]}]} (default: text)\n"
         "  --username U             HTTP basic auth, with --password-file\n"
         "  --password-file FILE     the password (one line)\n"
         "  --token-file FILE        a bearer token instead of basic auth (one line)\n"
         "  --ca-file FILE           https: trust only these PEM CAs (default: the system store)\n"
         "  --timeout DURATION       per request, e.g. 10s, 1m (default: 10s)\n"
         "Exit status: 0 printed, 1 MLflow answered an error or has no records, 2 a wrong flag.\n"
         "It only reads: nothing is created or changed in MLflow.\n";
}

std::optional<AuditFlags> ParseAuditFlags(const std::vector<std::string>& args, std::string* error, bool* help) {
  AuditFlags flags;
  if (help) *help = false;
  std::string output = "text";
  auto fail = [error](std::string message) {
    *error = std::move(message);
    return std::nullopt;
  };
  // A setter returns "" when the value is accepted, otherwise what was expected.
  using Setter = std::function<std::string(const std::string&)>;
  auto text = [](std::string* field) -> Setter {
    return [field](const std::string& v) {
      *field = v;
      return v.empty() ? std::string("a value") : std::string();
    };
  };
  const std::map<std::string, Setter> valued = {
      {"mlflow", text(&flags.tracking_uri)},
      {"model", text(&flags.model)},
      {"version",
       [&flags](const std::string& v) {
         if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
           return std::string("an MLflow model version number such as 45");
         }
         flags.version = v;
         return std::string();
       }},
      {"since",
       [&flags](const std::string& v) {
         flags.since = ParseSince(v);
         return flags.since ? std::string()
                            : std::string("an RFC 3339 date or date-time such as 2026-12-01 or 2026-12-01T08:00:00Z");
       }},
      {"output",
       [&output](const std::string& v) {
         output = v;
         return v == "text" || v == "json" ? std::string() : std::string("text or json");
       }},
      {"username", text(&flags.username)},
      {"password-file", text(&flags.password_file)},
      {"token-file", text(&flags.token_file)},
      {"ca-file", text(&flags.ca_file)},
      {"timeout",
       [&flags](const std::string& v) {
         auto d = gates::analysis::ParseDuration(v);
         if (!d || d->count() <= 0) return std::string("a duration such as 10s, 500ms or 1m");
         flags.timeout = std::chrono::milliseconds(d->count());
         return std::string();
       }},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string name;
    std::optional<std::string> value;
    if (arg == "-h" || arg == "--help") {
      if (help) *help = true;
      return fail(AuditUsage());
    }
    if (arg.rfind("--", 0) == 0) {
      name = arg.substr(2);
      if (const size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
    } else if (arg.rfind("-o", 0) == 0) {  // -o json, -o=json, -ojson
      name = "output";
      if (arg.size() > 2) value = arg.substr(arg[2] == '=' ? 3 : 2);
    } else if (arg.size() > 1 && arg[0] == '-') {
      return fail("unknown flag " + gates::Shorten(arg, 80) + "\n" + AuditUsage());
    } else {
      return fail("unexpected argument '" + gates::Shorten(arg, 80) + "'\n" + AuditUsage());
    }
    const auto setter = valued.find(name);
    if (setter == valued.end()) return fail("unknown flag --" + gates::Shorten(name, 80) + "\n" + AuditUsage());
    const std::string shown = name == "output" ? "-o" : "--" + name;
    if (!value) {
      if (i + 1 >= args.size()) return fail(shown + ": expected a value");
      value = args[++i];
    }
    if (std::string expected = setter->second(*value); !expected.empty()) {
      return fail(shown + ": expected " + expected + ", got '" + gates::Shorten(*value, 80) + "'");
    }
  }
  flags.json = output == "json";

  if (flags.tracking_uri.empty()) {
    return fail("--mlflow: required: the MLflow tracking URI, e.g. http://127.0.0.1:5000");
  }
  // The URI is checked by the registry client's own parser (the transport is not used): the same
  // rules as spec.registry.mlflow.trackingUri, and user:password@ is refused without echoing it.
  if (auto checked = MakeMlflowRegistry(MlflowConfig{.tracking_uri = flags.tracking_uri}, nullptr); !checked.ok()) {
    return fail("--mlflow: " + checked.status().message());
  }
  if (flags.model.empty()) return fail("--model: required: the registered model, e.g. fraud-detector");
  if (flags.model.find_first_of("/:") != std::string::npos) {
    return fail("--model: expected a registered model name (MLflow names contain no '/' or ':'), got '" +
                gates::Shorten(flags.model, 80) + "'");
  }
  if (!flags.username.empty() && flags.password_file.empty()) return fail("--username: needs --password-file");
  if (flags.username.empty() && !flags.password_file.empty()) return fail("--password-file: needs --username");
  if (!flags.token_file.empty() && !flags.username.empty()) {
    return fail("--token-file: use either --token-file or --username/--password-file, not both");
  }
  return flags;
}

Result<MlflowConfig> AuditMlflowConfig(const AuditFlags& flags) {
  MlflowConfig config{.tracking_uri = flags.tracking_uri, .username = flags.username, .timeout = flags.timeout};
  if (!flags.password_file.empty()) {
    Result<std::string> password = ReadSecretFile("--password-file", flags.password_file);
    if (!password.ok()) return password.status();
    config.password = std::move(password).value();
  }
  if (!flags.token_file.empty()) {
    Result<std::string> token = ReadSecretFile("--token-file", flags.token_file);
    if (!token.ok()) return token.status();
    config.token = std::move(token).value();
  }
  if (!flags.ca_file.empty()) {
    Result<std::string> ca = ReadFlagFile("--ca-file", flags.ca_file);
    if (!ca.ok()) return ca.status();
    if (ca->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return Status(StatusCode::kInvalid,
                    "--ca-file " + flags.ca_file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    }
    config.ca_pem = std::move(ca).value();
  }
  return config;
}

std::shared_ptr<kube::Transport> ReadOnlyMlflowTransport(std::shared_ptr<kube::Transport> inner) {
  return std::make_shared<ReadOnlyTransport>(std::move(inner));
}

Result<AuditTrail> FetchAuditTrail(ModelRegistry& registry, const std::string& tracking_uri, const std::string& model,
                                   const std::string& version) {
  const std::string experiment_name = "modelgate/" + model;
  const std::string where = "MLflow " + tracking_uri + ": ";
  Result<std::string> experiment = registry.GetOrCreateExperiment(experiment_name);
  if (!experiment.ok()) {
    if (experiment.status().code() == StatusCode::kNotFound) {
      return Status(StatusCode::kNotFound, "no audit records for model " + model + " in " + tracking_uri +
                                               " (experiment " + experiment_name + " not found)");
    }
    return Status(experiment.status().code(),
                  where + "reading experiment " + experiment_name + ": " + experiment.status().message());
  }

  AuditTrail trail{.tracking_uri = tracking_uri, .model = model};
  Result<RegisteredModel> registered = registry.GetRegisteredModel(model);
  if (registered.ok()) {
    trail.aliases = registered->aliases;
  } else if (registered.status().code() == StatusCode::kNotFound) {
    trail.registered_model_found = false;
  } else {
    return Status(registered.status().code(),
                  where + "reading registered model " + model + ": " + registered.status().message());
  }

  std::string filter;
  if (!version.empty()) {
    Result<std::string> by_version = MlflowTagFilter("modelgate.version", version);
    if (!by_version.ok()) return by_version.status();
    filter = *by_version;
  }
  Result<std::vector<RunInfo>> runs = registry.SearchRuns(*experiment, filter, kMaxRuns);
  if (!runs.ok()) {
    return Status(runs.status().code(),
                  where + "searching the runs of experiment " + experiment_name + ": " + runs.status().message());
  }
  if (runs->size() >= static_cast<size_t>(kMaxRuns)) {
    trail.warnings.push_back("experiment " + experiment_name + " has more than " + std::to_string(kMaxRuns) +
                             " runs; only the oldest " + std::to_string(kMaxRuns) + " are read (use --version)");
  }
  for (const RunInfo& run : *runs) {
    AuditRun audit_run{.run_id = run.run_id, .start_time_ms = run.start_time_ms, .tags = run.tags};
    Result<std::vector<std::string>> paths = registry.ListArtifacts(run.run_id, "audit");
    if (!paths.ok()) {
      return Status(paths.status().code(),
                    where + "listing the audit records of run " + run.run_id + ": " + paths.status().message());
    }
    for (const std::string& path : *paths) {
      if (!path.ends_with(".json")) continue;
      Result<std::string> content = registry.DownloadArtifact(run.run_id, path);
      if (!content.ok()) {
        return Status(content.status().code(),
                      where + "reading " + path + " of run " + run.run_id + ": " + content.status().message());
      }
      ojson document = ojson::parse(*content, nullptr, /*allow_exceptions=*/false);
      if (document.is_discarded() || !document.is_object()) {
        trail.warnings.push_back("run " + run.run_id + ": " + path + " is not a JSON object; skipped");
        continue;
      }
      audit_run.records.push_back(std::move(document));
    }
    trail.runs.push_back(std::move(audit_run));
  }
  return trail;
}

AuditTrail SelectAuditRecords(AuditTrail trail, const std::string& version,
                              const std::optional<kube::TimePoint>& since) {
  std::vector<AuditRun> kept;
  for (AuditRun& run : trail.runs) {
    if (!version.empty() && RunVersion(run) != version) continue;
    if (since) {
      std::erase_if(run.records, [&](const ojson& record) {
        const auto time = RecordTime(record);
        return time && *time < *since;
      });
      if (run.records.empty()) continue;
    }
    std::stable_sort(run.records.begin(), run.records.end(), RecordLess);
    kept.push_back(std::move(run));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const AuditRun& a, const AuditRun& b) {
    if (a.start_time_ms != b.start_time_ms) return a.start_time_ms < b.start_time_ms;
    return VersionLess(RunVersion(a), RunVersion(b));
  });
  trail.runs = std::move(kept);
  return trail;
}

ojson AuditTrailJson(const AuditTrail& trail) {
  ojson aliases = ojson::object();
  for (const char* alias : kAliasOrder) {
    if (auto it = trail.aliases.find(alias); it != trail.aliases.end()) aliases[alias] = it->second;
  }
  for (const auto& [alias, version] : trail.aliases) {
    if (!aliases.contains(alias)) aliases[alias] = version;
  }
  ojson versions = ojson::array();
  for (const AuditRun& run : trail.runs) {
    ojson entry = ojson::object();
    entry["version"] = RunVersion(run);
    entry["candidate"] = RunCandidate(run);
    entry["runId"] = run.run_id;
    entry["trigger"] = RunTrigger(run);
    entry["records"] = ojson(run.records);
    versions.push_back(std::move(entry));
  }
  ojson out = ojson::object();
  out["model"] = trail.model;
  out["aliases"] = std::move(aliases);
  out["versions"] = std::move(versions);
  return out;
}

std::string FormatAuditText(const AuditTrail& trail) {
  std::string out = "Model " + trail.model + " in " + trail.tracking_uri + " — " + AliasSummary(trail) + "\n";
  bool first = true;
  for (const AuditRun& run : trail.runs) {
    if (!first) out += "\n";
    first = false;
    std::string candidate = RunCandidate(run);
    if (const size_t slash = candidate.find('/'); slash != std::string::npos) {
      candidate = candidate.substr(slash + 1) + " (" + candidate.substr(0, slash) + ")";
    }
    out += "version " + RunVersion(run) + "  " + candidate + "\n";
    out += Layout("  ", {"trigger " + TriggerText(RunTrigger(run))}, 4);
    if (run.records.empty()) out += "  (no audit records)\n";
    for (const ojson& record : run.records) out += RecordLines(record);
  }
  return out;
}

int RunAudit(const AuditFlags& flags, ModelRegistry& registry, std::ostream& out, std::ostream& err) {
  Result<AuditTrail> fetched = FetchAuditTrail(registry, flags.tracking_uri, flags.model, flags.version);
  if (!fetched.ok()) {
    err << "modelgate audit: " << fetched.status().message() << "\n";
    return 1;
  }
  for (const std::string& warning : fetched->warnings) err << "modelgate audit: warning: " << warning << "\n";
  const bool any_runs = !fetched->runs.empty();
  AuditTrail trail = SelectAuditRecords(std::move(fetched).value(), flags.version, flags.since);
  if (!any_runs) {
    err << "modelgate audit: no audit records for "
        << (flags.version.empty() ? "model " + flags.model : "version " + flags.version + " of model " + flags.model)
        << " in " << flags.tracking_uri << " (experiment modelgate/" << flags.model << " has no "
        << (flags.version.empty() ? "runs)" : "run tagged modelgate.version=" + flags.version + ")") << "\n";
    return 1;
  }
  if (flags.json) {
    out << AuditTrailJson(trail).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  out << FormatAuditText(trail);
  if (trail.runs.empty() && flags.since) {
    out << "no audit records since " << kube::FormatTime(*flags.since) << "\n";
  }
  return 0;
}

int RunAuditCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    std::string error;
    bool help = false;
    const std::optional<AuditFlags> flags = ParseAuditFlags(args, &error, &help);
    if (!flags) {
      (help ? out : err) << (help ? "" : "modelgate audit: ") << error
                         << (error.empty() || error.back() == '\n' ? "" : "\n");
      return help ? 0 : 2;
    }
    Result<MlflowConfig> config = AuditMlflowConfig(*flags);
    if (!config.ok()) {
      err << "modelgate audit: " << config.status().message() << "\n";
      return 2;
    }
    kube::RestConfig rest{.server = ServerOf(config->tracking_uri), .ca_pem = config->ca_pem,
                          .origin = "MLflow " + config->tracking_uri};
    auto transport = std::make_shared<kube::CppRestTransport>(std::move(rest));
    if (Status init = transport->init_status(); !init.ok()) {
      err << "modelgate audit: " << (flags->ca_file.empty() ? "--mlflow: " : "--ca-file " + flags->ca_file + ": ")
          << init.message() << "\n";
      return 2;
    }
    auto registry = MakeMlflowRegistry(*config, ReadOnlyMlflowTransport(std::move(transport)));
    if (!registry.ok()) {
      err << "modelgate audit: " << registry.status().message() << "\n";
      return 2;
    }
    return RunAudit(*flags, **registry, out, err);
  } catch (const std::exception& e) {
    err << "modelgate audit: unexpected error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace modelgate
