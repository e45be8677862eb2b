#include "controllers/traffic/replicas_router.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "controllers/traffic/replica_split.h"
#include "controllers/traffic/verified_write.h"

namespace modelgate::traffic {
namespace {

using kube::Status;
using kube::StatusCode;

ObjectRef DeploymentRef(const RouteTarget& target, const std::string& name) {
  return ObjectRef{&kube::resources::Deployments(), "Deployment", target.ns, name};
}

Status CheckTarget(const RouteTarget& target) {
  if (target.champion_deployment.empty() || target.canary_deployment.empty()) {
    return Status(StatusCode::kInvalid,
                  "replicas traffic: the champion and canary Deployment names must both be set");
  }
  return Status::Ok();
}

// spec.replicas, 1 when unset (the API server's default).
kube::Result<int> ReplicasOf(const json& deployment) {
  const json* replicas = nullptr;
  if (auto spec = deployment.find("spec"); spec != deployment.end() && spec->is_object()) {
    if (auto r = spec->find("replicas"); r != spec->end()) replicas = &*r;
  }
  if (replicas == nullptr || replicas->is_null()) return 1;
  if (!replicas->is_number_integer()) {
    return Status(StatusCode::kInvalid, "spec.replicas: expected an integer, got " + replicas->dump());
  }
  return replicas->get<int>();
}

std::optional<int> AnnotatedWeight(const json& deployment) {
  const json* annotations = nullptr;
  if (auto meta = deployment.find("metadata"); meta != deployment.end() && meta->is_object()) {
    if (auto a = meta->find("annotations"); a != meta->end() && a->is_object()) annotations = &*a;
  }
  if (annotations == nullptr) return std::nullopt;
  auto it = annotations->find(kCanaryWeightAnnotation);
  if (it == annotations->end() || !it->is_string()) return std::nullopt;
  const std::string text = it->get<std::string>();
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > 100) {
    return std::nullopt;
  }
  return value;
}

// Edit of one Deployment: spec.replicas, and (canary only) the weight annotation.
ObjectEdit SetReplicas(int replicas, std::optional<int> canary_weight) {
  return [replicas, canary_weight](json& deployment, std::vector<std::string>& changes) -> Status {
    auto current = ReplicasOf(deployment);
    if (!current.ok()) return current.status();
    const json* current_value = nullptr;
    if (deployment.contains("spec") && deployment["spec"].contains("replicas")) {
      current_value = &deployment["spec"]["replicas"];
    }
    if (current_value == nullptr || *current != replicas) {
      changes.push_back("spec.replicas: " + WantGot(replicas, current_value));
      deployment["spec"]["replicas"] = replicas;
    }
    if (canary_weight && AnnotatedWeight(deployment) != canary_weight) {
      json& annotations = deployment["metadata"]["annotations"];
      const json want = std::to_string(*canary_weight);
      const json* got = annotations.is_object() && annotations.contains(kCanaryWeightAnnotation)
                            ? &annotations[kCanaryWeightAnnotation] : nullptr;
      changes.push_back(std::string("metadata.annotations[") + kCanaryWeightAnnotation + "]: " +
                        WantGot(want, got));
      annotations[kCanaryWeightAnnotation] = want;
    }
    return Status::Ok();
  };
}

}  // namespace

Status ReplicasRouter::Apply(const RouteTarget& target, const TrafficSplit& split) const {
  if (split.mirror_percent > 0) {
    return Status(StatusCode::kInvalid,
                  "the replicas traffic provider cannot mirror requests, so a shadow phase is "
                  "impossible: remove spec.shadow (or set its percent to 0), or use "
                  "spec.traffic.gatewayAPI or spec.traffic.istio");
  }
  if (Status s = CheckTarget(target); !s.ok()) return s;
  auto counts = ReplicasForWeight(target.total_replicas, split.canary_weight);
  if (!counts.ok()) return counts.status();

  const ObjectRef canary_ref = DeploymentRef(target, target.canary_deployment);
  const ObjectRef champion_ref = DeploymentRef(target, target.champion_deployment);
  auto canary = client_.Get(*canary_ref.resource, canary_ref.ns, canary_ref.name);
  if (!canary.ok()) {
    // No canary Deployment is exactly "weight 0" (it was removed after a rollback or a completed
    // promotion): applying 0 again must succeed, so that an effect retried after a lost status
    // write converges instead of failing forever. Any other weight needs the canary.
    if (canary.status().code() == StatusCode::kNotFound && split.canary_weight == 0) {
      return VerifiedWrite(client_, champion_ref, SetReplicas(counts->champion, std::nullopt));
    }
    return WithObject(canary_ref, canary.status());
  }
  auto canary_now = ReplicasOf(*canary);
  if (!canary_now.ok()) return WithObject(canary_ref, canary_now.status());

  const ObjectEdit canary_edit = SetReplicas(counts->canary, split.canary_weight);
  const ObjectEdit champion_edit = SetReplicas(counts->champion, std::nullopt);
  // The Deployment that grows goes first: capacity never dips below the target of either step.
  if (counts->canary > *canary_now) {
    if (Status s = VerifiedWrite(client_, canary_ref, canary_edit); !s.ok()) return s;
    return VerifiedWrite(client_, champion_ref, champion_edit);
  }
  if (Status s = VerifiedWrite(client_, champion_ref, champion_edit); !s.ok()) return s;
  return VerifiedWrite(client_, canary_ref, canary_edit);
}

kube::Result<TrafficSplit> ReplicasRouter::Observe(const RouteTarget& target) const {
  if (Status s = CheckTarget(target); !s.ok()) return s;
  const ObjectRef canary_ref = DeploymentRef(target, target.canary_deployment);
  const ObjectRef champion_ref = DeploymentRef(target, target.champion_deployment);
  auto champion = client_.Get(*champion_ref.resource, champion_ref.ns, champion_ref.name);
  if (!champion.ok()) return WithObject(champion_ref, champion.status());
  auto canary = client_.Get(*canary_ref.resource, canary_ref.ns, canary_ref.name);
  if (!canary.ok()) {
    if (canary.status().code() == StatusCode::kNotFound) return TrafficSplit{.canary_weight = 0, .mirror_percent = 0};
    return WithObject(canary_ref, canary.status());
  }
  auto champion_replicas = ReplicasOf(*champion);
  if (!champion_replicas.ok()) return WithObject(champion_ref, champion_replicas.status());
  auto canary_replicas = ReplicasOf(*canary);
  if (!canary_replicas.ok()) return WithObject(canary_ref, canary_replicas.status());
  const ReplicaCounts observed{.champion = *champion_replicas, .canary = *canary_replicas};

  if (auto annotated = AnnotatedWeight(*canary); annotated && target.total_replicas > 0) {
    auto expected = ReplicasForWeight(target.total_replicas, *annotated);
    if (expected.ok() && *expected == observed) {
      return TrafficSplit{.canary_weight = *annotated, .mirror_percent = 0};
    }
  }
  auto weight = WeightOfReplicas(observed);
  if (!weight.ok()) return WithObject(canary_ref, weight.status());
  return TrafficSplit{.canary_weight = *weight, .mirror_percent = 0};
}

}  // namespace modelgate::traffic
