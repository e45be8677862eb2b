#include "controllers/rollout/variant_workloads.h"

#include <cctype>

namespace modelgate::controllers::rollout {
namespace {

using nlohmann::json;

constexpr const char* kRolloutLabel = "modelgate.io/rollout";
constexpr const char* kVariantLabel = "modelgate.io/variant";

json OwnerReference(const json& rollout) {
  const json& meta = rollout["metadata"];
  return json::array({{{"apiVersion", rollout.value("apiVersion", "modelgate.io/v1alpha1")},
                       {"kind", "ModelRollout"},
                       {"name", meta.value("name", "")},
                       {"uid", meta.value("uid", "")},
                       {"controller", true},
                       {"blockOwnerDeletion", true}}});
}

// Label values are at most 63 characters.
std::string Suffixed(const std::string& value, const std::string& variant) {
  std::string out = value + "-" + variant;
  if (out.size() > 63) out = out.substr(out.size() - 63);
  if (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.front()))) out[0] = 'x';
  return out;
}

json VariantSelector(const json& rollout, const std::string& variant) {
  return {{kRolloutLabel, rollout["metadata"].value("name", "")}, {kVariantLabel, variant}};
}

json* ServingContainer(json& pod_spec, const std::string& container) {
  if (!pod_spec.contains("containers") || !pod_spec["containers"].is_array()) return nullptr;
  json& containers = pod_spec["containers"];
  if (container.empty()) return containers.size() == 1 ? &containers[0] : nullptr;
  for (json& c : containers) {
    if (c.value("name", "") == container) return &c;
  }
  return nullptr;
}

gates::Status NoContainer(const json& deployment, const RolloutSpec& spec) {
  const std::string name = deployment.contains("metadata") ? deployment["metadata"].value("name", "") : "";
  return gates::Status::Invalid(
      "spec.target.container: Deployment " + name + " has no container " +
      (spec.container.empty() ? std::string("(omitted, so the pod must have exactly one container)")
                              : "named \"" + spec.container + "\""));
}

void SetEnv(json& container, const std::string& name, const std::string& value) {
  if (!container.contains("env") || !container["env"].is_array()) container["env"] = json::array();
  for (json& e : container["env"]) {
    if (e.value("name", "") == name) {
      e = {{"name", name}, {"value", value}};
      return;
    }
  }
  container["env"].push_back({{"name", name}, {"value", value}});
}

std::string EnvValue(const json& container, const std::string& name) {
  if (!container.contains("env") || !container["env"].is_array()) return "";
  for (const json& e : container["env"]) {
    if (e.value("name", "") == name && e.contains("value") && e["value"].is_string()) return e["value"].get<std::string>();
  }
  return "";
}

}  // namespace

gates::Result<json> WithChallenger(json deployment, const RolloutSpec& spec, const ChallengerArtifact& artifact) {
  json* container = nullptr;
  if (deployment.contains("spec") && deployment["spec"].contains("template") &&
      deployment["spec"]["template"].contains("spec")) {
    container = ServingContainer(deployment["spec"]["template"]["spec"], spec.container);
  }
  if (container == nullptr) return NoContainer(deployment, spec);
  if (!artifact.image.empty()) (*container)["image"] = artifact.image;
  if (!artifact.uri.empty()) SetEnv(*container, spec.model_uri_env, artifact.uri);
  return deployment;
}

bool RunsChallenger(const json& deployment, const RolloutSpec& spec, const ChallengerArtifact& artifact) {
  json copy = deployment;
  if (!copy.contains("spec") || !copy["spec"].contains("template") || !copy["spec"]["template"].contains("spec")) {
    return false;
  }
  const json* container = ServingContainer(copy["spec"]["template"]["spec"], spec.container);
  if (container == nullptr) return false;
  if (!artifact.image.empty() && container->value("image", "") != artifact.image) return false;
  if (!artifact.uri.empty() && EnvValue(*container, spec.model_uri_env) != artifact.uri) return false;
  return true;
}

gates::Result<json> BuildVariantDeployment(const json& champion, const std::string& variant, const RolloutSpec& spec,
                                           const ChallengerArtifact& artifact, int replicas, const json& rollout) {
  const json& champion_spec = champion.contains("spec") ? champion["spec"] : json::object();
  json tmpl = champion_spec.contains("template") ? champion_spec["template"] : json::object();
  json selector_labels = json::object();
  if (champion_spec.contains("selector") && champion_spec["selector"].contains("matchLabels")) {
    selector_labels = champion_spec["selector"]["matchLabels"];
  }
  json labels = tmpl.contains("metadata") && tmpl["metadata"].contains("labels") ? tmpl["metadata"]["labels"]
                                                                                   : json::object();
  for (auto it = selector_labels.begin(); it != selector_labels.end(); ++it) {
    if (it.value().is_string()) labels[it.key()] = Suffixed(it.value().get<std::string>(), variant);
  }
  const json selector = VariantSelector(rollout, variant);
  for (auto it = selector.begin(); it != selector.end(); ++it) labels[it.key()] = it.value();
  tmpl["metadata"]["labels"] = labels;
  if (!tmpl.contains("spec")) return NoContainer(champion, spec);
  json* container = ServingContainer(tmpl["spec"], spec.container);
  if (container == nullptr) return NoContainer(champion, spec);
  if (!artifact.image.empty()) (*container)["image"] = artifact.image;
  if (!artifact.uri.empty()) SetEnv(*container, spec.model_uri_env, artifact.uri);

  const std::string name = spec.deployment + "-" + variant;
  json deployment = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       {{"name", name},
        {"namespace", rollout["metadata"].value("namespace", "")},
        {"labels", selector},
        {"ownerReferences", OwnerReference(rollout)}}},
      {"spec", {{"replicas", replicas}, {"selector", {{"matchLabels", selector}}}, {"template", tmpl}}}};
  return deployment;
}

json BuildVariantService(const json& champion_service, const std::string& variant, const RolloutSpec& spec,
                         const json& rollout) {
  json ports = json::array();
  if (champion_service.contains("spec") && champion_service["spec"].contains("ports")) {
    for (const json& p : champion_service["spec"]["ports"]) {
      json port = json::object();
      for (const char* key : {"name", "port", "targetPort", "protocol", "appProtocol"}) {
        if (p.contains(key)) port[key] = p[key];
      }
      ports.push_back(port);
    }
  }
  if (ports.empty()) ports.push_back({{"name", "http"}, {"port", 80}});
  const json selector = VariantSelector(rollout, variant);
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata",
           {{"name", spec.service + "-" + variant},
            {"namespace", rollout["metadata"].value("namespace", "")},
            {"labels", selector},
            {"ownerReferences", OwnerReference(rollout)}}},
          {"spec", {{"type", "ClusterIP"}, {"selector", selector}, {"ports", ports}}}};
}

int DesiredReplicas(const json& deployment) {
  if (deployment.contains("spec") && deployment["spec"].contains("replicas") &&
      deployment["spec"]["replicas"].is_number_integer()) {
    return deployment["spec"]["replicas"].get<int>();
  }
  return 1;
}

bool DeploymentReady(const json& deployment) {
  if (!deployment.is_object()) return false;
  const int desired = DesiredReplicas(deployment);
  const json& meta = deployment.contains("metadata") ? deployment["metadata"] : json::object();
  const json& status = deployment.contains("status") ? deployment["status"] : json::object();
  const long long generation = meta.value("generation", 0LL);
  const long long observed = status.value("observedGeneration", 0LL);
  if (observed < generation) return false;
  if (desired == 0) return true;
  return status.value("updatedReplicas", 0) >= desired && status.value("readyReplicas", 0) >= desired &&
         status.value("availableReplicas", 0) >= desired && status.value("replicas", 0) == desired;
}

}  // namespace modelgate::controllers::rollout
