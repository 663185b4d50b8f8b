// list.cc — bpf_list_push_front/back_impl, bpf_list_pop_front/back and
// bpf_list_front/back (kernel/bpf/helpers.c), on the kernel's list_head.
//
// The caller (a program) holds the spin lock that guards the head; the
// verifier proved it. The node's owner is claimed with a CAS from NULL to
// POISON before it is linked: a node that is in a graph already (a
// refcounted object pushed twice) fails it, and the reference the program
// passed is dropped (-EINVAL), as the kernel does.
#include <cerrno>

#include "layout.h"
#include "ringb/objects.h"

namespace ringb::obj {
namespace {

using detail::ListHead;
using detail::ListNode;

// A zeroed head (fresh map value or object) is an empty list: make it
// self-pointing before anything links into it (the kernel's lazy
// INIT_LIST_HEAD).
ListHead* ready_head(void* head) {
  auto* h = static_cast<ListHead*>(head);
  if (!h->next) h->next = h->prev = h;
  return h;
}

bool is_empty(const ListHead* h) { return !h->next || h->next == h; }

}  // namespace

long list_push(void* head, void* node, const Type* t, uint32_t off, bool front) {
  ListHead* h = ready_head(head);
  auto* n = static_cast<ListNode*>(node);
  void* expected = nullptr;
  if (!detail::owner(n).compare_exchange_strong(expected, detail::poison(), std::memory_order_acq_rel,
                                                std::memory_order_acquire)) {
    obj_drop(static_cast<char*>(node) - off, t);
    return -EINVAL;
  }
  ListHead* prev = front ? h : h->prev;
  ListHead* next = prev->next;
  n->link.prev = prev;
  n->link.next = next;
  next->prev = &n->link;
  prev->next = &n->link;
  detail::owner(n).store(head, std::memory_order_release);
  return 0;
}

void* list_pop(void* head, bool front) {
  auto* h = static_cast<ListHead*>(head);
  if (is_empty(h)) return nullptr;
  ListNode* n = detail::list_node_of(front ? h->next : h->prev);
  // A node on this list names it as its owner; anything else is a broken
  // list (the kernel WARNs and returns NULL).
  if (detail::owner(n).load(std::memory_order_relaxed) != head) return nullptr;
  n->link.prev->next = n->link.next;
  n->link.next->prev = n->link.prev;
  n->link.next = n->link.prev = &n->link;  // list_del_init
  detail::owner(n).store(nullptr, std::memory_order_release);
  return n;
}

void* list_peek(void* head, bool front) {
  auto* h = static_cast<ListHead*>(head);
  if (is_empty(h)) return nullptr;
  return front ? h->next : h->prev;
}

}  // namespace ringb::obj
