// lru_htab.cc — LRU hash tables (lru_htab.h): create checks, elements on the
// allocator with an LRU node each, and the kernel's LRU update, delete and
// eviction paths (kernel/bpf/hashtab.c, htab_lru_*).
#include "lru_htab.h"

#include <algorithm>

#include "cpu_scope.h"
#include "flags.h"
#include "ringb/cpu.h"
#include "ringb/objects.h"
#include "ringb/rcu.h"

namespace ringb::maps::detail {

uint32_t LruHtab::lru_max_entries(const MapDef& def) {
  if (!(def.map_flags & kFNoCommonLru)) return def.max_entries;
  // roundup(max_entries, ncpus), or rounddown when that does not fit in u32.
  const uint64_t n = cpu::nr_cpus();
  const uint64_t up = (uint64_t{def.max_entries} + n - 1) / n * n;
  return static_cast<uint32_t>(up <= UINT32_MAX ? up : uint64_t{def.max_entries} / n * n);
}

Status LruHtab::check_def(const MapDef& def, bool percpu) {
  const char* type = percpu ? "lru_percpu_hash" : "lru_hash";
  const uint32_t allowed = kFNoPrealloc | kFNoCommonLru | kFNumaNode | kAccessMask | kFZeroSeed;
  if (def.map_flags & ~allowed) return bad_flags(def.map_flags, allowed, type);
  if (def.map_flags & kFNoPrealloc)
    return Error{static_cast<int>(kENOTSUPP),
                 std::string("BPF_F_NO_PREALLOC is not supported for a ") + type +
                     " map (the kernel preallocates LRU maps; ringb allocates them as needed anyway)"};
  if ((def.map_flags & kFNumaNode) && (def.map_flags & kFNoCommonLru))
    return einval("an LRU map with BPF_F_NO_COMMON_LRU cannot be placed on a NUMA node");
  // The hash table's own checks, on the rounded size.
  MapDef d = def;
  d.map_flags &= ~kFNoCommonLru;
  if (def.max_entries) d.max_entries = lru_max_entries(def);
  return Htab::check_def(d, percpu);
}

LruHtab::LruHtab(const MapDef& def, bool percpu) : Htab(def, percpu) {
  lru_ = true;
  tail_bytes_ = sizeof(LruNode);
  def_.max_entries = lru_max_entries(def);
}

Status LruHtab::init_lru(const Options& options) {
  if (Status s = init(options); !s) return s;
  nodes_ = std::make_unique<NodeCount[]>(nr_cpus_);
  lists_ = std::make_unique<BpfLru>(def_.map_flags & kFNoCommonLru, nr_cpus_, def_.max_entries, &delete_node, this);
  return {};
}

LruHtab::~LruHtab() {
  if (!lists_) return;
  // What the values in the table hold, then every listed element back to the
  // allocator (those in the table are all listed); the buckets are left
  // empty for ~Htab.
  cpu::CpuGuard cpu;
  for (uint32_t i = 0; i < n_buckets_; ++i) {
    if (frees_fields())
      for (uintptr_t link = buckets_[i].head.load(std::memory_order_relaxed); !is_nulls(link);) {
        HtabElem* e = link_elem(link);
        link = e->next.load(std::memory_order_relaxed);
        free_value_fields(e);
      }
    buckets_[i].head.store(nulls_marker(i), std::memory_order_relaxed);
  }
  lists_->for_each_node([&](LruNode* n) { free_unused_elem(cpu.cpu(), elem_of_node(n)); });
}

Stats LruHtab::stats() const {
  Stats s = Htab::stats();
  s.prealloc = false;
  int64_t n = 0;
  for (unsigned c = 0; c < nr_cpus_; ++c) n += nodes_[c].v.load(std::memory_order_relaxed);
  s.nodes_in_use = static_cast<uint64_t>(std::max<int64_t>(n, 0));
  return s;
}

// ---- elements and slots ----------------------------------------------------------

HtabElem* LruHtab::lru_pop(int cpu, uint32_t hash) {
  HtabElem* e = alloc_elem(cpu);
  if (!e) return nullptr;
  nodes_[static_cast<unsigned>(cpu)].v.fetch_add(1, std::memory_order_relaxed);
  // The hash first (the kernel's hash_offset): a steal may look the node up.
  e->hash.store(hash, std::memory_order_release);
  BpfLru::Released out;
  const bool ok = lists_->pop_free(cpu, node_of(e), out);
  release(cpu, out);
  if (!ok) {
    free_unused_elem(cpu, e);
    nodes_[static_cast<unsigned>(cpu)].v.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  count_->inc(cpu);
  return e;
}

void LruHtab::lru_push_free(int cpu, HtabElem* e) {
  free_value_fields(e);
  count_->dec(cpu);
  BpfLru::Released out;
  lists_->push_free(cpu, node_of(e), out);
  release(cpu, out);
}

// Elements whose slots went back to a free list (evicted, deleted, replaced):
// to the allocator, reusable at once as in any allocated hash map (readers
// still on one see a valid element: htab_elem.h).
void LruHtab::release(int cpu, BpfLru::Released& out) {
  for (LruNode* n = out.head; n;) {
    LruNode* next = reinterpret_cast<LruNode*>(n->link.next);
    free_unused_elem(cpu, elem_of_node(n));
    nodes_[static_cast<unsigned>(cpu)].v.fetch_sub(1, std::memory_order_relaxed);
    n = next;
  }
  out.head = nullptr;
}

bool LruHtab::delete_node(void* self_arg, LruNode* node) {
  auto* self = static_cast<LruHtab*>(self_arg);
  HtabElem* target = self->elem_of_node(node);
  const int cpu = cpu::current();
  Bucket& b = self->buckets_[target->hash.load(std::memory_order_acquire) & (self->n_buckets_ - 1)];
  if (b.lock.lock(lock_tag(cpu))) return false;
  bool found = false;
  std::atomic<uintptr_t>* link = &b.head;
  for (uintptr_t l = link->load(std::memory_order_relaxed); !is_nulls(l);) {
    HtabElem* e = link_elem(l);
    if (e == target) {
      link->store(e->next.load(std::memory_order_relaxed), std::memory_order_release);
      self->count_->dec(cpu);
      found = true;
      break;
    }
    link = &e->next;
    l = link->load(std::memory_order_relaxed);
  }
  b.lock.unlock();
  if (found) self->free_value_fields(target);
  return found;
}

// ---- lookups ---------------------------------------------------------------------

void* LruHtab::lookup_elem(const void* key) {
  HtabElem* e = lookup_raw(key, hash_of(key));
  if (!e) return nullptr;
  lru_set_ref(node_of(e));
  if (!percpu_) return value_of(e);
  const int cpu = cpu::current();
  return cpu < 0 ? nullptr : percpu_value(e, static_cast<unsigned>(cpu));
}

void* LruHtab::lookup_percpu_elem(const void* key, uint32_t cpu) {
  if (!percpu_ || cpu >= nr_cpus_) return nullptr;
  HtabElem* e = lookup_raw(key, hash_of(key));
  if (!e) return nullptr;
  lru_set_ref(node_of(e));
  return percpu_value(e, cpu);
}

// ---- updates ---------------------------------------------------------------------

long LruHtab::update_elem(const void* key, const void* value, uint64_t flags) {
  CpuScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  return percpu_ ? lru_percpu_update(scope.cpu(), key, value, flags, false)
                 : lru_update(scope.cpu(), key, value, flags, false);
}

long LruHtab::do_host_update(const void* key, const void* value, uint64_t flags, int cpu) {
  return percpu_ ? lru_percpu_update(cpu, key, value, flags, true) : lru_update(cpu, key, value, flags, true);
}

// At the head of the chain, then the old element out: a reader meets one.
void LruHtab::link_new(Bucket& b, HtabElem* fresh, HtabElem* old, std::atomic<uintptr_t>* link_to_old) {
  fresh->next.store(b.head.load(std::memory_order_relaxed), std::memory_order_relaxed);
  b.head.store(elem_link(fresh), std::memory_order_release);
  if (!old) return;
  if (link_to_old == &b.head) link_to_old = &fresh->next;
  link_to_old->store(old->next.load(std::memory_order_relaxed), std::memory_order_release);
}

// htab_lru_map_update_elem().
long LruHtab::lru_update(int cpu, const void* key, const void* value, uint64_t flags, bool all_cpus) {
  if (flags > kExist) return -EINVAL;
  const uint32_t hash = hash_of(key);
  Bucket& b = buckets_[hash & (n_buckets_ - 1)];
  // Popped before the bucket lock: eviction takes bucket locks.
  HtabElem* fresh = lru_pop(cpu, hash);
  if (!fresh) return -ENOMEM;
  fill_elem(fresh, cpu, key, hash, value, all_cpus);
  if (int err = b.lock.lock(lock_tag(cpu))) {
    lru_push_free(cpu, fresh);
    return err;
  }
  std::atomic<uintptr_t>* link_to_old = nullptr;
  HtabElem* old = find_locked(b, key, hash, &link_to_old);
  const long err = check_flags(old, flags);
  if (!err) {
    link_new(b, fresh, old, link_to_old);
    if (old) lru_set_ref(node_of(fresh));
  }
  b.lock.unlock();
  if (err)
    lru_push_free(cpu, fresh);
  else if (old)
    lru_push_free(cpu, old);
  return err;
}

// __htab_lru_percpu_map_update_elem().
long LruHtab::lru_percpu_update(int cpu, const void* key, const void* value, uint64_t flags, bool all_cpus) {
  if (flags > kExist) return -EINVAL;
  const uint32_t hash = hash_of(key);
  Bucket& b = buckets_[hash & (n_buckets_ - 1)];
  HtabElem* fresh = nullptr;
  if (flags != kExist) {
    fresh = lru_pop(cpu, hash);
    if (!fresh) return -ENOMEM;
  }
  if (int err = b.lock.lock(lock_tag(cpu))) {
    if (fresh) lru_push_free(cpu, fresh);
    return err;
  }
  std::atomic<uintptr_t>* link_to_old = nullptr;
  HtabElem* old = find_locked(b, key, hash, &link_to_old);
  const long err = check_flags(old, flags);
  if (!err && old) {
    lru_set_ref(node_of(old));
    write_percpu_value(old, cpu, value, all_cpus, false);
  } else if (!err) {
    fill_elem(fresh, cpu, key, hash, value, all_cpus);
    link_new(b, fresh, nullptr, nullptr);
    fresh = nullptr;
  }
  b.lock.unlock();
  if (fresh) lru_push_free(cpu, fresh);
  return err;
}

// ---- deletes ---------------------------------------------------------------------

long LruHtab::delete_elem(const void* key) {
  CpuScope scope;
  if (scope.cpu() < 0) return -EBUSY;
  return lru_remove(scope.cpu(), key, nullptr);
}

long LruHtab::do_host_delete(const void* key, int cpu) { return lru_remove(cpu, key, nullptr); }

long LruHtab::do_host_lookup_and_delete(const void* key, void* value_out, uint64_t flags, int cpu) {
  if (flags) return -EINVAL;  // BPF_F_LOCK needs a bpf_spin_lock, which LRU values cannot hold
  return lru_remove(cpu, key, value_out);
}

// htab_lru_map_delete_elem(), and the LRU part of
// __htab_map_lookup_and_delete_elem() with value_out.
long LruHtab::lru_remove(int cpu, const void* key, void* value_out) {
  const uint32_t hash = hash_of(key);
  Bucket& b = buckets_[hash & (n_buckets_ - 1)];
  if (int err = b.lock.lock(lock_tag(cpu))) return err;
  std::atomic<uintptr_t>* link_to_it = nullptr;
  HtabElem* e = find_locked(b, key, hash, &link_to_it);
  if (!e) {
    b.lock.unlock();
    return -ENOENT;
  }
  if (value_out) copy_value_out(e, value_out);
  link_to_it->store(e->next.load(std::memory_order_relaxed), std::memory_order_release);
  b.lock.unlock();
  lru_push_free(cpu, e);
  return 0;
}

}  // namespace ringb::maps::detail
