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
  for (const char* command :
       {"status", "promote", "abort", "pause", "resume", "history", "trigger"}) {
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
  for (const char* command :
       {"status", "promote", "abort", "pause", "resume", "history", "trigger"}) {
    EXPECT_NE(usage.find(std::string("  ") + command + " "), std::string::npos) << command;
  }
}

TEST(KubectlPluginArgs, TriggerWithoutFlagsIsManualAndDoesNotWait) {
  std::string error;
  auto args = Parse({"-n", "ml", "trigger", "fraud-detector"}, &error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(args->command, "trigger");
  EXPECT_EQ(args->name, "fraud-detector");
  EXPECT_EQ(args->trigger_type, "Manual");
  EXPECT_EQ(args->commit, "");
  EXPECT_EQ(args->reason, "");
  EXPECT_EQ(args->source, "");
  EXPECT_FALSE(args->wait);
  EXPECT_EQ(args->wait_timeout, std::chrono::seconds(60));
}

TEST(KubectlPluginArgs, TriggerWithACommitIsACodeChangeAndReadsEveryFlag) {
  std::string error;
  auto args = Parse({"trigger", "fraud-detector", "--commit", "1a2b3c4d5e6f", "--reason=fix: a",
                     "--source", "ci/run/7", "--wait", "--timeout", "1m30s"},
                    &error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(args->trigger_type, "CodeChange");
  EXPECT_EQ(args->commit, "1a2b3c4d5e6f");
  EXPECT_EQ(args->reason, "fix: a");
  EXPECT_EQ(args->source, "ci/run/7");
  EXPECT_TRUE(args->wait);
  EXPECT_EQ(args->wait_timeout, std::chrono::seconds(90));
}

TEST(KubectlPluginArgs, TriggerManualMayNameACommitAndAReasonMayStartWithADash) {
  std::string error;
  auto args = Parse({"trigger", "p", "--type", "Manual", "--commit", "ABCDEF0", "--reason",
                     "-- retrain after the outage"},
                    &error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(args->trigger_type, "Manual");
  EXPECT_EQ(args->commit, "ABCDEF0");
  EXPECT_EQ(args->reason, "-- retrain after the outage");
}

TEST(KubectlPluginArgs, TriggerCodeChangeWithoutACommitIsRefused) {
  std::string error;
  EXPECT_FALSE(Parse({"trigger", "p", "--type", "CodeChange"}, &error));
  EXPECT_EQ(error,
            "trigger --type CodeChange needs --commit (the model code's commit, 7 to 64 "
            "hexadecimal characters)");
}

TEST(KubectlPluginArgs, TriggerRefusesACommitThatIsNotSevenToSixtyFourHexCharacters) {
  for (const std::string& commit :
       std::vector<std::string>{"1a2b3c", "1a2b3cz", "main", std::string(65, 'a')}) {
    std::string error;
    EXPECT_FALSE(Parse({"trigger", "p", "--commit", commit}, &error)) << commit;
    EXPECT_EQ(error,
              "flag --commit: expected 7 to 64 hexadecimal characters (a git commit), got '" +
                  commit + "'");
  }
  std::string error;
  EXPECT_TRUE(Parse({"trigger", "p", "--commit", std::string(64, 'f')}, &error)) << error;
}

TEST(KubectlPluginArgs, TriggerRefusesAnUnknownType) {
  std::string error;
  EXPECT_FALSE(Parse({"trigger", "p", "--type", "Scheduled"}, &error));
  EXPECT_EQ(error, "flag --type: expected CodeChange or Manual, got 'Scheduled'");
  EXPECT_FALSE(Parse({"trigger", "p", "--type=codechange", "--commit", "1a2b3c4"}, &error));
  EXPECT_EQ(error, "flag --type: expected CodeChange or Manual, got 'codechange'");
}

TEST(KubectlPluginArgs, TriggerCountsReasonAndSourceInCharactersNotBytes) {
  std::string error;
  EXPECT_FALSE(Parse({"trigger", "p", "--reason", std::string(2049, 'x')}, &error));
  EXPECT_EQ(error, "flag --reason: expected at most 2048 characters, got 2049");
  std::string umlauts;
  for (int i = 0; i < 2048; ++i) umlauts += "\xc3\xbc";  // ü: 2 bytes, 1 character
  EXPECT_TRUE(Parse({"trigger", "p", "--reason", umlauts}, &error)) << error;
  EXPECT_FALSE(Parse({"trigger", "p", "--source", std::string(513, 's')}, &error));
  EXPECT_EQ(error, "flag --source: expected at most 512 characters, got 513");
}

TEST(KubectlPluginArgs, TriggerFlagsBelongToTriggerAndTimeoutToWait) {
  std::string error;
  EXPECT_FALSE(Parse({"--commit", "1a2b3c4", "promote", "r"}, &error));
  EXPECT_EQ(error, "flag --commit applies to trigger only");
  EXPECT_FALSE(Parse({"status", "r", "--wait"}, &error));
  EXPECT_EQ(error, "flag --wait applies to trigger only");
  EXPECT_FALSE(Parse({"trigger", "p", "--timeout", "5m"}, &error));
  EXPECT_EQ(error, "flag --timeout applies with --wait only");
  EXPECT_FALSE(Parse({"trigger", "p", "--wait", "--timeout", "soon"}, &error));
  EXPECT_EQ(error, "flag --timeout: expected a duration such as 60s, 5m or 1m30s, got 'soon'");
  EXPECT_FALSE(Parse({"trigger", "p", "--reason="}, &error));
  EXPECT_EQ(error, "flag --reason needs a value");
}

TEST(KubectlPluginArgs, TriggerHelpIsTheTriggerCommandsOwnHelp) {
  for (const auto& argv : std::vector<std::vector<std::string>>{{"trigger", "--help"},
                                                               {"help", "trigger"}}) {
    std::string error;
    auto args = Parse(argv, &error);
    ASSERT_TRUE(args) << error;
    EXPECT_TRUE(args->help);
    EXPECT_EQ(args->command, "trigger");
  }
  const std::string help = CommandUsage("trigger");
  for (const char* documented :
       {"--commit SHA", "--type TYPE", "--reason TEXT", "--source TEXT", "--wait", "--timeout D",
        "modelgate.io/trigger", "status.lastTriggerRequest", "Created", "Skipped", "Deduplicated",
        "kubectl auth whoami", "exit 2"}) {
    EXPECT_NE(help.find(documented), std::string::npos) << documented;
  }
  EXPECT_EQ(std::string(CommandUsage("status")), PluginUsage());
}

}  // namespace
}  // namespace modelgate::plugin
