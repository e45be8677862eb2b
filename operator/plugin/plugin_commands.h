// The commands of the kubectl plugin against the API server, over a kube::Client (so tests drive
// them with a FakeTransport):
//   status  <rollout>  GET the ModelRollout, print RolloutStatusView (text or JSON).
//   promote <rollout>  merge-patch metadata.annotations["modelgate.io/promote"] = a unique token;
//                      the rollout controller skips the remaining steps and promotes, once per
//                      token. Refused unless the phase is Shadowing, Canary or Paused.
//   abort   <rollout>  merge-patch spec.abort = true. Refused when the rollout already ended
//                      (RolledBack, Aborted, Failed); a no-op when abort is already requested.
//   pause   <rollout>  merge-patch spec.paused = true. Refused once the rollout is promoting,
//                      promoted, rolling back or ended; a no-op when already paused.
//   resume  <rollout>  merge-patch spec.paused = false. A no-op when spec.paused is not set; when
//                      the rollout is Paused by its analysis (onNoData: Pause) rather than by
//                      spec.paused, that is said and the exit code is 1 (nothing to resume here).
//   history <model>    LIST ModelCandidates and ModelRollouts, print ModelHistoryView.
//   trigger <pipeline> merge-patch the ModelPipeline's annotation modelgate.io/trigger to a request
//                      (pipeline_trigger.h) with id request_id; the source defaults to
//                      kubectl-modelgate/<user> (one SelfSubjectReview, as `kubectl auth whoami`;
//                      any failure of it falls back to kubectl-modelgate). With --wait, reads the
//                      pipeline every kTriggerPollInterval until the operator acted on the id:
//                      exit 0 Created, 1 Skipped/Deduplicated/replaced, 1 after --timeout.
// Every command reads the object first, so "not found" names it: modelrollout "x" not found in
// namespace "y". Exit codes: 0 done (or nothing to do), 1 refused or failed.
#pragma once

#include <ostream>
#include <string>

#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/time_format.h"
#include "operator/plugin/plugin_args.h"

namespace modelgate::plugin {

inline constexpr const char* kPromoteAnnotation = "modelgate.io/promote";

struct CommandContext {
  std::string ns;          // the namespace resolved from -n or the kubeconfig
  kube::TimePoint now;     // for soak time left and trigger's requestedAt
  std::string request_id;  // promote's token, trigger's id; unique per invocation
  std::string server;      // the API server's URL, for connection errors
  kube::Clock* clock = &kube::SystemClock::Instance();  // trigger --wait; not owned
};

// Runs args.command. Writes the result to `out`, errors (one line each) to `err`.
int RunPluginCommand(const PluginArgs& args, const CommandContext& context,
                     const kube::Client& client, std::ostream& out, std::ostream& err);

}  // namespace modelgate::plugin
