// The `modelgate gate ...` and `modelgate profile ...` command line (contract fixed by issue 3):
//   modelgate gate data --policy P --data D [--baseline B] [--serving S]
//   modelgate gate training --policy P --log L [--champion-report R]
//   modelgate gate evaluate --policy P --data D [--champion-report R]
//   modelgate profile --data D
// each with --output text|json (default text) and --report FILE (always JSON).
// Exit status: 0 passed, 1 failed (blocked: failed, inconclusive unless allowed, champion
// retained), 2 input or usage error with a message naming the file, field or line.
#pragma once

#include <ostream>

namespace modelgate::gates {

// argv[0] is the subcommand word ("gate" or "profile"); argv[1..] its arguments. Writes the
// report or table to `out` and diagnostics to `err`; returns the exit status. Never throws.
int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace modelgate::gates
