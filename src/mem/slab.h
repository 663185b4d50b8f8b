// slab.h — the allocator's own backing source, async-signal-safe: objects
// carved from mmap'd chunks, with no lock and no malloc, so that a cache may
// refill itself anywhere, a signal handler included (Linux 6.18's
// kmalloc_nolock() is the kernel's step in the same direction).
//
//   per cache (owner side)     SlabCursor: the chunk it carves from, and the
//                              objects it took back from its class
//   per class (shared)         SlabClass: objects returned after their grace
//                              periods, by any thread (lock-free push; an
//                              owner takes the whole list at once, so no ABA)
//   per allocator              SlabChunks: every chunk, unmapped at destroy
//
// A chunk stays mapped until its allocator is destroyed: memory returned to
// the slab is reused by the same allocator (any cpu), never handed to the OS
// in between. Chunks grow from a page up to 256 KiB (or two objects), so an
// idle allocator touches little memory.
#pragma once

#include <atomic>
#include <cstddef>

#include "lists.h"

namespace ringb::mem::detail {

struct SlabChunk {
  SlabChunk* next;
  size_t size;  // bytes mapped, this header included
};

class SlabChunks {
 public:
  void push(SlabChunk* c);
  void unmap_all();
  size_t mapped() const { return mapped_.load(std::memory_order_relaxed); }

 private:
  std::atomic<SlabChunk*> head_{nullptr};
  std::atomic<size_t> mapped_{0};
};

struct SlabClass {
  AtomicStack returned;
};

struct SlabCursor {
  Node* taken = nullptr;  // objects taken back from SlabClass::returned
  char* bump = nullptr;   // the rest of the current chunk
  char* end = nullptr;
  size_t next_chunk = 0;  // size of the next chunk to map (0: first)
};

// One object of `size` bytes (a multiple of 8) for the owner of `cur`:
// reused from the slab, or carved (then `*fresh` is set: the bytes are
// zero). nullptr when the OS refuses memory.
Node* slab_take(SlabCursor& cur, SlabClass& cls, SlabChunks& chunks, size_t size, bool* fresh);
// Gives back the linked objects first … last (from any thread).
void slab_return(SlabClass& cls, Node* first, Node* last, size_t size);

}  // namespace ringb::mem::detail
