#include "controllers/pipeline/cron_schedule.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

namespace modelgate::controllers::pipeline {

namespace {

using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using LocalMinutes = date::local_time<minutes>;
using LocalMicros = date::local_time<microseconds>;

constexpr std::string_view kExpectedShape =
    "expected 5 fields (minute hour day-of-month month day-of-week) or a macro (@hourly, @daily, "
    "@weekly, @monthly, @yearly, @every <duration>)";
constexpr std::string_view kZoneExamples = "(e.g. Europe/Berlin, America/New_York, UTC)";

// The supported range of inputs (see the header): earlier ones are moved up to kEarliest, later
// ones down to kLatest. Keeps every date computation inside date::year's range and every
// difference of two times inside int64 microseconds.
constexpr SysTime kEarliest{date::sys_days{date::year{1900} / 1 / 1}};
constexpr SysTime kLatest{date::sys_days{date::year{9999} / 1 / 1}};
// A schedule accepted by the parser runs at least once in any 28 years (29 February at least
// every 8); searching 400 years (a full Gregorian cycle) is a safety net, never the answer.
constexpr date::days kSearchHorizon{146097};

// ---- text helpers ----

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
}

// ---- cron fields ----

struct FieldSpec {
  int position;  // 1-based, as in the messages
  std::string_view name;
  int min;
  int max;
  std::string_view what;  // "a month (1-12 or JAN-DEC)"
  std::array<std::string_view, 12> names;  // names[i] has value min + i; empty when none
};

constexpr FieldSpec kMinute{1, "minute", 0, 59, "a minute (0-59)", {}};
constexpr FieldSpec kHour{2, "hour", 0, 23, "an hour (0-23)", {}};
constexpr FieldSpec kDayOfMonth{3, "day-of-month", 1, 31, "a day of the month (1-31)", {}};
constexpr FieldSpec kMonth{4, "month", 1, 12, "a month (1-12 or JAN-DEC)",
                           {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                            "NOV", "DEC"}};
// Day-of-week runs 0-7 so that `5-7` and `*/n` read as in Vixie cron; 7 folds onto 0 (Sunday).
constexpr FieldSpec kDayOfWeek{5, "day-of-week", 0, 7, "a day of the week (0-7 or SUN-SAT)",
                               {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}};

struct ParsedField {
  std::uint64_t bits = 0;
  bool restricted = true;  // false only for `*` and `*/1`
};

class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view text) : spec_(spec), text_(text) {}

  // Returns false and sets *why (without the "schedule.cron '...': " prefix) on error.
  bool Parse(ParsedField* out, std::string* why) {
    why_ = why;
    if (text_ == "*" || text_ == "*/1") {
      out->restricted = false;
      for (int v = spec_.min; v <= spec_.max; ++v) Set(out, v);
      return true;
    }
    for (std::string_view item : Split(text_, ',')) {
      if (item.empty()) return Fail("empty list item in '" + std::string(text_) + "'");
      if (!ParseItem(item, out)) return false;
    }
    return true;
  }

 private:
  bool ParseItem(std::string_view item, ParsedField* out) {
    std::vector<std::string_view> range_and_step = Split(item, '/');
    if (range_and_step.size() > 2) return Fail("'" + std::string(item) + "' has more than one '/'");
    int step = 1;
    bool has_step = range_and_step.size() == 2;
    if (has_step) {
      std::string_view step_text = range_and_step[1];
      if (!AllDigits(step_text)) {
        return Fail("step '" + std::string(step_text) + "' in '" + std::string(item) +
                    "' is not a number");
      }
      const int span = spec_.max - spec_.min + 1;
      if (step_text.size() > 4 || std::stoi(std::string(step_text)) < 1 ||
          std::stoi(std::string(step_text)) > span) {
        // `*/90` in the minute field does not mean every 90 minutes; say what does.
        std::string hint = spec_.position <= kHour.position && step_text.size() <= 4 &&
                                   std::stoi(std::string(step_text)) > span
                               ? " (for a longer interval use @every, e.g. @every 90m)"
                               : "";
        return Fail("step " + std::string(step_text) + " in '" + std::string(item) +
                    "' must be between 1 and " + std::to_string(span) + hint);
      }
      step = std::stoi(std::string(step_text));
    }
    std::string_view range = range_and_step[0];
    int low = spec_.min;
    int high = spec_.max;
    if (range != "*") {
      std::vector<std::string_view> ends = Split(range, '-');
      if (ends.size() > 2) return Fail("'" + std::string(item) + "' has more than one '-'");
      if (!Value(ends[0], &low)) return false;
      if (ends.size() == 2) {
        if (!Value(ends[1], &high)) return false;
        if (low > high) {
          std::string hint = spec_.position == kDayOfWeek.position && high == 0
                                 ? "; write Sunday as 7 at the end of a range, e.g. FRI-7"
                                 : "";
          return Fail("range " + std::string(range) + " is backwards (the start must not exceed "
                      "the end)" + hint);
        }
      } else if (!has_step) {
        high = low;  // a single value; `a/n` means a to the maximum, step n
      }
    }
    for (int v = low; v <= high; v += step) Set(out, v);
    return true;
  }

  bool Value(std::string_view token, int* value) {
    if (token.empty()) return Fail("missing value in '" + std::string(text_) + "'");
    if (AllDigits(token)) {
      if (token.size() > 4 || std::stoi(std::string(token)) < spec_.min ||
          std::stoi(std::string(token)) > spec_.max) {
        return Fail(std::string(token) + " is out of range " + std::to_string(spec_.min) + "-" +
                    std::to_string(spec_.max));
      }
      *value = std::stoi(std::string(token));
      return true;
    }
    std::string upper = Upper(token);
    for (size_t i = 0; i < spec_.names.size(); ++i) {
      if (!spec_.names[i].empty() && upper == spec_.names[i]) {
        *value = spec_.min + static_cast<int>(i);
        return true;
      }
    }
    if (token == "?") return Fail("'?' is not supported; use '*'");
    if (token.find('#') != std::string_view::npos) {
      return Fail("'#' (nth weekday of the month) is not supported, got '" + std::string(token) +
                  "'");
    }
    std::string_view digits_stripped = token;
    while (!digits_stripped.empty() && digits_stripped.front() >= '0' &&
           digits_stripped.front() <= '9') {
      digits_stripped.remove_prefix(1);
    }
    std::string suffix = Upper(digits_stripped);
    if (suffix == "L" || suffix == "W" || suffix == "LW") {
      return Fail("'L' (last) and 'W' (nearest weekday) are not supported, got '" +
                  std::string(token) + "'");
    }
    return Fail("'" + std::string(token) + "' is not " + std::string(spec_.what));
  }

  void Set(ParsedField* out, int value) {
    if (spec_.position == kDayOfWeek.position && value == 7) value = 0;
    out->bits |= std::uint64_t{1} << value;
  }

  bool Fail(std::string message) {
    *why_ = "field " + std::to_string(spec_.position) + " (" + std::string(spec_.name) +
            "): " + std::move(message);
    return false;
  }

  const FieldSpec& spec_;
  std::string_view text_;
  std::string* why_ = nullptr;
};

// ---- @every durations (Go's time.ParseDuration grammar) ----

// Parses a Go duration into nanoseconds. Returns false when it is not one.
bool ParseGoDuration(std::string_view text, bool* negative, std::uint64_t* nanos) {
  *negative = false;
  *nanos = 0;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    *negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return true;
  if (text.empty()) return false;
  constexpr std::uint64_t kMax = std::uint64_t{1} << 63;
  std::uint64_t total = 0;
  while (!text.empty()) {
    if (!(text.front() == '.' || (text.front() >= '0' && text.front() <= '9'))) return false;
    std::uint64_t whole = 0;
    size_t whole_digits = 0;
    while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
      if (whole > (kMax - 9) / 10) return false;  // overflow
      whole = whole * 10 + static_cast<std::uint64_t>(text.front() - '0');
      text.remove_prefix(1);
      ++whole_digits;
    }
    std::uint64_t fraction = 0;
    double scale = 1;
    size_t fraction_digits = 0;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
        if (fraction <= (kMax - 9) / 10) {  // beyond that, extra digits are below a nanosecond
          fraction = fraction * 10 + static_cast<std::uint64_t>(text.front() - '0');
          scale *= 10;
        }
        text.remove_prefix(1);
        ++fraction_digits;
      }
    }
    if (whole_digits == 0 && fraction_digits == 0) return false;
    size_t unit_length = 0;
    while (unit_length < text.size() && text[unit_length] != '.' &&
           !(text[unit_length] >= '0' && text[unit_length] <= '9')) {
      ++unit_length;
    }
    std::string_view unit_text = text.substr(0, unit_length);
    text.remove_prefix(unit_length);
    std::uint64_t unit = 0;
    if (unit_text == "ns") unit = 1;
    else if (unit_text == "us" || unit_text == "\u00b5s" || unit_text == "\u03bcs") unit = 1000;
    else if (unit_text == "ms") unit = 1000000;
    else if (unit_text == "s") unit = 1000000000;
    else if (unit_text == "m") unit = 60ULL * 1000000000;
    else if (unit_text == "h") unit = 3600ULL * 1000000000;
    else return false;  // missing or unknown unit
    if (whole > kMax / unit) return false;
    std::uint64_t part = whole * unit;
    if (fraction > 0) {
      part += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                         (static_cast<double>(unit) / scale));
      if (part > kMax) return false;
    }
    total += part;
    if (total > kMax) return false;
  }
  *nanos = total;
  return true;
}

std::string FormatSeconds(seconds interval) {
  std::int64_t total = interval.count();
  std::string out;
  if (std::int64_t h = total / 3600; h > 0) out += std::to_string(h) + "h";
  if (std::int64_t m = total / 60 % 60; m > 0) out += std::to_string(m) + "m";
  if (std::int64_t s = total % 60; s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

// ---- bit sets ----

bool Has(std::uint64_t bits, int i) { return ((bits >> i) & 1) != 0; }

// The smallest set bit >= from, or -1.
int NextBit(std::uint64_t bits, int from) {
  if (from >= 64) return -1;
  std::uint64_t masked = bits & (~std::uint64_t{0} << from);
  return masked == 0 ? -1 : std::countr_zero(masked);
}

// The largest set bit <= from, or -1.
int PrevBit(std::uint64_t bits, int from) {
  if (from < 0) return -1;
  std::uint64_t masked = from >= 63 ? bits : bits & ((std::uint64_t{2} << from) - 1);
  return masked == 0 ? -1 : 63 - std::countl_zero(masked);
}

constexpr std::array<int, 13> kLongestMonth = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

LocalMicros ToLocal(SysTime t, seconds offset) {
  return LocalMicros{t.time_since_epoch() + offset};
}

SysTime ToSys(LocalMinutes local, seconds offset) {
  return SysTime{std::chrono::duration_cast<microseconds>(local.time_since_epoch() - offset)};
}

// The UTC offset just before `info` began; its own offset for the zone's first period.
seconds OffsetBefore(const date::time_zone& zone, const date::sys_info& info) {
  if (info.begin <= date::sys_days{date::year::min() / 1 / 1}) return info.offset;
  return zone.get_info(info.begin - seconds{1}).offset;
}

LocalMinutes CeilMinute(LocalMicros t) { return date::ceil<minutes>(t); }
LocalMinutes FloorMinute(LocalMicros t) { return date::floor<minutes>(t); }

}  // namespace

// Everything that reads CronSchedule's fields.
struct CronScheduleInternals {
  static std::optional<CronSchedule> Parse(std::string_view cron, std::string_view time_zone,
                                           std::string* error);
  static SysTime Next(const CronSchedule& s, SysTime after);
  static std::optional<SysTime> Latest(const CronSchedule& s, SysTime now, SysTime after);

 private:
  static bool ParseCalendar(const std::vector<std::string_view>& fields, CronSchedule* s,
                            std::string* why);
  static bool DayMatches(const CronSchedule& s, date::local_days day);
  static std::optional<minutes> FirstTimeOfDayAtOrAfter(const CronSchedule& s, minutes tod);
  static std::optional<minutes> LastTimeOfDayAtOrBefore(const CronSchedule& s, minutes tod);
  static std::optional<LocalMinutes> FirstMatch(const CronSchedule& s, LocalMinutes from,
                                                LocalMinutes before);
  static std::optional<LocalMinutes> LastMatch(const CronSchedule& s, LocalMinutes at_or_before,
                                               LocalMinutes not_before);
  static bool RunsEveryHour(const CronSchedule& s) { return s.hours_ == (1u << 24) - 1; }
  static bool IsParsed(const CronSchedule& s) { return s.time_zone_ != nullptr; }
};

bool CronScheduleInternals::ParseCalendar(const std::vector<std::string_view>& fields,
                                          CronSchedule* s, std::string* why) {
  const FieldSpec* specs[5] = {&kMinute, &kHour, &kDayOfMonth, &kMonth, &kDayOfWeek};
  ParsedField parsed[5];
  for (int i = 0; i < 5; ++i) {
    if (!FieldParser(*specs[i], fields[static_cast<size_t>(i)]).Parse(&parsed[i], why)) {
      return false;
    }
  }
  s->minutes_ = parsed[0].bits;
  s->hours_ = static_cast<std::uint32_t>(parsed[1].bits);
  s->days_of_month_ = static_cast<std::uint32_t>(parsed[2].bits);
  s->months_ = static_cast<std::uint32_t>(parsed[3].bits);
  s->days_of_week_ = static_cast<std::uint32_t>(parsed[4].bits);
  s->day_of_month_restricted_ = parsed[2].restricted;
  s->day_of_week_restricted_ = parsed[4].restricted;
  // With day-of-week unrestricted only day-of-month picks days; it must fit one of the months.
  if (!s->day_of_week_restricted_) {
    int longest = 0;
    for (int month = 1; month <= 12; ++month) {
      if (Has(s->months_, month)) {
        longest = std::max(longest, kLongestMonth[static_cast<size_t>(month)]);
      }
    }
    if (NextBit(s->days_of_month_, 1) > longest) {
      *why = "day-of-month '" + std::string(fields[2]) + "' never occurs in month '" +
             std::string(fields[3]) + "' (the longest of those months has " +
             std::to_string(longest) + " days); the schedule would never run";
      return false;
    }
  }
  return true;
}

std::optional<CronSchedule> CronScheduleInternals::Parse(std::string_view cron,
                                                         std::string_view time_zone,
                                                         std::string* error) {
  std::string scratch;
  std::string& message = error != nullptr ? *error : scratch;
  const std::string prefix = "schedule.cron '" + std::string(cron) + "': ";
  auto fail = [&](std::string why) -> std::optional<CronSchedule> {
    message = prefix + std::move(why);
    return std::nullopt;
  };

  CronSchedule s;
  std::vector<std::string_view> fields = SplitFields(cron);
  if (!fields.empty()) {
    std::string head = Upper(fields[0]);
    if (head.rfind("CRON_TZ=", 0) == 0 || head.rfind("TZ=", 0) == 0) {
      return fail("time-zone prefixes (CRON_TZ=, TZ=) are not supported; put the zone in "
                  "schedule.timeZone instead");
    }
  }
  if (!fields.empty() && fields[0].front() == '@') {
    std::string macro = Lower(fields[0]);
    static constexpr std::pair<std::string_view, std::string_view> kMacros[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"}};
    if (macro == "@every") {
      if (fields.size() != 2) {
        return fail("expected one duration after @every, such as 30s, 1m30s or 2h");
      }
      bool negative = false;
      std::uint64_t nanos = 0;
      if (!ParseGoDuration(fields[1], &negative, &nanos)) {
        return fail("'" + std::string(fields[1]) +
                    "' is not a duration (expected e.g. 30s, 1m30s, 2h or 1.5h)");
      }
      if (negative || nanos < 1000000000ULL) return fail("the interval must be at least 1s");
      if (nanos % 1000000000ULL != 0) {
        return fail("the interval must be a whole number of seconds, got " +
                    std::string(fields[1]));
      }
      s.interval_ = seconds{static_cast<std::int64_t>(nanos / 1000000000ULL)};
      s.expression_ = "@every " + FormatSeconds(s.interval_);
    } else {
      const auto* found = std::find_if(std::begin(kMacros), std::end(kMacros),
                                       [&](const auto& m) { return m.first == macro; });
      if (found == std::end(kMacros)) {
        return fail("unknown macro '" + std::string(fields[0]) + "'; " +
                    std::string(kExpectedShape));
      }
      if (fields.size() != 1) return fail("'" + std::string(fields[0]) + "' takes no arguments");
      std::string why;
      // The expansions above are valid by construction; failing here is a bug, not bad input.
      if (!ParseCalendar(SplitFields(found->second), &s, &why)) std::abort();
      s.expression_ = macro;
    }
  } else if (fields.size() != 5) {
    std::string why = std::string(kExpectedShape) + ", got " + std::to_string(fields.size());
    if (fields.size() == 6 || fields.size() == 7) {
      why += "; a seconds field is not supported (the first field is the minute)";
    }
    return fail(why);
  } else {
    std::string why;
    if (!ParseCalendar(fields, &s, &why)) return fail(why);
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) s.expression_ += ' ';
      s.expression_ += fields[i];
    }
  }

  // The zone is checked for @every too: a misspelt zone is a mistake whatever the schedule.
  s.time_zone_name_ = time_zone.empty() ? "UTC" : std::string(time_zone);
  try {
    // "localtime" is the host's zone, not an IANA name: reject it like any other unknown name.
    if (s.time_zone_name_ != "localtime") s.time_zone_ = date::locate_zone(s.time_zone_name_);
  } catch (const std::exception&) {
    s.time_zone_ = nullptr;
  }
  if (s.time_zone_ == nullptr) {
    message = "schedule.timeZone '" + std::string(time_zone) + "': unknown IANA time zone " +
              std::string(kZoneExamples);
    try {
      std::string lower = Lower(time_zone);
      for (const date::time_zone& zone : date::get_tzdb().zones) {
        if (Lower(zone.name()) == lower && zone.name() != "localtime") {
          message += "; did you mean '" + std::string(zone.name()) + "'?";
          break;
        }
      }
    } catch (const std::exception&) {
      message += "; the time-zone database in /usr/share/zoneinfo could not be read";
    }
    return std::nullopt;
  }
  try {
    (void)s.time_zone_->get_info(date::sys_days{date::year{2000} / 1 / 1});  // loads the zone file
  } catch (const std::exception& e) {
    message = "schedule.timeZone '" + std::string(time_zone) + "': could not read the zone: " +
              e.what();
    return std::nullopt;
  }
  return s;
}

bool CronScheduleInternals::DayMatches(const CronSchedule& s, date::local_days day) {
  date::year_month_day ymd{day};
  if (!Has(s.months_, static_cast<int>(static_cast<unsigned>(ymd.month())))) return false;
  bool dom = Has(s.days_of_month_, static_cast<int>(static_cast<unsigned>(ymd.day())));
  bool dow = Has(s.days_of_week_, static_cast<int>(date::weekday{day}.c_encoding()));
  // Vixie cron: two restricted day fields are alternatives; an unrestricted one matches anyway.
  if (s.day_of_month_restricted_ && s.day_of_week_restricted_) return dom || dow;
  return dom && dow;
}

std::optional<minutes> CronScheduleInternals::FirstTimeOfDayAtOrAfter(const CronSchedule& s,
                                                                      minutes tod) {
  int hour = static_cast<int>(tod.count() / 60);
  int minute = static_cast<int>(tod.count() % 60);
  if (Has(s.hours_, hour)) {
    if (int m = NextBit(s.minutes_, minute); m >= 0) return minutes{hour * 60 + m};
  }
  if (int h = NextBit(s.hours_, hour + 1); h >= 0) {
    return minutes{h * 60 + NextBit(s.minutes_, 0)};
  }
  return std::nullopt;
}

std::optional<minutes> CronScheduleInternals::LastTimeOfDayAtOrBefore(const CronSchedule& s,
                                                                     minutes tod) {
  int hour = static_cast<int>(tod.count() / 60);
  int minute = static_cast<int>(tod.count() % 60);
  if (Has(s.hours_, hour)) {
    if (int m = PrevBit(s.minutes_, minute); m >= 0) return minutes{hour * 60 + m};
  }
  if (int h = PrevBit(s.hours_, hour - 1); h >= 0) {
    return minutes{h * 60 + PrevBit(s.minutes_, 59)};
  }
  return std::nullopt;
}

// The first matching wall-clock minute in [from, before).
std::optional<LocalMinutes> CronScheduleInternals::FirstMatch(const CronSchedule& s,
                                                              LocalMinutes from,
                                                              LocalMinutes before) {
  date::local_days day = date::floor<date::days>(from);
  minutes tod = from - day;
  while (day < before) {
    date::year_month_day ymd{day};
    if (!Has(s.months_, static_cast<int>(static_cast<unsigned>(ymd.month())))) {
      day = date::local_days{(ymd.year() / ymd.month() + date::months{1}) / 1};
      tod = minutes{0};
      continue;
    }
    if (DayMatches(s, day)) {
      if (std::optional<minutes> time = FirstTimeOfDayAtOrAfter(s, tod)) {
        LocalMinutes match = day + *time;
        if (match < before) return match;
        return std::nullopt;
      }
    }
    day += date::days{1};
    tod = minutes{0};
  }
  return std::nullopt;
}

// The last matching wall-clock minute in [not_before, at_or_before].
std::optional<LocalMinutes> CronScheduleInternals::LastMatch(const CronSchedule& s,
                                                             LocalMinutes at_or_before,
                                                             LocalMinutes not_before) {
  constexpr minutes kLastMinuteOfDay{24 * 60 - 1};
  date::local_days day = date::floor<date::days>(at_or_before);
  minutes tod = at_or_before - day;
  while (day + kLastMinuteOfDay >= not_before) {
    date::year_month_day ymd{day};
    if (!Has(s.months_, static_cast<int>(static_cast<unsigned>(ymd.month())))) {
      day = date::local_days{ymd.year() / ymd.month() / 1} - date::days{1};
      tod = kLastMinuteOfDay;
      continue;
    }
    if (DayMatches(s, day)) {
      if (std::optional<minutes> time = LastTimeOfDayAtOrBefore(s, tod)) {
        LocalMinutes match = day + *time;
        if (match >= not_before) return match;
        return std::nullopt;
      }
    }
    day -= date::days{1};
    tod = kLastMinuteOfDay;
  }
  return std::nullopt;
}

// The search walks the zone's periods of constant UTC offset (date::sys_info). Inside a period a
// wall-clock minute L runs at L - offset. At a period's start two rules apply:
//   - after a forward jump (gap), matching wall-clock times inside the gap run once, at the
//     period's first instant;
//   - after a backward jump (overlap), the repeated wall-clock times already ran in the previous
//     period; they run again only for schedules that run every hour (see the header).
SysTime CronScheduleInternals::Next(const CronSchedule& s, SysTime after) {
  if (!IsParsed(s) || after >= kLatest) return SysTime::max();
  after = std::max(after, kEarliest);
  if (s.is_interval()) return after + s.interval_;
  const SysTime horizon = after + kSearchHorizon;
  const date::time_zone& zone = *s.time_zone_;
  date::sys_info info = zone.get_info(date::floor<seconds>(after));
  while (true) {
    const seconds offset = info.offset;
    const seconds previous_offset = OffsetBefore(zone, info);
    if (previous_offset < offset && info.begin > after) {
      LocalMinutes gap_start = CeilMinute(ToLocal(info.begin, previous_offset));
      LocalMinutes gap_end = CeilMinute(ToLocal(info.begin, offset));
      if (FirstMatch(s, gap_start, gap_end)) return info.begin;
    }
    LocalMinutes from = std::max(FloorMinute(ToLocal(after, offset)) + minutes{1},
                                 CeilMinute(ToLocal(info.begin, offset)));
    if (previous_offset > offset && !RunsEveryHour(s)) {
      from = std::max(from, CeilMinute(ToLocal(info.begin, previous_offset)));
    }
    const SysTime period_end = std::min<SysTime>(info.end, horizon);
    const LocalMinutes period_end_local = CeilMinute(ToLocal(period_end, offset));
    if (std::optional<LocalMinutes> match = FirstMatch(s, from, period_end_local)) {
      return ToSys(*match, offset);
    }
    if (period_end >= horizon) return SysTime::max();  // not reached for a parsed schedule
    info = zone.get_info(info.end);
  }
}

// The last run in (after, now], or nullopt: Next() mirrored, walking the periods backwards.
std::optional<SysTime> CronScheduleInternals::Latest(const CronSchedule& s, SysTime now,
                                                     SysTime after) {
  if (!IsParsed(s)) return std::nullopt;
  now = std::min(now, kLatest);
  after = std::max(after, kEarliest);
  if (now <= after) return std::nullopt;
  if (s.is_interval()) {
    std::int64_t steps = (now - after) / s.interval_;
    if (steps == 0) return std::nullopt;
    return after + steps * s.interval_;
  }
  const date::time_zone& zone = *s.time_zone_;
  date::sys_info info = zone.get_info(date::floor<seconds>(now));
  while (true) {
    if (info.end <= after) return std::nullopt;
    const seconds offset = info.offset;
    const seconds previous_offset = OffsetBefore(zone, info);
    // Runs of this period: begin <= L - offset < end, after < L - offset <= now.
    LocalMinutes last = std::min(FloorMinute(ToLocal(now, offset)),
                                 CeilMinute(ToLocal(info.end, offset)) - minutes{1});
    LocalMinutes first = std::max(CeilMinute(ToLocal(info.begin, offset)),
                                  FloorMinute(ToLocal(after, offset)) + minutes{1});
    if (previous_offset > offset && !RunsEveryHour(s)) {
      first = std::max(first, CeilMinute(ToLocal(info.begin, previous_offset)));
    }
    if (first <= last) {
      if (std::optional<LocalMinutes> match = LastMatch(s, last, first)) {
        return ToSys(*match, offset);
      }
    }
    if (previous_offset < offset && info.begin <= now && info.begin > after) {
      LocalMinutes gap_start = CeilMinute(ToLocal(info.begin, previous_offset));
      LocalMinutes gap_end = CeilMinute(ToLocal(info.begin, offset));
      if (FirstMatch(s, gap_start, gap_end)) return info.begin;
    }
    if (info.begin <= after) return std::nullopt;
    info = zone.get_info(info.begin - seconds{1});
  }
}

std::optional<CronSchedule> ParseCronSchedule(std::string_view cron, std::string_view time_zone,
                                              std::string* error) {
  return CronScheduleInternals::Parse(cron, time_zone, error);
}

SysTime NextAfter(const CronSchedule& schedule, SysTime after) {
  return CronScheduleInternals::Next(schedule, after);
}

std::optional<DueRuns> DueBetween(const CronSchedule& schedule, SysTime after, SysTime now) {
  after = std::max(after, kEarliest);
  std::optional<SysTime> latest = CronScheduleInternals::Latest(schedule, now, after);
  if (!latest) return std::nullopt;
  DueRuns due{*latest, 0, false};
  if (schedule.is_interval()) {
    std::int64_t runs = (*latest - after) / schedule.interval();
    due.count = std::min(runs, kDueRunsCountCap);
    due.count_capped = runs > kDueRunsCountCap;
    return due;
  }
  // Count forwards; the latest run ends the walk, the cap bounds it.
  SysTime run = after;
  while (true) {
    run = NextAfter(schedule, run);
    ++due.count;
    if (run >= *latest) break;
    if (due.count == kDueRunsCountCap) {
      due.count_capped = true;
      break;
    }
  }
  return due;
}

std::string Describe(const CronSchedule& schedule) {
  if (schedule.expression().empty()) return "(no schedule)";
  if (schedule.is_interval()) return schedule.expression();
  return schedule.expression() + " in " + schedule.time_zone_name();
}

}  // namespace modelgate::controllers::pipeline
