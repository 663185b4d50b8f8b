// bpf_lru.h — the kernel's LRU lists (kernel/bpf/bpf_lru_list.c, Linux 6.18)
// for LRU_HASH and LRU_PERCPU_HASH, with free lists that are counts.
//
// The kernel preallocates max_entries elements and threads them onto a free
// list; an insert pops a free node (evicting from the tail of the inactive
// list when none is free) and a delete pushes it back. A free node carries
// no key, so which free node is handed out never changes what is evicted:
// only how many are free, on which list, does. So here every FREE list is a
// count of "slots" and holds no memory; the element itself comes from the
// map's bpf_mem_alloc (lru_htab.h) when a slot is granted and goes back to
// it when the node would have joined a free list. The active, inactive and
// pending lists hold real nodes, in the kernel's order, moved by the
// kernel's rules:
//
//   common LRU (default)         one LruList (active, inactive, free count)
//                                + per cpu a LocalList (free count, pending
//                                list, next_steal)
//     pop:  this cpu's local free; empty → refill it (pop_free_to_local:
//           flush pending into active/inactive, rotate, take up to
//           target_free slots from the common free count, shrink the
//           inactive tail for the rest); still none → steal a free slot, or
//           evict a pending node, from each cpu's local list in turn.
//           The new node goes on this cpu's pending list.
//   BPF_F_NO_COMMON_LRU          per cpu an LruList with its own free count
//     pop:  rotate, shrink PERCPU_FREE_TARGET when nothing is free, put the
//           node at the head of the inactive list.
//
// target_free = clamp(max_entries / nr_cpus / 2, 1, LOCAL_FREE_TARGET = 128)
// (Linux 6.16's "adjust free target to avoid global starvation"); nr_scans is
// 128 for the common LRU, PERCPU_NR_SCANS = 4 per cpu.
//
// Locks: list locks are CpuSpinLocks (the kernel's raw spinlocks taken with
// irqsave). A signal handler that interrupted its thread while it held one
// gets -EDEADLK from lock() instead of deadlocking; pop then fails (the map
// update says -ENOMEM, as the kernel's rqspinlock version does), and a push
// that cannot take its lock marks the node pending_free: the next scan that
// meets it frees it (the kernel's later fix for the same case). Lock order:
// local list → common list → hash bucket (del_from_htab), as in the kernel.
//
// Nodes given back (evicted, deleted, replaced) are not freed under the list
// locks: every operation returns them chained (Released) for the caller to
// free once it holds no lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "cpu_spinlock.h"

namespace ringb::maps::detail {

enum LruType : uint8_t {
  kLruActive = 0,
  kLruInactive = 1,
  kLruFree = 2,          // (a node never sits on one: free lists are counts)
  kLruLocalFree = 3,
  kLruLocalPending = 4,
};

struct LruLink {
  LruLink* prev;
  LruLink* next;
};

// One per element, trailing it (lru_htab.h). prev/next and cpu are written
// under the lock of the list the node is on; type is read without it
// (push_free's first look), ref by lock-free lookups, pending_free by a push
// that could not take its lock: those three through atomic_ref.
struct LruNode {
  LruLink link;
  uint16_t cpu;
  uint8_t type;
  uint8_t ref;
  uint8_t pending_free;
  uint8_t pad[3];
};
static_assert(sizeof(LruNode) == 24);

inline uint8_t lru_load(const uint8_t& b) {
  return std::atomic_ref<uint8_t>(const_cast<uint8_t&>(b)).load(std::memory_order_relaxed);
}
inline void lru_store(uint8_t& b, uint8_t v) { std::atomic_ref<uint8_t>(b).store(v, std::memory_order_relaxed); }
// bpf_lru_node_set_ref(): lookups set the bit only when it is clear, so a
// hot element's cache line is not written on every lookup.
inline void lru_set_ref(LruNode* n) {
  if (!lru_load(n->ref)) lru_store(n->ref, 1);
}

class BpfLru {
 public:
  static constexpr uint32_t kLocalFreeTarget = 128;  // LOCAL_FREE_TARGET, LOCAL_NR_SCANS
  static constexpr uint32_t kPercpuFreeTarget = 4;   // PERCPU_FREE_TARGET, PERCPU_NR_SCANS

  // htab_lru_map_delete_node(): unlink the node's element from the hash
  // table if it is still there (false: not found, or its bucket lock could
  // not be taken). Called under list locks.
  using DeleteFn = bool (*)(void* arg, LruNode* node);

  // Nodes to give back to the allocator, chained through link.next.
  struct Released {
    LruNode* head = nullptr;
    void add(LruNode* n) {
      n->link.next = reinterpret_cast<LruLink*>(head);
      head = n;
    }
  };

  // nr_elems free slots: all on the common free list, or nr_elems / nr_cpus
  // on each cpu's (percpu; nr_elems is a multiple of nr_cpus).
  BpfLru(bool percpu, unsigned nr_cpus, uint32_t nr_elems, DeleteFn del, void* del_arg);
  ~BpfLru();
  BpfLru(const BpfLru&) = delete;
  BpfLru& operator=(const BpfLru&) = delete;

  // bpf_lru_pop_free(): grants a slot to `node` (an element the caller
  // allocated) and puts it on this cpu's pending list (percpu: inactive
  // list), ref clear. false: no slot could be had (every node is pending
  // elsewhere and referenced by nothing evictable, or a lock was held by
  // the code this signal handler interrupted). Evicted nodes go to `out`.
  [[nodiscard]] bool pop_free(int cpu, LruNode* node, Released& out);
  // bpf_lru_push_free(): the node's element left the table; its slot
  // becomes free. Normally the node goes to `out`; if its list's lock is
  // held by the interrupted code it is marked pending_free and stays on
  // its list until a scan frees it.
  void push_free(int cpu, LruNode* node, Released& out);

  uint32_t target_free() const { return target_free_; }
  bool percpu() const { return percpu_; }
  // For tests: slots free (all lists), nodes on active/inactive/pending
  // lists. Exact when nothing runs concurrently.
  uint64_t free_slots() const;
  uint64_t listed_nodes() const;
  // Every node on a list (active, inactive, pending), for the map's
  // destruction; nothing else may run.
  template <typename Fn>
  void for_each_node(Fn fn);

 private:
  struct LruList;
  struct LocalList;

  bool common_pop_free(int cpu, LruNode* node, Released& out);
  bool percpu_pop_free(int cpu, LruNode* node, Released& out);
  void common_push_free(int cpu, LruNode* node, Released& out);
  void percpu_push_free(int cpu, LruNode* node, Released& out);
  void pop_free_to_local(int cpu, LocalList& loc, Released& out);
  bool local_pop_pending(LocalList& loc, Released& out);

  // List mechanics (the kernel's __bpf_lru_* helpers), under l's lock.
  void move_to_free(LruList& l, LruNode* n, std::atomic<int64_t>& free_count, Released& out);
  void move_in(LruList& l, LruNode* n, uint8_t tgt);
  void move(LruList& l, LruNode* n, uint8_t tgt);
  void rotate_active(LruList& l);
  void rotate_inactive(LruList& l);
  void rotate(LruList& l);
  uint32_t shrink_inactive(LruList& l, uint32_t tgt, std::atomic<int64_t>& free_count, Released& out);
  uint32_t shrink(LruList& l, uint32_t tgt, std::atomic<int64_t>& free_count, Released& out);
  void local_flush(LruList& l, LocalList& loc, Released& out);
  void add_pending(LocalList& loc, int cpu, LruNode* node);
  static void each_on(LruLink* head, void (*fn)(LruNode*, void*), void* arg);
  void each_listed(void (*fn)(LruNode*, void*), void* arg);

  const bool percpu_;
  const unsigned nr_cpus_;
  uint32_t target_free_ = 1;
  uint32_t nr_scans_;
  DeleteFn del_;
  void* del_arg_;
  std::unique_ptr<LruList> common_;        // common LRU
  std::unique_ptr<LocalList[]> local_;     // common LRU: per cpu
  std::unique_ptr<LruList[]> percpu_lru_;  // BPF_F_NO_COMMON_LRU: per cpu
};

template <typename Fn>
void BpfLru::for_each_node(Fn fn) {
  each_listed([](LruNode* n, void* f) { (*static_cast<Fn*>(f))(n); }, &fn);
}

}  // namespace ringb::maps::detail
