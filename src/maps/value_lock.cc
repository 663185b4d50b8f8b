// value_lock.cc — BPF_F_LOCK: copying a map value under its bpf_spin_lock.
#include <cstring>

#include "ringb/maps.h"

namespace ringb::maps {

void copy_value_locked(const MapDef& def, void* dst, const void* src) {
  const auto off = static_cast<size_t>(def.spin_lock_off);
  auto* d = static_cast<char*>(dst);
  const auto* s = static_cast<const char*>(src);
  value_lock(d + off);
  std::memcpy(d, s, off);
  std::memcpy(d + off + 4, s + off + 4, def.value_size - off - 4);
  value_unlock(d + off);
}

}  // namespace ringb::maps
