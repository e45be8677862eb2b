#include "operator/plugin/model_history_view.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "operator/plugin/json_fields.h"
#include "operator/plugin/text_table.h"

namespace modelgate::plugin {
namespace {

// Oldest first; RFC 3339 UTC timestamps of the API server compare as strings.
void SortByCreation(std::vector<const json*>& objects) {
  std::stable_sort(objects.begin(), objects.end(), [](const json* a, const json* b) {
    const std::string ta = StringAt(*a, {"metadata", "creationTimestamp"});
    const std::string tb = StringAt(*b, {"metadata", "creationTimestamp"});
    if (ta != tb) return ta < tb;
    return StringAt(*a, {"metadata", "name"}) < StringAt(*b, {"metadata", "name"});
  });
}

json RolloutEntry(const json& mr) {
  return {{"name", StringAt(mr, {"metadata", "name"})},
          {"phase", StringAt(mr, {"status", "phase"})},
          {"currentStep", IntAt(mr, {"status", "currentStep"}).value_or(0)},
          {"canaryWeight", IntAt(mr, {"status", "canaryWeight"}).value_or(0)},
          {"startedAt", StringAt(mr, {"status", "startedAt"})},
          {"promotedAt", StringAt(mr, {"status", "promotedAt"})},
          {"finishedAt", StringAt(mr, {"status", "finishedAt"})},
          {"message", StringAt(mr, {"status", "message"})}};
}

}  // namespace

json ModelHistoryView(const std::string& model, const std::string& ns, const json& candidates,
                      const json& rollouts) {
  std::vector<const json*> mine;
  for (const json& mc : ArrayAt(candidates, {"items"})) {
    if (StringAt(mc, {"spec", "model"}) == model) mine.push_back(&mc);
  }
  SortByCreation(mine);
  std::vector<const json*> all_rollouts;
  for (const json& mr : ArrayAt(rollouts, {"items"})) all_rollouts.push_back(&mr);
  SortByCreation(all_rollouts);

  json view = {{"model", model},
               {"namespace", ns},
               {"champion", nullptr},
               {"candidates", json::array()},
               {"auditTrails", json::array()}};
  for (const json* mc : mine) {
    const std::string name = StringAt(*mc, {"metadata", "name"});
    json entry = {
        {"name", name},
        {"version", StringAt(*mc, {"spec", "version"})},
        {"created", StringAt(*mc, {"metadata", "creationTimestamp"})},
        {"trigger",
         {{"type", StringAt(*mc, {"spec", "trigger", "type"})},
          {"source", StringAt(*mc, {"spec", "trigger", "source"})},
          {"commit", StringAt(*mc, {"spec", "trigger", "commit"})},
          {"reason", StringAt(*mc, {"spec", "trigger", "reason"})}}},
        {"phase", StringAt(*mc, {"status", "phase"})},
        {"stage", StringAt(*mc, {"status", "stage"})},
        {"stageTransitionTime", StringAt(*mc, {"status", "stageTransitionTime"})},
        {"currentGate", StringAt(*mc, {"status", "currentGate"})},
        {"message", StringAt(*mc, {"status", "message"})},
        {"gates", json::array()},
        {"blockedBy", nullptr},
        {"rollouts", json::array()},
    };
    for (const json& gate : ArrayAt(*mc, {"status", "gates"})) {
      json g = {{"name", StringAt(gate, {"name"})},
                {"state", StringAt(gate, {"state"})},
                {"reason", StringAt(gate, {"reason"})},
                {"message", StringAt(gate, {"message"})},
                {"startedAt", StringAt(gate, {"startedAt"})},
                {"finishedAt", StringAt(gate, {"finishedAt"})}};
      if (entry["blockedBy"].is_null() && (g["state"] == "Failed" || g["state"] == "Error")) {
        entry["blockedBy"] = {{"gate", g["name"]},
                              {"state", g["state"]},
                              {"reason", g["reason"]},
                              {"message", g["message"]}};
      }
      entry["gates"].push_back(std::move(g));
    }
    for (const json* mr : all_rollouts) {
      if (StringAt(*mr, {"spec", "candidateRef", "name"}) == name) {
        entry["rollouts"].push_back(RolloutEntry(*mr));
      }
    }
    if (const std::string uri = StringAt(*mc, {"spec", "registry", "mlflow", "trackingUri"});
        !uri.empty()) {
      std::string registered = StringAt(*mc, {"spec", "registry", "mlflow", "registeredModel"});
      if (registered.empty()) registered = StringAt(*mc, {"spec", "model"});
      const json trail = {{"mlflow", uri}, {"model", registered}};
      json& trails = view["auditTrails"];
      if (std::find(trails.begin(), trails.end(), trail) == trails.end()) trails.push_back(trail);
    }
    if (entry["stage"] == "Production") {
      view["champion"] = {{"name", name}, {"version", entry["version"]}};
    }
    view["candidates"].push_back(std::move(entry));
  }
  return view;
}

std::string FormatModelHistory(const json& view) {
  const json& candidates = ArrayAt(view, {"candidates"});
  std::string out = "Model " + StringAt(view, {"model"}) + " in namespace " +
                    StringAt(view, {"namespace"}) + ": " + std::to_string(candidates.size()) +
                    (candidates.size() == 1 ? " candidate" : " candidates");
  const std::string champion = StringAt(view, {"champion", "name"});
  out += champion.empty() ? ", no champion (no candidate with stage Production)\n"
                          : ", champion " + champion + " (version " +
                                StringAt(view, {"champion", "version"}) + ")\n";
  for (const json& c : candidates) {
    out += "\n" + StringAt(c, {"created"}) + "  " + StringAt(c, {"name"}) + "  version " +
           StringAt(c, {"version"}) + "\n";
    std::string trigger = StringAt(c, {"trigger", "type"});
    if (trigger.empty()) trigger = "-";
    if (const std::string source = StringAt(c, {"trigger", "source"}); !source.empty()) {
      trigger += " from " + source;
    }
    if (const std::string commit = StringAt(c, {"trigger", "commit"}); !commit.empty()) {
      trigger += " at commit " + commit;
    }
    if (const std::string reason = StringAt(c, {"trigger", "reason"}); !reason.empty()) {
      trigger += ": " + reason;
    }
    out += "  trigger:  " + trigger + "\n";
    const std::string phase = StringAt(c, {"phase"});
    std::string decision = phase.empty() ? "(no status yet)" : phase;
    if (const std::string stage = StringAt(c, {"stage"}); !stage.empty()) {
      decision += ", stage " + stage;
      if (const std::string since = StringAt(c, {"stageTransitionTime"}); !since.empty()) {
        decision += " since " + since;
      }
    }
    out += "  phase:    " + decision + "\n";
    if (const std::string message = StringAt(c, {"message"}); !message.empty()) {
      out += "  message:  " + message + "\n";
    }
    const json& gates = ArrayAt(c, {"gates"});
    if (!gates.empty()) {
      TextTable table({"GATE", "STATE", "REASON", "FINISHED"});
      for (const json& g : gates) {
        table.AddRow({StringAt(g, {"name"}), StringAt(g, {"state"}), StringAt(g, {"reason"}),
                      StringAt(g, {"finishedAt"})});
      }
      out += table.Render("    ");
    }
    if (const json* blocked = FieldAt(c, {"blockedBy"});
        blocked != nullptr && blocked->is_object()) {
      std::string why = StringAt(*blocked, {"reason"});
      if (const std::string message = StringAt(*blocked, {"message"}); !message.empty()) {
        why += (why.empty() ? "" : ": ") + message;
      }
      out += "  blocked:  " + StringAt(*blocked, {"gate"}) + " " + StringAt(*blocked, {"state"}) +
             (why.empty() ? "" : " (" + why + ")") + "\n";
    }
    for (const json& r : ArrayAt(c, {"rollouts"})) {
      std::string line = "  rollout:  " + StringAt(r, {"name"}) + " ";
      const std::string rphase = StringAt(r, {"phase"});
      line += rphase.empty() ? "(no status yet)" : rphase;
      line += ", step " + std::to_string(IntAt(r, {"currentStep"}).value_or(0)) + ", weight " +
              std::to_string(IntAt(r, {"canaryWeight"}).value_or(0)) + "%";
      for (const char* when : {"startedAt", "promotedAt", "finishedAt"}) {
        if (const std::string t = StringAt(r, {when}); !t.empty()) {
          const std::string label(when, std::string_view(when).size() - 2);
          line += ", " + label + " " + t;
        }
      }
      out += line + "\n";
      if (const std::string message = StringAt(r, {"message"}); !message.empty()) {
        out += "            " + message + "\n";
      }
    }
  }
  const json& trails = ArrayAt(view, {"auditTrails"});
  if (!trails.empty()) out += "\n";
  for (const json& trail : trails) {
    out += "audit trail: modelgate audit --mlflow " + StringAt(trail, {"mlflow"}) + " --model " +
           StringAt(trail, {"model"}) + "\n";
  }
  return out;
}

}  // namespace modelgate::plugin
