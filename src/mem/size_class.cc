// size_class.cc — which cache serves a size, and each cache's watermarks.
#include <algorithm>

#include "ringb/mem.h"

namespace ringb::mem {
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
