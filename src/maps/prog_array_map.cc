// prog_array_map.cc — BPF_MAP_TYPE_PROG_ARRAY: the slots bpf_tail_call()
// jumps through (the kernel's prog_array_map_ops in arraymap.c, an "fd
// array").
//
// Each slot is a pointer to an Entry (a ProgRef), null when empty. Tail calls
// read it with one acquire load and no lock; host writers take a mutex,
// exchange the pointer and retire the old Entry. A program that loaded the
// old pointer may still be running it, so the Entry — and with it the
// owner reference that keeps the program alive — goes only after a grace
// period of both RCU domains a program run may be in (tasks-trace for
// sleepable programs, then plain RCU), as the kernel puts a replaced
// program with call_rcu. Keeping every replaced program until the map dies
// would be simpler, but a host that flips a slot in a loop would then grow
// the map without bound.
//
// Kernel behaviour mirrored (checked against Linux 6.18): key and value are
// 4 bytes; map_flags only BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY; update
// flags other than BPF_ANY are -EINVAL (every slot "exists" and none is
// created); an index past the end is -E2BIG for update and delete and
// -ENOENT for lookup; lookup returns the program's id, -ENOENT for an empty
// slot; delete empties a slot, -ENOENT when it was empty. The first program
// stored fixes the array's program type; a program of another type is
// -EINVAL from then on, even after the slot is emptied. Programs cannot look
// a prog array up (the verifier refuses; lookup_elem returns nullptr).
#include <cstring>
#include <mutex>

#include "area.h"
#include "flags.h"
#include "map_types.h"
#include "ringb/rcu.h"

namespace ringb::maps::detail {
namespace {

struct Entry : rcu::Head {
  explicit Entry(const ProgRef& r) : ref(r) {}
  ProgRef ref;
};

void free_entry(rcu::Head* h) { delete static_cast<Entry*>(h); }
void after_tasks_trace(rcu::Head* h) { rcu::call(rcu::Domain::Rcu, h, free_entry); }

// Frees `e` once no program run can still see it.
void retire(Entry* e) {
  if (e) rcu::call(rcu::Domain::TasksTrace, e, after_tasks_trace);
}

class ProgArrayMap final : public Map {
 public:
  explicit ProgArrayMap(const MapDef& def, ProgResolver resolver)
      : Map(def), resolver_(std::move(resolver)) {}

  // No program or host call runs any more (Map's contract): free at once.
  // (No slots when init() failed to get them.)
  ~ProgArrayMap() override {
    if (!area_.data()) return;
    for (uint32_t i = 0; i < def_.max_entries; ++i) delete slots()[i];
  }

  Status init(const Options& options) {
    auto area = Area::alloc(uint64_t{def_.max_entries} * sizeof(Entry*), options.cgroup, "prog array slots");
    if (!area) return area.error();
    area_ = std::move(area.value());
    return {};
  }

  const ProgRef* prog_at(uint32_t index) const override {
    if (index >= def_.max_entries) return nullptr;
    const Entry* e = __atomic_load_n(&slots()[index], __ATOMIC_ACQUIRE);
    return e ? &e->ref : nullptr;
  }

  bool claim_prog_type(uint32_t type, const void* const* cgroup_storage) override {
    std::lock_guard<std::mutex> lock(mu_);
    return claim_locked(type, cgroup_storage);
  }

  void clear_progs() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint32_t i = 0; i < def_.max_entries; ++i)
      retire(__atomic_exchange_n(&slots()[i], nullptr, __ATOMIC_ACQ_REL));
  }

  Stats stats() const override {
    Stats s;
    s.elements = def_.max_entries;
    s.memory_bytes = area_.size();
    s.prealloc = true;
    return s;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    const ProgRef* p = prog_at(index_of(key));
    if (!p) return -ENOENT;
    std::memcpy(value_out, &p->id, sizeof p->id);
    return 0;
  }

  // bpf_fd_array_map_update_elem(): flags, index, then the program.
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    if (flags != kAny) return -EINVAL;
    const uint32_t index = index_of(key);
    if (index >= def_.max_entries) return -E2BIG;
    uint32_t id;
    std::memcpy(&id, value, sizeof id);
    if (!resolver_) return -EBADF;
    auto prog = resolver_(id);
    if (!prog) return -prog.error().code;
    return store(index, *prog);
  }

  long do_set_prog(uint32_t index, const ProgRef& prog) override {
    if (index >= def_.max_entries) return -E2BIG;
    return store(index, prog);
  }

  long do_host_delete(const void* key, int) override {
    const uint32_t index = index_of(key);
    if (index >= def_.max_entries) return -E2BIG;
    std::lock_guard<std::mutex> lock(mu_);
    Entry* old = __atomic_exchange_n(&slots()[index], nullptr, __ATOMIC_ACQ_REL);
    if (!old) return -ENOENT;
    retire(old);
    return 0;
  }

  // array_map_get_next_key(): no key or past the end → 0; the last → -ENOENT.
  long do_host_get_next_key(const void* key, void* next_key) override {
    const uint32_t index = key ? index_of(key) : def_.max_entries;
    if (index + 1 == def_.max_entries) return -ENOENT;
    const uint32_t next = index >= def_.max_entries ? 0 : index + 1;
    std::memcpy(next_key, &next, sizeof next);
    return 0;
  }

 private:
  Entry** slots() const { return reinterpret_cast<Entry**>(area_.data()); }
  static uint32_t index_of(const void* key) {
    uint32_t i;
    std::memcpy(&i, key, sizeof i);
    return i;
  }

  // bpf_prog_map_compatible(): the first program fixes the type for good.
  // __bpf_prog_map_compatible(): the owner's storage "cookies" are the
  // first program's, none included; a later program's must be the same or none.
  bool claim_locked(uint32_t type, const void* const* storage) {
    if (!has_owner_) {
      has_owner_ = true;
      owner_type_ = type;
      for (int i = 0; i < 2; ++i) owner_storage_[i] = storage ? storage[i] : nullptr;
      return true;
    }
    if (type != owner_type_) return false;
    for (int i = 0; i < 2; ++i)
      if (storage && storage[i] && storage[i] != owner_storage_[i]) return false;
    return true;
  }

  long store(uint32_t index, const ProgRef& prog) {
    if (!prog.prog) return -EINVAL;
    std::lock_guard<std::mutex> lock(mu_);
    if (!claim_locked(prog.type, prog.cgroup_storage)) return -EINVAL;
    retire(__atomic_exchange_n(&slots()[index], new Entry(prog), __ATOMIC_ACQ_REL));
    return 0;
  }

  ProgResolver resolver_;
  Area area_;
  std::mutex mu_;  // writers; readers take no lock
  bool has_owner_ = false;
  uint32_t owner_type_ = 0;
  const void* owner_storage_[2] = {nullptr, nullptr};
};

// fd_array_map_alloc_check() and array_map_alloc_check(), as the kernel
// answers them for a prog array.
Status check_def(const MapDef& def) {
  if (def.key_size != 4 || def.value_size != 4 || def.max_entries == 0)
    return einval("a prog_array map needs key_size 4, value_size 4 (a program id) and max_entries above 0 (got " +
                  std::to_string(def.key_size) + ", " + std::to_string(def.value_size) + ", " +
                  std::to_string(def.max_entries) + ")");
  const uint32_t allowed = kFNumaNode | kFRdonly | kFWronly;
  if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, "prog_array");
  return {};
}

}  // namespace

MapResult create_prog_array_map(const MapDef& def, const Options& options) {
  if (Status s = check_def(def); !s) return s.error();
  auto map = std::make_unique<ProgArrayMap>(def, options.prog_resolver);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
