#include <gtest/gtest.h>

#include "operator/plugin/plugin_args.h"

namespace modelgate::plugin {
namespace {

std::optional<PluginArgs> Parse(std::vector<std::string> args, std::string* error) {
  return ParsePluginArgs(args, error);
}

TEST(KubectlPluginArgs, ReadsCommandNameAndFlagsInAnyOrder) {
  std::string error;
  auto args = Parse({"-n", "team-a", "status", "fraud-rollout", "--context=kind", "-o", "json",
                     "--kubeconfig", "/tmp/kc"},
                    &error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(args->command, "status");
  EXPECT_EQ(args->name, "fraud-rollout");
  EXPECT_EQ(args->ns, "team-a");
  EXPECT_EQ(args->context, "kind");
  EXPECT_EQ(args->kubeconfig, "/tmp/kc");
  EXPECT_EQ(args->output, OutputFormat::kJson);
  EXPECT_FALSE(args->help);
}

TEST(KubectlPluginArgs, AcceptsAttachedShortValuesAndLongEqualsForms) {
  std::string error;
  auto args = Parse({"history", "fraud-detector", "-nteam-b", "-ojson"}, &error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(args->ns, "team-b");
  EXPECT_EQ(args->output, OutputFormat::kJson);
  args = Parse({"--namespace=team-c", "--output=text", "pause", "r"}, &error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(args->ns, "team-c");
  EXPECT_EQ(args->output, OutputFormat::kText);
  EXPECT_EQ(args->command, "pause");
}

TEST(KubectlPluginArgs, EveryCommandIsKnown) {
  for (const char* command : {"status", "promote", "abort", "pause", "resume", "history"}) {
    std::string error;
    auto args = Parse({command, "x"}, &error);
    ASSERT_TRUE(args) << command << ": " << error;
    EXPECT_EQ(args->command, command);
  }
}

TEST(KubectlPluginArgs, HelpNeedsNoCommand) {
  for (const char* help : {"-h", "--help", "help"}) {
    std::string error;
    auto args = Parse({help}, &error);
    ASSERT_TRUE(args) << help << ": " << error;
    EXPECT_TRUE(args->help);
  }
}

TEST(KubectlPluginArgs, RefusesAMissingCommand) {
  std::string error;
  EXPECT_FALSE(Parse({}, &error));
  EXPECT_EQ(error, "missing command");
  EXPECT_FALSE(Parse({"-n", "x"}, &error));
  EXPECT_EQ(error, "missing command");
}

TEST(KubectlPluginArgs, RefusesAnUnknownCommandNamingIt) {
  std::string error;
  EXPECT_FALSE(Parse({"rollback", "r"}, &error));
  EXPECT_EQ(error, "unknown command 'rollback'");
}

TEST(KubectlPluginArgs, RefusesAWrongNumberOfNamesSayingWhatIsExpected) {
  std::string error;
  EXPECT_FALSE(Parse({"status"}, &error));
  EXPECT_EQ(error, "status takes exactly one argument, the ModelRollout's name; got 0");
  EXPECT_FALSE(Parse({"history", "a", "b"}, &error));
  EXPECT_EQ(error, "history takes exactly one argument, the model's name (spec.model); got 2");
}

TEST(KubectlPluginArgs, RefusesFlagsWithoutValuesUnknownFlagsAndUnknownFormats) {
  std::string error;
  EXPECT_FALSE(Parse({"status", "r", "-n"}, &error));
  EXPECT_EQ(error, "flag -n needs a value");
  EXPECT_FALSE(Parse({"status", "r", "--context="}, &error));
  EXPECT_EQ(error, "flag --context needs a value");
  EXPECT_FALSE(Parse({"status", "r", "--watch"}, &error));
  EXPECT_EQ(error, "unknown flag --watch");
  EXPECT_FALSE(Parse({"status", "r", "-o", "yaml"}, &error));
  EXPECT_EQ(error, "flag --output: expected text or json, got 'yaml'");
}

TEST(KubectlPluginArgs, UsageListsEveryCommand) {
  const std::string usage = PluginUsage();
  for (const char* command : {"status", "promote", "abort", "pause", "resume", "history"}) {
    EXPECT_NE(usage.find(std::string("  ") + command + " "), std::string::npos) << command;
  }
}

}  // namespace
}  // namespace modelgate::plugin
