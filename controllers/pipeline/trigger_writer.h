// TriggerWriter: the effect of one trigger of a ModelPipeline, shared by the pipeline reconciler
// (schedule, modelgate.io/trigger annotation) and the Alertmanager webhook. Per call:
//   1. GET the pipeline from the API server (not the cache: the resourceVersion matters),
//   2. PlanTrigger (pipeline_trigger.h) against it and the cached ModelCandidates,
//   3. PUT the status with that resourceVersion; a 409 (another trigger, another writer) starts
//      again from 1 with the newer object, so a version is never allocated twice,
//   4. only then create the candidate (AlreadyExists: it is there; any other failure leaves it
//      in status.pending, and the reconciler creates it later), record the Events and log one
//      JSON line per trigger.
// Thread-safe (any number of concurrent calls, e.g. webhook threads and reconcile workers).
#pragma once

#include <string>

#include "controllers/pipeline/pipeline_trigger.h"
#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/informer.h"

namespace modelgate::controllers::pipeline {

struct TriggerOutcome {
  kube::Status status;  // not OK: the API server could not be read or written (nothing decided),
                        // or the pipeline is gone (kNotFound) or invalid (kInvalid, message says why)
  TriggerResult result = TriggerResult::kAlreadyHandled;
  std::string candidate;
  std::string message;
};

// The namespace's ModelCandidates from the cache, as the pipeline sees them.
std::vector<PipelineCandidate> CandidatesInNamespace(const kube::Informer& candidates, const std::string& ns);

class TriggerWriter {
 public:
  // None of the references is owned; all must outlive the writer.
  TriggerWriter(const kube::Client& client, const kube::Informer& candidates, kube::EventRecorder& events,
                kube::Clock& clock);

  TriggerOutcome Trigger(const std::string& ns, const std::string& name, const TriggerRequest& request) const;

 private:
  const kube::Client& client_;
  const kube::Informer& candidates_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
};

}  // namespace modelgate::controllers::pipeline
