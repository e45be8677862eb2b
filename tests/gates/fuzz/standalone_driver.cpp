// A stand-in for libFuzzer where clang is not installed: feeds the target the seed corpus, then
// random mutations of it (byte flips, inserts of CSV/filter metacharacters, truncations) for a
// fixed number of iterations. Deterministic (fixed seed). Built with ASan/UBSan by run_fuzz.sh.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::string> corpus = {"", "a,b\n1,2\n", "x == 'a' and (y < 3 or z is null)"};
  long iterations = 20000;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("-runs=", 0) == 0) {
      iterations = std::atol(arg.c_str() + 6);
    } else if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream buffer;
        buffer << in.rdbuf();
        corpus.push_back(buffer.str());
      }
    }
  }
  const std::string alphabet = "\"',;\t\r\n ()[]=<>!andornotisnull0123456789.-e`\xEF\xBB\xBF";
  std::mt19937_64 rng(12345);
  for (const auto& seed : corpus) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
  for (long n = 0; n < iterations; ++n) {
    std::string input = corpus[rng() % corpus.size()];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = input.empty() ? 0 : rng() % (input.size() + 1);
      switch (rng() % 4) {
        case 0: input.insert(input.begin() + static_cast<long>(at), alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < input.size()) input[at] = static_cast<char>(rng() % 256); break;
        case 2: if (at < input.size()) input.erase(at, 1 + rng() % 4); break;
        default: input.insert(at, input.substr(0, rng() % (input.size() + 1))); break;
      }
    }
    if (input.size() > 4096) input.resize(4096);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
  std::cout << "ran " << iterations << " mutated inputs without a crash\n";
  return 0;
}
