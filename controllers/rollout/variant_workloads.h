// The challenger's workloads, derived from the champion's (pure JSON builders and predicates).
//
// A variant ("canary" or "shadow") is a Deployment <target.deployment>-<variant> and a Service
// <target.service>-<variant>, both owned by the ModelRollout (controller owner reference, so
// garbage collection removes them with it). The Deployment is a copy of the champion's pod
// template with, in the serving container (target.container, or the only container), the
// challenger's image (spec.artifact.image, when set) and the env var target.modelUriEnv set to
// spec.artifact.uri (when set).
//
// Pods of a variant must not receive the champion Service's traffic, so every label of the
// champion's selector gets "-<variant>" appended to its value in the variant's pod template, and
// the variant's selector and Service select on modelgate.io/rollout and modelgate.io/variant.
// Thread-safe (pure).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "controllers/rollout/rollout_spec.h"
#include "gates/common/status.h"

namespace modelgate::controllers::rollout {

// What the challenger runs: spec.artifact of its ModelCandidate.
struct ChallengerArtifact {
  std::string image;  // empty: keep the champion's image
  std::string uri;    // empty: keep the champion's env
};

// The variant Deployment for `variant` built from `champion` (the Deployment as read) and owned by
// `rollout`. Fails (kInvalidInput naming the field) when the serving container cannot be found.
gates::Result<nlohmann::json> BuildVariantDeployment(const nlohmann::json& champion, const std::string& variant,
                                                     const RolloutSpec& spec, const ChallengerArtifact& artifact,
                                                     int replicas, const nlohmann::json& rollout);

// The variant Service: the champion Service's ports, the variant's selector, owned by `rollout`.
nlohmann::json BuildVariantService(const nlohmann::json& champion_service, const std::string& variant,
                                   const RolloutSpec& spec, const nlohmann::json& rollout);

// `deployment` with its serving container switched to the challenger (promotion of the stable
// Deployment). Fails when the serving container cannot be found.
gates::Result<nlohmann::json> WithChallenger(nlohmann::json deployment, const RolloutSpec& spec,
                                             const ChallengerArtifact& artifact);

// Whether the serving container of `deployment` already runs the challenger.
bool RunsChallenger(const nlohmann::json& deployment, const RolloutSpec& spec, const ChallengerArtifact& artifact);

// A Deployment is Ready when the controller saw its latest generation and every desired replica
// is updated and ready (0 desired replicas is Ready).
bool DeploymentReady(const nlohmann::json& deployment);

int DesiredReplicas(const nlohmann::json& deployment);  // spec.replicas, 1 when unset

}  // namespace modelgate::controllers::rollout
