// value_copy.h — copying keys and values into and out of map memory (the
// kernel's copy_map_value and memcmp on keys).
//
// Map memory is read by lock-free readers while writers change it: values
// updated in place (arrays, per-cpu values), and hash elements that are
// recycled while a reader still looks at them. The kernel tolerates those
// races; in C++ they must be atomic accesses to be defined (and for TSan to
// stay quiet). So map memory is read and written one aligned 8-byte word at a
// time with atomics — plain moves on x86-64. A reader may see a value half
// old and half new (as in the kernel), but each 8-byte word is whole.
//
// Stores are release and loads acquire (still plain moves on x86-64): then a
// sequence count around a copy (htab_elem.h) needs no fence — a reader that
// sees any word of a rewrite also sees the count the writer bumped before it.
//
// Map-side regions are 8-aligned and padded to a multiple of 8 bytes; the
// padding of a key is kept zero so that keys compare a word at a time. The
// caller's buffers may have any alignment and exactly `n` bytes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringb::maps::detail {

inline std::atomic_ref<uint64_t> map_word(const void* map_mem, size_t i) {
  return std::atomic_ref<uint64_t>(const_cast<uint64_t*>(static_cast<const uint64_t*>(map_mem))[i]);
}

// Loads the caller's bytes [8i, min(8i + 8, n)) as one word, zero-padded.
inline uint64_t user_word(const void* src, size_t i, size_t n) {
  uint64_t w = 0;
  const size_t off = i * 8;
  std::memcpy(&w, static_cast<const char*>(src) + off, n - off < 8 ? n - off : 8);
  return w;
}

// map ← caller: n bytes, the last word's padding zeroed.
inline void copy_to_map(void* dst, const void* src, size_t n) {
  for (size_t i = 0; i * 8 < n; ++i) map_word(dst, i).store(user_word(src, i, n), std::memory_order_release);
}

// copy_map_value(): map ← caller, leaving the value's bpf_spin_lock (4 bytes
// at lock_off; none when negative) untouched, as the kernel copies around
// special fields. The lock is 4-aligned, so it is one half of an 8-byte word;
// the other half is stored on its own.
inline void copy_value_to_map(void* dst, const void* src, size_t n, int32_t lock_off) {
  if (lock_off < 0) return copy_to_map(dst, src, n);
  const size_t lock_word = static_cast<size_t>(lock_off) / 8;
  for (size_t i = 0; i * 8 < n; ++i) {
    if (i != lock_word) {
      map_word(dst, i).store(user_word(src, i, n), std::memory_order_release);
      continue;
    }
    const size_t other = i * 8 + (lock_off % 8 == 0 ? 4 : 0);  // the half that is not the lock
    uint32_t half = 0;
    if (other < n) std::memcpy(&half, static_cast<const char*>(src) + other, n - other < 4 ? n - other : 4);
    std::atomic_ref<uint32_t>(reinterpret_cast<uint32_t*>(static_cast<char*>(dst) + other)[0])
        .store(half, std::memory_order_release);
  }
}

// A fresh value's bpf_spin_lock starts unlocked.
inline void init_value_lock(void* dst, int32_t lock_off) {
  if (lock_off >= 0)
    std::atomic_ref<uint32_t>(reinterpret_cast<uint32_t*>(static_cast<char*>(dst) + lock_off)[0])
        .store(0, std::memory_order_release);
}

// caller ← map: n bytes.
inline void copy_from_map(void* dst, const void* src, size_t n) {
  for (size_t i = 0; i * 8 < n; ++i) {
    const uint64_t w = map_word(src, i).load(std::memory_order_acquire);
    std::memcpy(static_cast<char*>(dst) + i * 8, &w, n - i * 8 < 8 ? n - i * 8 : 8);
  }
}

// map → map, whole words (n a multiple of 8).
inline void copy_map_words(void* dst, const void* src, size_t n) {
  for (size_t i = 0; i < n / 8; ++i)
    map_word(dst, i).store(map_word(src, i).load(std::memory_order_acquire), std::memory_order_release);
}

inline void zero_map_words(void* dst, size_t n) {
  for (size_t i = 0; i < n / 8; ++i) map_word(dst, i).store(0, std::memory_order_release);
}

// The map-side key (zero-padded) equals the caller's n-byte key.
inline bool map_key_equal(const void* map_key, const void* key, size_t n) {
  for (size_t i = 0; i * 8 < n; ++i)
    if (map_word(map_key, i).load(std::memory_order_acquire) != user_word(key, i, n)) return false;
  return true;
}

}  // namespace ringb::maps::detail
