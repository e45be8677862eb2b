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

// LSD radix sort on 11-bit digits (six passes cover 64 bits): the counts of one pass fit in L1 and
// its 2048 output streams stay cache-friendly, where 16-bit digits scatter over 65536 streams. The
// histograms of all six digits are taken in one read of the keys.
constexpr int kDigitBits = 11;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;
constexpr size_t kBuckets = size_t{1} << kDigitBits;

size_t Digit(uint64_t key, int pass) { return (key >> (pass * kDigitBits)) & (kBuckets - 1); }

std::vector<size_t> CountDigits(const std::vector<uint64_t>& keys) {
  std::vector<size_t> counts(kBuckets * kPasses);
  for (uint64_t k : keys) {
    for (int p = 0; p < kPasses; ++p) ++counts[p * kBuckets + Digit(k, p)];
  }
  return counts;
}

// Turns pass `pass`'s counts into each digit's first output slot (exclusive prefix sums). False
// when all keys share that digit, so the pass can be skipped (common for the high bits).
bool PreparePass(std::vector<size_t>& counts, int pass, uint64_t any_key, size_t n) {
  size_t* count = counts.data() + pass * kBuckets;
  if (count[Digit(any_key, pass)] == n) return false;
  size_t sum = 0;
  for (size_t d = 0; d < kBuckets; ++d) {
    size_t c = count[d];
    count[d] = sum;
    sum += c;
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
  std::vector<size_t> counts = CountDigits(keys);
  for (int pass = 0; pass < kPasses; ++pass) {
    if (!PreparePass(counts, pass, keys[0], keys.size())) continue;
    size_t* count = counts.data() + pass * kBuckets;
    for (uint64_t k : keys) scratch[count[Digit(k, pass)]++] = k;
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
  std::vector<size_t> counts = CountDigits(keys);
  for (int pass = 0; pass < kPasses; ++pass) {
    if (!PreparePass(counts, pass, keys[0], keys.size())) continue;
    size_t* count = counts.data() + pass * kBuckets;
    for (size_t i = 0; i < keys.size(); ++i) {
      size_t to = count[Digit(keys[i], pass)]++;
      key_scratch[to] = keys[i];
      order_scratch[to] = order[i];
    }
    keys.swap(key_scratch);
    order.swap(order_scratch);
  }
  return order;
}

}  // namespace modelgate::gates
