#include "controllers/registry/audit_record.h"

#include <algorithm>

#include "controllers/json_fields.h"
#include "gates/io/hashing_byte_source.h"

namespace modelgate::controllers::registry {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

ojson Ordered(const json& value) { return ojson::parse(value.dump(-1, ' ', false, json::error_handler_t::replace)); }

long long Int(const json& parent, const char* key) {
  const json& v = Child(parent, key);
  return v.is_number_integer() ? v.get<long long>() : 0;
}

std::string ConditionTime(const json& status, const char* type) {
  if (const json& conditions = Child(status, "conditions"); conditions.is_array()) {
    for (const json& c : conditions) {
      if (Str(c, "type") == type) return Str(c, "lastTransitionTime");
    }
  }
  return "";
}

const char* GateDecisionType(const std::string& state) {
  if (state == "Passed") return "GatePassed";
  if (state == "Failed") return "GateFailed";
  if (state == "Error") return "GateError";
  return "GateSkipped";
}

}  // namespace

namespace {

// Within one second, decisions keep their causal order: gates, verdict, rollout, outcome.
int KindRank(const std::string& id) {
  if (id.rfind("gate-", 0) == 0) return 0;
  if (id.rfind("verdict-", 0) == 0) return 1;
  if (id.rfind("rollout-started-", 0) == 0) return 2;
  if (id.rfind("rollout-", 0) == 0) return 3;  // a rollout's history
  if (id.rfind("archived-", 0) == 0) return 5;
  return 4;
}

}  // namespace

bool AuditRecordBefore(const std::string& time_a, const std::string& id_a, const std::string& time_b,
                       const std::string& id_b) {
  // "YYYY-MM-DDTHH:MM:SS" is the second of a UTC time, whatever follows.
  const std::string a_second = time_a.substr(0, 19), b_second = time_b.substr(0, 19);
  if (a_second != b_second) return a_second < b_second;
  if (KindRank(id_a) != KindRank(id_b)) return KindRank(id_a) < KindRank(id_b);
  if (time_a != time_b) return time_a < time_b;
  return id_a < id_b;
}

ojson InAuditKeyOrder(const json& document) {
  static const char* const kOrder[] = {"apiVersion", "kind",     "id",       "time",     "namespace", "candidate",
                                       "uid",        "model",    "version",  "decision", "trigger",   "spec",
                                       "champion",   "operator", "inputs",   "metrics",  "failures",  "analysis",
                                       "actor",      "triggeredBy"};
  ojson out = ojson::object();
  if (!document.is_object()) return out;
  for (const char* key : kOrder) {
    if (document.contains(key)) out[key] = Ordered(document[key]);
  }
  for (const auto& [key, value] : document.items()) {
    if (!out.contains(key)) out[key] = Ordered(value);
  }
  return out;
}

std::string CanonicalDigest(const json& value) {
  return "sha256:" + gates::Sha256Hex(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::vector<AuditRecord> AuditRecordsOf(const json& candidate, const std::string& operator_version,
                                        const std::vector<json>& rollouts) {
  std::vector<AuditRecord> records;
  const json& metadata = Child(candidate, "metadata");
  const json& spec = Child(candidate, "spec");
  const json& status = Child(candidate, "status");
  const std::string creation = Str(metadata, "creationTimestamp");
  const json trigger = Child(spec, "trigger").is_object() ? spec["trigger"] : json::object();
  const std::string trigger_source = Str(trigger, "source");

  auto base = [&](const std::string& id, const std::string& time) {
    ojson doc;
    doc["apiVersion"] = "modelgate.io/audit/v1";
    doc["kind"] = "AuditRecord";
    doc["id"] = id;
    doc["time"] = time;
    doc["namespace"] = Str(metadata, "namespace");
    doc["candidate"] = Str(metadata, "name");
    doc["uid"] = Str(metadata, "uid");
    doc["model"] = Str(spec, "model");
    doc["version"] = Str(spec, "version");
    return doc;
  };
  auto finish = [&](ojson& doc, long long generation) {
    doc["trigger"] = Ordered(trigger);
    doc["spec"] = {{"generation", generation}, {"digest", CanonicalDigest(spec)}};
    if (Child(status, "champion").is_object()) doc["champion"] = Ordered(status["champion"]);
    doc["operator"] = {{"version", operator_version}};
  };

  // Gates.
  if (const json& gates = Child(status, "gates"); gates.is_array()) {
    for (const json& gate : gates) {
      const std::string name = Str(gate, "name");
      const std::string state = Str(gate, "state");
      if (name.empty() || (state != "Passed" && state != "Failed" && state != "Error" && state != "Skipped")) continue;
      const long long generation = Child(gate, "observedGeneration").is_number_integer()
                                       ? gate["observedGeneration"].get<long long>()
                                       : Int(metadata, "generation");
      const std::string id = "gate-" + name + "-g" + std::to_string(generation) + "-a" +
                             std::to_string(Int(gate, "attempts")) + "-" + state;
      std::string time = Str(gate, "finishedAt");
      if (time.empty()) time = Str(gate, "startedAt");
      if (time.empty()) time = creation;
      ojson doc = base(id, time);
      ojson decision = {{"type", GateDecisionType(state)}, {"gate", name}, {"state", state},
                        {"reason", Str(gate, "reason")}, {"message", Str(gate, "message")}};
      doc["decision"] = decision;
      finish(doc, generation);
      if (Child(gate, "inputs").is_array()) doc["inputs"] = Ordered(gate["inputs"]);
      if (Child(gate, "metrics").is_object() && !gate["metrics"].empty()) doc["metrics"] = Ordered(gate["metrics"]);
      if (Child(gate, "failures").is_array() && !gate["failures"].empty()) doc["failures"] = Ordered(gate["failures"]);
      if (Child(gate, "champion").is_object()) doc["champion"] = Ordered(gate["champion"]);
      doc["actor"] = {{"kind", "operator"}, {"name", "modelgate"}};
      records.push_back({id, time, std::move(doc)});
    }
  }

  // The candidate's verdict and the rollout's decisions.
  const std::string phase = Str(status, "phase");
  const long long generation = Child(status, "observedGeneration").is_number_integer()
                                   ? status["observedGeneration"].get<long long>()
                                   : Int(metadata, "generation");
  auto phase_record = [&](const std::string& id, const std::string& type, std::string time, const std::string& actor_kind,
                          const std::string& actor) {
    if (time.empty()) time = creation;
    ojson doc = base(id, time);
    doc["decision"] = {{"type", type}, {"reason", phase}, {"message", Str(status, "message")}};
    finish(doc, generation);
    doc["actor"] = {{"kind", actor_kind}, {"name", actor}};
    records.push_back({id, time, std::move(doc)});
  };
  const bool rollout_phase = phase == "RollingOut" || phase == "Production" || phase == "RolledBack" || phase == "Archived";
  bool was_ready = false;
  if (const json& conditions = Child(status, "conditions"); conditions.is_array()) {
    for (const json& c : conditions) was_ready |= Str(c, "type") == "Ready" && Str(c, "status") == "True";
  }
  // A candidate made champion by hand (no gates, its status written directly) has no verdict.
  if (phase == "Ready" || phase == "Rejected" || phase == "ChampionRetained" || phase == "Superseded" ||
      (rollout_phase && was_ready)) {
    // A candidate that went on to a rollout had been Ready: that verdict is recorded as well.
    const std::string verdict = rollout_phase ? "Ready" : phase;
    std::string time = ConditionTime(status, "Ready");
    phase_record("verdict-" + verdict + "-g" + std::to_string(generation), "Candidate" + verdict, time, "operator",
                 "modelgate");
  }
  const std::string stage_time = Str(status, "stageTransitionTime");
  if (phase == "RollingOut") phase_record("rollout-started-" + stage_time, "RolloutStarted", stage_time, "operator", "modelgate");
  if (phase == "Production") phase_record("promoted-" + stage_time, "Promoted", stage_time, "operator", "modelgate");
  if (phase == "RolledBack") phase_record("rolled-back-" + stage_time, "RolledBack", stage_time, "operator", "modelgate");
  if (phase == "Archived") phase_record("archived-" + stage_time, "Archived", stage_time, "operator", "modelgate");

  // The rollouts' decisions about this candidate, from their history.
  const std::string candidate_name = Str(metadata, "name");
  for (const json& rollout : rollouts) {
    const std::string rollout_name = Str(Child(rollout, "metadata"), "name");
    const json& rollout_status = Child(rollout, "status");
    const json& history = Child(rollout_status, "history");
    if (!history.is_array()) continue;
    for (size_t i = 0; i < history.size(); ++i) {
      const json& entry = history[i];
      if (Str(entry, "candidate") != candidate_name || Str(entry, "time").empty()) continue;
      const std::string time = Str(entry, "time");
      const std::string reason = Str(entry, "reason");
      const std::string id = "rollout-" + rollout_name + "-" + time + "-" + reason + "-s" +
                             std::to_string(Int(entry, "step")) + "-w" + std::to_string(Int(entry, "canaryWeight"));
      ojson doc = base(id, time);
      const bool manual = Child(entry, "actor").is_object();
      doc["decision"] = {{"type", manual ? "ManualAction" : "RolloutStep"},
                         {"reason", reason},
                         {"message", Str(entry, "message")},
                         {"rollout", rollout_name},
                         {"phase", Str(entry, "phase")},
                         {"step", Int(entry, "step")},
                         {"canaryWeight", Int(entry, "canaryWeight")}};
      finish(doc, generation);
      if (i + 1 == history.size() && Child(rollout_status, "analysis").is_array() &&
          !rollout_status["analysis"].empty()) {
        doc["analysis"] = Ordered(rollout_status["analysis"]);
      }
      doc["actor"] = manual ? Ordered(entry["actor"]) : ojson{{"kind", "operator"}, {"name", "modelgate"}};
      records.push_back({id, time, std::move(doc)});
    }
  }

  // Who asked for the candidate: the trigger's source (kubectl-modelgate/<user>, a schedule, an alert).
  for (AuditRecord& r : records) {
    if (!trigger_source.empty()) r.document["triggeredBy"] = trigger_source;
  }
  std::stable_sort(records.begin(), records.end(), [](const AuditRecord& a, const AuditRecord& b) {
    return AuditRecordBefore(a.time, a.id, b.time, b.id);
  });
  return records;
}

}  // namespace modelgate::controllers::registry
