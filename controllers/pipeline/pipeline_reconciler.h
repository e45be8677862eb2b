// PipelineReconciler: the effect layer of the ModelPipeline controller around DecidePipeline
// (pipeline_decision.h). Per reconcile: read the pipeline from the cache; parse its spec; on a new
// generation check the rendered template with a server-side dry-run create of a ModelCandidate (its
// field errors become the Invalid condition, with paths under spec.candidateTemplate); read the
// alert token Secret (AlertsReady); read the rollout of promotion.rolloutRef; decide. A due
// trigger is run through TriggerWriter and the key is looked at again at once. Otherwise the
// upkeep is performed in this order: create allocated candidates, mark replaced ones
// superseded, hand a Ready candidate to the rollout (merge patch with the rollout's
// resourceVersion as precondition), delete candidates beyond historyLimit, then write the status
// (resourceVersion precondition; a conflict is retried) and record the Events.
// Thread-safe for distinct keys.
#pragma once

#include <string>

#include "controllers/pipeline/trigger_writer.h"
#include "controllers/reconcile_outcome.h"
#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/informer.h"

namespace modelgate::controllers::pipeline {

class PipelineReconciler {
 public:
  // None of the references is owned; all must outlive the reconciler.
  PipelineReconciler(const kube::Client& client, const kube::Informer& pipelines, const kube::Informer& candidates,
                     const kube::Informer& rollouts, kube::EventRecorder& events, kube::Clock& clock);

  ReconcileOutcome Reconcile(const std::string& key);

  const TriggerWriter& trigger_writer() const { return writer_; }

 private:
  // "" when the rendered template is accepted by a dry run; the API server's field errors otherwise.
  kube::Result<std::string> CheckTemplate(const nlohmann::json& pipeline, const PipelineSpec& spec) const;

  const kube::Client& client_;
  const kube::Informer& pipelines_;
  const kube::Informer& candidates_;
  const kube::Informer& rollouts_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
  TriggerWriter writer_;
};

}  // namespace modelgate::controllers::pipeline
