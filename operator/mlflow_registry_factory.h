// The operator's RegistryFactory (controllers/registry/registry_reconciler.h): an MLflow client
// per spec.registry.mlflow, its credentials and CA read from the Secrets the spec names in the
// candidate's namespace, on every call (a rotated Secret is used at the next sync). Errors name the
// Secret, the field and what was expected; no credential ever appears in a message.
// Thread-safe (the client is).
#pragma once

#include <functional>
#include <memory>

#include "controllers/registry/registry_reconciler.h"
#include "operator/kube/client.h"
#include "operator/mlflow_registry.h"

namespace modelgate {

// `make` builds the client from the resolved config (empty: MakeMlflowRegistry; tests pass a
// function that records the config).
using MlflowMaker =
    std::function<kube::Result<std::unique_ptr<controllers::registry::ModelRegistry>>(const MlflowConfig&)>;

controllers::registry::RegistryFactory MakeMlflowRegistryFactory(const kube::Client& client,
                                                                 MlflowMaker make = nullptr);

}  // namespace modelgate
