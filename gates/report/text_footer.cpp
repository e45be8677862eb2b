#include "gates/report/text_footer.h"

namespace modelgate::gates {

void AppendFindingsAndNotes(std::ostream& out, const std::vector<std::string>& findings,
                            const std::vector<std::string>& notes) {
  if (!findings.empty()) {
    out << "\nFindings:\n";
    for (const auto& f : findings) out << "  - " << f << "\n";
  }
  if (!notes.empty()) {
    out << "\nNotes:\n";
    for (const auto& n : notes) out << "  - " << n << "\n";
  }
}

}  // namespace modelgate::gates
