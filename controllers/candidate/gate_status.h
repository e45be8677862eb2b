// Turns a gate's JSON report (docs/report.md) into its status.gates[] entry: state, reason, a
// message naming what decided it (the failing check, slice or input), rows, the numbers
// `kubectl describe mc` shows (checks[], metrics{}, slices[], behavioralTests[], failures[]) and
// the SHA-256 of every input read (inputs[], for the audit trail).
// Lists are capped (failing entries first) so the status stays small; the full report is in the
// report ConfigMap. Pure.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "controllers/candidate/gate_run.h"

namespace modelgate::controllers::candidate {

inline constexpr size_t kMaxStatusChecks = 30;
inline constexpr size_t kMaxStatusSlices = 40;
inline constexpr size_t kMaxStatusFailures = 10;

struct GateVerdict {
  std::string state;    // "Passed" or "Failed"
  std::string reason;   // e.g. "ChecksPassed", "SliceFailed", "DriftExceeded", "LossNotFinite", "NotImproved"
  std::string message;  // one sentence
};

// Fills the result fields of `entry` (rows, checks, metrics, slices, behavioralTests, failures,
// champion, inputs) from a judged run and returns the verdict (not written into entry).
GateVerdict ApplyReport(Gate gate, const GateRunResult& result, nlohmann::json& entry);

// "0.8764" — numbers for messages (4 significant decimals, "n/a" for null).
std::string FormatNumber(const nlohmann::json& value);

}  // namespace modelgate::controllers::candidate
