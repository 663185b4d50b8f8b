// value_lock.cc — BPF_F_LOCK: copying a map value under its bpf_spin_lock
// (copy_map_value_locked) when the lock is the value's only special field
// (maps with a record use Map::copy_locked). Callers pass map memory
// (8-aligned, padded), so the copy is the word-at-a-time one of
// value_copy.h, around the lock's 4 bytes.
#include "ringb/maps.h"
#include "value_copy.h"

namespace ringb::maps {

void copy_value_locked(const MapDef& def, void* dst, const void* src) {
  char* lock = static_cast<char*>(dst) + def.spin_lock_off;
  value_lock(lock);
  detail::copy_value_to_map(dst, src, def.value_size, def.spin_lock_off);
  value_unlock(lock);
}

}  // namespace ringb::maps
