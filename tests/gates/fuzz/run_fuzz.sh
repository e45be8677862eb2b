#!/usr/bin/env bash
# Short fuzz runs of the CSV reader and the slice filter parser (issue 3: "a libFuzzer target ...
# with a short run in CI"). With clang++ the targets are real libFuzzer binaries; without it they
# are linked to standalone_driver.cpp (deterministic mutations of the corpus). Both use ASan+UBSan.
#   tests/gates/fuzz/run_fuzz.sh [SECONDS_OR_RUNS]   (default: 30 s with libFuzzer, 20000 runs otherwise)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
here="$repo/tests/gates/fuzz"
out="${FUZZ_OUT:-$repo/build-fuzz}"
mkdir -p "$out"
sources=("$repo"/gates/common/*.cpp "$repo"/gates/io/*.cpp "$repo/gates/policy/slice_filter.cpp")
flags=(-std=c++20 -O1 -g -I"$repo" -D_TURN_OFF_PLATFORM_STRING -fsanitize=address,undefined
       -fno-sanitize=vptr -fno-sanitize-recover=undefined)
# gates/io/http_source.cpp (http(s) sources) links cpprestsdk and OpenSSL; vptr: see CMakeLists.txt.
libs=(-lcpprest -lssl -lcrypto -lz -pthread)
budget="${1:-}"
for target in csv_reader slice_filter; do
  corpus="$here/corpus/${target%%_*}"
  [ "$target" = slice_filter ] && corpus="$here/corpus/filter"
  if command -v clang++ > /dev/null; then
    clang++ "${flags[@]}" -fsanitize=fuzzer "$here/${target}_fuzz.cpp" "${sources[@]}" "${libs[@]}" -o "$out/${target}_fuzz"
    work="$out/${target}_corpus"
    mkdir -p "$work"
    "$out/${target}_fuzz" -max_total_time="${budget:-30}" "$work" "$corpus"
  else
    g++ "${flags[@]}" "$here/${target}_fuzz.cpp" "$here/standalone_driver.cpp" "${sources[@]}" "${libs[@]}" -o "$out/${target}_fuzz"
    "$out/${target}_fuzz" -runs="${budget:-20000}" "$corpus"
  fi
done
