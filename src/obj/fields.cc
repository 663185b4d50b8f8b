// fields.cc — bpf_obj_free_fields() and bpf_obj_init() (kernel/bpf/syscall.c,
// include/linux/bpf.h): what happens to the special fields of a map value or
// an object when it goes, and when it is fresh.
//
// Values live in map memory that lock-free readers may still touch (a hash
// element reused at once), so fields are cleared with atomic word stores.
//
// Freeing a list head or rb root (bpf_list_head_free, bpf_rb_root_free):
// under the value's own bpf_spin_lock the whole graph is detached and the
// root left empty; the nodes are then dropped outside the lock, one by one
// (each drop may free that object's own graphs: recursion over the type
// graph, which the BTF layer proved acyclic). A refcounted node may have
// other owners, who could try to push it elsewhere or remove it through this
// root meanwhile: before the lock is released every detached node of a
// refcounted type is marked POISON (owned by nobody, claimable by nobody),
// and outside the lock each one's owner is reset to NULL just before its
// reference is dropped — after its links were read for the walk. (The
// kernel leaves a detached node's owner pointing at the emptied root, where
// it stays: such a node can never be pushed again.)
#include <atomic>
#include <cstring>

#include "heap.h"
#include "layout.h"
#include "rbtree.h"
#include "ringb/objects.h"

namespace ringb::obj {
namespace {

using detail::ListHead;
using detail::ListNode;
using detail::RbNode;
using detail::RbNodeKern;
using detail::RbRoot;

// Zeroes a field (4-aligned, size a multiple of 4) with atomic stores.
void zero_field(char* p, uint32_t size) {
  uint32_t i = 0;
  if (reinterpret_cast<uintptr_t>(p) % 8 && size >= 4) {
    std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(p)).store(0, std::memory_order_relaxed);
    i = 4;
  }
  for (; i + 8 <= size; i += 8)
    std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(p + i)).store(0, std::memory_order_relaxed);
  if (i + 4 <= size)
    std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(p + i)).store(0, std::memory_order_relaxed);
}

class ValueLock {
 public:
  ValueLock(const FieldRecord& r, char* base)
      : lock_(r.spin_lock_off >= 0 ? base + r.spin_lock_off : nullptr) {
    if (lock_) spin_lock(lock_);
  }
  ~ValueLock() { unlock(); }
  void unlock() {
    if (lock_) spin_unlock(lock_);
    lock_ = nullptr;
  }

 private:
  char* lock_;
};

bool refcounted(const Type* t) { return t && t->record.fields.refcount_off >= 0; }

void free_list_head(const Record& r, const Field& f, const Type* node_type, char* base) {
  auto* h = reinterpret_cast<ListHead*>(base + f.offset);
  ListHead* first = nullptr;
  {
    ValueLock lock(r.fields, base);
    if (h->next && h->next != h) {
      first = h->next;
      if (refcounted(node_type))
        for (ListHead* l = first; l != h; l = l->next)
          detail::owner(detail::list_node_of(l)).store(detail::poison(), std::memory_order_relaxed);
    }
    h->next = h->prev = nullptr;  // empty again (the lazily initialised state)
  }
  // The detached chain still ends at h, which only its address means now.
  for (ListHead* l = first; l && l != h;) {
    ListNode* n = detail::list_node_of(l);
    l = l->next;
    n->link.next = n->link.prev = &n->link;
    detail::owner(n).store(nullptr, std::memory_order_release);
    obj_drop(reinterpret_cast<char*>(n) - f.node_offset, node_type);
  }
}

void free_rb_root(const Record& r, const Field& f, const Type* node_type, char* base) {
  auto* root = reinterpret_cast<RbRoot*>(base + f.offset);
  RbRoot detached;
  {
    ValueLock lock(r.fields, base);
    detached = *root;
    root->node = root->leftmost = nullptr;
    if (refcounted(node_type))
      for (RbNode* n = detail::rb_first_postorder(&detached); n; n = detail::rb_next_postorder(n))
        detail::owner(detail::rb_node_of(n)).store(detail::poison(), std::memory_order_relaxed);
  }
  for (RbNode* n = detail::rb_first_postorder(&detached); n;) {
    RbNodeKern* k = detail::rb_node_of(n);
    n = detail::rb_next_postorder(n);  // never needs a node already dropped
    k->node.parent_color = reinterpret_cast<uintptr_t>(&k->node);
    k->node.left = k->node.right = nullptr;
    detail::owner(k).store(nullptr, std::memory_order_release);
    obj_drop(reinterpret_cast<char*>(k) - f.node_offset, node_type);
  }
}

void free_kptr(const Field& f, const Record::Binding& b, char* base) {
  void* old = kptr_xchg(base + f.offset, nullptr);
  if (!old) return;
  if (f.kind == FieldKind::KptrPercpu)
    percpu_obj_drop(old, b.type);
  else if (b.kptr)
    b.kptr->release(old);
  else
    obj_drop(old, b.type);
}

}  // namespace

void free_fields(const Record& r, void* base_ptr) {
  if (!detail::needs_free_fields(r)) return;
  char* base = static_cast<char*>(base_ptr);
  for (size_t i = 0; i < r.fields.fields.size(); ++i) {
    const Field& f = r.fields.fields[i];
    const Record::Binding none{};
    const Record::Binding& b = i < r.bound.size() ? r.bound[i] : none;
    switch (f.kind) {
      case FieldKind::Kptr:
      case FieldKind::KptrPercpu:
        free_kptr(f, b, base);
        break;
      case FieldKind::KptrUntrusted:
      case FieldKind::Uptr:
      case FieldKind::Timer:      // not run yet: nothing armed to cancel
      case FieldKind::Workqueue:
      case FieldKind::TaskWork:
        zero_field(base + f.offset, f.size);
        break;
      case FieldKind::ListHead:
        free_list_head(r, f, b.type, base);
        break;
      case FieldKind::RbRoot:
        free_rb_root(r, f, b.type, base);
        break;
      case FieldKind::SpinLock:
      case FieldKind::ResSpinLock:
      case FieldKind::ListNode:
      case FieldKind::RbNode:
      case FieldKind::Refcount:
        break;
    }
  }
}

void init_fields(const Record& r, void* base_ptr) {
  char* base = static_cast<char*>(base_ptr);
  for (const Field& f : r.fields.fields) {
    zero_field(base + f.offset, f.size);
    if (f.kind == FieldKind::Refcount)
      detail::refs(base + f.offset).store(1, std::memory_order_relaxed);
  }
}

}  // namespace ringb::obj
