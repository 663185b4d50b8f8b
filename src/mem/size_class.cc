// size_class.cc — which cache serves a size, and each cache's watermarks.
#include <algorithm>
#include <bit>

#include "ringb/mem.h"

namespace ringb::mem {
namespace {

// Unit sizes 1…192 in steps of 8 → class index: like kmalloc's table, but
// without an 8-byte class (the header alone takes 8) and with 96 and 192.
constexpr uint8_t kSmallClass[24] = {
    0, 0,              // 8, 16        → 16
    1, 1,              // 24, 32       → 32
    2, 2, 2, 2,        // 40 … 64      → 64
    3, 3, 3, 3,        // 72 … 96      → 96
    4, 4, 4, 4,        // 104 … 128    → 128
    5, 5, 5, 5, 5, 5, 5, 5,  // 136 … 192 → 192
};

}  // namespace

int size_class_index(size_t unit_size) {
  if (unit_size == 0 || unit_size > kMaxUnitSize) return -1;
  if (unit_size <= 192) return kSmallClass[(unit_size - 1) / 8];
  // 193…256 → 6, 257…512 → 7, …, 2049…4096 → 10. (The seed's fls(size-1)-1
  // was one class too big; the kernel later fixed it to -2.)
  return static_cast<int>(std::bit_width(unit_size - 1)) - 2;
}

// REFERENCE §1: up to 256 bytes low 32 / high 96; larger objects keep about
// the same number of bytes cached (low = 32·256/size, high = 96·256/size).
// With every class in use a cpu then holds about (low + high) / 2 objects of
// each: 64 × (16+32+64+96+128+192+256) + 32×512 + 16×1024 + 8×2048 + 4×4096
// = 115,712 bytes ≈ 113 KiB per cpu (the kernel's "~116 Kbyte").
Watermarks watermarks_for(size_t unit_size) {
  Watermarks wm;
  if (unit_size <= 256) {
    wm.low = 32;
    wm.high = 96;
  } else {
    wm.low = std::max(static_cast<int>(32 * 256 / unit_size), 1);
    wm.high = std::max(static_cast<int>(96 * 256 / unit_size), 3);
  }
  wm.batch = std::max((wm.high - wm.low) / 4 * 3, 1);
  wm.prefill = unit_size <= 256 ? 4 : 1;
  return wm;
}

}  // namespace ringb::mem
