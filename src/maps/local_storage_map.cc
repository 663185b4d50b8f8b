// local_storage_map.cc — BPF_MAP_TYPE_SK_STORAGE (24), TASK_STORAGE (29) and
// CGRP_STORAGE (32): a value per owner (ringb/local_storage.h).
//
// The kernel hangs each value off its owner (sk->sk_bpf_storage…); ringb's
// owners are the host's records, so the map keeps its own table of owner →
// value: 4096 slots of open addressing, found lock-free (an owner's slot,
// once taken, keeps its owner until deleted; a deleted slot becomes a
// tombstone), written under one CpuSpinLock. Values come from the map's
// bpf_mem_alloc and go back after a grace period when deleted. A value lives
// until deleted or the map goes (the kernel also frees it with its owner:
// ringb does not yet, so a removed socket's value stays until then).
//
// Creation as bpf_local_storage_map_alloc_check: map_flags exactly
// BPF_F_NO_PREALLOC (sk storage may add BPF_F_CLONE), max_entries 0, key_size
// 4 (the owner's fd), value_size 1 up to 65535 - 48 (BPF_LOCAL_STORAGE_MAX_VALUE_SIZE
// on x86-64): EINVAL, E2BIG for larger values. The host side addresses
// values by fd in the kernel; ringb has no fds for its owners, so host
// commands return -EOPNOTSUPP.
#include <atomic>
#include <cerrno>
#include <cstring>

#include "cpu_scope.h"
#include "cpu_spinlock.h"
#include "flags.h"
#include "map_types.h"
#include "ringb/local_storage.h"
#include "ringb/mem.h"

namespace ringb::maps::detail {
namespace {

constexpr size_t kSlots = 4096;
constexpr uint64_t kTombstone = 1;
constexpr uint32_t kFClone = 1u << 9;          // BPF_F_CLONE
constexpr uint32_t kMaxValueSize = 65535 - 48;  // U16_MAX - sizeof(struct bpf_local_storage_elem), rounded

class LocalStorageMap final : public Map, public LocalStorage {
 public:
  explicit LocalStorageMap(const MapDef& def) : Map(def) {}

  static Status check_def(const MapDef& def) {
    const bool sk = def.type == 24;
    const uint32_t extra = sk ? kFClone : 0;
    if (!(def.map_flags & kFNoPrealloc) || (def.map_flags & ~(kFNoPrealloc | extra)))
      return einval(std::string("a ") + map_type_name(def.type) + " map takes BPF_F_NO_PREALLOC" +
                    (sk ? " (and BPF_F_CLONE)" : "") + " and no other flag");
    if (def.max_entries != 0) return einval("a local storage map's max_entries must be 0 (one value per owner)");
    if (def.key_size != 4) return einval("a local storage map's key is the owner's fd: key_size 4");
    if (def.value_size == 0) return einval("a local storage map needs value_size above 0");
    if (def.value_size > kMaxValueSize)
      return e2big("a local storage value is at most " + std::to_string(kMaxValueSize) + " bytes");
    return {};
  }

  Status init(const Options& options) {
    mem::Options mo;
    mo.name = std::string(map_type_name(def_.type)) + " '" + def_.name + "'";
    mo.unit_size = round_up8(def_.value_size);
    mo.cgroup = options.cgroup;
    auto ma = mem::MemAlloc::create(mo);
    if (!ma) return ma.error();
    ma_ = std::move(ma.value());
    return {};
  }

  ~LocalStorageMap() override {
    for (Slot& s : slots_)
      if (void* v = s.value.load(std::memory_order_relaxed)) ma_->cache_free(v);
  }

  void* storage_get(const void* owner, const void* init, bool create) override {
    const uint64_t o = reinterpret_cast<uint64_t>(owner);
    if (o <= kTombstone) return nullptr;
    if (void* v = find(o)) return v;
    if (!create) return nullptr;
    CpuScope scope;
    if (scope.cpu() < 0) return nullptr;
    SpinGuard g(lock_, lock_tag(scope.cpu()));
    if (g.error()) return nullptr;
    if (void* v = find(o)) return v;  // created meanwhile
    if (live_ >= kSlots - 1) return nullptr;  // a free or deleted slot is always left
    void* v = ma_->cache_alloc();
    if (!v) return nullptr;
    if (init) std::memcpy(v, init, def_.value_size);
    else std::memset(v, 0, def_.value_size);
    for (size_t i = hash(o), n = 0; n < kSlots; i = (i + 1) % kSlots, ++n) {
      Slot& s = slots_[i];
      const uint64_t k = s.owner.load(std::memory_order_relaxed);
      if (k != 0 && k != kTombstone) continue;
      ++live_;
      s.value.store(v, std::memory_order_relaxed);
      s.owner.store(o, std::memory_order_release);
      return v;
    }
    ma_->cache_free(v);
    return nullptr;
  }

  long storage_delete(const void* owner) override {
    const uint64_t o = reinterpret_cast<uint64_t>(owner);
    CpuScope scope;
    if (scope.cpu() < 0) return -EBUSY;
    SpinGuard g(lock_, lock_tag(scope.cpu()));
    if (g.error()) return g.error();
    Slot* s = slot_of(o);
    if (!s) return -ENOENT;
    void* v = s->value.exchange(nullptr, std::memory_order_acq_rel);
    s->owner.store(kTombstone, std::memory_order_release);
    --live_;
    ma_->cache_free_rcu(v);
    return 0;
  }

  // Programs reach the values through the storage helpers only (the
  // verifier refuses map_lookup_elem and friends on these types).
  void* lookup_elem(const void*) override { return nullptr; }
  long update_elem(const void*, const void*, uint64_t) override { return -EOPNOTSUPP; }
  long delete_elem(const void*) override { return -EOPNOTSUPP; }

  Stats stats() const override {
    Stats st;
    uint64_t n = 0;
    for (const Slot& s : slots_) n += s.value.load(std::memory_order_relaxed) != nullptr;
    st.elements = n;
    st.memory_bytes = n * round_up8(def_.value_size) + sizeof(slots_);
    return st;
  }

 protected:
  long do_host_lookup(const void*, void*, int) override { return -EOPNOTSUPP; }
  long do_host_update(const void*, const void*, uint64_t, int) override { return -EOPNOTSUPP; }
  long do_host_delete(const void*, int) override { return -EOPNOTSUPP; }
  long do_host_get_next_key(const void*, void*) override { return -EOPNOTSUPP; }

 private:
  struct Slot {
    std::atomic<uint64_t> owner{0};  // 0 never used, kTombstone deleted, else the owner
    std::atomic<void*> value{nullptr};
  };

  static size_t hash(uint64_t o) { return static_cast<size_t>((o >> 6) * 0x9e3779b97f4a7c15ull >> 52) % kSlots; }

  Slot* slot_of(uint64_t o) {
    for (size_t i = hash(o), n = 0; n < kSlots; i = (i + 1) % kSlots, ++n) {
      const uint64_t k = slots_[i].owner.load(std::memory_order_acquire);
      if (k == 0) return nullptr;
      if (k == o) return &slots_[i];
    }
    return nullptr;
  }
  void* find(uint64_t o) {
    Slot* s = slot_of(o);
    return s ? s->value.load(std::memory_order_acquire) : nullptr;
  }

  Slot slots_[kSlots];
  size_t live_ = 0;  // values held (under lock_)
  CpuSpinLock lock_;
  std::unique_ptr<mem::MemAlloc> ma_;
};

}  // namespace

MapResult create_local_storage_map(const MapDef& def, const Options& options) {
  if (Status s = LocalStorageMap::check_def(def); !s) return s.error();
  auto map = std::make_unique<LocalStorageMap>(def);
  if (Status s = map->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
