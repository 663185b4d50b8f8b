// ringb/maps.h — BPF maps with the kernel's semantics: ARRAY, PERCPU_ARRAY,
// HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, QUEUE, STACK, BLOOM_FILTER,
// PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS, and the rest src/maps/README.md
// lists (local storage, cgroup storage: ringb/cgroup_storage.h, sockmaps, ...).
//
// A Map has two faces, as in the kernel:
//
//   program side   lookup_elem/update_elem/delete_elem/push/pop/peek — what the
//                  helpers call (the kernel's map_ops). The caller is a program
//                  run: it holds a cpu slot (cpu::CpuGuard) and sits inside an
//                  RCU read-side section (rcu::Domain::Rcu). A pointer returned
//                  by lookup_elem stays valid until that section ends. Any
//                  number of threads may call at once.
//                  A program run from a signal handler (the user-space NMI)
//                  holds its slot with cpu::Context::Interrupt.
//   host side      host_* — the bpf() syscall analogues (BPF_MAP_LOOKUP_ELEM,
//                  _UPDATE_ELEM, _DELETE_ELEM, _GET_NEXT_KEY,
//                  _LOOKUP_AND_DELETE_ELEM, _FREEZE). Callable from any thread
//                  (not from a signal handler); they take a cpu slot and an RCU
//                  section themselves. Values are copied; for per-cpu maps the
//                  buffer holds every cpu's copy, round_up(value_size, 8) bytes
//                  apart (value_size_for_host()). Like libbpf's
//                  bpf_map__lookup_elem(map, key, key_sz, value, value_sz,
//                  flags), every call takes the sizes of the buffers it is
//                  given and is -EINVAL when they are not the map's.
//
// Every call returns 0 or a negative errno, the kernel's for the same call
// (-EEXIST, -ENOENT, -E2BIG, -EINVAL, -EPERM, -ENOMEM, kENOTSUPP, ...). Map
// creation validates a MapDef as BPF_MAP_CREATE does.
//
// How each type is built: src/maps/README.md, and the comment at the top of
// each file there.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "ringb/error.h"
#include "ringb/object.h"

namespace ringb::mem {
class MemCgroup;
}
namespace ringb::obj {
struct Record;  // ringb/objects.h
void spin_lock(void* lock);
void spin_unlock(void* lock);
}  // namespace ringb::obj

namespace ringb::maps {

// struct bpf_spin_lock: a 4-byte word in a map value or object, 0 when free.
// bpf_spin_lock()/bpf_spin_unlock() and BPF_F_LOCK copies all use these: the
// object runtime's lock (obj::spin_lock), which also guards a value's lists
// and trees when their fields are freed.
inline void value_lock(void* lock) { obj::spin_lock(lock); }
inline void value_unlock(void* lock) { obj::spin_unlock(lock); }
// copy_map_value_locked(): copies a value into `dst` under dst's lock, every
// byte but the lock's own (for a value whose only special field is the lock;
// maps with an Options::record skip every special field).
void copy_value_locked(const MapDef& def, void* dst, const void* src);

// The bytes of one special field of a value: copies in and out skip them,
// host reads show them as zero (the kernel's btf_field_offs).
struct ValueHole {
  uint32_t off = 0, size = 0;
};

// UAPI values (include/uapi/linux/bpf.h), so callers need not include it.
// Update flags:
inline constexpr uint64_t kAny = 0;      // BPF_ANY: create or replace
inline constexpr uint64_t kNoExist = 1;  // BPF_NOEXIST: create only
inline constexpr uint64_t kExist = 2;    // BPF_EXIST: replace only (queue/stack: overwrite when full)
inline constexpr uint64_t kFLock = 4;    // BPF_F_LOCK
// map_flags:
inline constexpr uint32_t kFNoPrealloc = 1u << 0;
inline constexpr uint32_t kFNoCommonLru = 1u << 1;
inline constexpr uint32_t kFNumaNode = 1u << 2;
inline constexpr uint32_t kFRdonly = 1u << 3;  // host side may not write
inline constexpr uint32_t kFWronly = 1u << 4;  // host side may not read
inline constexpr uint32_t kFZeroSeed = 1u << 6;
inline constexpr uint32_t kFRdonlyProg = 1u << 7;
inline constexpr uint32_t kFWronlyProg = 1u << 8;
inline constexpr uint32_t kFMmapable = 1u << 10;
inline constexpr uint32_t kFPreserveElems = 1u << 11;
inline constexpr uint32_t kFInnerMap = 1u << 12;
// The kernel-internal "operation not supported" errno user space sees (524).
inline constexpr long kENOTSUPP = 524;

// A program as a PROG_ARRAY holds it. The maps layer sits below the vm, so
// the program is opaque here (the api layer puts a vm::Executable in it).
struct ProgRef {
  const void* prog = nullptr;         // what a tail call jumps to
  uint32_t type = 0;                  // enum bpf_prog_type
  uint32_t id = 0;                    // the program's id: what host lookups return
  std::shared_ptr<const void> owner;  // keeps `prog` and everything it uses alive
  // The cgroup storage maps its code uses, by type (ringb/cgroup_storage.h):
  // a tail call runs with its caller's storages, so a prog array's programs
  // must not use others (bpf_prog_map_compatible's storage cookies).
  const void* cgroup_storage[2] = {nullptr, nullptr};
};
// Turns a program id — the value host_update() writes into a prog array,
// where the kernel takes a program fd — into the program; -EBADF when no
// program has that id.
using ProgResolver = std::function<Expected<ProgRef>(uint32_t id)>;

class Map;

// A map as a map of maps (ARRAY_OF_MAPS, HASH_OF_MAPS) holds it: the
// kernel's inner map reference.
struct MapRef {
  Map* map = nullptr;                 // what a program's lookup in the outer map returns
  uint32_t id = 0;                    // the map's id: what host lookups in the outer map return
  std::shared_ptr<const void> owner;  // keeps `map` alive
};
// Turns a map id — the value host_update() writes into a map of maps, where
// the kernel takes a map fd — into the map; -EBADF when no map has that id.
// The last reference to `owner` is dropped on a host thread outside any RCU
// read-side section (after the grace periods that retire it), so an owner
// may destroy the map there.
using MapResolver = std::function<Expected<MapRef>(uint32_t id)>;

struct Options {
  mem::MemCgroup* cgroup = nullptr;  // charged for all map memory; must outlive the map
  bool force_dyn_alloc = false;      // sysctl kernel.bpf_force_dyn_alloc: hash maps never preallocate
  ProgResolver prog_resolver;        // prog arrays: program ids for host_update (none: -EBADF)
  MapResolver map_resolver;          // maps of maps: map ids for host_update (none: -EBADF)
  // The value's special fields, bound (obj::TypeSet::bind), for arrays and
  // hash maps; owned by whoever loads the object and must outlive the map.
  // With one, copies in and out skip every special field (host reads see
  // them as 0), fresh values get obj::init_fields, and a value that is
  // deleted, overwritten or destroyed with the map has its fields freed
  // (obj::free_fields: kptrs released, lists and trees dropped), as the
  // kernel does. Null: only MapDef::spin_lock_off is special.
  const obj::Record* record = nullptr;
};

// bpf_map_meta_equal() and the array's map_meta_equal: may `inner` go into a
// map of maps whose template is `meta` (Map::inner_meta())? Same type, key
// and value size, map_flags (BPF_F_RDONLY/WRONLY aside: the kernel does not
// keep them in the map) and special fields; a plain array also the same
// max_entries, unless the template has BPF_F_INNER_MAP. EINVAL naming the
// first difference.
Status check_inner_map(const MapDef& meta, const MapDef& inner);

// A snapshot for tests and benchmarks; read racily while the map is in use.
struct Stats {
  uint64_t elements = 0;      // hash: live elements (exact when no update runs);
                              // queue/stack: values held; arrays: max_entries
  size_t memory_bytes = 0;    // the map's own areas plus what its allocators hold
  bool prealloc = false;      // hash: elements preallocated
  bool percpu_counter = false;  // hash: element count is a per-cpu counter
  uint64_t nodes_in_use = 0;  // LRU hash: elements taken from the allocator, not given back
};

class Map {
 public:
  // BPF_MAP_CREATE. EINVAL for bad sizes, flags or types (with a sentence
  // saying which), E2BIG where the kernel says so, ENOMEM when memory (or the
  // cgroup's limit) does not allow the map. Global-data maps (def.global_data)
  // start with def.initial_value, zero-filled after it.
  static Expected<std::unique_ptr<Map>> create(const MapDef& def, const Options& options = {});

  // Frees everything, elements included. No program or host call may be
  // running, and it must not run inside an RCU read-side section.
  virtual ~Map();
  Map(const Map&) = delete;
  Map& operator=(const Map&) = delete;

  // The definition as created (force_dyn_alloc adds kFNoPrealloc, as the
  // kernel does).
  const MapDef& def() const { return def_; }

  // ---- program side: the helpers ------------------------------------------
  // Pointer to the value (per-cpu maps: this cpu's copy), or nullptr.
  virtual void* lookup_elem(const void* key);
  // flags kAny/kNoExist/kExist (| kFLock for a value with a bpf_spin_lock).
  // Hash maps replace a value by swapping in a new element, so a lookup finds
  // the old or the new value; the old element is reused at once, as in the
  // kernel, so a program still reading it may see a later update's key and
  // value, word by word (host copies retry and are never torn). Arrays and
  // per-cpu values are written in place, as in the kernel.
  virtual long update_elem(const void* key, const void* value, uint64_t flags);
  virtual long delete_elem(const void* key);
  // Queue and stack; other types return -EINVAL (the verifier's domain).
  virtual long push_elem(const void* value, uint64_t flags);
  virtual long pop_elem(void* value);   // empty: value zero-filled, -ENOENT
  virtual long peek_elem(void* value);
  // BPF_PSEUDO_MAP_VALUE: the value of a one-element array (global data);
  // nullptr for every other map.
  virtual void* direct_value_addr();
  // bpf_map_lookup_percpu_elem(): cpu `cpu`'s copy in a per-cpu map, nullptr
  // for other maps, missing keys and cpus past nr_cpus().
  virtual void* lookup_percpu_elem(const void* key, uint32_t cpu);
  // bpf_for_each_map_elem(): calls fn(key, value, ctx) for each element (this
  // cpu's copy for per-cpu maps) until it returns nonzero; returns the number
  // of calls, or kENOTSUPP for map types that cannot be walked this way yet.
  using ElemCallback = long (*)(const void* key, void* value, void* ctx);
  virtual long for_each_elem(ElemCallback fn, void* ctx);

  // ---- prog arrays (BPF_MAP_TYPE_PROG_ARRAY) ------------------------------
  // The program in slot `index` for bpf_tail_call(), or nullptr (empty slot,
  // index past the end, not a prog array). Lock-free; the ProgRef stays valid
  // until the caller's RCU read-side section ends.
  virtual const ProgRef* prog_at(uint32_t index) const;
  // Host: puts `prog` into slot `index`, as host_update() with its id does
  // (same checks and errnos), without going through the resolver.
  long host_set_prog(uint32_t index, const ProgRef& prog);
  // A program that uses this prog array is being loaded: the first one (or
  // the first program stored) fixes the array's program type and cgroup
  // storage maps (ProgRef::cgroup_storage, two entries); false when
  // `prog_type` differs from it, or the program uses a storage map of a type
  // other than the owner's of that type (a program using none is fine:
  // bpf_prog_map_compatible()). Other maps: true.
  virtual bool claim_prog_type(uint32_t prog_type, const void* const* cgroup_storage);
  // Host: empties every slot, as the kernel does when the last user-space
  // reference to a prog array goes (which breaks program ↔ map cycles);
  // devmaps and cpumaps drop the entries that hold programs.
  virtual void clear_progs();

  // ---- maps of maps (ARRAY_OF_MAPS, HASH_OF_MAPS) --------------------------
  // A program's lookup_elem() returns the inner map itself (a Map*, which
  // the program then passes to the map helpers), or nullptr; it stays valid
  // until the caller's RCU read-side section ends. Programs cannot update or
  // delete (the verifier refuses: -EINVAL here). The host stores a map by
  // its id with host_update() (through Options::map_resolver), host_lookup()
  // returns the id, host_delete() empties the slot. After a successful
  // update or delete, host_update() and host_delete() wait for an RCU grace
  // period before they return (the kernel's maybe_wait_bpf_programs(): no
  // program still sees the old contents), and when they took a map out also
  // for the tasks-trace domain, and only then drop its reference: a replaced
  // or removed inner map stays alive until no program can still use it. So
  // they must not be called inside a read-side section.
  //
  // The inner map template as created (the kernel's inner_map_meta); nullptr
  // for other maps.
  virtual const MapDef* inner_meta() const;

  // ---- host side: the bpf() commands ---------------------------------------
  // key_size must be def().key_size (0 for queue/stack, whose key is null)
  // and value_size value_size_for_host(), else -EINVAL before anything else
  // is checked (as libbpf checks before the syscall); then the kernel's
  // checks and errnos.
  long host_lookup(const void* key, size_t key_size, void* value_out,
                   size_t value_size);  // queue/stack: peeks
  long host_update(const void* key, size_t key_size, const void* value, size_t value_size,
                   uint64_t flags);  // queue/stack: pushes
  long host_delete(const void* key, size_t key_size);
  // Null or missing key → the first key; the last key → -ENOENT. key_size
  // is the size of both keys.
  long host_get_next_key(const void* key, void* next_key, size_t key_size);
  // Hash maps; queue/stack with a null key and flags 0 (pops); else kENOTSUPP.
  long host_lookup_and_delete(const void* key, size_t key_size, void* value_out, size_t value_size,
                              uint64_t flags = 0);
  // BPF_MAP_FREEZE: no more host writes (-EPERM); -EPERM when frozen already.
  long host_freeze();

  size_t value_size_for_host() const { return value_size_for_host_; }
  virtual Stats stats() const = 0;

 protected:
  explicit Map(const MapDef& def);

  // Options::record (types call it from their init, before any value is
  // made): the holes become the record's fields, and a record's spin lock
  // is the one BPF_F_LOCK uses.
  void set_record(const obj::Record* record);
  // The value's fields need freeing when it goes (kptrs, lists, trees, ...).
  bool frees_fields() const { return frees_fields_; }
  // BPF_F_LOCK into map memory: every byte but the holes, under dst's lock.
  void copy_locked(void* dst, const void* src) const;

  // Host commands after the generic checks (permissions, key and value
  // pointers), on a thread holding cpu slot `cpu` inside an RCU section.
  virtual long do_host_lookup(const void* key, void* value_out, int cpu) = 0;
  virtual long do_host_update(const void* key, const void* value, uint64_t flags, int cpu) = 0;
  virtual long do_host_delete(const void* key, int cpu) = 0;
  virtual long do_host_get_next_key(const void* key, void* next_key) = 0;
  virtual long do_host_lookup_and_delete(const void* key, void* value_out, uint64_t flags, int cpu);
  virtual long do_set_prog(uint32_t index, const ProgRef& prog);  // prog arrays; else -EINVAL
  // Called by host_update() and host_delete() after do_host_update() /
  // do_host_delete(), on the same thread, once it has left its cpu slot and
  // RCU section: maps of maps release the inner maps they took out here.
  virtual void host_write_done();

  MapDef def_;
  const obj::Record* record_ = nullptr;
  std::vector<ValueHole> holes_;  // sorted; the spin lock alone without a record

 private:
  void clear_special_fields(void* value_out) const;
  bool sizes_ok(size_t key_size, size_t value_size) const;
  size_t value_size_for_host_;
  bool frees_fields_ = false;
  std::atomic<bool> frozen_{false};
};

}  // namespace ringb::maps
