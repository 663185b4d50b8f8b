// htab_hash.h — the hash of a key (the kernel uses jhash with a random seed).
// Eight bytes at a time, each word mixed in with a 64-bit finalizer
// (xor-shift-multiply); the tail is zero-padded and the length is part of the
// seed. Good spread for integer and structured keys at a few cycles per word.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringb::maps::detail {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

inline uint32_t htab_hash(const void* key, size_t len, uint32_t seed) {
  const char* p = static_cast<const char*>(key);
  uint64_t h = (uint64_t{seed} << 32 | seed) ^ (len * 0x9e3779b97f4a7c15ULL);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  if (i < len) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, len - i);
    h = mix64(h ^ w);
  }
  h = mix64(h);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

}  // namespace ringb::maps::detail
