// bpf_lru.cc — the LRU lists' rules, one function per function of the
// kernel's kernel/bpf/bpf_lru_list.c (Linux 6.18), in its order of scans and
// moves, so that a program run on one cpu sees the same keys evicted. What
// differs, and why, is in bpf_lru.h: free lists are counts of slots, and a
// lock a signal handler cannot take makes pop fail and push defer.
#include "bpf_lru.h"

#include <algorithm>

#include "ringb/cpu.h"

namespace ringb::maps::detail {
namespace {

// A list lock. In interrupt context (a program in a signal handler) only
// tried: the list locks nest (local → common → bucket), so a handler that
// waited for one held by another cpu could wait for ever when that cpu waits
// in turn for a bucket lock the interrupted code holds — the kernel's
// irqsave excludes this, and its rqspinlock version fails the same way.
// 0, or nonzero: not taken.
int lru_lock(CpuSpinLock& lock, int cpu) {
  if (cpu::in_interrupt()) [[unlikely]]
    return lock.try_lock(lock_tag(cpu)) ? 0 : -EBUSY;
  return lock.lock(lock_tag(cpu));
}

// ---- list_head ------------------------------------------------------------------

void list_init(LruLink* h) { h->prev = h->next = h; }
bool list_empty(const LruLink* h) { return h->next == h; }
void list_del(LruLink* n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
}
void list_add(LruLink* n, LruLink* head) {  // at the head
  n->next = head->next;
  n->prev = head;
  head->next->prev = n;
  head->next = n;
}
void list_move(LruLink* n, LruLink* head) {
  list_del(n);
  list_add(n, head);
}
LruNode* node_of(LruLink* l) { return reinterpret_cast<LruNode*>(l); }

bool is_ref(const LruNode* n) { return lru_load(n->ref) != 0; }
void clear_ref(LruNode* n) { lru_store(n->ref, 0); }
// A push that could not take a list's lock hands its node over by marking
// it; the scan that frees the node takes it over with what the pusher did to
// it before (its read of node->cpu among them): release and acquire, so the
// node's next owner after the allocator is ordered after the pusher.
bool pending_free(const LruNode* n) {
  return std::atomic_ref<uint8_t>(const_cast<uint8_t&>(n->pending_free)).load(std::memory_order_acquire) != 0;
}
void mark_pending_free(LruNode* n) { std::atomic_ref<uint8_t>(n->pending_free).store(1, std::memory_order_release); }

// Takes one slot off a free count (under the list's lock; the only writer
// without it adds, atomically).
bool take_slot(std::atomic<int64_t>& free_count) {
  if (free_count.load(std::memory_order_relaxed) <= 0) return false;
  free_count.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

}  // namespace

struct alignas(64) BpfLru::LruList {
  LruLink lists[2];     // kLruActive, kLruInactive
  uint32_t counts[2] = {0, 0};
  std::atomic<int64_t> free_count{0};  // the FREE list: slots
  LruLink* next_inactive_rotation = nullptr;
  CpuSpinLock lock;
  LruList() {
    list_init(&lists[kLruActive]);
    list_init(&lists[kLruInactive]);
    next_inactive_rotation = &lists[kLruInactive];
  }
};

struct alignas(64) BpfLru::LocalList {
  std::atomic<int64_t> free_count{0};  // the local FREE list: slots
  LruLink pending;
  std::atomic<unsigned> next_steal{0};
  CpuSpinLock lock;
  LocalList() { list_init(&pending); }
};

BpfLru::BpfLru(bool percpu, unsigned nr_cpus, uint32_t nr_elems, DeleteFn del, void* del_arg)
    : percpu_(percpu),
      nr_cpus_(nr_cpus),
      nr_scans_(percpu ? kPercpuFreeTarget : kLocalFreeTarget),
      del_(del),
      del_arg_(del_arg) {
  if (percpu) {
    // bpf_percpu_lru_populate(): nr_elems / nr_cpus on each cpu's list.
    percpu_lru_ = std::make_unique<LruList[]>(nr_cpus);
    for (unsigned c = 0; c < nr_cpus; ++c) percpu_lru_[c].free_count.store(nr_elems / nr_cpus);
    return;
  }
  // bpf_common_lru_populate().
  common_ = std::make_unique<LruList>();
  common_->free_count.store(nr_elems);
  local_ = std::make_unique<LocalList[]>(nr_cpus);
  for (unsigned c = 0; c < nr_cpus; ++c) local_[c].next_steal.store(c);
  target_free_ = std::clamp<uint32_t>((nr_elems / nr_cpus) / 2, 1, kLocalFreeTarget);
}

BpfLru::~BpfLru() = default;

// ---- moves ---------------------------------------------------------------------

// __bpf_lru_node_move_to_free(): off an LRU list onto a free list — here,
// one more slot on `free_count`, and the node to the caller.
void BpfLru::move_to_free(LruList& l, LruNode* n, std::atomic<int64_t>& free_count, Released& out) {
  if (&n->link == l.next_inactive_rotation) l.next_inactive_rotation = l.next_inactive_rotation->prev;
  if (n->type < 2) l.counts[n->type]--;
  lru_store(n->type, kLruLocalFree);
  lru_store(n->pending_free, 0);
  list_del(&n->link);
  free_count.fetch_add(1, std::memory_order_relaxed);
  out.add(n);
}

// __bpf_lru_node_move_in(): from a local (pending) list onto active/inactive.
void BpfLru::move_in(LruList& l, LruNode* n, uint8_t tgt) {
  l.counts[tgt]++;
  lru_store(n->type, tgt);
  clear_ref(n);
  list_move(&n->link, &l.lists[tgt]);
}

// __bpf_lru_node_move(): between or within active and inactive.
void BpfLru::move(LruList& l, LruNode* n, uint8_t tgt) {
  if (n->type != tgt) {
    l.counts[n->type]--;
    l.counts[tgt]++;
    lru_store(n->type, tgt);
  }
  clear_ref(n);
  if (&n->link == l.next_inactive_rotation) l.next_inactive_rotation = l.next_inactive_rotation->prev;
  list_move(&n->link, &l.lists[tgt]);
}

// ---- rotation and shrinking ------------------------------------------------------

// __bpf_lru_list_rotate_active(): from the tail, at most nr_scans nodes: a
// referenced one back to the head of active, others to the head of inactive.
void BpfLru::rotate_active(LruList& l) {
  LruLink* head = &l.lists[kLruActive];
  LruLink* first = head->next;
  uint32_t i = 0;
  for (LruLink *cur = head->prev, *tmp = cur->prev; cur != head; cur = tmp, tmp = cur->prev) {
    LruNode* n = node_of(cur);
    move(l, n, is_ref(n) ? kLruActive : kLruInactive);
    if (++i == nr_scans_ || cur == first) break;
  }
}

// __bpf_lru_list_rotate_inactive(): from next_inactive_rotation towards the
// head, at most nr_scans nodes: referenced ones to the head of active, the
// others stay for the next shrink.
void BpfLru::rotate_inactive(LruList& l) {
  LruLink* head = &l.lists[kLruInactive];
  if (list_empty(head)) return;
  LruLink* last = l.next_inactive_rotation->next;
  if (last == head) last = last->next;
  LruLink* cur = l.next_inactive_rotation;
  LruLink* next = head;
  uint32_t i = 0;
  while (i < nr_scans_) {
    if (cur == head) {
      cur = cur->prev;
      continue;
    }
    LruNode* n = node_of(cur);
    next = cur->prev;
    if (is_ref(n)) move(l, n, kLruActive);
    if (cur == last) break;
    cur = next;
    i++;
  }
  l.next_inactive_rotation = next;
}

// __bpf_lru_list_rotate(): active only when inactive has fewer nodes.
void BpfLru::rotate(LruList& l) {
  if (l.counts[kLruInactive] < l.counts[kLruActive]) rotate_active(l);
  rotate_inactive(l);
}

// __bpf_lru_list_shrink_inactive(): from the tail of inactive, at most
// nr_scans nodes: referenced ones to active, the others out of the table and
// onto the free list, until tgt are free.
uint32_t BpfLru::shrink_inactive(LruList& l, uint32_t tgt, std::atomic<int64_t>& free_count, Released& out) {
  LruLink* head = &l.lists[kLruInactive];
  uint32_t nshrinked = 0, i = 0;
  for (LruLink *cur = head->prev, *tmp = cur->prev; cur != head; cur = tmp, tmp = cur->prev) {
    LruNode* n = node_of(cur);
    const bool pf = pending_free(n);
    if (is_ref(n) && !pf) {
      move(l, n, kLruActive);
    } else if (pf || del_(del_arg_, n)) {
      move_to_free(l, n, free_count, out);
      if (++nshrinked == tgt) break;
    }
    if (++i == nr_scans_) break;
  }
  return nshrinked;
}

// __bpf_lru_list_shrink(): when no unreferenced node was found, one node
// from the tail of inactive (or, empty, of active), ref bit ignored.
uint32_t BpfLru::shrink(LruList& l, uint32_t tgt, std::atomic<int64_t>& free_count, Released& out) {
  if (uint32_t n = shrink_inactive(l, tgt, free_count, out)) return n;
  LruLink* head = list_empty(&l.lists[kLruInactive]) ? &l.lists[kLruActive] : &l.lists[kLruInactive];
  for (LruLink *cur = head->prev, *tmp = cur->prev; cur != head; cur = tmp, tmp = cur->prev) {
    LruNode* n = node_of(cur);
    if (pending_free(n) || del_(del_arg_, n)) {
      move_to_free(l, n, free_count, out);
      return 1;
    }
  }
  return 0;
}

// __local_list_flush(): a cpu's pending nodes, oldest first, into the common
// lists (referenced: active).
void BpfLru::local_flush(LruList& l, LocalList& loc, Released& out) {
  for (LruLink *cur = loc.pending.prev, *tmp = cur->prev; cur != &loc.pending; cur = tmp, tmp = cur->prev) {
    LruNode* n = node_of(cur);
    if (pending_free(n)) {
      list_del(cur);
      lru_store(n->pending_free, 0);
      l.free_count.fetch_add(1, std::memory_order_relaxed);
      out.add(n);
    } else {
      move_in(l, n, is_ref(n) ? kLruActive : kLruInactive);
    }
  }
}

// ---- pop -------------------------------------------------------------------------

// bpf_lru_list_pop_free_to_local(): under the cpu's local lock.
void BpfLru::pop_free_to_local(int cpu, LocalList& loc, Released& out) {
  LruList& l = *common_;
  if (lru_lock(l.lock, cpu)) return;
  local_flush(l, loc, out);
  rotate(l);
  const int64_t have = l.free_count.load(std::memory_order_relaxed);
  const uint32_t nfree = static_cast<uint32_t>(std::clamp<int64_t>(have, 0, target_free_));
  l.free_count.fetch_sub(nfree, std::memory_order_relaxed);
  loc.free_count.fetch_add(nfree, std::memory_order_relaxed);
  if (nfree < target_free_) shrink(l, target_free_ - nfree, loc.free_count, out);
  l.lock.unlock();
}

// __local_list_add_pending().
void BpfLru::add_pending(LocalList& loc, int cpu, LruNode* node) {
  node->cpu = static_cast<uint16_t>(cpu);
  lru_store(node->type, kLruLocalPending);
  lru_store(node->pending_free, 0);
  clear_ref(node);
  list_add(&node->link, &loc.pending);
}

// __local_list_pop_pending(): the oldest unreferenced pending node that can
// leave the table (then any), its slot handed on.
bool BpfLru::local_pop_pending(LocalList& loc, Released& out) {
  for (bool force : {false, true})
    for (LruLink* cur = loc.pending.prev; cur != &loc.pending; cur = cur->prev) {
      LruNode* n = node_of(cur);
      if ((!is_ref(n) || force) && (pending_free(n) || del_(del_arg_, n))) {
        list_del(cur);
        out.add(n);
        return true;
      }
    }
  return false;
}

bool BpfLru::common_pop_free(int cpu, LruNode* node, Released& out) {
  LocalList& loc = local_[static_cast<unsigned>(cpu)];
  if (lru_lock(loc.lock, cpu)) return false;
  bool got = take_slot(loc.free_count);
  if (!got) {
    pop_free_to_local(cpu, loc, out);
    got = take_slot(loc.free_count);
  }
  if (got) add_pending(loc, cpu, node);
  loc.lock.unlock();
  if (got) return true;

  // Nothing free in the local and common lists: steal a free slot or a
  // pending node from each cpu's local list in turn, from next_steal.
  const unsigned first = loc.next_steal.load(std::memory_order_relaxed);
  unsigned steal = first;
  do {
    LocalList& sl = local_[steal];
    if (!lru_lock(sl.lock, cpu)) {
      got = take_slot(sl.free_count) || local_pop_pending(sl, out);
      sl.lock.unlock();
    }
    steal = (steal + 1) % nr_cpus_;
  } while (!got && steal != first);
  loc.next_steal.store(steal, std::memory_order_relaxed);
  if (!got) return false;
  if (lru_lock(loc.lock, cpu)) {
    loc.free_count.fetch_add(1, std::memory_order_relaxed);  // the slot stays this cpu's
    return false;
  }
  add_pending(loc, cpu, node);
  loc.lock.unlock();
  return true;
}

// bpf_percpu_lru_pop_free().
bool BpfLru::percpu_pop_free(int cpu, LruNode* node, Released& out) {
  LruList& l = percpu_lru_[static_cast<unsigned>(cpu)];
  if (lru_lock(l.lock, cpu)) return false;
  rotate(l);
  if (l.free_count.load(std::memory_order_relaxed) <= 0) shrink(l, kPercpuFreeTarget, l.free_count, out);
  const bool got = take_slot(l.free_count);
  if (got) {
    node->cpu = static_cast<uint16_t>(cpu);
    lru_store(node->pending_free, 0);
    clear_ref(node);
    lru_store(node->type, kLruInactive);
    l.counts[kLruInactive]++;
    list_add(&node->link, &l.lists[kLruInactive]);
  }
  l.lock.unlock();
  return got;
}

bool BpfLru::pop_free(int cpu, LruNode* node, Released& out) {
  return percpu_ ? percpu_pop_free(cpu, node, out) : common_pop_free(cpu, node, out);
}

// ---- push ------------------------------------------------------------------------

void BpfLru::common_push_free(int cpu, LruNode* node, Released& out) {
  if (lru_load(node->type) == kLruLocalPending) {
    LocalList& loc = local_[node->cpu];
    if (lru_lock(loc.lock, cpu)) {
      mark_pending_free(node);
      return;
    }
    if (node->type == kLruLocalPending) {
      lru_store(node->type, kLruLocalFree);
      clear_ref(node);
      list_del(&node->link);
      loc.free_count.fetch_add(1, std::memory_order_relaxed);
      loc.lock.unlock();
      out.add(node);
      return;
    }
    loc.lock.unlock();  // flushed into the common lists meanwhile
  }
  LruList& l = *common_;
  if (lru_lock(l.lock, cpu)) {
    mark_pending_free(node);
    return;
  }
  move_to_free(l, node, l.free_count, out);
  l.lock.unlock();
}

void BpfLru::percpu_push_free(int cpu, LruNode* node, Released& out) {
  LruList& l = percpu_lru_[node->cpu];
  if (lru_lock(l.lock, cpu)) {
    mark_pending_free(node);
    return;
  }
  move_to_free(l, node, l.free_count, out);
  l.lock.unlock();
}

void BpfLru::push_free(int cpu, LruNode* node, Released& out) {
  if (percpu_)
    percpu_push_free(cpu, node, out);
  else
    common_push_free(cpu, node, out);
}

// ---- inspection ------------------------------------------------------------------

uint64_t BpfLru::free_slots() const {
  int64_t n = 0;
  if (percpu_) {
    for (unsigned c = 0; c < nr_cpus_; ++c) n += percpu_lru_[c].free_count.load();
  } else {
    n = common_->free_count.load();
    for (unsigned c = 0; c < nr_cpus_; ++c) n += local_[c].free_count.load();
  }
  return static_cast<uint64_t>(n);
}

void BpfLru::each_on(LruLink* head, void (*fn)(LruNode*, void*), void* arg) {
  for (LruLink *cur = head->next, *tmp = cur->next; cur != head; cur = tmp, tmp = cur->next) fn(node_of(cur), arg);
}

void BpfLru::each_listed(void (*fn)(LruNode*, void*), void* arg) {
  auto lists = [&](LruList& l) {
    each_on(&l.lists[kLruActive], fn, arg);
    each_on(&l.lists[kLruInactive], fn, arg);
  };
  if (percpu_) {
    for (unsigned c = 0; c < nr_cpus_; ++c) lists(percpu_lru_[c]);
    return;
  }
  lists(*common_);
  for (unsigned c = 0; c < nr_cpus_; ++c) each_on(&local_[c].pending, fn, arg);
}

uint64_t BpfLru::listed_nodes() const {
  uint64_t n = 0;
  const_cast<BpfLru*>(this)->each_listed([](LruNode*, void* a) { ++*static_cast<uint64_t*>(a); }, &n);
  return n;
}

}  // namespace ringb::maps::detail
