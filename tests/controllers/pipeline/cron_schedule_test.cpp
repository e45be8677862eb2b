// Tests of controllers/pipeline/cron_schedule.h: parsing and its messages, next-run tables per
// zone (DST gaps and overlaps in both hemispheres, month ends, leap years), DueBetween, and a
// minute-by-minute reference that checks NextAfter/DueBetween around every 2026 transition.
//
// Next-time table: NextAfter(Parse(expression, zone), after) == expected next. Times are UTC;
// "local" is the answer on the zone's wall clock. Each row is a case in the tests below.
// expression       zone                after                expected next        local
// -- is strictly after and reads fields in utc
// 0 2 * * *        UTC                 2026-01-15T02:00:00Z 2026-01-16T02:00:00Z
// 0 2 * * *        (empty)             2026-01-15T01:59:30Z 2026-01-15T02:00:00Z
// 0 2 * * *        UTC                 2026-01-15T01:59:59.999999Z 2026-01-15T02:00:00Z
// */15 * * * *     UTC                 2026-01-15T10:07:00Z 2026-01-15T10:15:00Z
// 10-30/10 * * * * UTC                 2026-01-15T10:30:00Z 2026-01-15T11:10:00Z
// 0 12 1/10 * *    UTC                 2026-01-21T12:00:00Z 2026-01-31T12:00:00Z
// -- expands macros
// @hourly          UTC                 2026-01-15T10:00:00Z 2026-01-15T11:00:00Z
// @daily           UTC                 2026-01-15T10:00:00Z 2026-01-16T00:00:00Z
// @weekly          UTC                 2026-01-15T10:00:00Z 2026-01-18T00:00:00Z
// @monthly         UTC                 2026-01-31T12:00:00Z 2026-02-01T00:00:00Z
// @yearly          UTC                 2026-06-01T00:00:00Z 2027-01-01T00:00:00Z
// -- reads day and month names and seven as sunday
// 0 9 * * MON-FRI  UTC                 2026-01-16T09:00:00Z 2026-01-19T09:00:00Z
// 0 9 * * 7        UTC                 2026-01-15T00:00:00Z 2026-01-18T09:00:00Z
// 0 9 * * sun      UTC                 2026-01-15T00:00:00Z 2026-01-18T09:00:00Z
// 0 9 * * 0        UTC                 2026-01-15T00:00:00Z 2026-01-18T09:00:00Z
// 0 0 1 jun-AUG *  UTC                 2026-01-01T00:00:00Z 2026-06-01T00:00:00Z
// -- matches a day when either restricted day field matches
// 0 0 13 * FRI     UTC                 2026-04-10T00:00:00Z 2026-04-13T00:00:00Z
// 0 0 13 * FRI     UTC                 2026-04-13T00:00:00Z 2026-04-17T00:00:00Z
// 0 0 1-7 * MON    UTC                 2026-04-07T00:00:00Z 2026-04-13T00:00:00Z
// 0 0 */2 * MON    UTC                 2026-04-07T00:00:00Z 2026-04-09T00:00:00Z
// 0 0 * * MON      UTC                 2026-04-07T00:00:00Z 2026-04-13T00:00:00Z
// -- skips months without the day and finds leap days
// 0 0 31 * *       UTC                 2026-04-01T00:00:00Z 2026-05-31T00:00:00Z
// 0 0 30 * *       UTC                 2026-01-30T00:00:00Z 2026-03-30T00:00:00Z
// 0 0 29 2 *       UTC                 2026-03-01T00:00:00Z 2028-02-29T00:00:00Z
// 0 0 29 2 *       UTC                 2028-02-29T00:00:00Z 2032-02-29T00:00:00Z
// 0 0 29 2 *       Europe/Berlin       2026-03-01T00:00:00Z 2028-02-28T23:00:00Z 00:00 CET
// -- reads fields in berlin wall clock time
// 0 2 * * *        Europe/Berlin       2026-01-15T00:00:00Z 2026-01-15T01:00:00Z 02:00 CET
// 0 2 * * *        Europe/Berlin       2026-07-15T00:00:00Z 2026-07-16T00:00:00Z 02:00 CEST
// -- runs a wall clock time in the spring forward gap once at the end of the gap
// 30 2 * * *       Europe/Berlin       2026-03-28T12:00:00Z 2026-03-29T01:00:00Z 03:00 CEST
// 30 2 * * *       Europe/Berlin       2026-03-29T01:00:00Z 2026-03-30T00:30:00Z 02:30 CEST
// 30 2 * * *       America/New_York    2026-03-07T12:00:00Z 2026-03-08T07:00:00Z 03:00 EDT
// 0 3 * * *        America/New_York    2026-03-07T12:00:00Z 2026-03-08T07:00:00Z 03:00 EDT
// 59 1 * * *       America/New_York    2026-03-07T12:00:00Z 2026-03-08T06:59:00Z 01:59 EST
// */15 * * * *     America/New_York    2026-03-08T06:50:00Z 2026-03-08T07:00:00Z 03:00 EDT
// */15 * * * *     America/New_York    2026-03-08T07:00:00Z 2026-03-08T07:15:00Z 03:15 EDT
// -- runs a repeated wall clock time once at its first occurrence
// 30 2 * * *       Europe/Berlin       2026-10-24T12:00:00Z 2026-10-25T00:30:00Z 02:30 CEST
// 30 2 * * *       Europe/Berlin       2026-10-25T00:30:00Z 2026-10-26T01:30:00Z 02:30 CET
// 30 1 * * *       America/New_York    2026-10-31T12:00:00Z 2026-11-01T05:30:00Z 01:30 EDT
// 30 1 * * *       America/New_York    2026-11-01T05:30:00Z 2026-11-02T06:30:00Z 01:30 EST
// 30 1 * * *       America/New_York    2026-11-01T06:10:00Z 2026-11-02T06:30:00Z 01:30 EST
// */15 1 * * *     America/New_York    2026-11-01T05:50:00Z 2026-11-02T06:00:00Z 01:00 EST
// -- keeps every hour schedules running through both passes of a repeated hour
// 0 * * * *        Europe/Berlin       2026-10-25T00:00:00Z 2026-10-25T01:00:00Z 02:00 CET
// */15 * * * *     America/New_York    2026-11-01T05:50:00Z 2026-11-01T06:00:00Z 01:00 EST
// -- handles lord howes half hour shift
// 15 2 * * *       Australia/Lord_Howe 2026-10-03T00:00:00Z 2026-10-03T15:30:00Z 02:30 +11
// 45 1 * * *       Australia/Lord_Howe 2026-04-04T00:00:00Z 2026-04-04T14:45:00Z 01:45 +11
// 45 1 * * *       Australia/Lord_Howe 2026-04-04T14:45:00Z 2026-04-05T15:15:00Z 01:45 +1030
// */30 * * * *     Australia/Lord_Howe 2026-04-04T14:45:00Z 2026-04-04T15:00:00Z 01:30 +1030
// -- handles southern hemisphere gap in october and overlap in april
// 30 2 * * *       Australia/Sydney    2026-10-03T00:00:00Z 2026-10-03T16:00:00Z 03:00 AEDT
// 30 2 * * *       Australia/Sydney    2026-04-04T00:00:00Z 2026-04-04T15:30:00Z 02:30 AEDT
// 30 2 * * *       Australia/Sydney    2026-04-04T15:30:00Z 2026-04-05T16:30:00Z 02:30 AEST
// -- handles half hour offsets without dst
// 0 9 * * *        Asia/Kolkata        2026-01-15T00:00:00Z 2026-01-15T03:30:00Z 09:00 IST
// 30 * * * *       Asia/Kolkata        2026-01-15T00:10:00Z 2026-01-15T01:00:00Z 06:30 IST
// -- anchors every on the given time and ignores the zone
// @every 1m30s     UTC                 2026-01-15T10:00:07Z 2026-01-15T10:01:37Z
// @every 1.5h      UTC                 2026-01-15T10:00:00Z 2026-01-15T11:30:00Z
// @every 2h        America/New_York    2026-03-08T06:30:00Z 2026-03-08T08:30:00Z
// @every 1s        UTC                 2026-01-15T10:00:00.25Z 2026-01-15T10:00:01.250000Z

#include "controllers/pipeline/cron_schedule.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace modelgate::controllers::pipeline {
namespace {

using ::testing::HasSubstr;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// "2026-01-15T02:00:00Z" or with a fraction, "2026-01-15T01:59:59.999999Z". (Not date::parse,
// which trips GCC 12's -Wmaybe-uninitialized at -O2.)
SysTime Utc(const std::string& iso) {
  int year = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  unsigned month = 0, day = 0;
  int fields = std::sscanf(iso.c_str(), "%d-%u-%uT%d:%d:%d%n", &year, &month, &day, &hour,
                           &minute, &second, &consumed);
  EXPECT_EQ(fields, 6) << "bad test time " << iso;
  microseconds fraction{0};
  std::string rest = iso.substr(static_cast<size_t>(consumed));
  if (rest.size() > 2 && rest.front() == '.') {
    std::string digits = rest.substr(1, rest.size() - 2);
    digits.resize(6, '0');
    fraction = microseconds{std::stol(digits)};
  }
  EXPECT_EQ(rest.back(), 'Z') << "bad test time " << iso;
  return date::sys_days{date::year{year} / date::month{month} / date::day{day}} +
         std::chrono::hours{hour} + minutes{minute} + seconds{second} + fraction;
}

std::string Iso(SysTime t) {
  if (t == SysTime::max()) return "max";
  if (date::floor<seconds>(t) == t) return date::format("%FT%TZ", date::floor<seconds>(t));
  return date::format("%FT%TZ", t);
}

CronSchedule Parse(const std::string& cron, const std::string& zone = "UTC") {
  std::string error;
  std::optional<CronSchedule> schedule = ParseCronSchedule(cron, zone, &error);
  EXPECT_TRUE(schedule.has_value()) << error;
  if (!schedule) return *ParseCronSchedule("@daily", "", nullptr);
  return *schedule;
}

std::string ParseError(const std::string& cron, const std::string& zone = "") {
  std::string error;
  std::optional<CronSchedule> schedule = ParseCronSchedule(cron, zone, &error);
  EXPECT_FALSE(schedule.has_value()) << "'" << cron << "' in '" << zone << "' was accepted";
  return error;
}

struct NextCase {
  const char* cron;
  const char* zone;
  const char* after;
  const char* next;
};

void ExpectNextTimes(const std::vector<NextCase>& table) {
  for (const NextCase& row : table) {
    SCOPED_TRACE(std::string(row.cron) + " in '" + row.zone + "' after " + row.after);
    EXPECT_EQ(Iso(NextAfter(Parse(row.cron, row.zone), Utc(row.after))), row.next);
  }
}

// ---- parsing ----

TEST(CronParse, AcceptsTheFiveFieldSyntaxWithNamesListsRangesAndSteps) {
  for (const char* cron : {"* * * * *", "0 2 * * *", "*/15 9-17 * * MON-FRI", "0,30 */2 1,15 * *",
                           "10-30/10 * * * *", "5/20 * * * *", "0 0 1 jan-Mar,DEC sun,sat",
                           "0 0 * * 7", "0 0 * * FRI-7", "  0\t2  *  *  *  ", "*/1 * * * */1"}) {
    std::string error;
    EXPECT_TRUE(ParseCronSchedule(cron, "", &error).has_value()) << cron << ": " << error;
  }
}

TEST(CronParse, AcceptsEveryMacroCaseInsensitively) {
  for (const char* cron : {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                           "@hourly", "@Daily", "@every 30s", "@every 1m30s", "@every 2h",
                           "@every 1.5h", "@every 1h0m0s", "@every 1000ms", "@every .5m"}) {
    std::string error;
    EXPECT_TRUE(ParseCronSchedule(cron, "", &error).has_value()) << cron << ": " << error;
  }
}

TEST(CronParse, TreatsAnEmptyTimeZoneAsUtc) {
  CronSchedule schedule = Parse("0 2 * * *", "");
  EXPECT_EQ(schedule.time_zone_name(), "UTC");
  EXPECT_EQ(Iso(NextAfter(schedule, Utc("2026-01-15T00:00:00Z"))), "2026-01-15T02:00:00Z");
}

TEST(CronParse, ReadsEveryDurationsInWholeSeconds) {
  EXPECT_EQ(Parse("@every 30s").interval(), seconds(30));
  EXPECT_EQ(Parse("@every 1m30s").interval(), seconds(90));
  EXPECT_EQ(Parse("@every 1.5h").interval(), seconds(5400));
  EXPECT_EQ(Parse("@every 2h").interval(), seconds(7200));
  EXPECT_EQ(Parse("@every 1000ms").interval(), seconds(1));
  EXPECT_TRUE(Parse("@every 2h").is_interval());
  EXPECT_FALSE(Parse("@daily").is_interval());
}

TEST(CronParse, ErrorNamesTheFieldAndTheOutOfRangeValue) {
  EXPECT_EQ(ParseError("0 25 * * *"),
            "schedule.cron '0 25 * * *': field 2 (hour): 25 is out of range 0-23");
  EXPECT_EQ(ParseError("60 0 * * *"),
            "schedule.cron '60 0 * * *': field 1 (minute): 60 is out of range 0-59");
  EXPECT_EQ(ParseError("0 0 0 * *"),
            "schedule.cron '0 0 0 * *': field 3 (day-of-month): 0 is out of range 1-31");
  EXPECT_EQ(ParseError("0 0 * 13 *"),
            "schedule.cron '0 0 * 13 *': field 4 (month): 13 is out of range 1-12");
  EXPECT_EQ(ParseError("0 0 * * 8"),
            "schedule.cron '0 0 * * 8': field 5 (day-of-week): 8 is out of range 0-7");
  EXPECT_EQ(ParseError("99999999999 * * * *"),
            "schedule.cron '99999999999 * * * *': field 1 (minute): 99999999999 is out of range "
            "0-59");
}

TEST(CronParse, ErrorSaysFiveFieldsOrAMacroWereExpected) {
  EXPECT_EQ(ParseError("* * *"),
            "schedule.cron '* * *': expected 5 fields (minute hour day-of-month month "
            "day-of-week) or a macro (@hourly, @daily, @weekly, @monthly, @yearly, @every "
            "<duration>), got 3");
  EXPECT_THAT(ParseError(""), HasSubstr("schedule.cron '': expected 5 fields"));
  EXPECT_THAT(ParseError(""), HasSubstr("got 0"));
}

TEST(CronParse, RejectsASecondsFieldSayingTheFirstFieldIsTheMinute) {
  std::string error = ParseError("0 0 2 * * *");
  EXPECT_THAT(error, HasSubstr("schedule.cron '0 0 2 * * *': expected 5 fields"));
  EXPECT_THAT(error, HasSubstr("got 6; a seconds field is not supported"));
  EXPECT_THAT(ParseError("0 0 2 * * * 2026"), HasSubstr("got 7; a seconds field"));
}

TEST(CronParse, RejectsAnUnknownTimeZoneWithExamples) {
  EXPECT_EQ(ParseError("0 2 * * *", "Europe/Berln"),
            "schedule.timeZone 'Europe/Berln': unknown IANA time zone (e.g. Europe/Berlin, "
            "America/New_York, UTC)");
  EXPECT_THAT(ParseError("@every 1h", "Mars/Olympus"),
              HasSubstr("schedule.timeZone 'Mars/Olympus': unknown IANA time zone"));
}

TEST(CronParse, SuggestsTheSpellingOfAZoneWrittenInTheWrongCase) {
  EXPECT_THAT(ParseError("0 2 * * *", "europe/berlin"),
              HasSubstr("unknown IANA time zone (e.g. Europe/Berlin, America/New_York, UTC); "
                        "did you mean 'Europe/Berlin'?"));
}

TEST(CronParse, RejectsTheHostsLocaltimeAndNonIanaZoneFiles) {
  for (const char* zone : {"localtime", "right/UTC", "posix/Europe/Berlin", "zone.tab",
                           "../Etc/UTC", "/usr/share/zoneinfo/UTC"}) {
    EXPECT_THAT(ParseError("0 2 * * *", zone), HasSubstr("unknown IANA time zone")) << zone;
  }
}

TEST(CronParse, AcceptsIanaZonesAndTheirLinks) {
  for (const char* zone : {"UTC", "Etc/UTC", "Europe/Berlin", "America/New_York",
                           "Australia/Lord_Howe", "Asia/Kolkata", "US/Eastern"}) {
    std::string error;
    EXPECT_TRUE(ParseCronSchedule("0 2 * * *", zone, &error).has_value()) << zone << ": " << error;
  }
}

TEST(CronParse, RejectsEveryIntervalsBelowOneSecond) {
  EXPECT_EQ(ParseError("@every 0s"), "schedule.cron '@every 0s': the interval must be at least 1s");
  EXPECT_EQ(ParseError("@every 500ms"),
            "schedule.cron '@every 500ms': the interval must be at least 1s");
  EXPECT_EQ(ParseError("@every 0"), "schedule.cron '@every 0': the interval must be at least 1s");
  EXPECT_EQ(ParseError("@every -5m"),
            "schedule.cron '@every -5m': the interval must be at least 1s");
}

TEST(CronParse, RejectsEveryIntervalsWithAFractionOfASecond) {
  EXPECT_EQ(ParseError("@every 1500ms"),
            "schedule.cron '@every 1500ms': the interval must be a whole number of seconds, got "
            "1500ms");
  EXPECT_THAT(ParseError("@every 1.5s"), HasSubstr("whole number of seconds, got 1.5s"));
}

TEST(CronParse, RejectsEveryWithoutAValidGoDuration) {
  EXPECT_EQ(ParseError("@every 5x"),
            "schedule.cron '@every 5x': '5x' is not a duration (expected e.g. 30s, 1m30s, 2h or "
            "1.5h)");
  for (const char* cron : {"@every 5", "@every 1d", "@every h", "@every 1h30", "@every ."}) {
    EXPECT_THAT(ParseError(cron), HasSubstr("is not a duration")) << cron;
  }
  EXPECT_THAT(ParseError("@every"), HasSubstr("expected one duration after @every"));
  EXPECT_THAT(ParseError("@every 1h 2h"), HasSubstr("expected one duration after @every"));
  EXPECT_THAT(ParseError("@every 99999999999999999999h"), HasSubstr("is not a duration"));
}

TEST(CronParse, RejectsUnknownMacrosAndMacroArguments) {
  EXPECT_THAT(ParseError("@fortnightly"),
              HasSubstr("schedule.cron '@fortnightly': unknown macro '@fortnightly'; expected 5 "
                        "fields"));
  EXPECT_EQ(ParseError("@daily 5"), "schedule.cron '@daily 5': '@daily' takes no arguments");
}

TEST(CronParse, RejectsTimeZonePrefixesPointingToScheduleTimeZone) {
  for (const char* cron : {"CRON_TZ=Europe/Berlin 0 2 * * *", "TZ=UTC 0 2 * * *",
                           "cron_tz=UTC 0 2 * * *"}) {
    EXPECT_EQ(ParseError(cron), "schedule.cron '" + std::string(cron) +
                                    "': time-zone prefixes (CRON_TZ=, TZ=) are not supported; put "
                                    "the zone in schedule.timeZone instead");
  }
}

TEST(CronParse, RejectsQuartzExtensionsNamingFieldAndToken) {
  EXPECT_EQ(ParseError("0 0 ? * MON"),
            "schedule.cron '0 0 ? * MON': field 3 (day-of-month): '?' is not supported; use '*'");
  EXPECT_EQ(ParseError("0 0 L * *"),
            "schedule.cron '0 0 L * *': field 3 (day-of-month): 'L' (last) and 'W' (nearest "
            "weekday) are not supported, got 'L'");
  EXPECT_THAT(ParseError("0 0 15W * *"),
              HasSubstr("field 3 (day-of-month): 'L' (last) and 'W' (nearest weekday) are not "
                        "supported, got '15W'"));
  EXPECT_THAT(ParseError("0 0 LW * *"), HasSubstr("got 'LW'"));
  EXPECT_THAT(ParseError("0 0 * * 5L"), HasSubstr("field 5 (day-of-week): 'L' (last)"));
  EXPECT_EQ(ParseError("0 0 * * 5#3"),
            "schedule.cron '0 0 * * 5#3': field 5 (day-of-week): '#' (nth weekday of the month) "
            "is not supported, got '5#3'");
}

TEST(CronParse, RejectsUnknownNamesSayingWhatTheFieldTakes) {
  EXPECT_EQ(ParseError("0 0 * FOO *"),
            "schedule.cron '0 0 * FOO *': field 4 (month): 'FOO' is not a month (1-12 or "
            "JAN-DEC)");
  EXPECT_EQ(ParseError("0 0 * * MONDAY"),
            "schedule.cron '0 0 * * MONDAY': field 5 (day-of-week): 'MONDAY' is not a day of the "
            "week (0-7 or SUN-SAT)");
  EXPECT_THAT(ParseError("0 JAN * * *"), HasSubstr("field 2 (hour): 'JAN' is not an hour (0-23)"));
}

TEST(CronParse, RejectsBackwardsRangesAndSuggestsSevenForSunday) {
  EXPECT_EQ(ParseError("0 17-9 * * *"),
            "schedule.cron '0 17-9 * * *': field 2 (hour): range 17-9 is backwards (the start "
            "must not exceed the end)");
  EXPECT_THAT(ParseError("0 0 * * FRI-SUN"),
              HasSubstr("field 5 (day-of-week): range FRI-SUN is backwards (the start must not "
                        "exceed the end); write Sunday as 7 at the end of a range, e.g. FRI-7"));
}

TEST(CronParse, RejectsZeroAndOversizedStepsPointingToEveryForLongIntervals) {
  EXPECT_EQ(ParseError("*/0 * * * *"),
            "schedule.cron '*/0 * * * *': field 1 (minute): step 0 in '*/0' must be between 1 "
            "and 60");
  EXPECT_EQ(ParseError("*/90 * * * *"),
            "schedule.cron '*/90 * * * *': field 1 (minute): step 90 in '*/90' must be between 1 "
            "and 60 (for a longer interval use @every, e.g. @every 90m)");
  EXPECT_THAT(ParseError("0 0 */x * *"), HasSubstr("field 3 (day-of-month): step 'x' in '*/x' is "
                                                   "not a number"));
}

TEST(CronParse, RejectsMalformedLists) {
  EXPECT_THAT(ParseError("1,,2 * * * *"), HasSubstr("field 1 (minute): empty list item in '1,,2'"));
  EXPECT_THAT(ParseError("1-2-3 * * * *"), HasSubstr("field 1 (minute): '1-2-3' has more than"));
  EXPECT_THAT(ParseError("1/2/3 * * * *"), HasSubstr("'1/2/3' has more than one '/'"));
  EXPECT_THAT(ParseError("0 0 5- * *"), HasSubstr("field 3 (day-of-month): missing value"));
}

TEST(CronParse, RejectsSchedulesThatCanNeverRun) {
  EXPECT_EQ(ParseError("0 0 30 2 *"),
            "schedule.cron '0 0 30 2 *': day-of-month '30' never occurs in month '2' (the longest "
            "of those months has 29 days); the schedule would never run");
  EXPECT_EQ(ParseError("0 0 31 4,6,9,11 *"),
            "schedule.cron '0 0 31 4,6,9,11 *': day-of-month '31' never occurs in month "
            "'4,6,9,11' (the longest of those months has 30 days); the schedule would never run");
  EXPECT_THAT(ParseError("0 0 30-31 FEB *"), HasSubstr("never occurs in month 'FEB'"));
}

TEST(CronParse, AcceptsRareButPossibleDays) {
  Parse("0 0 29 2 *");             // leap years
  Parse("0 0 31 2,3 *");           // March has a 31st
  Parse("0 0 30 2 MON");           // day-of-week is an alternative: every Monday in February
  Parse("0 0 31 4,6,9,11 1-5");
}

// ---- next run ----

TEST(CronNextAfter, IsStrictlyAfterAndReadsFieldsInUtc) {
  ExpectNextTimes({
      {"0 2 * * *", "UTC", "2026-01-15T02:00:00Z", "2026-01-16T02:00:00Z"},
      {"0 2 * * *", "", "2026-01-15T01:59:30Z", "2026-01-15T02:00:00Z"},
      {"0 2 * * *", "UTC", "2026-01-15T01:59:59.999999Z", "2026-01-15T02:00:00Z"},
      {"*/15 * * * *", "UTC", "2026-01-15T10:07:00Z", "2026-01-15T10:15:00Z"},
      {"10-30/10 * * * *", "UTC", "2026-01-15T10:30:00Z", "2026-01-15T11:10:00Z"},
      {"0 12 1/10 * *", "UTC", "2026-01-21T12:00:00Z", "2026-01-31T12:00:00Z"},
  });
}

TEST(CronNextAfter, ExpandsMacros) {
  ExpectNextTimes({
      {"@hourly", "UTC", "2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z"},
      {"@daily", "UTC", "2026-01-15T10:00:00Z", "2026-01-16T00:00:00Z"},
      {"@weekly", "UTC", "2026-01-15T10:00:00Z", "2026-01-18T00:00:00Z"},
      {"@monthly", "UTC", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z"},
      {"@yearly", "UTC", "2026-06-01T00:00:00Z", "2027-01-01T00:00:00Z"},
  });
}

TEST(CronNextAfter, ReadsDayAndMonthNamesAndSevenAsSunday) {
  ExpectNextTimes({
      {"0 9 * * MON-FRI", "UTC", "2026-01-16T09:00:00Z", "2026-01-19T09:00:00Z"},
      {"0 9 * * 7", "UTC", "2026-01-15T00:00:00Z", "2026-01-18T09:00:00Z"},
      {"0 9 * * sun", "UTC", "2026-01-15T00:00:00Z", "2026-01-18T09:00:00Z"},
      {"0 9 * * 0", "UTC", "2026-01-15T00:00:00Z", "2026-01-18T09:00:00Z"},
      {"0 0 1 jun-AUG *", "UTC", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"},
  });
}

TEST(CronNextAfter, MatchesADayWhenEitherRestrictedDayFieldMatches) {
  ExpectNextTimes({
      {"0 0 13 * FRI", "UTC", "2026-04-10T00:00:00Z", "2026-04-13T00:00:00Z"},
      {"0 0 13 * FRI", "UTC", "2026-04-13T00:00:00Z", "2026-04-17T00:00:00Z"},
      {"0 0 1-7 * MON", "UTC", "2026-04-07T00:00:00Z", "2026-04-13T00:00:00Z"},
      {"0 0 */2 * MON", "UTC", "2026-04-07T00:00:00Z", "2026-04-09T00:00:00Z"},
      {"0 0 * * MON", "UTC", "2026-04-07T00:00:00Z", "2026-04-13T00:00:00Z"},
  });
}

TEST(CronNextAfter, SkipsMonthsWithoutTheDayAndFindsLeapDays) {
  ExpectNextTimes({
      {"0 0 31 * *", "UTC", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"},
      {"0 0 30 * *", "UTC", "2026-01-30T00:00:00Z", "2026-03-30T00:00:00Z"},
      {"0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
      {"0 0 29 2 *", "UTC", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"},
      {"0 0 29 2 *", "Europe/Berlin", "2026-03-01T00:00:00Z", "2028-02-28T23:00:00Z"},
  });
}

TEST(CronNextAfter, ReadsFieldsInBerlinWallClockTime) {
  ExpectNextTimes({
      {"0 2 * * *", "Europe/Berlin", "2026-01-15T00:00:00Z", "2026-01-15T01:00:00Z"},
      {"0 2 * * *", "Europe/Berlin", "2026-07-15T00:00:00Z", "2026-07-16T00:00:00Z"},
  });
}

TEST(CronNextAfter, RunsAWallClockTimeInTheSpringForwardGapOnceAtTheEndOfTheGap) {
  ExpectNextTimes({
      {"30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
      {"30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
      {"30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"},
      {"0 3 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"},
      {"59 1 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T06:59:00Z"},
      {"*/15 * * * *", "America/New_York", "2026-03-08T06:50:00Z", "2026-03-08T07:00:00Z"},
      {"*/15 * * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"},
  });
}

TEST(CronNextAfter, RunsARepeatedWallClockTimeOnceAtItsFirstOccurrence) {
  ExpectNextTimes({
      {"30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
      {"30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
      {"30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z"},
      {"30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
      {"30 1 * * *", "America/New_York", "2026-11-01T06:10:00Z", "2026-11-02T06:30:00Z"},
      {"*/15 1 * * *", "America/New_York", "2026-11-01T05:50:00Z", "2026-11-02T06:00:00Z"},
  });
}

TEST(CronNextAfter, KeepsEveryHourSchedulesRunningThroughBothPassesOfARepeatedHour) {
  ExpectNextTimes({
      {"0 * * * *", "Europe/Berlin", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"},
      {"*/15 * * * *", "America/New_York", "2026-11-01T05:50:00Z", "2026-11-01T06:00:00Z"},
  });
}

TEST(CronNextAfter, HandlesLordHowesHalfHourShift) {
  ExpectNextTimes({
      {"15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", "2026-10-03T15:30:00Z"},
      {"45 1 * * *", "Australia/Lord_Howe", "2026-04-04T00:00:00Z", "2026-04-04T14:45:00Z"},
      {"45 1 * * *", "Australia/Lord_Howe", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"},
      {"*/30 * * * *", "Australia/Lord_Howe", "2026-04-04T14:45:00Z", "2026-04-04T15:00:00Z"},
  });
}

TEST(CronNextAfter, HandlesSouthernHemisphereGapInOctoberAndOverlapInApril) {
  ExpectNextTimes({
      {"30 2 * * *", "Australia/Sydney", "2026-10-03T00:00:00Z", "2026-10-03T16:00:00Z"},
      {"30 2 * * *", "Australia/Sydney", "2026-04-04T00:00:00Z", "2026-04-04T15:30:00Z"},
      {"30 2 * * *", "Australia/Sydney", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"},
  });
}

TEST(CronNextAfter, HandlesHalfHourOffsetsWithoutDst) {
  ExpectNextTimes({
      {"0 9 * * *", "Asia/Kolkata", "2026-01-15T00:00:00Z", "2026-01-15T03:30:00Z"},
      {"30 * * * *", "Asia/Kolkata", "2026-01-15T00:10:00Z", "2026-01-15T01:00:00Z"},
  });
}

TEST(CronNextAfter, AnchorsEveryOnTheGivenTimeAndIgnoresTheZone) {
  ExpectNextTimes({
      {"@every 1m30s", "UTC", "2026-01-15T10:00:07Z", "2026-01-15T10:01:37Z"},
      {"@every 1.5h", "UTC", "2026-01-15T10:00:00Z", "2026-01-15T11:30:00Z"},
      {"@every 2h", "America/New_York", "2026-03-08T06:30:00Z", "2026-03-08T08:30:00Z"},
      {"@every 1s", "UTC", "2026-01-15T10:00:00.25Z", "2026-01-15T10:00:01.250000Z"},
  });
}

TEST(CronNextAfter, RunsADailyJobExactlyOnceOnEachDayAroundDstChanges) {
  // Around each 2026 transition, with a run time every 5 minutes of the day.
  struct Day {
    const char* zone;
    const char* first_day;
  };
  for (const Day& day : {Day{"America/New_York", "2026-03-07T00:00:00Z"},
                         Day{"America/New_York", "2026-10-31T00:00:00Z"},
                         Day{"Europe/Berlin", "2026-03-28T00:00:00Z"},
                         Day{"Europe/Berlin", "2026-10-24T00:00:00Z"},
                         Day{"Australia/Lord_Howe", "2026-04-03T00:00:00Z"},
                         Day{"Australia/Lord_Howe", "2026-10-02T00:00:00Z"},
                         Day{"America/Santiago", "2026-04-03T00:00:00Z"},
                         Day{"America/Santiago", "2026-09-04T00:00:00Z"}}) {
    const date::time_zone& zone = *date::locate_zone(day.zone);
    auto local_date = [&](SysTime t) {
      return date::floor<date::days>(zone.to_local(date::floor<seconds>(t)));
    };
    for (int minute_of_day = 0; minute_of_day < 24 * 60; minute_of_day += 5) {
      std::string cron = std::to_string(minute_of_day % 60) + " " +
                         std::to_string(minute_of_day / 60) + " * * *";
      CronSchedule schedule = Parse(cron, day.zone);
      SysTime run = NextAfter(schedule, Utc(day.first_day));
      for (int i = 0; i < 3; ++i) {
        SysTime next = NextAfter(schedule, run);
        EXPECT_EQ(local_date(next) - local_date(run), date::days{1})
            << cron << " " << day.zone << " " << Iso(run) << " then " << Iso(next);
        // Consecutive daily runs are 23 to 25 hours apart: never zero runs, never two, a day.
        EXPECT_GE(next - run, std::chrono::hours(23)) << cron << " " << day.zone << " " << Iso(run);
        EXPECT_LE(next - run, std::chrono::hours(25)) << cron << " " << day.zone << " " << Iso(run);
        run = next;
      }
    }
  }
}

TEST(CronNextAfter, ClampsTimesOutsideTheSupportedRange) {
  EXPECT_EQ(Iso(NextAfter(Parse("0 0 * * *"), SysTime::min())), "1900-01-02T00:00:00Z");
  EXPECT_EQ(NextAfter(Parse("0 0 * * *"), Utc("9999-01-01T00:00:00Z")), SysTime::max());
  EXPECT_EQ(NextAfter(Parse("@every 1h"), SysTime::max()), SysTime::max());
  std::optional<DueRuns> due =
      DueBetween(Parse("@every 1h"), SysTime::min(), Utc("1900-01-01T05:30:00Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "1900-01-01T05:00:00Z");
  EXPECT_EQ(due->count, 5);
  due = DueBetween(Parse("0 0 * * *"), SysTime::min(), SysTime::max());
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "9999-01-01T00:00:00Z");
  EXPECT_TRUE(due->count_capped);
}

// ---- runs due ----

TEST(CronDueBetween, NoneWhenNothingIsDue) {
  CronSchedule daily = Parse("0 2 * * *");
  EXPECT_FALSE(DueBetween(daily, Utc("2026-01-15T02:00:00Z"), Utc("2026-01-16T01:59:00Z")));
  EXPECT_FALSE(DueBetween(daily, Utc("2026-01-15T02:00:00Z"), Utc("2026-01-15T02:00:00Z")));
  EXPECT_FALSE(DueBetween(daily, Utc("2026-01-16T02:00:00Z"), Utc("2026-01-15T02:00:00Z")));
  EXPECT_FALSE(DueBetween(Parse("@every 1h"), Utc("2026-01-15T10:00:00Z"),
                          Utc("2026-01-15T10:59:59Z")));
}

TEST(CronDueBetween, CountsTheRunAtNowButNotTheRunAtAfter) {
  std::optional<DueRuns> due =
      DueBetween(Parse("0 2 * * *"), Utc("2026-01-15T02:00:00Z"), Utc("2026-01-16T02:00:00Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "2026-01-16T02:00:00Z");
  EXPECT_EQ(due->count, 1);
  EXPECT_FALSE(due->count_capped);
}

TEST(CronDueBetween, ReportsTheLatestOfManyDueRuns) {
  std::optional<DueRuns> due =
      DueBetween(Parse("0 2 * * *"), Utc("2026-01-01T00:00:00Z"), Utc("2026-01-10T12:00:00Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "2026-01-10T02:00:00Z");
  EXPECT_EQ(due->count, 10);
  EXPECT_FALSE(due->count_capped);
}

TEST(CronDueBetween, CountsExactlyTheCapWithoutTheCappedFlag) {
  CronSchedule every_minute = Parse("* * * * *");
  std::optional<DueRuns> due =
      DueBetween(every_minute, Utc("2026-01-01T00:00:00Z"), Utc("2026-01-01T16:40:00Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(due->count, 1000);
  EXPECT_FALSE(due->count_capped);
  due = DueBetween(every_minute, Utc("2026-01-01T00:00:00Z"), Utc("2026-01-01T16:41:00Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(due->count, kDueRunsCountCap);
  EXPECT_TRUE(due->count_capped);
}

TEST(CronDueBetween, CapsTheCountOfAnEveryMinuteCronAfterAYear) {
  std::optional<DueRuns> due =
      DueBetween(Parse("* * * * *", "Europe/Berlin"), Utc("2025-01-01T00:00:00Z"),
                 Utc("2026-01-01T00:00:30Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "2026-01-01T00:00:00Z");
  EXPECT_EQ(due->count, kDueRunsCountCap);
  EXPECT_TRUE(due->count_capped);
}

TEST(CronDueBetween, FindsTheLatestOfASparseScheduleYearsBack) {
  std::optional<DueRuns> due =
      DueBetween(Parse("0 0 29 2 *"), Utc("2020-01-01T00:00:00Z"), Utc("2031-01-01T00:00:00Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "2028-02-29T00:00:00Z");
  EXPECT_EQ(due->count, 3);  // 2020, 2024, 2028
}

TEST(CronDueBetween, CapsTheCountOfEverySecondAfterAThirtyDayOutage) {
  std::optional<DueRuns> due = DueBetween(Parse("@every 1s"), Utc("2026-01-01T00:00:00Z"),
                                          Utc("2026-01-31T00:00:00.500Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "2026-01-31T00:00:00Z");
  EXPECT_EQ(due->count, kDueRunsCountCap);
  EXPECT_TRUE(due->count_capped);
}

TEST(CronDueBetween, CountsEveryRunsAnchoredOnAfter) {
  std::optional<DueRuns> due = DueBetween(Parse("@every 1h"), Utc("2026-01-15T10:00:07Z"),
                                          Utc("2026-01-15T12:30:00Z"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Iso(due->latest), "2026-01-15T12:00:07Z");
  EXPECT_EQ(due->count, 2);
  EXPECT_FALSE(due->count_capped);
}

TEST(CronDueBetween, CountsOneRunForADailyJobAcrossEachDstChange) {
  std::optional<DueRuns> spring =
      DueBetween(Parse("30 2 * * *", "America/New_York"), Utc("2026-03-07T12:00:00Z"),
                 Utc("2026-03-09T12:00:00Z"));
  ASSERT_TRUE(spring);
  EXPECT_EQ(spring->count, 2);  // 03-08 07:00Z (03:00 EDT, gap), 03-09 06:30Z
  EXPECT_EQ(Iso(spring->latest), "2026-03-09T06:30:00Z");
  std::optional<DueRuns> fall =
      DueBetween(Parse("30 1 * * *", "America/New_York"), Utc("2026-10-31T12:00:00Z"),
                 Utc("2026-11-01T12:00:00Z"));
  ASSERT_TRUE(fall);
  EXPECT_EQ(fall->count, 1);
  EXPECT_EQ(Iso(fall->latest), "2026-11-01T05:30:00Z");
}

TEST(CronDueBetween, CountsBothPassesOfTheRepeatedHourOnlyForEveryHourSchedules) {
  // 00:00 EDT to 02:00 EST is three real hours.
  std::optional<DueRuns> every_quarter = DueBetween(Parse("*/15 * * * *", "America/New_York"),
                                                    Utc("2026-11-01T04:00:00Z"),
                                                    Utc("2026-11-01T07:00:00Z"));
  ASSERT_TRUE(every_quarter);
  EXPECT_EQ(every_quarter->count, 12);
  EXPECT_EQ(Iso(every_quarter->latest), "2026-11-01T07:00:00Z");
  std::optional<DueRuns> one_am =
      DueBetween(Parse("*/15 1 * * *", "America/New_York"), Utc("2026-11-01T04:00:00Z"),
                 Utc("2026-11-01T07:00:00Z"));
  ASSERT_TRUE(one_am);
  EXPECT_EQ(one_am->count, 4);
  EXPECT_EQ(Iso(one_am->latest), "2026-11-01T05:45:00Z");
}

// ---- describe ----

TEST(CronDescribe, NamesTheExpressionAndTheZone) {
  EXPECT_EQ(Describe(Parse("0 2 * * *", "Europe/Berlin")), "0 2 * * * in Europe/Berlin");
  EXPECT_EQ(Describe(Parse("  0\t2 *  * * ", "")), "0 2 * * * in UTC");
  EXPECT_EQ(Describe(Parse("@Daily", "America/New_York")), "@daily in America/New_York");
  EXPECT_EQ(Describe(Parse("@every 90s", "Europe/Berlin")), "@every 1m30s");
  EXPECT_EQ(Describe(Parse("@every 1.5h")), "@every 1h30m");
}

// ---- a minute-by-minute reference around every 2026 transition ----

struct ReferenceSchedule {
  const char* cron;
  bool every_hour;  // the hour field covers 0-23
  bool (*matches)(int hour, int minute);
};

// Whether a run happens at UTC minute `t`, computed one instant at a time from the semantics in
// the header (the library walks periods of constant offset instead).
bool ReferenceRunsAt(const date::time_zone& zone, const ReferenceSchedule& schedule,
                     date::sys_seconds t) {
  date::sys_info info = zone.get_info(t);
  date::local_seconds local{t.time_since_epoch() + info.offset};
  date::local_days day = date::floor<date::days>(local);
  date::hh_mm_ss<seconds> time{local - day};
  if (schedule.matches(static_cast<int>(time.hours().count()),
                       static_cast<int>(time.minutes().count()))) {
    date::local_info both = zone.get_info(local);
    bool second_pass = both.result == date::local_info::ambiguous &&
                       t == date::sys_seconds{local.time_since_epoch() - both.second.offset};
    if (schedule.every_hour || !second_pass) return true;
  }
  seconds before = zone.get_info(t - seconds{1}).offset;
  if (info.begin == t && before < info.offset) {  // first instant after a gap
    for (date::local_seconds gap{t.time_since_epoch() + before};
         gap < date::local_seconds{t.time_since_epoch() + info.offset}; gap += minutes{1}) {
      date::hh_mm_ss<seconds> gap_time{gap - date::floor<date::days>(gap)};
      if (schedule.matches(static_cast<int>(gap_time.hours().count()),
                           static_cast<int>(gap_time.minutes().count()))) {
        return true;
      }
    }
  }
  return false;
}

TEST(CronReference, AgreesWithAMinuteByMinuteReferenceAroundEveryTransitionIn2026) {
  const ReferenceSchedule schedules[] = {
      {"30 2 * * *", false, [](int h, int m) { return h == 2 && m == 30; }},
      {"30 1 * * *", false, [](int h, int m) { return h == 1 && m == 30; }},
      {"45 1 * * *", false, [](int h, int m) { return h == 1 && m == 45; }},
      {"15 2 * * *", false, [](int h, int m) { return h == 2 && m == 15; }},
      {"0 3 * * *", false, [](int h, int m) { return h == 3 && m == 0; }},
      {"0 0 * * *", false, [](int h, int m) { return h == 0 && m == 0; }},
      {"30 23 * * *", false, [](int h, int m) { return h == 23 && m == 30; }},
      {"*/15 1 * * *", false, [](int h, int m) { return h == 1 && m % 15 == 0; }},
      {"*/20 1-3 * * *", false, [](int h, int m) { return h >= 1 && h <= 3 && m % 20 == 0; }},
      {"0 * * * *", true, [](int, int m) { return m == 0; }},
      {"*/15 * * * *", true, [](int, int m) { return m % 15 == 0; }},
      {"* * * * *", true, [](int, int) { return true; }},
  };
  for (const char* zone_name : {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                "Australia/Sydney", "Asia/Kolkata", "America/Santiago"}) {
    const date::time_zone& zone = *date::locate_zone(zone_name);
    // Every transition in 2026 (or one ordinary day for zones without DST).
    std::vector<date::sys_seconds> transitions;
    date::sys_seconds cursor{date::sys_days{date::year{2026} / 1 / 1}};
    const date::sys_seconds year_end{date::sys_days{date::year{2027} / 1 / 1}};
    while (true) {
      date::sys_info info = zone.get_info(cursor);
      if (info.end >= year_end) break;
      transitions.push_back(info.end);
      cursor = info.end;
    }
    if (transitions.empty()) transitions.push_back(date::sys_days{date::year{2026} / 3 / 8});
    for (date::sys_seconds transition : transitions) {
      const date::sys_seconds from = transition - std::chrono::hours(30);
      const date::sys_seconds to = transition + std::chrono::hours(30);
      for (const ReferenceSchedule& schedule : schedules) {
        SCOPED_TRACE(std::string(schedule.cron) + " in " + zone_name + " around " +
                     Iso(transition));
        std::vector<SysTime> expected;
        for (date::sys_seconds t = from + minutes{1}; t <= to; t += minutes{1}) {
          if (ReferenceRunsAt(zone, schedule, t)) expected.push_back(t);
        }
        CronSchedule parsed = Parse(schedule.cron, zone_name);
        std::vector<SysTime> actual;
        for (SysTime t = NextAfter(parsed, from); t <= to; t = NextAfter(parsed, t)) {
          actual.push_back(t);
        }
        std::vector<std::string> expected_text, actual_text;
        for (SysTime t : expected) expected_text.push_back(Iso(t));
        for (SysTime t : actual) actual_text.push_back(Iso(t));
        EXPECT_EQ(actual_text, expected_text);
        // DueBetween from several starting points agrees with the same list.
        const size_t stride = std::max<size_t>(1, expected.size() / 8);
        for (size_t start = 0; start < expected.size(); start += stride) {
          SysTime after = start == 0 ? SysTime{from} : expected[start - 1];
          std::optional<DueRuns> due = DueBetween(parsed, after, to);
          ASSERT_TRUE(due);
          EXPECT_EQ(Iso(due->latest), Iso(expected.back()));
          std::int64_t count = static_cast<std::int64_t>(expected.size() - start);
          EXPECT_EQ(due->count, std::min(count, kDueRunsCountCap));
          EXPECT_EQ(due->count_capped, count > kDueRunsCountCap);
          // ... and so does the latest run before each run time.
          std::optional<DueRuns> until = DueBetween(parsed, SysTime{from}, expected[start]);
          ASSERT_TRUE(until);
          EXPECT_EQ(Iso(until->latest), Iso(expected[start]));
        }
      }
    }
  }
}

TEST(CronScheduleValue, ADefaultConstructedScheduleNeverRuns) {
  CronSchedule placeholder;
  EXPECT_EQ(NextAfter(placeholder, Utc("2026-01-15T00:00:00Z")), SysTime::max());
  EXPECT_FALSE(DueBetween(placeholder, Utc("2026-01-15T00:00:00Z"), Utc("2027-01-15T00:00:00Z")));
  EXPECT_EQ(Describe(placeholder), "(no schedule)");
}

TEST(CronScheduleValue, ParsesAndComputesConcurrentlyFromManyThreads) {
  // Pacific/Chatham (+12:45/+13:45) is used by no other test, so its zone file loads here.
  const std::string expected =
      Iso(NextAfter(Parse("45 2 * * *", "Pacific/Chatham"), Utc("2026-09-26T00:00:00Z")));
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&results, i] {
      std::optional<CronSchedule> schedule = ParseCronSchedule("45 2 * * *", "Pacific/Chatham",
                                                               nullptr);
      SysTime t = Utc("2026-09-26T00:00:00Z");
      if (schedule) t = NextAfter(*schedule, t);
      results[i] = Iso(t);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& result : results) EXPECT_EQ(result, expected);
}

TEST(CronScheduleValue, CopiesAreIndependentValues) {
  CronSchedule original = Parse("30 2 * * *", "Europe/Berlin");
  CronSchedule copy = original;
  original = Parse("@every 5m");
  EXPECT_EQ(Describe(copy), "30 2 * * * in Europe/Berlin");
  EXPECT_EQ(Iso(NextAfter(copy, Utc("2026-03-28T12:00:00Z"))), "2026-03-29T01:00:00Z");
}

}  // namespace
}  // namespace modelgate::controllers::pipeline
