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

// ---- around special fields -----------------------------------------------------
//
// copy_map_value(): a value's special fields (ValueHole, from the record, or
// just its bpf_spin_lock) are never written by copies into the map, and read
// back as zero (check_and_init_map_value). Fields are 4-aligned with sizes a
// multiple of 4, so a hole starts and ends on a half word: the bytes between
// holes are copied as whole words, with a 4-byte store for a half word at
// either end.

// The caller's bytes [off, min(off + 4, n)) as a half word, zero-padded.
inline uint32_t user_half(const void* src, size_t off, size_t n) {
  uint32_t h = 0;
  if (off < n) std::memcpy(&h, static_cast<const char*>(src) + off, n - off < 4 ? n - off : 4);
  return h;
}
inline std::atomic_ref<uint32_t> map_half(const void* map_mem, size_t off) {
  return std::atomic_ref<uint32_t>(
      *reinterpret_cast<uint32_t*>(const_cast<char*>(static_cast<const char*>(map_mem)) + off));
}

// map ← caller, bytes [a, b) of the value (both multiples of 4; b at most n
// rounded up to 8, whose padding is written as zero).
inline void copy_span_to_map(void* dst, const void* src, size_t n, size_t a, size_t b) {
  if (a >= b) return;
  if (a % 8) {
    map_half(dst, a).store(user_half(src, a, n), std::memory_order_release);
    a += 4;
  }
  for (; a + 8 <= b; a += 8) map_word(dst, a / 8).store(user_word(src, a / 8, n), std::memory_order_release);
  if (a < b) map_half(dst, a).store(user_half(src, a, n), std::memory_order_release);
}

// caller ← map, bytes [a, b) (multiples of 4), cut at n.
inline void copy_span_from_map(void* dst, const void* src, size_t n, size_t a, size_t b) {
  auto put = [&](size_t off, const void* bytes, size_t len) {
    if (off < n) std::memcpy(static_cast<char*>(dst) + off, bytes, n - off < len ? n - off : len);
  };
  if (a >= b) return;
  if (a % 8) {
    const uint32_t h = map_half(src, a).load(std::memory_order_acquire);
    put(a, &h, 4);
    a += 4;
  }
  for (; a + 8 <= b; a += 8) {
    const uint64_t w = map_word(src, a / 8).load(std::memory_order_acquire);
    put(a, &w, 8);
  }
  if (a < b) {
    const uint32_t h = map_half(src, a).load(std::memory_order_acquire);
    put(a, &h, 4);
  }
}

// map ← caller: n bytes of a value, skipping `holes` (sorted).
template <typename Holes>
inline void copy_value_to_map(void* dst, const void* src, size_t n, const Holes& holes) {
  const size_t end = (n + 7) & ~size_t{7};
  size_t pos = 0;
  for (const auto& h : holes) {
    if (h.off >= end) break;
    copy_span_to_map(dst, src, n, pos, h.off);
    pos = h.off + h.size;
  }
  copy_span_to_map(dst, src, n, pos, end);
}

// caller ← map: n bytes of a value, the holes zero.
template <typename Holes>
inline void copy_value_from_map(void* dst, const void* src, size_t n, const Holes& holes) {
  const size_t end = (n + 7) & ~size_t{7};
  size_t pos = 0;
  for (const auto& h : holes) {
    if (h.off >= end) break;
    copy_span_from_map(dst, src, n, pos, h.off);
    if (h.off < n) std::memset(static_cast<char*>(dst) + h.off, 0, n - h.off < h.size ? n - h.off : h.size);
    pos = h.off + h.size;
  }
  copy_span_from_map(dst, src, n, pos, end);
}

// zero_map_value(): n bytes of a value zeroed, but for `holes`.
template <typename Holes>
inline void zero_value_in_map(void* dst, size_t n, const Holes& holes) {
  auto zero_span = [&](size_t a, size_t b) {
    if (a >= b) return;
    if (a % 8) {
      map_half(dst, a).store(0, std::memory_order_release);
      a += 4;
    }
    for (; a + 8 <= b; a += 8) map_word(dst, a / 8).store(0, std::memory_order_release);
    if (a < b) map_half(dst, a).store(0, std::memory_order_release);
  };
  const size_t end = (n + 7) & ~size_t{7};
  size_t pos = 0;
  for (const auto& h : holes) {
    if (h.off >= end) break;
    zero_span(pos, h.off);
    pos = h.off + h.size;
  }
  zero_span(pos, end);
}

// A value whose only special field is its bpf_spin_lock (4 bytes at
// lock_off; none when negative).
struct LockHole {
  uint32_t off, size;
};
inline void copy_value_to_map(void* dst, const void* src, size_t n, int32_t lock_off) {
  if (lock_off < 0) return copy_to_map(dst, src, n);
  const LockHole hole[1] = {{static_cast<uint32_t>(lock_off), 4}};
  copy_value_to_map(dst, src, n, hole);
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
