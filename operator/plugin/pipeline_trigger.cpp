#include "operator/plugin/pipeline_trigger.h"

#include <cctype>

#include "operator/plugin/human_duration.h"
#include "operator/plugin/json_fields.h"

namespace modelgate::plugin {
namespace {

std::string PipelineRef(const nlohmann::json& pipeline) {
  return "modelpipeline/" + StringAt(pipeline, {"metadata", "name"});
}

// The status.history entry with `id`, else status.lastTrigger when status.lastTriggerRequest is
// `id` (lastTrigger has no id of its own: it may already be a later, scheduled trigger); nullptr
// when the operator has not acted on `id`.
const json* ResultEntry(const json& pipeline, const std::string& id) {
  for (const json& entry : ArrayAt(pipeline, {"status", "history"})) {
    // "id" is the contract's name; "requestId" what the controller writes as of this writing.
    if (StringAt(entry, {"id"}) == id || StringAt(entry, {"requestId"}) == id) return &entry;
  }
  if (StringAt(pipeline, {"status", "lastTriggerRequest"}) != id) return nullptr;
  const json* last = FieldAt(pipeline, {"status", "lastTrigger"});
  static const json kNoResult = json::object();
  return last != nullptr && last->is_object() ? last : &kNoResult;
}

// The id in the pipeline's trigger annotation now; "" when it is absent or unreadable.
std::string AnnotatedId(const json& pipeline) {
  const std::string value = StringAt(pipeline, {"metadata", "annotations", kTriggerAnnotation});
  const json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
  return StringAt(parsed, {"id"});
}

}  // namespace

bool IsCommitSha(std::string_view text) {
  if (text.size() < 7 || text.size() > 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::size_t CharacterCount(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;  // not a continuation byte
  }
  return count;
}

std::string DefaultTriggerSource(const std::string& username) {
  const std::string source = std::string(kDefaultTriggerSource) + "/" + username;
  if (username.empty() || CharacterCount(source) > kMaxTriggerSource) return kDefaultTriggerSource;
  return source;
}

std::string TriggerAnnotationValue(const TriggerRequest& request) {
  nlohmann::ordered_json value = nlohmann::ordered_json::object();
  auto add = [&](const char* key, const std::string& text) {
    if (!text.empty()) value[key] = text;
  };
  add("id", request.id);
  add("type", request.type);
  add("commit", request.commit);
  add("reason", request.reason);
  add("source", request.source);
  add("requestedAt", kube::FormatTime(request.requested_at));
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::json TriggerPatch(const TriggerRequest& request) {
  return {{"metadata", {{"annotations", {{kTriggerAnnotation, TriggerAnnotationValue(request)}}}}}};
}

std::optional<TriggerOutcome> TriggerOutcomeOf(const nlohmann::json& pipeline,
                                               const TriggerRequest& request) {
  const std::string ref = PipelineRef(pipeline);
  const json* entry = ResultEntry(pipeline, request.id);
  if (entry == nullptr) {
    const std::string annotated = AnnotatedId(pipeline);
    if (annotated == request.id) return std::nullopt;  // not acted on yet
    const std::string by =
        annotated.empty() ? "(the annotation " + std::string(kTriggerAnnotation) + " was removed)"
                          : "by another request (" + annotated + ")";
    return TriggerOutcome{.exit_code = 1,
                          .line = ref + ": trigger " + request.id + " was replaced " + by +
                                  " before the operator acted on it; it will not be acted on"};
  }
  const std::string result = StringAt(*entry, {"result"});
  std::string message = StringAt(*entry, {"message"});
  if (message.empty()) message = StringAt(*entry, {"reason"});
  if (result == "Created") {
    std::string type = StringAt(*entry, {"type"});
    if (type.empty()) type = request.type;
    std::string what = type;
    if (!request.commit.empty()) what += " " + request.commit.substr(0, 7);
    const std::string candidate = StringAt(*entry, {"candidate"});
    return TriggerOutcome{
        .exit_code = 0,
        .line = ref + ": Created " + (candidate.empty() ? "" : candidate + " ") + "(" + what + ")"};
  }
  if (result.empty()) {
    return TriggerOutcome{.exit_code = 1,
                          .line = ref + ": the operator acted on trigger " + request.id +
                                  " but recorded no result" +
                                  (message.empty() ? "" : ": " + message)};
  }
  // Skipped, Deduplicated, or a result this plugin does not know yet: not a new candidate.
  return TriggerOutcome{.exit_code = 1,
                        .line = ref + ": " + result + (message.empty() ? "" : ": " + message)};
}

std::string TriggerTimeoutMessage(const std::string& pipeline_name, const std::string& id,
                                  std::chrono::milliseconds timeout) {
  return "modelpipeline/" + pipeline_name + ": the operator did not act on trigger " + id +
         " within " + HumanDuration(timeout) +
         "; is the modelgate operator running? (the request stays on the pipeline, and the "
         "operator acts on it when it gets to it)";
}

}  // namespace modelgate::plugin
