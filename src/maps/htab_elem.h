// htab_elem.h — the layout of a hash map element and bucket, the bucket
// chains (hlist_nulls) and the element's sequence count.
//
//   HtabElem (40 bytes) | key, padded to 8 | value, padded to 8    HASH
//   HtabElem (40 bytes) | key, padded to 8                         PERCPU_HASH:
//        pptr ──▶ cpu0 value | cpu1 value | ...  (each padded to 8)    values elsewhere
//
// Bucket chains are the kernel's hlist_nulls: the last link is not null but a
// "nulls" marker holding the bucket's index. Readers walk a chain without a
// lock; an element they stand on may be unlinked meanwhile (its `next` still
// leads on into the chain) and reused at once, in both memory modes, as in the
// kernel — moved into another bucket: then the walk ends on another bucket's
// marker and restarts; or to the head of the same one: then it walks that
// chain again from the start.
//
// Who writes what:
//   next          under the bucket lock (or before the element is linked);
//                 release stores, so a reader that loads the pointer (acquire)
//                 sees the element's key, hash and value.
//   hash, key,    written only while the element is linked nowhere, inside a
//   value         seq write section (seq odd), with release stores; lock-free
//                 readers use acquire loads (value_copy.h), because a
//                 reused element can change under them.
//   pptr          set once (preallocated), or each time the allocator hands
//                 the element out (a reader may still stand on it: atomic).
//   seq           even while stable; host-side copies retry when it moved,
//                 so the host never returns a key or value torn by a reuse.
//                 (A program's reads are not checked: one may see a reused
//                 element's new key or value, as in the kernel.)
//                 (Per-cpu values written in place by programs do not bump it:
//                 each copy is one cpu's, as in the kernel.)
//   fnode         the free-list link; only the free list touches it.
// An element is constructed once, when its memory is new (prealloc_init, or
// the allocator's constructor); reuse never re-initialises it, so `next` and
// `seq` keep meaning something to a reader still standing on it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cpu_spinlock.h"
#include "prealloc_freelist.h"

namespace ringb::maps::detail {

struct HtabElem {
  FreeNode fnode;                  // free-list link (preallocated maps)
  std::atomic<uintptr_t> next;     // bucket chain: element or nulls marker
  std::atomic<uint32_t> hash;
  std::atomic<uint32_t> seq;
  void* pcpu_obj;                  // PERCPU_HASH on the allocator: its per-cpu object
  std::atomic<char*> pptr;         // PERCPU_HASH: cpu 0's value; cpu c's is pptr + c * stride

  char* key() { return reinterpret_cast<char*>(this + 1); }
  const char* key() const { return reinterpret_cast<const char*>(this + 1); }
};
static_assert(sizeof(HtabElem) == 40 && alignof(HtabElem) == 8);
static_assert(offsetof(HtabElem, fnode) == 0);

inline HtabElem* elem_of(FreeNode* n) { return reinterpret_cast<HtabElem*>(n); }

// ---- hlist_nulls ------------------------------------------------------------

inline uintptr_t nulls_marker(uint32_t bucket) { return (uintptr_t{bucket} << 1) | 1; }
inline bool is_nulls(uintptr_t link) { return link & 1; }
inline uint32_t nulls_value(uintptr_t link) { return static_cast<uint32_t>(link >> 1); }
inline HtabElem* link_elem(uintptr_t link) { return reinterpret_cast<HtabElem*>(link); }
inline uintptr_t elem_link(HtabElem* e) { return reinterpret_cast<uintptr_t>(e); }

struct Bucket {
  std::atomic<uintptr_t> head;  // first element, or this bucket's nulls marker
  CpuSpinLock lock;             // writers: link, unlink, in-place per-cpu updates
};

// ---- the seq write section -----------------------------------------------------

// The protocol needs no fences (TSan does not model them): every write in
// the section is a release store, so it orders the odd count before itself,
// and every read is an acquire load, so it orders itself before the second
// read of the count. A reader that saw any new word therefore sees the count
// moved; one that saw the final even count sees every new word.

// Opens a write section on an element no chain links to (fresh, or reused
// while readers may still look at it).
inline uint32_t seq_write_begin(HtabElem* e) {
  const uint32_t s = e->seq.load(std::memory_order_relaxed) | 1;
  e->seq.store(s, std::memory_order_relaxed);
  return s;
}

inline void seq_write_end(HtabElem* e, uint32_t s) { e->seq.store(s + 1, std::memory_order_release); }

// Read side: begin returns the count (odd: a write is in progress); retry(),
// after the acquire reads of key and value, says whether they may be torn.
inline uint32_t seq_read_begin(const HtabElem* e) { return e->seq.load(std::memory_order_acquire); }
inline bool seq_read_retry(const HtabElem* e, uint32_t s) {
  return (s & 1) || e->seq.load(std::memory_order_relaxed) != s;
}

}  // namespace ringb::maps::detail
