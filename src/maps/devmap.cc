// devmap.cc — BPF_MAP_TYPE_DEVMAP (14) and DEVMAP_HASH (25), the targets of
// bpf_redirect_map() in XDP, with kernel/bpf/devmap.c's semantics for Linux
// 6.18.
//
// A value is struct bpf_devmap_val: 4 bytes (ifindex) or 8 (ifindex and
// bpf_prog.fd in, bpf_prog.id out). The kernel holds the net_device named by
// the ifindex; ringb holds the ifindex, after checking that this process's
// network namespace has such an interface (if_indextoname: the kernel's
// dev_get_by_index in the caller's namespace), so a host update succeeds or
// fails as the kernel's would on the same machine. A program for the entry
// (bpf_prog.fd > 0) is named by its program id (where the kernel takes an
// fd), resolved through Options::prog_resolver: it must be an XDP program
// (ringb's ProgRef carries no expected attach type, so BPF_XDP_DEVMAP is not
// checked); lookups return its id, as the kernel's do.
//
//   create   key_size 4, value_size 4 or 8, max_entries above 0, map_flags
//            within NUMA_NODE|RDONLY|WRONLY: EINVAL; DEVMAP_HASH
//            max_entries above 2^31: EINVAL. The kernel adds
//            BPF_F_RDONLY_PROG (lookups point at the value itself): so does
//            ringb, and the verifier refuses programs' writes.
//   DEVMAP   update: flags above BPF_EXIST or BPF_NOEXIST (every slot
//            exists): EINVAL/EEXIST; index past the end: E2BIG; ifindex 0
//            empties the slot (with a program: EINVAL); no such interface or
//            program: EINVAL. delete: past the end EINVAL, an empty slot 0.
//   DEVMAP_HASH  update: flags above BPF_EXIST or ifindex 0: EINVAL;
//            BPF_NOEXIST on a present key: EEXIST; BPF_EXIST on a missing
//            one inserts (the kernel does not check it); full: E2BIG.
//            delete: ENOENT when missing. get_next_key walks the kernel's
//            buckets (roundup_pow_of_two(max_entries), key & mask, newest
//            first in a bucket), so the order is the kernel's.
//   host lookup  the value (ifindex, and the program's id or 0); ENOENT.
//   owner    the first program that uses a DEVMAP, or is stored in any
//            devmap, fixes the type of the others (bpf_prog_map_compatible):
//            an xdp and a tc program cannot share a DEVMAP.
//   programs     lookup_elem returns the value (read-only) or NULL;
//            bpf_redirect_map (src/vm/redirect_helpers.cc) redirects to a
//            present key. Programs cannot update or delete (the verifier).
#include <net/if.h>

#include <bit>
#include <mutex>

#include "area.h"
#include "flags.h"
#include "map_types.h"
#include "redirect_entry.h"

namespace ringb::maps::detail {
namespace {

constexpr uint32_t kDevmap = 14, kDevmapHash = 25;
constexpr uint32_t kCreateFlags = kFNumaNode | kFRdonly | kFWronly;  // DEV_CREATE_FLAG_MASK
constexpr uint32_t kXdpProgType = 6;                                 // BPF_PROG_TYPE_XDP

bool interface_exists(uint32_t ifindex) {
  char name[IF_NAMESIZE];
  return if_indextoname(ifindex, name) != nullptr;
}

// __dev_map_alloc_node: the entry for a value whose ifindex is not 0, or
// nullptr with *err set (EINVAL: no such interface, or a bad program).
RedirectEntry* make_entry(const MapDef& def, const ProgResolver& resolver, ProgOwner& owner, const void* value,
                          uint32_t key, long* err) {
  uint32_t val[2] = {0, 0};
  std::memcpy(val, value, def.value_size);
  *err = -EINVAL;
  if (!interface_exists(val[0])) return nullptr;
  ProgRef prog;
  if (static_cast<int32_t>(val[1]) > 0) {
    if (!resolver) return nullptr;
    auto p = resolver(val[1]);
    if (!p || p->type != kXdpProgType || !owner.claim(p->type)) return nullptr;
    prog = *p;
  }
  auto* e = new RedirectEntry;
  e->key = key;
  e->value[0] = val[0];
  e->value[1] = prog.prog ? prog.id : 0;
  e->prog = std::move(prog);
  *err = 0;
  return e;
}

long copy_out(const MapDef& def, const RedirectEntry* e, void* value_out) {
  if (!e) return -ENOENT;
  std::memcpy(value_out, e->value, def.value_size);
  return 0;
}

// ---- DEVMAP: an array of entries -------------------------------------------

class DevMap final : public Map {
 public:
  DevMap(const MapDef& def, ProgResolver resolver) : Map(def), resolver_(std::move(resolver)) {}
  Status init(const Options& options) { return slots_.init(def_.max_entries, options.cgroup, "devmap slots"); }

  void* lookup_elem(const void* key) override {
    RedirectEntry* e = at(u32_at(key));
    return e ? e->value : nullptr;
  }
  // bpf_check_tail_call: a DEVMAP's users are of one program type.
  bool claim_prog_type(uint32_t type, const void* const*) override { return owner_.claim(type); }
  // The host lets go of the map: entries holding programs go (redirect_entry.h).
  void clear_progs() override { items_.fetch_sub(slots_.clear_progs(), std::memory_order_relaxed); }
  Stats stats() const override {
    Stats s;
    s.elements = items_.load(std::memory_order_relaxed);
    s.memory_bytes = slots_.bytes();
    return s;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override { return copy_out(def_, at(u32_at(key)), value_out); }
  // __dev_map_update_elem
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    const uint32_t i = u32_at(key);
    if (flags > kExist) return -EINVAL;
    if (i >= def_.max_entries) return -E2BIG;
    if (flags == kNoExist) return -EEXIST;
    uint32_t val[2] = {0, 0};
    std::memcpy(val, value, def_.value_size);
    RedirectEntry* e = nullptr;
    if (val[0] == 0) {
      if (static_cast<int32_t>(val[1]) > 0) return -EINVAL;  // a program needs a device
    } else {
      long err;
      e = make_entry(def_, resolver_, owner_, value, i, &err);
      if (!e) return err;
    }
    if (!slots_.replace(i, e)) items_.fetch_add(1, std::memory_order_relaxed);  // (the kernel counts an emptying store too)
    return 0;
  }
  long do_host_delete(const void* key, int) override {  // dev_map_delete_elem
    const uint32_t i = u32_at(key);
    if (i >= def_.max_entries) return -EINVAL;
    if (slots_.replace(i, nullptr)) items_.fetch_sub(1, std::memory_order_relaxed);
    return 0;
  }
  long do_host_get_next_key(const void* key, void* next_key) override {
    return array_next_key(def_.max_entries, key, next_key);
  }

 private:
  RedirectEntry* at(uint32_t i) const { return slots_.at(i); }

  ProgResolver resolver_;
  ProgOwner owner_;
  RedirectSlots slots_;
  std::atomic<uint64_t> items_{0};
};

// ---- DEVMAP_HASH: buckets of chains, as the kernel's dev_index_head ---------

class DevMapHash final : public Map {
 public:
  DevMapHash(const MapDef& def, ProgResolver resolver)
      : Map(def), resolver_(std::move(resolver)), n_buckets_(std::bit_ceil(def.max_entries)) {}
  ~DevMapHash() override {
    if (!area_.data()) return;
    for (uint32_t b = 0; b < n_buckets_; ++b)
      for (RedirectEntry* e = bucket(b).load(std::memory_order_relaxed); e;) {
        RedirectEntry* next = e->next.load(std::memory_order_relaxed);
        delete e;
        e = next;
      }
  }

  Status init(const Options& options) {
    auto area = Area::alloc(uint64_t{n_buckets_} * sizeof(void*), options.cgroup, "devmap_hash buckets");
    if (!area) return area.error();
    area_ = std::move(area.value());
    return {};
  }

  void* lookup_elem(const void* key) override {
    RedirectEntry* e = find(u32_at(key));
    return e ? e->value : nullptr;
  }
  void clear_progs() override {  // as DevMap's
    std::lock_guard<std::mutex> lock(mu_);
    for (uint32_t b = 0; b < n_buckets_; ++b)
      for (RedirectEntry* e = bucket(b).load(std::memory_order_acquire); e;) {
        RedirectEntry* next = e->next.load(std::memory_order_acquire);
        if (e->prog.prog) {
          unlink(e);
          retire_redirect_entry(e);
          items_.fetch_sub(1, std::memory_order_relaxed);
        }
        e = next;
      }
  }
  Stats stats() const override {
    Stats s;
    s.elements = items_.load(std::memory_order_relaxed);
    s.memory_bytes = area_.size() + s.elements * sizeof(RedirectEntry);
    return s;
  }

 protected:
  long do_host_lookup(const void* key, void* value_out, int) override { return copy_out(def_, find(u32_at(key)), value_out); }
  // __dev_map_hash_update_elem
  long do_host_update(const void* key, const void* value, uint64_t flags, int) override {
    const uint32_t k = u32_at(key);
    if (flags > kExist || u32_at(value) == 0) return -EINVAL;
    std::lock_guard<std::mutex> lock(mu_);
    RedirectEntry* old = find(k);
    if (old && (flags & kNoExist)) return -EEXIST;
    long err;
    RedirectEntry* e = make_entry(def_, resolver_, owner_, value, k, &err);
    if (!e) return err;
    if (old) {
      unlink(old);
    } else {
      if (items_.load(std::memory_order_relaxed) >= def_.max_entries) {
        delete e;  // never published
        return -E2BIG;
      }
      items_.fetch_add(1, std::memory_order_relaxed);
    }
    std::atomic<RedirectEntry*>& head = bucket(k & (n_buckets_ - 1));
    e->next.store(head.load(std::memory_order_relaxed), std::memory_order_relaxed);
    head.store(e, std::memory_order_release);
    if (old) retire_redirect_entry(old);
    return 0;
  }
  long do_host_delete(const void* key, int) override {  // dev_map_hash_delete_elem
    std::lock_guard<std::mutex> lock(mu_);
    RedirectEntry* old = find(u32_at(key));
    if (!old) return -ENOENT;
    items_.fetch_sub(1, std::memory_order_relaxed);
    unlink(old);
    retire_redirect_entry(old);
    return 0;
  }
  // dev_map_hash_get_next_key: the next entry in the key's chain, else the
  // first entry of a later bucket; a missing key starts from bucket 0.
  long do_host_get_next_key(const void* key, void* next_key) override {
    uint32_t b = 0;
    if (key) {
      const uint32_t k = u32_at(key);
      if (RedirectEntry* e = find(k)) {
        if (RedirectEntry* n = e->next.load(std::memory_order_acquire)) return put_key(n, next_key);
        b = (k & (n_buckets_ - 1)) + 1;
      }
    }
    for (; b < n_buckets_; ++b)
      if (RedirectEntry* e = bucket(b).load(std::memory_order_acquire)) return put_key(e, next_key);
    return -ENOENT;
  }

 private:
  std::atomic<RedirectEntry*>& bucket(uint32_t b) const {
    return reinterpret_cast<std::atomic<RedirectEntry*>*>(area_.data())[b];
  }
  RedirectEntry* find(uint32_t k) const {
    for (RedirectEntry* e = bucket(k & (n_buckets_ - 1)).load(std::memory_order_acquire); e;
         e = e->next.load(std::memory_order_acquire))
      if (e->key == k) return e;
    return nullptr;
  }
  // Under mu_. The unlinked entry keeps its next pointer, so a reader
  // standing on it walks on (hlist_del_rcu).
  void unlink(RedirectEntry* victim) {
    std::atomic<RedirectEntry*>* link = &bucket(victim->key & (n_buckets_ - 1));
    while (link->load(std::memory_order_relaxed) != victim) link = &link->load(std::memory_order_relaxed)->next;
    link->store(victim->next.load(std::memory_order_relaxed), std::memory_order_release);
  }
  static long put_key(const RedirectEntry* e, void* next_key) {
    std::memcpy(next_key, &e->key, 4);
    return 0;
  }

  ProgResolver resolver_;
  ProgOwner owner_;  // entry programs only: the kernel checks no program that uses a devmap_hash
  uint32_t n_buckets_;
  Area area_;
  std::mutex mu_;     // writers
  std::atomic<uint64_t> items_{0};  // written under mu_; stats() reads it racily
};

// dev_map_alloc / dev_map_init_map
Status check_def(const MapDef& def) {
  if (def.max_entries == 0 || def.key_size != 4 || (def.value_size != 4 && def.value_size != 8))
    return einval(std::string("a ") + map_type_name(def.type) +
                  " map needs key_size 4, value_size 4 or 8 (struct bpf_devmap_val) and max_entries above 0");
  if (def.map_flags & ~kCreateFlags) return bad_flags(def.map_flags, kCreateFlags, map_type_name(def.type));
  if (def.type == kDevmapHash && def.max_entries > (1u << 31))
    return einval("a devmap_hash has at most 2^31 entries");
  return {};
}

}  // namespace

MapResult create_dev_map(const MapDef& def, const Options& options) {
  if (Status s = check_def(def); !s) return s.error();
  MapDef d = def;
  d.map_flags |= kFRdonlyProg;  // lookups point straight at the value
  if (def.type == kDevmap) {
    auto m = std::make_unique<DevMap>(d, options.prog_resolver);
    if (Status s = m->init(options); !s) return s.error();
    return std::unique_ptr<Map>(std::move(m));
  }
  auto m = std::make_unique<DevMapHash>(d, options.prog_resolver);
  if (Status s = m->init(options); !s) return s.error();
  return std::unique_ptr<Map>(std::move(m));
}

}  // namespace ringb::maps::detail
