// slab.cc — carving objects from mmap'd chunks (see slab.h).
#include "slab.h"

#include <sys/mman.h>

#include <algorithm>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define RINGB_ASAN 1
#endif

namespace ringb::mem::detail {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kChunkHeader = 64;  // keeps objects cache-line aligned
constexpr size_t kMaxChunk = size_t{256} << 10;

size_t round_up_page(size_t n) { return (n + kPage - 1) / kPage * kPage; }

// In ASan builds an object resting in the slab is poisoned but for its
// header (the link), so a use after the grace period is reported.
void poison_body([[maybe_unused]] Node* n, [[maybe_unused]] size_t size) {
#ifdef RINGB_ASAN
  ASAN_POISON_MEMORY_REGION(reinterpret_cast<char*>(n) + sizeof(Node), size - sizeof(Node));
#endif
}
void unpoison_body([[maybe_unused]] Node* n, [[maybe_unused]] size_t size) {
#ifdef RINGB_ASAN
  ASAN_UNPOISON_MEMORY_REGION(reinterpret_cast<char*>(n) + sizeof(Node), size - sizeof(Node));
#endif
}

bool map_chunk(SlabCursor& cur, SlabChunks& chunks, size_t size) {
  const size_t first = round_up_page(kChunkHeader + std::max(kPage, 8 * size));
  const size_t limit = round_up_page(kChunkHeader + std::max(kMaxChunk, 2 * size));
  const size_t bytes = std::min(std::max(cur.next_chunk, first), limit);
  // mmap is a plain system call: safe in a signal handler.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) return false;
  auto* chunk = static_cast<SlabChunk*>(p);
  chunk->size = bytes;
  chunks.push(chunk);
#ifdef RINGB_ASAN
  // Objects in chunks may hold the only pointer to heap memory.
  __lsan_register_root_region(p, bytes);
#endif
  cur.bump = static_cast<char*>(p) + kChunkHeader;
  cur.end = static_cast<char*>(p) + bytes;
  cur.next_chunk = bytes * 2;
  return true;
}

}  // namespace

void SlabChunks::push(SlabChunk* c) {
  SlabChunk* head = head_.load(std::memory_order_relaxed);
  do {
    c->next = head;
  } while (!head_.compare_exchange_weak(head, c, std::memory_order_release, std::memory_order_relaxed));
  mapped_.fetch_add(c->size, std::memory_order_relaxed);
}

void SlabChunks::unmap_all() {
  for (SlabChunk* c = head_.exchange(nullptr, std::memory_order_acquire); c;) {
    SlabChunk* next = c->next;
    const size_t size = c->size;
#ifdef RINGB_ASAN
    __lsan_unregister_root_region(c, size);
    ASAN_UNPOISON_MEMORY_REGION(c, size);
#endif
    munmap(c, size);
    mapped_.fetch_sub(size, std::memory_order_relaxed);
    c = next;
  }
}

Node* slab_take(SlabCursor& cur, SlabClass& cls, SlabChunks& chunks, size_t size, bool* fresh) {
  if (!cur.taken) cur.taken = cls.returned.take_all();
  if (Node* n = cur.taken) {
    cur.taken = n->next;
    unpoison_body(n, size);
    *fresh = false;
    return n;
  }
  if (static_cast<size_t>(cur.end - cur.bump) < size && !map_chunk(cur, chunks, size)) return nullptr;
  Node* n = reinterpret_cast<Node*>(cur.bump);
  cur.bump += size;
  *fresh = true;
  return n;
}

void slab_return(SlabClass& cls, Node* first, Node* last, size_t size) {
  for (Node* n = first;; n = n->next) {
    poison_body(n, size);
    if (n == last) break;
  }
  cls.returned.push_chain(first, last);
}

}  // namespace ringb::mem::detail
