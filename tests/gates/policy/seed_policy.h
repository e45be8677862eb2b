// The eval_slices.yaml of the seed document (shared/seed/000_c556b4323776f6a4.txt), token for token.
// The seed's text extraction lost the leading spaces; kSeedPolicy restores the indentation (two
// spaces per level) and changes nothing else. kSeedPolicyAsExtracted is the flattened text.
#pragma once

namespace modelgate::gates::testing {

inline constexpr const char* kSeedPolicy = R"(# config/eval_slices.yaml
# Each slice is evaluated independently. ANY slice failing its threshold
# blocks the entire promotion — the pipeline does not average across slices.
global_metrics:
  auc_roc:
    min: 0.83
    max_regression_vs_champion: 0.02
slices:
  - name: mobile_users
    filter: "platform == 'mobile'"
    metrics:
      auc_roc: { min: 0.80 }
  - name: new_accounts # high-value business segment
    filter: "account_age_days < 30"
    metrics:
      auc_roc: { min: 0.78 }
      precision_at_k: { k: 10, min: 0.72 }
  - name: eu_region # GDPR-regulated, fairness-sensitive
    filter: "region == 'EU'"
    metrics:
      auc_roc: { min: 0.81 }
      disparate_impact_ratio: { min: 0.80 } # fairness metric: min 80% rule
behavioral_tests: # model assertions — deterministic inputs
  - name: "invariance: typo robustness"
    input_pairs:
      - [canonical, perturbed] # model output must not flip label
    max_flip_rate: 0.05
  - name: "directional: higher spend = higher score"
    direction: positive
    feature: transaction_amount
    expected_correlation: positive
)";

inline constexpr const char* kSeedPolicyAsExtracted = R"(# config/eval_slices.yaml
# Each slice is evaluated independently. ANY slice failing its threshold
# blocks the entire promotion — the pipeline does not average across slices.
global_metrics:
auc_roc:
min: 0.83
max_regression_vs_champion: 0.02
slices:
- name: mobile_users
filter: "platform == 'mobile'"
metrics:
auc_roc: { min: 0.80 }
- name: new_accounts # high-value business segment
filter: "account_age_days < 30"
metrics:
auc_roc: { min: 0.78 }
precision_at_k: { k: 10, min: 0.72 }
- name: eu_region # GDPR-regulated, fairness-sensitive
filter: "region == 'EU'"
metrics:
auc_roc: { min: 0.81 }
disparate_impact_ratio: { min: 0.80 } # fairness metric: min 80% rule
behavioral_tests: # model assertions — deterministic inputs
- name: "invariance: typo robustness"
input_pairs:
- [canonical, perturbed] # model output must not flip label
max_flip_rate: 0.05
- name: "directional: higher spend = higher score"
direction: positive
feature: transaction_amount
expected_correlation: positive
)";

}  // namespace modelgate::gates::testing
