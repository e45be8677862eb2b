// CronSchedule: spec.schedule of a ModelPipeline (a cron expression and an IANA time zone) as a
// value, and the pure time arithmetic the pipeline controller needs: the next run after a moment,
// and the runs that fell due between two moments (after an outage, say).
//
// Syntax (the user-facing contract; the user docs quote this block)
//   Five fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC)
//   day-of-week (0-7 or SUN-SAT; 0 and 7 are both Sunday). Each field is `*`, or a comma list of
//   items; an item is a value `a`, a range `a-b`, a stepped range `a-b/n`, `*/n`, or `a/n` (= a to
//   the field's maximum, step n). Names are case-insensitive and may appear in ranges (MON-FRI).
//   Macros: @yearly (= @annually = `0 0 1 1 *`), @monthly (`0 0 1 * *`), @weekly (`0 0 * * 0`),
//   @daily (= @midnight = `0 0 * * *`), @hourly (`0 * * * *`), and `@every <duration>` with a
//   Go-style duration (30s, 1m30s, 2h, 1.5h): at least 1s and a whole number of seconds.
//   Rejected with a message: a seconds field (6 or 7 fields), Quartz's `?`, `L`, `W`, `#`,
//   `CRON_TZ=`/`TZ=` prefixes (use schedule.timeZone), backwards ranges, a step of 0 or one
//   wider than the field (`*/90` minutes: use @every 90m), and schedules that can never run
//   (`0 0 30 2 *`, `0 0 31 4,6,9,11 *`).
//
// Semantics
//   - Day-of-month and day-of-week (Vixie cron, as Kubernetes CronJob): when both are restricted,
//     a day matches if EITHER matches (`0 0 13 * FRI` = every 13th and every Friday). A field is
//     unrestricted only when written `*` (or `*/1`); `*/2` counts as restricted.
//   - Month ends need no special rule: `0 0 31 * *` runs only in months with 31 days,
//     `0 0 29 2 *` only in leap years.
//   - Cron fields are read in the wall-clock time of schedule.timeZone (empty: UTC). Runs are at
//     whole minutes of that wall clock.
//   - Spring forward (a wall-clock range that does not exist): every matching wall-clock time in
//     the gap runs once, at the first instant after the gap; several such times collapse into
//     that one run. 02:30 daily in America/New_York on 2026-03-08 runs at 03:00 EDT (07:00 UTC).
//   - Fall back (a wall-clock range that occurs twice):
//       * a schedule that runs in particular hours (hour field not covering all of 0-23, e.g. a
//         daily or `*/15 1 * * *` job) runs each wall-clock time once, at its first occurrence
//         (the daylight-time pass); 01:30 daily in America/New_York on 2026-11-01 runs at
//         01:30 EDT only. A daily job never runs zero times or twice on a DST day.
//       * a schedule that runs in every hour (`*` hour field, or any spelling of 0-23, e.g.
//         `*/15 * * * *`, @hourly) keeps its real-time rhythm: it runs at matching wall-clock
//         times in both passes (01:00, 01:15, ... 01:45 EDT, then 01:00 ... 01:45 EST), as Vixie
//         cron does for wildcard jobs, so an hourly job never pauses for two hours.
//   - `@every d` ignores the time zone and is anchored on the moment given: NextAfter(t) = t + d.
//   - The zone rules come from the system tz database (/usr/share/zoneinfo via Howard Hinnant's
//     date/tz). That library reads only the explicit transitions of the zone files (up to 2037
//     in Debian's), so beyond the last one the last offset holds.
//
// Times are std::chrono::sys_time<std::chrono::microseconds> (UTC, Unix epoch, no leap seconds).
// Supported range: 1900-01-01 to 9999-01-01 UTC. Earlier inputs count as 1900-01-01T00:00:00Z,
// later ones as 9999-01-01T00:00:00Z; NextAfter() returns SysTime::max() from 9999 on.
//
// A default-constructed CronSchedule (a placeholder until one is parsed) never runs: NextAfter()
// returns SysTime::max(), DueBetween() nullopt, Describe() "(no schedule)".
//
// Thread-safe: a CronSchedule is an immutable copyable value (it refers to the process-wide,
// read-only tz database); all functions here are pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace modelgate::controllers::pipeline {

using SysTime = std::chrono::sys_time<std::chrono::microseconds>;

class CronSchedule {
 public:
  // True for `@every <duration>`.
  bool is_interval() const { return interval_.count() > 0; }
  // The `@every` interval; zero for calendar schedules.
  std::chrono::seconds interval() const { return interval_; }
  // The expression with its fields separated by single spaces, e.g. "0 2 * * *" or "@daily".
  const std::string& expression() const { return expression_; }
  // The IANA zone the fields are read in; "UTC" when schedule.timeZone was empty.
  const std::string& time_zone_name() const { return time_zone_name_; }

 private:
  friend struct CronScheduleInternals;  // parsing and time arithmetic, in cron_schedule.cpp

  std::string expression_;
  std::string time_zone_name_;
  const date::time_zone* time_zone_ = nullptr;  // owned by the tz database; never null once parsed
  std::chrono::seconds interval_{0};
  // Calendar fields as bit sets: bit i set = value i matches. Day-of-week 7 is stored as 0.
  std::uint64_t minutes_ = 0;        // bits 0-59
  std::uint32_t hours_ = 0;          // bits 0-23
  std::uint32_t days_of_month_ = 0;  // bits 1-31
  std::uint32_t months_ = 0;         // bits 1-12
  std::uint32_t days_of_week_ = 0;   // bits 0-6, 0 = Sunday
  bool day_of_month_restricted_ = false;
  bool day_of_week_restricted_ = false;
};

// Parses spec.schedule.cron and spec.schedule.timeZone (empty = UTC). On failure returns nullopt
// and, when `error` is not null, sets it to a message naming the field, the value and what was
// expected, e.g. "schedule.cron '0 25 * * *': field 2 (hour): 25 is out of range 0-23" or
// "schedule.timeZone 'Europe/Berln': unknown IANA time zone (e.g. Europe/Berlin, ...)".
std::optional<CronSchedule> ParseCronSchedule(std::string_view cron, std::string_view time_zone,
                                              std::string* error);

// The first scheduled instant strictly after `after`.
SysTime NextAfter(const CronSchedule& schedule, SysTime after);

// DueBetween() counts at most this many runs.
inline constexpr std::int64_t kDueRunsCountCap = 1000;

struct DueRuns {
  SysTime latest;      // the last scheduled instant in (after, now]
  std::int64_t count;  // how many instants in (after, now], at most kDueRunsCountCap
  bool count_capped;   // true when there were more than kDueRunsCountCap
};

// The runs scheduled in (after, now]; nullopt when there are none (or now <= after). Cheap for
// any gap: `@every` is arithmetic, and a calendar schedule finds the latest run by searching
// backwards from `now` and counts forwards at most kDueRunsCountCap + 1 steps.
std::optional<DueRuns> DueBetween(const CronSchedule& schedule, SysTime after, SysTime now);

// For messages and status: "0 2 * * * in Europe/Berlin", "@daily in UTC", "@every 1h30m".
std::string Describe(const CronSchedule& schedule);

}  // namespace modelgate::controllers::pipeline
