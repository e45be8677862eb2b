#include "gates/metrics/sort_doubles.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace modelgate::gates {
namespace {

constexpr size_t kRadixThreshold = 1 << 14;

uint64_t Key(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return (bits & (uint64_t{1} << 63)) ? ~bits : bits | (uint64_t{1} << 63);
}

double FromKey(uint64_t key) {
  uint64_t bits = (key & (uint64_t{1} << 63)) ? key & ~(uint64_t{1} << 63) : ~key;
  double v;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

// Counts the 16-bit digit of every key at `shift` and turns `count` into each digit's first output
// slot (exclusive prefix sums). Returns false when all keys share that digit, so the pass can be
// skipped (common for the high bits of scores in [0,1]).
bool PrepareRadixPass(const std::vector<uint64_t>& keys, int shift, std::vector<size_t>& count) {
  std::fill(count.begin(), count.end(), 0);
  for (uint64_t k : keys) ++count[(k >> shift) & 0xFFFF];
  if (count[(keys[0] >> shift) & 0xFFFF] == keys.size()) return false;
  size_t sum = 0;
  for (auto& c : count) {
    size_t n = c;
    c = sum;
    sum += n;
  }
  return true;
}

}  // namespace

void SortDoubles(std::vector<double>& values) {
  if (values.size() < kRadixThreshold) {
    std::sort(values.begin(), values.end());
    return;
  }
  std::vector<uint64_t> keys(values.size()), scratch(values.size());
  for (size_t i = 0; i < values.size(); ++i) keys[i] = Key(values[i]);
  std::vector<size_t> count(1 << 16);
  for (int shift = 0; shift < 64; shift += 16) {
    if (!PrepareRadixPass(keys, shift, count)) continue;
    for (uint64_t k : keys) scratch[count[(k >> shift) & 0xFFFF]++] = k;
    keys.swap(scratch);
  }
  for (size_t i = 0; i < values.size(); ++i) values[i] = FromKey(keys[i]);
}

std::vector<uint32_t> SortedOrder(std::span<const double> values) {
  std::vector<uint32_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  if (values.size() < kRadixThreshold) {
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
    return order;
  }
  std::vector<uint64_t> keys(values.size()), key_scratch(values.size());
  std::vector<uint32_t> order_scratch(values.size());
  for (size_t i = 0; i < values.size(); ++i) keys[i] = Key(values[i]);
  std::vector<size_t> count(1 << 16);
  for (int shift = 0; shift < 64; shift += 16) {
    if (!PrepareRadixPass(keys, shift, count)) continue;
    for (size_t i = 0; i < keys.size(); ++i) {
      size_t to = count[(keys[i] >> shift) & 0xFFFF]++;
      key_scratch[to] = keys[i];
      order_scratch[to] = order[i];
    }
    keys.swap(key_scratch);
    order.swap(order_scratch);
  }
  return order;
}

}  // namespace modelgate::gates
