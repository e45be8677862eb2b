// The champion of a candidate: the ModelCandidate of the same spec.model in the same namespace
// with status.stage Production (DESIGN section 2), and the numbers it recorded when it went
// through the gates, which serve as the comparison baseline when the evaluation data has no
// champion score column. Pure functions of the objects as read from the cache.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/evaluation/evaluation_gate.h"

namespace modelgate::controllers::candidate {

struct ChampionInfo {
  std::string name;
  std::string version;
  // Gate-3 metric values by scope ("global" or a slice name), from the champion's
  // status.gates[OfflineEvaluation] (metrics{name: {value}} and slices[{name, metrics}]).
  gates::ChampionValues evaluation;
  // Gate-2 baseline: its TrainingValidation metrics, else its global OfflineEvaluation metrics.
  std::map<std::string, double> training;
};

// The champion of `candidate` among `all` (the candidate itself never counts). When several
// candidates claim Production (a transient state during promotion) the one whose
// stageTransitionTime is latest wins. nullopt when there is none.
std::optional<ChampionInfo> FindChampion(const nlohmann::json& candidate,
                                         const std::vector<std::shared_ptr<const nlohmann::json>>& all);

// The ChampionInfo recorded in a champion's status (exposed for tests).
ChampionInfo ChampionFromStatus(const nlohmann::json& champion);

}  // namespace modelgate::controllers::candidate
