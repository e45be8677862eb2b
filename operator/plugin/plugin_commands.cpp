#include "operator/plugin/plugin_commands.h"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <set>

#include "operator/plugin/json_fields.h"
#include "operator/plugin/model_history_view.h"
#include "operator/plugin/pipeline_trigger.h"
#include "operator/plugin/rollout_status_view.h"

namespace modelgate::plugin {
namespace {

namespace res = kube::resources;

// One line saying what failed, naming the object, in words a user can act on.
std::string Describe(const kube::Status& status, const std::string& what,
                     const CommandContext& context) {
  switch (status.code()) {
    case kube::StatusCode::kNotFound:
      return what + " not found in namespace \"" + context.ns + "\"";
    case kube::StatusCode::kForbidden:
      return "not allowed to access " + what + " in namespace \"" + context.ns +
             "\": " + status.message();
    case kube::StatusCode::kUnauthorized:
      return "the API server " + context.server +
             " did not accept the credentials: " + status.message();
    case kube::StatusCode::kUnavailable:
    case kube::StatusCode::kTimeout:
      return "cannot reach the API server " + context.server + ": " + status.ToString();
    default:
      return what + ": " + status.ToString();
  }
}

std::string RolloutWhat(const std::string& name) { return "modelrollout \"" + name + "\""; }

void PrintJson(std::ostream& out, const json& value) { out << value.dump(2) << "\n"; }

int ShowStatus(const PluginArgs& args, const CommandContext& context, const kube::Client& client,
               std::ostream& out, std::ostream& err) {
  auto rollout = client.Get(res::ModelRollouts(), context.ns, args.name);
  if (!rollout.ok()) {
    err << "error: " << Describe(rollout.status(), RolloutWhat(args.name), context) << "\n";
    return 1;
  }
  const json view = RolloutStatusView(*rollout, context.now);
  if (args.output == OutputFormat::kJson) {
    PrintJson(out, view);
  } else {
    out << FormatRolloutStatus(view);
  }
  return 0;
}

int History(const PluginArgs& args, const CommandContext& context, const kube::Client& client,
            std::ostream& out, std::ostream& err) {
  auto candidates = client.ListAll(res::ModelCandidates(), context.ns);
  if (!candidates.ok()) {
    err << "error: " << Describe(candidates.status(), "modelcandidates", context) << "\n";
    return 1;
  }
  auto rollouts = client.ListAll(res::ModelRollouts(), context.ns);
  if (!rollouts.ok()) {
    err << "error: " << Describe(rollouts.status(), "modelrollouts", context) << "\n";
    return 1;
  }
  const json view = ModelHistoryView(args.name, context.ns, *candidates, *rollouts);
  if (ArrayAt(view, {"candidates"}).empty()) {
    // Not an empty table: a typo in the model's name must not look like a model without history.
    std::set<std::string> models;
    for (const json& mc : ArrayAt(*candidates, {"items"}))
      models.insert(StringAt(mc, {"spec", "model"}));
    std::string known;
    for (const std::string& m : models) known += (known.empty() ? "" : ", ") + m;
    err << "error: no modelcandidates of model \"" << args.name << "\" (spec.model) in namespace \""
        << context.ns << "\"" << (known.empty() ? "" : "; models there: " + known) << "\n";
    return 1;
  }
  if (args.output == OutputFormat::kJson) {
    PrintJson(out, view);
  } else {
    out << FormatModelHistory(view);
  }
  return 0;
}

// A change of one rollout: reads it, lets `decide` refuse it, say it is already done, or return the
// merge patch; then patches and reports.
struct Change {
  // "" = go ahead with `patch`; otherwise the reason it is refused (exit 1) or, when
  // `nothing_to_do` is set, why no change is needed (exit 0).
  std::string refusal;
  bool nothing_to_do = false;
  json patch;
  std::string done;  // printed after the patch, e.g. "abort requested"
};

std::string WhoAmI(const kube::Client& client);

// Written with every promote/abort/pause/resume patch: the user the API server sees, for the
// audit trail (controllers/rollout/manual_actor.h reads it back together with managedFields).
// Removed (null) when the user cannot be asked, so an older value is never attributed to this act.
constexpr const char* kActorAnnotation = "modelgate.io/actor";

int Mutate(const PluginArgs& args, const CommandContext& context, const kube::Client& client,
           std::ostream& out, std::ostream& err, const std::function<Change(const json&)>& decide) {
  const std::string what = RolloutWhat(args.name);
  auto rollout = client.Get(res::ModelRollouts(), context.ns, args.name);
  if (!rollout.ok()) {
    err << "error: " << Describe(rollout.status(), what, context) << "\n";
    return 1;
  }
  const Change change = decide(*rollout);
  if (!change.refusal.empty()) {
    if (change.nothing_to_do) {
      if (args.output == OutputFormat::kJson) {
        PrintJson(out, *rollout);
      } else {
        out << what << ": " << change.refusal << "\n";
      }
      return 0;
    }
    err << "error: " << what << ": " << change.refusal << "\n";
    return 1;
  }
  json patch = change.patch;
  const std::string user = WhoAmI(client);
  patch["metadata"]["annotations"][kActorAnnotation] = user.empty() ? json(nullptr) : json(user);
  auto patched = client.Patch(res::ModelRollouts(), context.ns, args.name, kube::PatchType::kMerge, patch);
  if (!patched.ok()) {
    err << "error: " << Describe(patched.status(), what, context) << "\n";
    return 1;
  }
  if (args.output == OutputFormat::kJson) {
    PrintJson(out, *patched);
  } else {
    out << what << " " << change.done << "\n";
  }
  return 0;
}

std::string PhaseOf(const json& rollout) {
  const std::string phase = StringAt(rollout, {"status", "phase"});
  return phase.empty() ? "without a status yet" : phase;
}

bool OneOf(const std::string& value, std::initializer_list<const char*> options) {
  for (const char* o : options) {
    if (value == o) return true;
  }
  return false;
}

Change DecidePromote(const json& rollout, const std::string& token) {
  const std::string phase = StringAt(rollout, {"status", "phase"});
  if (!OneOf(phase, {"Shadowing", "Canary", "Paused"})) {
    return {.refusal = "is " + PhaseOf(rollout) +
                       "; promote applies to a rollout that is Shadowing, in Canary or Paused"};
  }
  return {.patch = {{"metadata", {{"annotations", {{kPromoteAnnotation, token}}}}}},
          .done = "promotion requested (" + std::string(kPromoteAnnotation) + "=" + token +
                  "): the remaining steps are skipped"};
}

Change DecideAbort(const json& rollout) {
  const std::string phase = StringAt(rollout, {"status", "phase"});
  if (OneOf(phase, {"RolledBack", "Aborted", "Failed"})) {
    return {.refusal = "has already ended (" + phase + "); nothing to abort"};
  }
  if (BoolAt(rollout, {"spec", "abort"})) {
    return {.refusal = "abort was already requested (spec.abort is true)", .nothing_to_do = true};
  }
  return {
      .patch = {{"spec", {{"abort", true}}}},
      .done = "abort requested (spec.abort=true): it rolls back, traffic first, and ends Aborted"};
}

Change DecidePause(const json& rollout) {
  const std::string phase = StringAt(rollout, {"status", "phase"});
  if (OneOf(phase, {"Promoting", "Promoted", "RollingBack", "RolledBack", "Aborted", "Failed"})) {
    return {.refusal =
                "is " + phase + "; only a pending, shadowing or canary rollout can be paused"};
  }
  if (BoolAt(rollout, {"spec", "paused"})) {
    return {.refusal = "is already paused (spec.paused is true)", .nothing_to_do = true};
  }
  return {.patch = {{"spec", {{"paused", true}}}},
          .done = "paused (spec.paused=true): traffic and the soak clock hold"};
}

Change DecideResume(const json& rollout) {
  if (!BoolAt(rollout, {"spec", "paused"})) {
    if (StringAt(rollout, {"status", "phase"}) == "Paused") {
      std::string why = StringAt(rollout, {"status", "message"});
      return {.refusal = "is Paused by its analysis, not by spec.paused" +
                         (why.empty() ? std::string() : " (" + why + ")") +
                         "; fix the metrics' data or abort it"};
    }
    return {.refusal = "is not paused (spec.paused is not set)", .nothing_to_do = true};
  }
  return {.patch = {{"spec", {{"paused", false}}}}, .done = "resumed (spec.paused=false)"};
}

// The user the API server sees, as `kubectl auth whoami` asks it (a SelfSubjectReview, nothing
// stored); "" on any failure (an older server, no permission): the caller falls back silently.
std::string WhoAmI(const kube::Client& client) {
  static const kube::Resource kSelfSubjectReviews{"authentication.k8s.io", "v1",
                                                  "selfsubjectreviews", false};
  auto review = client.Create(
      kSelfSubjectReviews, "",
      {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}});
  return review.ok() ? StringAt(*review, {"status", "userInfo", "username"}) : "";
}

int Trigger(const PluginArgs& args, const CommandContext& context, const kube::Client& client,
            std::ostream& out, std::ostream& err) {
  const std::string what = "modelpipeline \"" + args.name + "\"";
  auto pipeline = client.Get(res::ModelPipelines(), context.ns, args.name);
  if (!pipeline.ok()) {
    err << "error: " << Describe(pipeline.status(), what, context) << "\n";
    return 1;
  }
  const TriggerRequest request{
      .id = context.request_id,
      .type = args.trigger_type,
      .commit = args.commit,
      .reason = args.reason,
      .source = !args.source.empty() ? args.source : DefaultTriggerSource(WhoAmI(client)),
      .requested_at = context.now};
  auto patched = client.Patch(res::ModelPipelines(), context.ns, args.name,
                              kube::PatchType::kMerge, TriggerPatch(request));
  if (!patched.ok()) {
    err << "error: " << Describe(patched.status(), what, context) << "\n";
    return 1;
  }
  const bool text = args.output == OutputFormat::kText;
  if (text) {
    out << "trigger requested on modelpipeline/" << args.name << " (id " << request.id << ")\n";
  }
  if (!args.wait) {
    if (!text) PrintJson(out, *patched);
    return 0;
  }
  kube::Clock& clock = *context.clock;
  const auto deadline = clock.Now() + args.wait_timeout;
  json last = *patched;
  std::string last_error;
  while (true) {
    if (auto outcome = TriggerOutcomeOf(last, request)) {
      if (text) {
        out << outcome->line << "\n";
      } else {
        PrintJson(out, last);
      }
      return outcome->exit_code;
    }
    const auto now = clock.Now();
    if (now >= deadline) break;
    clock.SleepFor(std::min(kTriggerPollInterval,
                            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
    auto read = client.Get(res::ModelPipelines(), context.ns, args.name);
    if (read.ok()) {
      last = *std::move(read);
      continue;
    }
    // The request is written: a passing outage is waited out, a deleted pipeline or lost access
    // is not.
    if (!read.status().retryable()) {
      err << "error: " << Describe(read.status(), what, context) << "\n";
      return 1;
    }
    last_error = Describe(read.status(), what, context);
  }
  err << "error: " << TriggerTimeoutMessage(args.name, request.id, args.wait_timeout)
      << (last_error.empty() ? "" : "; the last read failed: " + last_error) << "\n";
  return 1;
}

}  // namespace

int RunPluginCommand(const PluginArgs& args, const CommandContext& context,
                     const kube::Client& client, std::ostream& out, std::ostream& err) {
  if (args.command == "status") return ShowStatus(args, context, client, out, err);
  if (args.command == "history") return History(args, context, client, out, err);
  if (args.command == "promote") {
    return Mutate(args, context, client, out, err,
                  [&](const json& r) { return DecidePromote(r, context.request_id); });
  }
  if (args.command == "trigger") return Trigger(args, context, client, out, err);
  if (args.command == "abort") return Mutate(args, context, client, out, err, DecideAbort);
  if (args.command == "pause") return Mutate(args, context, client, out, err, DecidePause);
  if (args.command == "resume") return Mutate(args, context, client, out, err, DecideResume);
  err << "error: unknown command '" << args.command << "'\n";
  return 2;
}

}  // namespace modelgate::plugin
