#include "controllers/rollout/manual_actor.h"

#include <gtest/gtest.h>

namespace modelgate::controllers::rollout {
namespace {

using json = nlohmann::json;

// managedFields as kube-apiserver 1.35 writes them for Update operations.
json Entry(const std::string& manager, const std::string& time, json fields) {
  return {{"manager", manager}, {"operation", "Update"}, {"apiVersion", "modelgate.io/v1alpha1"},
          {"time", time}, {"fieldsType", "FieldsV1"}, {"fieldsV1", std::move(fields)}};
}

json Rollout(json managed, json annotations = json::object()) {
  return {{"metadata", {{"name", "r1"}, {"annotations", std::move(annotations)}, {"managedFields", std::move(managed)}}},
          {"spec", {{"abort", true}, {"paused", true}}}};
}

TEST(ManualActorTest, TheUserWrittenInTheSamePatchIsTheActor) {
  const json rollout = Rollout(
      json::array({Entry("kubectl-client-side-apply", "2026-12-05T08:00:00Z", {{"f:spec", {{"f:model", json::object()}}}}),
                   Entry("kubectl-modelgate", "2026-12-05T09:00:00Z",
                         {{"f:metadata", {{"f:annotations", {{"f:modelgate.io/actor", json::object()}}}}},
                          {"f:spec", {{"f:abort", json::object()}}}})}),
      {{"modelgate.io/actor", "alice@example.com"}});
  EXPECT_EQ(ManualActorOf(rollout, {"spec", "abort"}),
            json({{"kind", "user"}, {"name", "alice@example.com"}, {"via", "kubectl-modelgate"}}));
}

TEST(ManualActorTest, AFieldChangedByAnotherManagerIsAttributedToThatManagerNotToTheAnnotation) {
  // alice paused with the plugin; later Argo CD (or kubectl patch) set spec.paused itself: the
  // annotation is still there but the field's owner no longer wrote it.
  const json rollout = Rollout(
      json::array({Entry("kubectl-modelgate", "2026-12-05T09:00:00Z",
                         {{"f:metadata", {{"f:annotations", {{"f:modelgate.io/actor", json::object()}}}}}}),
                   Entry("argocd-controller", "2026-12-05T10:00:00Z", {{"f:spec", {{"f:paused", json::object()}}}})}),
      {{"modelgate.io/actor", "alice@example.com"}});
  EXPECT_EQ(ManualActorOf(rollout, {"spec", "paused"}),
            json({{"kind", "fieldManager"}, {"name", "argocd-controller"}}));
}

TEST(ManualActorTest, AnnotationKeysWithDotsAndSlashesArePathElements) {
  const json rollout = Rollout(json::array({Entry(
      "kubectl-annotate", "2026-12-05T09:00:00Z",
      {{"f:metadata", {{"f:annotations", {{"f:modelgate.io/promote", json::object()}}}}}})}));
  EXPECT_EQ(ManualActorOf(rollout, {"metadata", "annotations", "modelgate.io/promote"}),
            json({{"kind", "fieldManager"}, {"name", "kubectl-annotate"}}));
}

TEST(ManualActorTest, TheLatestOwnerWinsAndNoOwnerIsNull) {
  const json rollout = Rollout(json::array(
      {Entry("late", "2026-12-05T11:00:00Z", {{"f:spec", {{"f:abort", json::object()}}}}),
       Entry("early", "2026-12-05T09:00:00Z", {{"f:spec", {{"f:abort", json::object()}}}})}));
  EXPECT_EQ(ManualActorOf(rollout, {"spec", "abort"})["name"], "late");
  EXPECT_TRUE(ManualActorOf(rollout, {"spec", "paused"}).is_null());
  EXPECT_TRUE(ManualActorOf(json::object(), {"spec", "abort"}).is_null());
  EXPECT_TRUE(ManualActorOf(Rollout("not an array"), {"spec", "abort"}).is_null());
}

}  // namespace
}  // namespace modelgate::controllers::rollout
