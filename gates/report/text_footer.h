// The footer every gate's text report ends with: the findings (why the gate blocked) and the notes
// (what a reader should know, e.g. approximations), one "  - " line each; nothing when both are empty.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace modelgate::gates {

void AppendFindingsAndNotes(std::ostream& out, const std::vector<std::string>& findings,
                            const std::vector<std::string>& notes);

}  // namespace modelgate::gates
