#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "version") == 0) {
    std::printf("modelgate %s\n", MODELGATE_VERSION);
    return 0;
  }
  std::fprintf(stderr, "usage: modelgate version\n");
  return 2;
}
