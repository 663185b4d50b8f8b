// lists.h — the two kinds of singly linked list the allocator uses, linked
// through each object's 8-byte header (the kernel's llist).
#pragma once

#include <atomic>

namespace ringb::mem::detail {

// A free object. While free, its header word is the link; while allocated,
// the header holds the owning Cache (see cache.h).
struct Node {
  Node* next;
};

// The last node of a non-empty chain; *count gets its length.
inline Node* chain_tail(Node* first, int* count) {
  int n = 1;
  Node* last = first;
  for (; last->next; ++n) last = last->next;
  *count = n;
  return last;
}

// Lock-free stack. Any number of threads (and signal handlers) may push and
// take. Taking is always the whole list at once (an exchange), so there is no
// ABA problem and no taker ever reads a node another taker owns.
class AtomicStack {
 public:
  void push(Node* n) { push_chain(n, n); }

  // Pushes the chain first → … → last (already linked).
  void push_chain(Node* first, Node* last) {
    Node* head = head_.load(std::memory_order_relaxed);
    do {
      last->next = head;
    } while (!head_.compare_exchange_weak(head, first, std::memory_order_release,
                                          std::memory_order_relaxed));
  }

  Node* take_all() {
    if (head_.load(std::memory_order_relaxed) == nullptr) return nullptr;
    return head_.exchange(nullptr, std::memory_order_acquire);
  }

  bool empty() const { return head_.load(std::memory_order_relaxed) == nullptr; }

 private:
  std::atomic<Node*> head_{nullptr};
};

}  // namespace ringb::mem::detail
