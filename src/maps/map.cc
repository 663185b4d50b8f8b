// map.cc — Map::create (the checks BPF_MAP_CREATE makes for every type, then
// the type's own factory), the host-side commands' generic part (permissions,
// key and value pointers, the cpu slot and RCU section they run in), and the
// defaults for operations a map type does not have.
//
// Host commands mirror kernel/bpf/syscall.c: a map created BPF_F_RDONLY (or
// frozen) refuses writes with -EPERM, one created BPF_F_WRONLY refuses reads;
// a map without keys (queue, stack) takes a null key and rejects any other
// (-EINVAL); a missing key or value buffer is -EFAULT. Before all that, the
// buffers' sizes must be the map's (libbpf's validate_map_op()): -EINVAL.
#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "flags.h"
#include "map_types.h"
#include "value_fields.h"
#include "ringb/cpu.h"
#include "ringb/objects.h"
#include "ringb/rcu.h"
#include "value_copy.h"

namespace ringb::maps {

static_assert(kAny == BPF_ANY && kNoExist == BPF_NOEXIST && kExist == BPF_EXIST && kFLock == BPF_F_LOCK);
static_assert(kFNoPrealloc == BPF_F_NO_PREALLOC && kFNoCommonLru == BPF_F_NO_COMMON_LRU &&
              kFNumaNode == BPF_F_NUMA_NODE && kFRdonly == BPF_F_RDONLY && kFWronly == BPF_F_WRONLY &&
              kFZeroSeed == BPF_F_ZERO_SEED && kFRdonlyProg == BPF_F_RDONLY_PROG &&
              kFWronlyProg == BPF_F_WRONLY_PROG && kFMmapable == BPF_F_MMAPABLE &&
              kFPreserveElems == BPF_F_PRESERVE_ELEMS && kFInnerMap == BPF_F_INNER_MAP);
static_assert(static_cast<uint32_t>(MapType::Queue) == BPF_MAP_TYPE_QUEUE &&
              static_cast<uint32_t>(MapType::PercpuArray) == BPF_MAP_TYPE_PERCPU_ARRAY);

namespace {

// Where the host commands run: a cpu slot (as the syscall runs on some cpu
// with migration disabled where it matters) and an RCU read-side section.
class HostScope {
 public:
  HostScope() {
    if (guard_.cpu() >= 0) rcu_.emplace();
  }
  int cpu() const { return guard_.cpu(); }  // -1: a signal handler caught its thread between slots

 private:
  cpu::CpuGuard guard_;
  std::optional<rcu::ReadGuard> rcu_;
};

// The last map type of the kernel ringb follows (BPF_MAP_TYPE_ARENA, 33; the
// system's UAPI header may be older).
constexpr uint32_t kLastMapType = 33;
bool is_known_type(uint32_t type) { return type > 0 && type <= kLastMapType; }

// The type's own factory (its *_map_alloc_check, then the map).
detail::MapResult create_of_type(const MapDef& def, const Options& options) {
  switch (static_cast<MapType>(def.type)) {
    case MapType::Array: return detail::create_array_map(def, options);
    case MapType::PercpuArray: return detail::create_percpu_array_map(def, options);
    case MapType::Hash: return detail::create_hash_map(def, options);
    case MapType::PercpuHash: return detail::create_percpu_hash_map(def, options);
    case MapType::Queue: return detail::create_queue_map(def, options);
    case MapType::Stack: return detail::create_stack_map(def, options);
    case MapType::ProgArray: return detail::create_prog_array_map(def, options);
    case MapType::ArrayOfMaps: return detail::create_array_of_maps(def, options);
    case MapType::HashOfMaps: return detail::create_hash_of_maps(def, options);
    case MapType::LruHash: return detail::create_lru_hash_map(def, options);
    case MapType::LruPercpuHash: return detail::create_lru_percpu_hash_map(def, options);
    case MapType::BloomFilter: return detail::create_bloom_filter_map(def, options);
    case MapType::LpmTrie: return detail::create_lpm_trie_map(def, options);
    case MapType::RingBuf:
    case MapType::UserRingBuf: return detail::create_ringbuf_map(def, options);
    default: break;
  }
  // SK_STORAGE, TASK_STORAGE, CGRP_STORAGE (not in MapType yet)
  if (def.type == 24 || def.type == 29 || def.type == 32) return detail::create_local_storage_map(def, options);
  if (def.type == 15 || def.type == 18 || def.type == 20)  // SOCKMAP, SOCKHASH, REUSEPORT_SOCKARRAY
    return detail::create_sock_map(def, options);
  if (def.type == 14 || def.type == 25) return detail::create_dev_map(def, options);   // DEVMAP, DEVMAP_HASH
  if (def.type == 16) return detail::create_cpu_map(def, options);                     // CPUMAP
  if (def.type == 17) return detail::create_xsk_map(def, options);                     // XSKMAP
  if (def.type == 19 || def.type == 21) return detail::create_cgroup_storage_map(def, options);  // (PERCPU_)CGROUP_STORAGE
  if (!is_known_type(def.type))
    return detail::einval("unknown map type " + std::to_string(def.type));
  const std::string name = map_type_name(def.type);
  return detail::einval("map type " + (name == "unknown" ? std::to_string(def.type) : name) +
                        " is not supported yet");
}

}  // namespace

Expected<std::unique_ptr<Map>> Map::create(const MapDef& def, const Options& options) {
  // map_create(): map_extra only for bloom filters and arenas; access flags
  // must agree (bpf_get_file_flag).
  if (def.map_extra != 0 && def.type != static_cast<uint32_t>(MapType::BloomFilter))
    return detail::einval("map_extra must be 0 for a " + std::string(map_type_name(def.type)) +
                          " map");
  if (!detail::access_flags_ok(def.map_flags))
    return detail::einval("map_flags ask for both read-only and write-only access");
  auto map = create_of_type(def, options);
  if (!map) return map;
  // map_check_btf() runs on the built map, as in the kernel.
  if (Status s = detail::check_value_fields(def); !s) return s.error();
  return map;
}

Map::Map(const MapDef& def) : def_(def), value_size_for_host_(def.value_size) {
  if (def.type == static_cast<uint32_t>(MapType::PercpuArray) ||
      def.type == static_cast<uint32_t>(MapType::PercpuHash) ||
      def.type == static_cast<uint32_t>(MapType::LruPercpuHash) || def.type == 21 /* PERCPU_CGROUP_STORAGE */)
    value_size_for_host_ = detail::round_up8(def.value_size) * cpu::nr_cpus();
  if (def.spin_lock_off >= 0 && uint64_t(def.spin_lock_off) + 4 <= def.value_size)
    holes_.push_back({static_cast<uint32_t>(def.spin_lock_off), 4});
}

void Map::set_record(const obj::Record* record) {
  record_ = record;
  if (!record) return;
  holes_.clear();
  for (const Field& f : record->fields.fields)
    if (uint64_t{f.offset} + f.size <= def_.value_size) holes_.push_back({f.offset, f.size});
  std::sort(holes_.begin(), holes_.end(), [](ValueHole a, ValueHole b) { return a.off < b.off; });
  if (def_.spin_lock_off < 0) def_.spin_lock_off = record->fields.spin_lock_off;
  frees_fields_ = record->fields.has_any(kAnyKptr | kGraphRoot | FieldKind::Timer | FieldKind::Workqueue |
                                         FieldKind::TaskWork | FieldKind::Uptr);
}

void Map::copy_locked(void* dst, const void* src) const {
  char* lock = static_cast<char*>(dst) + def_.spin_lock_off;
  value_lock(lock);
  detail::copy_value_to_map(dst, src, def_.value_size, holes_);
  value_unlock(lock);
}

Map::~Map() = default;

// ---- program side: what a type without the operation does ------------------

void* Map::lookup_elem(const void*) { return nullptr; }
long Map::update_elem(const void*, const void*, uint64_t) { return -EINVAL; }
long Map::delete_elem(const void*) { return -EINVAL; }
long Map::push_elem(const void*, uint64_t) { return -EINVAL; }
long Map::pop_elem(void*) { return -EINVAL; }
long Map::peek_elem(void*) { return -EINVAL; }
void* Map::direct_value_addr() { return nullptr; }
void* Map::lookup_percpu_elem(const void*, uint32_t) { return nullptr; }
long Map::for_each_elem(ElemCallback, void*) { return -kENOTSUPP; }

long Map::do_host_lookup_and_delete(const void*, void*, uint64_t, int) { return -kENOTSUPP; }
const ProgRef* Map::prog_at(uint32_t) const { return nullptr; }
void Map::clear_progs() {}
bool Map::claim_prog_type(uint32_t, const void* const*) { return true; }
long Map::do_set_prog(uint32_t, const ProgRef&) { return -EINVAL; }
const MapDef* Map::inner_meta() const { return nullptr; }
void Map::host_write_done() {}

// ---- host side ------------------------------------------------------------------

namespace {

// check_and_init_map_value(): a value copied out to the host shows its
// special fields (its bpf_spin_lock, kptrs, heads, ...) as 0, every cpu's
// copy of a per-cpu value too. (The copies already skip them.)
void clear_special_fields_of(const MapDef& def, const std::vector<ValueHole>& holes, void* value,
                             size_t host_size) {
  const size_t stride = host_size == def.value_size ? host_size : detail::round_up8(def.value_size);
  for (size_t at = 0; at + def.value_size <= host_size; at += stride)
    for (const ValueHole& h : holes) std::memset(static_cast<char*>(value) + at + h.off, 0, h.size);
}

// __bpf_copy_key(): a map without keys takes none; a map with keys needs one.
long check_key(const MapDef& def, const void* key) {
  if (def.key_size == 0) return key ? -EINVAL : 0;
  return key ? 0 : -EFAULT;
}

}  // namespace

// validate_map_op(): the key's size is the map's; the value's is the map's,
// or for per-cpu maps round_up(value_size, 8) per cpu.
bool Map::sizes_ok(size_t key_size, size_t value_size) const {
  return key_size == def_.key_size && value_size == value_size_for_host_;
}

void Map::clear_special_fields(void* value_out) const {
  clear_special_fields_of(def_, holes_, value_out, value_size_for_host_);
}

long Map::host_lookup(const void* key, size_t key_size, void* value_out, size_t value_size) {
  if (!sizes_ok(key_size, value_size)) return -EINVAL;
  if (def_.map_flags & kFWronly) return -EPERM;
  if (long err = check_key(def_, key)) return err;
  if (!value_out) return -EFAULT;
  HostScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  const long err = do_host_lookup(key, value_out, scope.cpu());
  if (!err) clear_special_fields(value_out);
  return err;
}

long Map::host_update(const void* key, size_t key_size, const void* value, size_t value_size,
                      uint64_t flags) {
  if (!sizes_ok(key_size, value_size)) return -EINVAL;
  if ((def_.map_flags & kFRdonly) || frozen_.load(std::memory_order_acquire)) return -EPERM;
  if ((flags & kFLock) && def_.spin_lock_off < 0) return -EINVAL;  // no bpf_spin_lock to copy under
  if (long err = check_key(def_, key)) return err;
  if (!value) return -EFAULT;
  long err;
  {
    HostScope scope;
    if (scope.cpu() < 0) return -EBUSY;
    err = do_host_update(key, value, flags, scope.cpu());
  }
  host_write_done();
  return err;
}

long Map::host_set_prog(uint32_t index, const ProgRef& prog) {
  if ((def_.map_flags & kFRdonly) || frozen_.load(std::memory_order_acquire)) return -EPERM;
  if (!prog.prog) return -EINVAL;
  HostScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  return do_set_prog(index, prog);
}

long Map::host_delete(const void* key, size_t key_size) {
  if (key_size != def_.key_size) return -EINVAL;
  if ((def_.map_flags & kFRdonly) || frozen_.load(std::memory_order_acquire)) return -EPERM;
  if (long err = check_key(def_, key)) return err;
  long err;
  {
    HostScope scope;
    if (scope.cpu() < 0) return -EBUSY;
    err = do_host_delete(key, scope.cpu());
  }
  host_write_done();
  return err;
}

long Map::host_get_next_key(const void* key, void* next_key, size_t key_size) {
  if (key_size != def_.key_size) return -EINVAL;
  if (def_.map_flags & kFWronly) return -EPERM;
  if (key && def_.key_size == 0) return -EINVAL;
  if (!next_key && def_.key_size) return -EFAULT;
  HostScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  return do_host_get_next_key(key, next_key);
}

long Map::host_lookup_and_delete(const void* key, size_t key_size, void* value_out, size_t value_size,
                                 uint64_t flags) {
  if (!sizes_ok(key_size, value_size)) return -EINVAL;
  const bool keyless = def_.key_size == 0;  // queue, stack
  if (keyless && flags) return -EINVAL;
  if ((def_.map_flags & (kFRdonly | kFWronly)) || frozen_.load(std::memory_order_acquire))
    return -EPERM;  // needs read and write access
  if (long err = check_key(def_, key)) return err;
  if (!value_out) return -EFAULT;
  HostScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  const long err = do_host_lookup_and_delete(key, value_out, flags, scope.cpu());
  if (!err) clear_special_fields(value_out);
  return err;
}

// A frozen map has lost write access, so freezing it again is -EPERM too.
long Map::host_freeze() {
  if (def_.map_flags & kFRdonly) return -EPERM;
  bool expected = false;
  return frozen_.compare_exchange_strong(expected, true, std::memory_order_acq_rel) ? 0 : -EPERM;
}

}  // namespace ringb::maps
