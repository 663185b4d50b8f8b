// lru_htab.h — the hash table behind LRU_HASH and LRU_PERCPU_HASH: the hash
// table of htab.h with the kernel's LRU lists (bpf_lru.h) deciding which
// element an insert into a full map evicts, and its elements on ringb's
// bpf_mem_alloc instead of preallocated.
//
//   element: HtabElem | key | value (LRU_HASH) | LruNode      one allocator unit
//
// The kernel preallocates all max_entries elements of an LRU map (it cannot
// allocate under the LRU and bucket locks in any context); the conversion of
// the hash map to bpf_mem_alloc (seed 004) left the LRU maps as they were.
// Here the LRU lists hand out *slots* (free lists are counts), and an element
// is taken from the allocator only for a slot granted and given back when the
// slot is freed — so memory follows the number of elements in the table, and
// the kernel's eviction order is kept.
//
// Accounting, as equations (exact when no update runs):
//   free slots + nodes on the LRU lists == max_entries
//   stats().nodes_in_use (elements taken from the allocator) == nodes listed
//   stats().elements (elements in the table) <= nodes listed <= max_entries
// (a listed node not in the table is one popped and not linked yet, or one
// whose push found its list locked by the code a signal handler interrupted
// and waits, marked, for the next scan). The allocation is made before any
// lock is taken; the slot is then granted or the element goes straight back.
//
// Updates (htab_lru_map_update_elem): a new element is popped first — which
// may evict, even when the update then fails its flags (BPF_NOEXIST on an
// existing key, BPF_EXIST on a missing one): the kernel does the same —, then
// linked at the head of its chain; a replaced element's successor gets the
// reference bit. Per-cpu values (__htab_lru_percpu_map_update_elem) are
// written in place when the key exists (reference bit set), and BPF_EXIST
// pops nothing. Lookups from programs set the reference bit; host lookups and
// iteration do not. Full map: never -E2BIG; -ENOMEM when no slot can be had
// (or the allocator fails, at the memory limit or in a signal handler that
// interrupted the same cache).
#pragma once

#include <memory>

#include "bpf_lru.h"
#include "htab.h"

namespace ringb::maps::detail {

class LruHtab : public Htab {
 public:
  // htab_map_alloc_check() for the LRU types, and htab_map_alloc()'s
  // rounding of max_entries to a multiple of nr_cpus for BPF_F_NO_COMMON_LRU
  // (each cpu's list gets the same share, at least one).
  static Status check_def(const MapDef& def, bool percpu);
  static uint32_t lru_max_entries(const MapDef& def);

  LruHtab(const MapDef& def, bool percpu);
  Status init_lru(const Options& options);
  ~LruHtab() override;

  void* lookup_elem(const void* key) override;
  void* lookup_percpu_elem(const void* key, uint32_t cpu) override;
  long update_elem(const void* key, const void* value, uint64_t flags) override;
  long delete_elem(const void* key) override;
  Stats stats() const override;

  // For tests.
  const BpfLru& lru_lists() const { return *lists_; }

 protected:
  long do_host_update(const void* key, const void* value, uint64_t flags, int cpu) override;
  long do_host_delete(const void* key, int cpu) override;
  long do_host_lookup_and_delete(const void* key, void* value_out, uint64_t flags, int cpu) override;

 private:
  long lru_update(int cpu, const void* key, const void* value, uint64_t flags, bool all_cpus);
  long lru_percpu_update(int cpu, const void* key, const void* value, uint64_t flags, bool all_cpus);
  long lru_remove(int cpu, const void* key, void* value_out);
  // prealloc_lru_pop(): an element with a slot, on this cpu's pending (or
  // inactive) list; nullptr: -ENOMEM.
  HtabElem* lru_pop(int cpu, uint32_t hash);
  // htab_lru_push_free(): an element out of the table (or never linked).
  void lru_push_free(int cpu, HtabElem* e);
  void release(int cpu, BpfLru::Released& out);
  // htab_lru_map_delete_node(), the LRU's eviction callback.
  static bool delete_node(void* self, LruNode* node);
  void link_new(Bucket& b, HtabElem* fresh, HtabElem* old, std::atomic<uintptr_t>* link_to_old);

  LruNode* node_of(HtabElem* e) const { return reinterpret_cast<LruNode*>(reinterpret_cast<char*>(e) + elem_size_); }
  HtabElem* elem_of_node(LruNode* n) const {
    return reinterpret_cast<HtabElem*>(reinterpret_cast<char*>(n) - elem_size_);
  }

  std::unique_ptr<BpfLru> lists_;
  struct alignas(64) NodeCount {
    std::atomic<int64_t> v{0};  // changed with this cpu's slot held (fetch_add: handlers nest)
  };
  std::unique_ptr<NodeCount[]> nodes_;  // per cpu: elements taken from the allocator
};

}  // namespace ringb::maps::detail
