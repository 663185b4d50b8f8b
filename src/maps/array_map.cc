// array_map.cc — BPF_MAP_TYPE_ARRAY, and the parts every array shares
// (array_map.h). Global data (.data, .rodata, .bss) are one-element arrays
// with initial contents, reachable from programs directly
// (direct_value_addr).
//
// Concurrency: values are written in place by programs and the host alike,
// with no lock (as in the kernel); copies are a word at a time
// (value_copy.h), so concurrent readers may see a value half updated but
// never a torn 8-byte word.
#include <cstring>

#include "array_map.h"
#include "cpu_scope.h"
#include "flags.h"
#include "map_types.h"
#include "ringb/cpu.h"
#include "ringb/objects.h"
#include "value_copy.h"

namespace ringb::maps::detail {

// ---- ArrayBase ------------------------------------------------------------------

ArrayBase::ArrayBase(const MapDef& def, bool) : Map(def) {
  elem_size_ = static_cast<uint32_t>(round_up8(def.value_size));
}

Status ArrayBase::check_def(const MapDef& def, bool percpu) {
  const char* type = percpu ? "percpu_array" : "array";
  const uint32_t allowed = kFNumaNode | kAccessMask | (percpu ? 0 : kFMmapable | kFInnerMap);
  if (def.max_entries == 0 || def.key_size != 4 || def.value_size == 0)
    return einval(std::string("an ") + type + " map needs key_size 4 and value_size, max_entries above 0 (got " +
                  std::to_string(def.key_size) + ", " + std::to_string(def.value_size) + ", " +
                  std::to_string(def.max_entries) + ")");
  if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, type);
  if (percpu && (def.map_flags & kFNumaNode))
    return einval("a per-cpu array cannot be placed on a NUMA node");
  if (def.value_size > INT32_MAX) return e2big("value_size is at most 2^31 - 1");
  if (percpu && round_up8(def.value_size) > kPcpuMinUnitSize)
    return e2big("a per-cpu value is at most " + std::to_string(kPcpuMinUnitSize) + " bytes");
  if (def.global_data && def.initial_value.size() > def.value_size)
    return einval("initial value of " + std::to_string(def.initial_value.size()) +
                  " bytes does not fit value_size " + std::to_string(def.value_size));
  return {};
}

Status ArrayBase::init(uint64_t slots, const Options& options) {
  auto area = Area::alloc(slots * elem_size_, options.cgroup, "array values");
  if (!area) return area.error();
  area_ = std::move(area.value());
  slots_ = slots;
  set_record(options.record);
  // Zero is every special field's fresh state but a refcount's (touching
  // every value would page in the whole area for nothing otherwise).
  if (record_ && record_->fields.refcount_off >= 0)
    for (uint64_t i = 0; i < slots_; ++i) obj::init_fields(*record_, slot(i));
  return {};
}

void ArrayBase::free_old_fields(char* value) const {
  if (frees_fields()) obj::free_fields(*record_, value);
}

ArrayBase::~ArrayBase() {
  if (!frees_fields()) return;
  cpu::CpuGuard cpu;  // drops free memory to this slot's caches, as under migrate_disable()
  for (uint64_t i = 0; i < slots_; ++i) obj::free_fields(*record_, slot(i));
}

int64_t ArrayBase::index_of(const void* key) const {
  uint32_t index;
  std::memcpy(&index, key, sizeof index);
  return index < def_.max_entries ? int64_t{index} : -1;
}

// array_map_update_elem()'s checks, in its order.
long ArrayBase::check_update(int64_t index, uint64_t flags) const {
  if ((flags & ~kFLock) > kExist) return -EINVAL;
  if (index < 0) return -E2BIG;  // all elements already exist
  if (flags & kNoExist) return -EEXIST;
  if ((flags & kFLock) && def_.spin_lock_off < 0) return -EINVAL;  // no bpf_spin_lock in the value
  return 0;
}

// array_map_get_next_key(): past the end (or no key) → 0; the last → -ENOENT.
long ArrayBase::do_host_get_next_key(const void* key, void* next_key) {
  uint32_t index = def_.max_entries;
  if (key) std::memcpy(&index, key, sizeof index);
  uint32_t next;
  if (index >= def_.max_entries)
    next = 0;
  else if (index == def_.max_entries - 1)
    return -ENOENT;
  else
    next = index + 1;
  std::memcpy(next_key, &next, sizeof next);
  return 0;
}

Stats ArrayBase::stats() const {
  Stats s;
  s.elements = def_.max_entries;
  s.memory_bytes = area_.size();
  s.prealloc = true;
  return s;
}

// ---- ArrayMap -------------------------------------------------------------------

namespace {

class ArrayMap final : public ArrayBase {
 public:
  explicit ArrayMap(const MapDef& def) : ArrayBase(def, false) {}

  Status init(const Options& options) {
    if (Status s = ArrayBase::init(def_.max_entries, options); !s) return s;
    if (def_.global_data && !def_.initial_value.empty())
      copy_to_map(slot(0), def_.initial_value.data(), def_.initial_value.size());
    return {};
  }

  void* lookup_elem(const void* key) override {
    const int64_t i = index_of(key);
    return i < 0 ? nullptr : slot(static_cast<uint64_t>(i));
  }

  long update_elem(const void* key, const void* value, uint64_t flags) override {
    const int64_t i = index_of(key);
    if (long err = check_update(i, flags)) return err;
    char* val = slot(static_cast<uint64_t>(i));
    if (flags & kFLock)
      copy_locked(val, value);
    else
      copy_value_to_map(val, value, def_.value_size, holes_);
    free_old_fields(val);
    return 0;
  }

  // delete_elem: the default -EINVAL (array elements cannot be deleted).

  long for_each_elem(ElemCallback fn, void* ctx) override {
    long calls = 0;
    for (uint32_t i = 0; i < def_.max_entries; ++i) {
      ++calls;
      if (fn(&i, slot(i), ctx)) break;
    }
    return calls;
  }

  // array_map_direct_value_addr(): only for a single-element array.
  void* direct_value_addr() override { return def_.max_entries == 1 ? slot(0) : nullptr; }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    const int64_t i = index_of(key);
    if (i < 0) return -ENOENT;
    copy_value_from_map(value_out, slot(static_cast<uint64_t>(i)), def_.value_size, holes_);
    return 0;
  }
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    return update_elem(key, value, flags);
  }
};

}  // namespace

MapResult create_array_map(const MapDef& def, const Options& options) {
  if (Status s = ArrayBase::check_def(def, false); !s) return s.error();
  auto map = std::make_unique<ArrayMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
