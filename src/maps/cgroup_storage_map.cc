// cgroup_storage_map.cc — BPF_MAP_TYPE_CGROUP_STORAGE (19) and
// PERCPU_CGROUP_STORAGE (21), after kernel/bpf/local_storage.c
// (ringb/cgroup_storage.h says how storages come about in ringb).
//
// Creation as cgroup_storage_map_alloc, in its order: key_size 16 (struct
// bpf_cgroup_storage_key) or 8, else EINVAL; value_size 0 EINVAL, above
// 65407 (BPF_LOCAL_STORAGE_MAX_VALUE_SIZE on x86-64: U16_MAX less the
// 128-byte storage element; per-cpu: 32768, PCPU_MIN_UNIT_SIZE) E2BIG;
// map_flags only BPF_F_NUMA_NODE and the access flags, EINVAL; max_entries
// must be 0, EINVAL. (The kernel also checks a BTF key's shape — a u64, or
// a struct of a u64 and a u32 — which needs the BTF this layer has not.)
//
// Host commands see the attached storages only (a test run's own storages
// are no map element, as in the kernel): lookup/update of a missing key
// -ENOENT; update flags other than BPF_EXIST and BPF_F_LOCK -EINVAL (per-cpu:
// only BPF_ANY or BPF_EXIST); an update without BPF_F_LOCK swaps in a new
// buffer and frees the old after a grace period, as the kernel's xchg and
// kfree_rcu (a program still reading the old value sees it whole); delete
// -EINVAL; lookup_and_delete kENOTSUPP; get_next_key walks the storages
// newest first (the kernel's list_add at attach), a missing key -ENOENT, the
// last one -ENOENT (the kernel reads past its list's end there and returns
// bytes of the map itself as the "next" key).
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "flags.h"
#include "map_types.h"
#include "ringb/cgroup_storage.h"
#include "ringb/cpu.h"
#include "ringb/rcu.h"
#include "value_copy.h"

namespace ringb::maps::detail {
namespace {

constexpr uint32_t kPercpuType = 21;
constexpr uint32_t kMaxValueSize = 65535 - 128;  // U16_MAX - sizeof(struct bpf_local_storage_elem)

// struct bpf_storage_buffer: a shared value, replaced whole by host updates.
struct Buffer {
  rcu::Head head;
  alignas(8) unsigned char data[];
};

Buffer* new_buffer(size_t size) {
  void* p = std::calloc(1, sizeof(Buffer) + size);
  return p ? new (p) Buffer : nullptr;
}
void free_buffer(rcu::Head* h) { std::free(reinterpret_cast<Buffer*>(h)); }

class Storage final : public CgroupStorage {
 public:
  Storage(bool percpu, size_t stride) : percpu_(percpu), stride_(stride) {}
  ~Storage() override {
    if (Buffer* b = buf_.load(std::memory_order_relaxed)) std::free(b);
    std::free(pcpu_);
  }
  bool init() {
    if (percpu_) return (pcpu_ = static_cast<unsigned char*>(std::calloc(cpu::nr_cpus(), stride_))) != nullptr;
    Buffer* b = new_buffer(stride_);
    buf_.store(b, std::memory_order_relaxed);
    return b != nullptr;
  }
  void* value(int cpu) override {
    if (percpu_) return pcpu_ + static_cast<size_t>(cpu) * stride_;
    return buf_.load(std::memory_order_acquire)->data;
  }
  unsigned char* cpu_copy(unsigned cpu) { return pcpu_ + cpu * stride_; }
  // The shared value's buffer now, and the swap of a host update: the old
  // one is freed once no reader can hold it.
  Buffer* buffer() { return buf_.load(std::memory_order_acquire); }
  void replace(Buffer* b) {
    Buffer* old = buf_.exchange(b, std::memory_order_acq_rel);
    rcu::call(rcu::Domain::Rcu, &old->head, free_buffer);
  }

  CgroupStorageKey key;  // attached storages only

 private:
  const bool percpu_;
  const size_t stride_;  // round_up(value_size, 8)
  std::atomic<Buffer*> buf_{nullptr};
  unsigned char* pcpu_ = nullptr;
};

class CgroupStorageMapImpl final : public Map, public CgroupStorageMap {
 public:
  explicit CgroupStorageMapImpl(const MapDef& def) : Map(def) {}

  static Status check_def(const MapDef& def) {
    const bool percpu = def.type == kPercpuType;
    const uint32_t max_value = percpu ? static_cast<uint32_t>(kPcpuMinUnitSize) : kMaxValueSize;
    if (def.key_size != sizeof(CgroupStorageKey) && def.key_size != 8)
      return einval("a cgroup storage key is struct bpf_cgroup_storage_key (key_size 16) or a __u64 cgroup id (8)");
    if (def.value_size == 0) return einval("a cgroup storage map needs value_size above 0");
    if (def.value_size > max_value)
      return e2big(std::string("a ") + (percpu ? "per-cpu " : "") + "cgroup storage value is at most " +
                   std::to_string(max_value) + " bytes");
    if (def.map_flags & ~(kFNumaNode | kAccessMask)) return bad_flags(def.map_flags, kFNumaNode | kAccessMask, "cgroup storage");
    if (def.max_entries != 0) return einval("a cgroup storage map's max_entries must be 0 (a value per attachment)");
    return {};
  }

  void init(const Options& options) { set_record(options.record); }

  // Storages are made zeroed, so a bpf_spin_lock in the value starts
  // unlocked (check_and_init_map_value has nothing else to do here).
  std::unique_ptr<CgroupStorage> new_storage() override {
    auto s = std::make_unique<Storage>(percpu(), round_up8(def_.value_size));
    if (!s->init()) return nullptr;
    return s;
  }

  CgroupStorage* attached_storage(uint64_t cgroup_id, uint32_t attach_type) override {
    const CgroupStorageKey key = key_of(cgroup_id, attach_type);
    std::lock_guard<std::mutex> g(mu_);
    if (Storage* s = find(key)) return s;
    auto s = std::make_unique<Storage>(percpu(), round_up8(def_.value_size));
    if (!s->init()) return nullptr;
    s->key = key;
    attached_.push_back(std::move(s));
    return attached_.back().get();
  }

  // Programs reach the storage through bpf_get_local_storage only (the
  // verifier refuses the map helpers on these types): Map's defaults.

  Stats stats() const override {
    std::lock_guard<std::mutex> g(mu_);
    Stats st;
    st.elements = attached_.size();
    st.memory_bytes = attached_.size() * round_up8(def_.value_size) * (percpu() ? cpu::nr_cpus() : 1);
    return st;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override {
    std::lock_guard<std::mutex> g(mu_);
    Storage* s = find(read_key(key));
    if (!s) return -ENOENT;
    if (!percpu()) {
      copy_value_from_map(value_out, s->buffer()->data, def_.value_size, holes_);
      return 0;
    }
    // Every cpu's rounded copy (zero-filled past value_size, so nothing leaks).
    const size_t stride = round_up8(def_.value_size);
    for (unsigned c = 0; c < cpu::nr_cpus(); ++c)
      copy_from_map(static_cast<char*>(value_out) + c * stride, s->cpu_copy(c), stride);
    return 0;
  }

  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    if (percpu() ? (flags != kAny && flags != kExist) : (flags & ~(kFLock | kExist)) != 0) return -EINVAL;
    std::lock_guard<std::mutex> g(mu_);
    Storage* s = find(read_key(key));
    if (!s) return -ENOENT;
    if (percpu()) {
      const size_t stride = round_up8(def_.value_size);
      for (unsigned c = 0; c < cpu::nr_cpus(); ++c)
        copy_to_map(s->cpu_copy(c), static_cast<const char*>(value) + c * stride, stride);
      return 0;
    }
    if (flags & kFLock) {
      copy_locked(s->buffer()->data, value);
      return 0;
    }
    Buffer* b = new_buffer(round_up8(def_.value_size));
    if (!b) return -ENOMEM;
    copy_value_to_map(b->data, value, def_.value_size, holes_);  // the lock's bytes stay zero: unlocked
    s->replace(b);
    return 0;
  }

  long do_host_delete(const void*, int) override { return -EINVAL; }

  long do_host_get_next_key(const void* key, void* next_key) override {
    std::lock_guard<std::mutex> g(mu_);
    if (attached_.empty()) return -ENOENT;
    // Newest first.
    size_t next = attached_.size() - 1;
    if (key) {
      const CgroupStorageKey k = read_key(key);
      size_t i = 0;
      while (i < attached_.size() && !same(attached_[i]->key, k)) ++i;
      if (i == attached_.size() || i == 0) return -ENOENT;
      next = i - 1;
    }
    const CgroupStorageKey& n = attached_[next]->key;
    if (isolated())
      std::memcpy(next_key, &n, sizeof n);
    else
      std::memcpy(next_key, &n.cgroup_inode_id, sizeof n.cgroup_inode_id);
    return 0;
  }

 private:
  bool percpu() const { return def_.type == kPercpuType; }
  // attach_type_isolated(): the 16-byte key names the attach type too.
  bool isolated() const { return def_.key_size == sizeof(CgroupStorageKey); }
  CgroupStorageKey key_of(uint64_t cgroup_id, uint32_t attach_type) const {
    CgroupStorageKey k;
    k.cgroup_inode_id = cgroup_id;
    k.attach_type = isolated() ? attach_type : 0;
    return k;
  }
  CgroupStorageKey read_key(const void* key) const {
    CgroupStorageKey k;
    std::memcpy(&k.cgroup_inode_id, key, sizeof k.cgroup_inode_id);
    if (isolated()) std::memcpy(&k.attach_type, static_cast<const char*>(key) + 8, sizeof k.attach_type);
    return k;
  }
  static bool same(const CgroupStorageKey& a, const CgroupStorageKey& b) {
    return a.cgroup_inode_id == b.cgroup_inode_id && a.attach_type == b.attach_type;
  }
  Storage* find(const CgroupStorageKey& k) {
    for (auto& s : attached_)
      if (same(s->key, k)) return s.get();
    return nullptr;
  }

  mutable std::mutex mu_;  // attached_ (host commands, attach at a test run's start)
  std::vector<std::unique_ptr<Storage>> attached_;  // in attach order
};

}  // namespace

MapResult create_cgroup_storage_map(const MapDef& def, const Options& options) {
  if (Status s = CgroupStorageMapImpl::check_def(def); !s) return s.error();
  auto map = std::make_unique<CgroupStorageMapImpl>(def);
  map->init(options);
  return std::unique_ptr<Map>(std::move(map));
}

}  // namespace ringb::maps::detail
