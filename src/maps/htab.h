// htab.h — the hash table behind HASH and PERCPU_HASH (the kernel's
// hashtab.c, as seed 004 rebuilt it on bpf_mem_alloc).
//
//   buckets_ ─▶ [head|lock] [head|lock] ...      n_buckets = roundup_pow_of_two(max_entries)
//                  │
//                  ▼ hlist_nulls chain: elem ─▶ elem ─▶ nulls(index)
//
// Readers (lookup_elem, host lookups, get_next_key) take no lock: they walk a
// chain inside an RCU read-side section with acquire loads. Writers (update,
// delete) take the bucket's lock, and a writer on the same cpu as the holder
// (a signal handler) gets -EDEADLK instead of deadlocking.
//
// Element memory, two modes (chosen at creation):
//   preallocated   the kernel's count: max_entries elements in one area, on a
//                  per-cpu free list (prealloc_freelist.h), plus, for a plain
//                  hash, one spare element per cpu (the kernel's extra_elems).
//                  An insert takes an element from the free list (none left:
//                  -E2BIG); a replace takes its cpu's spare and leaves the
//                  old element there; a delete pushes it on the free list.
//                  Either way the unlinked element is reusable at once, as in
//                  the kernel (htab_elem.h: why readers still on it are safe).
//   BPF_F_NO_PREALLOC (or Options::force_dyn_alloc)
//                  elements from a fixed-size MemAlloc, per-cpu values from a
//                  per-cpu MemAlloc; unlinked ones go back with cache_free()
//                  and may be reused at once, as in the kernel (a reader still
//                  on one sees a valid element, perhaps of another key: see
//                  htab_elem.h), but reach malloc only after grace periods.
// -E2BIG: preallocated, the free list is empty (the kernel's limit);
// allocated, the element count (elem_count.h) says full.
//
// Updates: a plain hash builds the new element (key and value) — allocated:
// before taking the lock; preallocated: under it, once it knows whether this
// is a replace, as the kernel does — links it at the head of the chain and
// then unlinks the old one, so a concurrent reader finds one or the other. A
// per-cpu hash writes
// an existing element's values in place: this cpu's copy from a program, every
// cpu's from the host.
#pragma once

#include <memory>

#include "area.h"
#include "elem_count.h"
#include "htab_elem.h"
#include "prealloc_freelist.h"
#include "ringb/maps.h"
#include "ringb/mem.h"

namespace ringb::maps::detail {

class Htab : public Map {
 public:
  // htab_map_alloc_check(): the kernel's checks, in its order.
  static Status check_def(const MapDef& def, bool percpu);
  ~Htab() override;

  long update_elem(const void* key, const void* value, uint64_t flags) override;
  long delete_elem(const void* key) override;
  long for_each_elem(ElemCallback fn, void* ctx) override;
  Stats stats() const override;

 protected:
  Htab(const MapDef& def, bool percpu);
  // Allocates buckets and element memory (htab_map_alloc()).
  Status init(const Options& options);

  HtabElem* lookup_raw(const void* key, uint32_t hash) const;
  uint32_t hash_of(const void* key) const;
  char* value_of(HtabElem* e) const { return e->key() + key_rounded_; }
  char* percpu_value(HtabElem* e, unsigned cpu) const {
    return e->pptr.load(std::memory_order_relaxed) + cpu * value_rounded_;
  }

  long do_host_lookup(const void* key, void* value_out, int cpu) override;
  long do_host_update(const void* key, const void* value, uint64_t flags, int cpu) override;
  long do_host_delete(const void* key, int cpu) override;
  long do_host_get_next_key(const void* key, void* next_key) override;
  long do_host_lookup_and_delete(const void* key, void* value_out, uint64_t flags, int cpu) override;

  // ---- operations (htab_ops.cc) ----
  long update(int cpu, const void* key, const void* value, uint64_t flags, bool all_cpus);
  long remove(int cpu, const void* key, void* value_out, bool locked = false);

  // Bytes an update copies into a plain hash's value and a host lookup
  // copies out: value_size, except for a hash of maps, whose 4-byte values
  // (map ids) are stored as 8-byte pointers in the value's rounded-up room.
  uint32_t value_bytes_ = 0;
  // LRU hash maps (lru_htab.h): elements always on the allocator (without
  // adding BPF_F_NO_PREALLOC to the flags), each tail_bytes_ longer.
  bool lru_ = false;
  uint32_t tail_bytes_ = 0;

  // (The LRU hash maps build on these too.)
  HtabElem* find_locked(Bucket& b, const void* key, uint32_t hash,
                        std::atomic<uintptr_t>** link_to_it) const;
  HtabElem* new_elem(int cpu, const void* key, uint32_t hash, const void* value, bool all_cpus);
  void fill_elem(HtabElem* e, int cpu, const void* key, uint32_t hash, const void* value, bool all_cpus);
  void write_percpu_value(HtabElem* e, int cpu, const void* value, bool all_cpus, bool fresh);
  void copy_value_out(HtabElem* e, void* out) const;  // host layout
  // check_and_free_fields(): an element that left the table (deleted or
  // replaced, every cpu's copy of a per-cpu value) gives up what its
  // special fields hold. Never under the bucket lock.
  void free_value_fields(HtabElem* e) const;
  // The special fields of a value an element is given (its memory fresh, or
  // an element reused at once): what they still hold is freed — nothing,
  // unless a program that looked the old element up before it was deleted
  // stashed more after — so they start empty; a refcount starts at 1 and
  // the spin lock unlocked. (The kernel leaves such late additions to the
  // element's next key.)
  void prepare_value_fields(char* value) const;
  long no_elem_error(int cpu, Bucket& b, const void* key, uint32_t hash, uint64_t flags);
  static long check_flags(const HtabElem* old, uint64_t flags);

  // ---- element memory (htab.cc) ----
  Status init_prealloc(const Options& options);
  Status init_dynamic(const Options& options);
  HtabElem* alloc_elem(int cpu);                  // nullptr: none left
  void free_unused_elem(int cpu, HtabElem* e);    // never linked: reusable at once
  void free_elem(int cpu, HtabElem* e);           // unlinked: readers may still see it
  // Preallocated plain hash, a replace: this cpu's spare element (or, while a
  // signal handler nested on this cpu holds it, one from the free list), and
  // where the replaced element goes instead (alloc_extra_elems' slots).
  HtabElem* take_spare(int cpu);
  void park_replaced(int cpu, HtabElem* old);

  const bool percpu_;
  bool prealloc_ = true;
  uint32_t key_rounded_ = 0, value_rounded_ = 0;
  uint32_t elem_size_ = 0;   // header + key (+ value when not per-cpu)
  uint32_t n_buckets_ = 0;   // a power of two
  uint32_t hashrnd_ = 0;
  unsigned nr_cpus_ = 0;
  Bucket* buckets_ = nullptr;  // in buckets_area_
  Area buckets_area_;
  std::unique_ptr<ElemCount> count_;
  // Preallocated: the elements, their per-cpu values, the free list and (a
  // plain hash) each cpu's spare element.
  Area elems_area_, percpu_area_;
  std::unique_ptr<PcpuFreelist> freelist_;
  struct alignas(64) Spare {
    std::atomic<HtabElem*> elem{nullptr};  // exchanged: a handler may nest on the cpu
  };
  std::unique_ptr<Spare[]> spares_;
  // Dynamic: the allocators (per-cpu values: pcpu_ma_).
  std::unique_ptr<mem::MemAlloc> ma_, pcpu_ma_;
};

}  // namespace ringb::maps::detail
