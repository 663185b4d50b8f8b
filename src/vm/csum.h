// csum.h — the Internet checksum arithmetic of the kernel's
// include/net/checksum.h, on raw (memory-order) values: ones'-complement
// sums do not depend on byte order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringb::vm::csum {

inline uint32_t add(uint32_t a, uint32_t b) {  // csum_add
  const uint32_t r = a + b;
  return r + (r < b);
}
inline uint32_t sub(uint32_t a, uint32_t b) { return add(a, ~b); }  // csum_sub
inline uint16_t fold(uint32_t s) {  // csum_fold: the complemented 16-bit sum
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}
inline uint16_t from32to16(uint32_t s) {  // csum_from32to16: folded, not complemented
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}
inline uint16_t add16(uint16_t a, uint16_t b) {  // csum16_add
  const uint16_t r = static_cast<uint16_t>(a + b);
  return static_cast<uint16_t>(r + (r < b));
}
inline uint16_t sub16(uint16_t a, uint16_t b) { return add16(a, static_cast<uint16_t>(~b)); }

// csum_partial: the 32-bit ones'-complement sum of n bytes plus seed, as
// little-endian 32-bit words; a last partial word is zero-padded (x86-64's
// csum_partial loads its tail the same way).
inline uint32_t partial(const void* p, size_t n, uint32_t seed) {
  uint64_t s = seed;
  const auto* b = static_cast<const uint8_t*>(p);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t w;
    std::memcpy(&w, b + i, 4);
    s += w;
  }
  if (i < n) {
    uint32_t w = 0;
    std::memcpy(&w, b + i, n - i);
    s += w;
  }
  while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
  return static_cast<uint32_t>(s);
}

// csum_replace_by_diff, csum_replace2, csum_replace4 on a 16-bit field.
inline void replace_by_diff(uint16_t* sum, uint32_t diff) {
  *sum = fold(add(diff, ~static_cast<uint32_t>(*sum)));
}
inline void replace2(uint16_t* sum, uint16_t from, uint16_t to) {
  *sum = static_cast<uint16_t>(~add16(sub16(static_cast<uint16_t>(~*sum), from), to));
}
inline void replace4(uint16_t* sum, uint32_t from, uint32_t to) {
  const uint32_t tmp = sub(~static_cast<uint32_t>(*sum), from);
  *sum = fold(add(tmp, to));
}

}  // namespace ringb::vm::csum
