#include "operator/kube/file_util.h"

#include <fstream>
#include <sstream>

namespace modelgate::kube {

std::optional<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace modelgate::kube
