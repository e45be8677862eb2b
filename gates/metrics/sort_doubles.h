// Ascending sort of finite doubles, the hot spot of exact AUC/AP on millions of rows.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace modelgate::gates {

// Sorts `values` ascending. Large inputs use an LSD radix sort on the IEEE-754 bit pattern mapped
// to an order-preserving unsigned key (flip all bits of negatives, the sign bit of positives), six
// passes of 11 bits, skipping a pass where all keys share the digit; small ones use std::sort. -0.0
// sorts before +0.0 (they compare equal, so tie handling by == is unaffected). NaN must not occur
// (the readers reject NaN scores).
void SortDoubles(std::vector<double>& values);

// The permutation that sorts `values` ascending (stable), by the same radix sort carrying row
// indices. For mid-ranks of millions of values.
std::vector<uint32_t> SortedOrder(std::span<const double> values);

}  // namespace modelgate::gates
