#!/usr/bin/env bash
# Short fuzz runs of the CSV reader, its two-part split (differential: same events as one reader)
# and the slice filter parser (issue 3: "a libFuzzer target ...
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
# The library sources are compiled once (two at a time) and linked into every target.
if command -v clang++ > /dev/null; then
  cxx=clang++; object_flags=(-fsanitize=fuzzer-no-link); target_flags=(-fsanitize=fuzzer); driver=()
else
  cxx=g++; object_flags=(); target_flags=(); driver=("$here/standalone_driver.cpp")
fi
objects="$out/objects-$cxx"
rm -rf "$objects" && mkdir -p "$objects"
export cxx objects
printf '%s\n' "${sources[@]}" | xargs -P 2 -I{} sh -c \
  'src="$1"; shift; "$cxx" "$@" -c "$src" -o "$objects/$(echo "$src" | tr / _).o"' _ {} "${flags[@]}" "${object_flags[@]}"
for target in csv_reader csv_split slice_filter; do
  corpus="$here/corpus/${target%%_*}"
  [ "$target" = slice_filter ] && corpus="$here/corpus/filter"
  "$cxx" "${flags[@]}" "${target_flags[@]}" "$here/${target}_fuzz.cpp" "${driver[@]}" "$objects"/*.o \
    "${libs[@]}" -o "$out/${target}_fuzz"
  if [ "$cxx" = clang++ ]; then
    work="$out/${target}_corpus"
    mkdir -p "$work"
    "$out/${target}_fuzz" -max_total_time="${budget:-30}" -artifact_prefix="$out/${target}-" "$work" "$corpus"
  else
    "$out/${target}_fuzz" -runs="${budget:-20000}" "$corpus"
  fi
done
