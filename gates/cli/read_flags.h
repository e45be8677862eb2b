// Data-reading flags shared by the commands (--format, --delimiter, --max-rows, --max-bytes,
// --http-timeout).
#pragma once

#include "gates/cli/cli_args.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

Result<ReadOptions> ReadOptionsFromFlags(const CliArgs& args);

}  // namespace modelgate::gates
