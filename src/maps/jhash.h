// jhash.h — Bob Jenkins' lookup3 hash (public domain, 2006), the function
// the kernel calls jhash() (bytes) and jhash2() (32-bit words), written here
// from its published description: three 32-bit registers start at
// 0xdeadbeef + length + seed, take 12 bytes at a time through mix(), and the
// last 1..12 bytes (zero-padded) through final(). The bloom filter
// (bloom_filter_map.cc) uses it so that its bits match the kernel's when the
// seed is zero (BPF_F_ZERO_SEED). Bytes are read as a little-endian cpu
// reads them, as the kernel's jhash() does on x86-64.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringb::maps::detail {

inline constexpr uint32_t kJhashInitval = 0xdeadbeef;

inline void jhash_mix(uint32_t& a, uint32_t& b, uint32_t& c) {
  a -= c; a ^= std::rotl(c, 4);  c += b;
  b -= a; b ^= std::rotl(a, 6);  a += c;
  c -= b; c ^= std::rotl(b, 8);  b += a;
  a -= c; a ^= std::rotl(c, 16); c += b;
  b -= a; b ^= std::rotl(a, 19); a += c;
  c -= b; c ^= std::rotl(b, 4);  b += a;
}

inline void jhash_final(uint32_t& a, uint32_t& b, uint32_t& c) {
  c ^= b; c -= std::rotl(b, 14);
  a ^= c; a -= std::rotl(c, 11);
  b ^= a; b -= std::rotl(a, 25);
  c ^= b; c -= std::rotl(b, 16);
  a ^= c; a -= std::rotl(c, 4);
  b ^= a; b -= std::rotl(a, 14);
  c ^= b; c -= std::rotl(b, 24);
}

// jhash(): `length` bytes.
inline uint32_t jhash(const void* key, uint32_t length, uint32_t seed) {
  const auto* k = static_cast<const uint8_t*>(key);
  uint32_t a, b, c;
  a = b = c = kJhashInitval + length + seed;
  auto word = [](const uint8_t* p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  };
  while (length > 12) {
    a += word(k);
    b += word(k + 4);
    c += word(k + 8);
    jhash_mix(a, b, c);
    length -= 12;
    k += 12;
  }
  if (length == 0) return c;
  uint8_t tail[12] = {};
  std::memcpy(tail, k, length);
  a += word(tail);
  b += word(tail + 4);
  c += word(tail + 8);
  jhash_final(a, b, c);
  return c;
}

// jhash2(): `length` 32-bit words (read unaligned).
inline uint32_t jhash2(const void* key, uint32_t length, uint32_t seed) {
  const auto* p = static_cast<const uint8_t*>(key);
  auto k = [&](uint32_t i) {
    uint32_t w;
    std::memcpy(&w, p + 4 * i, 4);
    return w;
  };
  uint32_t a, b, c;
  a = b = c = kJhashInitval + (length << 2) + seed;
  while (length > 3) {
    a += k(0);
    b += k(1);
    c += k(2);
    jhash_mix(a, b, c);
    length -= 3;
    p += 12;
  }
  switch (length) {
    case 3: c += k(2); [[fallthrough]];
    case 2: b += k(1); [[fallthrough]];
    case 1:
      a += k(0);
      jhash_final(a, b, c);
      break;
    default: break;
  }
  return c;
}

}  // namespace ringb::maps::detail
