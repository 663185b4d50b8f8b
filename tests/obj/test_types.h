// test_types.h — hand-built obj::Types and Records (the plain structs a
// TypeSet would build from BTF), and the C++ structs whose layout they
// describe, for the object runtime's tests.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "layout.h"
#include "ringb/cpumask.h"
#include "ringb/mem.h"
#include "ringb/objects.h"

namespace ringb::obj::test {

inline Field field(FieldKind kind, uint32_t offset, uint32_t size) {
  Field f;
  f.kind = kind;
  f.offset = offset;
  f.size = size;
  return f;
}

// Appends a field (in offset order) and keeps the record's summary right.
inline void add(Record& r, Field f, Record::Binding b = {}) {
  FieldRecord& fr = r.fields;
  fr.mask |= static_cast<uint32_t>(f.kind);
  const auto off = static_cast<int32_t>(f.offset);
  switch (f.kind) {
    case FieldKind::SpinLock: fr.spin_lock_off = off; break;
    case FieldKind::ResSpinLock: fr.res_spin_lock_off = off; break;
    case FieldKind::Refcount: fr.refcount_off = off; break;
    case FieldKind::Timer: fr.timer_off = off; break;
    case FieldKind::Workqueue: fr.wq_off = off; break;
    case FieldKind::TaskWork: fr.task_work_off = off; break;
    default: break;
  }
  fr.fields.push_back(f);
  r.bound.push_back(b);
}

inline Record::Binding holds(const Type& t) { return {&t, nullptr}; }
inline Record::Binding kernel(const KptrType& k) { return {nullptr, &k}; }

inline Field root_of(FieldKind kind, uint32_t offset, const Type& node_type, uint32_t node_offset) {
  Field f = field(kind, offset, 16);
  f.node_struct_id = node_type.btf_id;
  f.node_struct_name = node_type.name;
  f.node_offset = node_offset;
  return f;
}

// struct elem { long key; struct bpf_list_node l; struct bpf_rb_node r;
//               struct bpf_refcount ref; long id; } — a node of both a list
// and a tree, so refcounted (the kernel's rule).
struct Elem {
  int64_t key;
  detail::ListNode l;
  detail::RbNodeKern r;
  uint32_t ref;
  uint32_t pad;
  int64_t id;
};
static_assert(offsetof(Elem, l) == 8 && offsetof(Elem, r) == 32 && offsetof(Elem, ref) == 64);

inline Type elem_type() {
  Type t;
  t.btf_id = 10;
  t.name = "elem";
  t.size = sizeof(Elem);
  add(t.record, field(FieldKind::ListNode, offsetof(Elem, l), 24));
  add(t.record, field(FieldKind::RbNode, offsetof(Elem, r), 32));
  add(t.record, field(FieldKind::Refcount, offsetof(Elem, ref), 4));
  return t;
}

// struct plain { long key; struct bpf_list_node l; } — single ownership.
struct Plain {
  int64_t key;
  detail::ListNode l;
};

inline Type plain_type() {
  Type t;
  t.btf_id = 11;
  t.name = "plain";
  t.size = sizeof(Plain);
  add(t.record, field(FieldKind::ListNode, offsetof(Plain, l), 24));
  return t;
}

// struct tnode { long key; struct bpf_rb_node r; } — single ownership.
struct TNode {
  int64_t key;
  detail::RbNodeKern r;
};

inline Type tnode_type() {
  Type t;
  t.btf_id = 12;
  t.name = "tnode";
  t.size = sizeof(TNode);
  add(t.record, field(FieldKind::RbNode, offsetof(TNode, r), 32));
  return t;
}

// struct value { struct bpf_spin_lock lock; struct bpf_list_head head
//   __contains(…); struct bpf_rb_root root __contains(…); void __kptr *obj;
//   struct bpf_cpumask __kptr *mask; } — a map value or an object with graphs.
struct Value {
  uint32_t lock;
  uint32_t pad;
  detail::ListHead head;
  detail::RbRoot root;
  void* obj;
  bpf_cpumask* mask;
  int64_t data;
};
static_assert(offsetof(Value, head) == 8 && offsetof(Value, root) == 24 && offsetof(Value, obj) == 40 &&
              offsetof(Value, mask) == 48);

inline const KptrType& cpumask_kptr() {
  static const KptrType k{"bpf_cpumask", bpf_cpumask_release_dtor};
  return k;
}

// A record for Value whose head holds `list_type` (node at `list_off`), whose
// root holds `tree_type`, whose kptr points at `kptr_type`.
inline Record value_record(const Type& list_type, uint32_t list_off, const Type& tree_type, uint32_t tree_off,
                           const Type* kptr_type) {
  Record r;
  add(r, field(FieldKind::SpinLock, offsetof(Value, lock), 4));
  add(r, root_of(FieldKind::ListHead, offsetof(Value, head), list_type, list_off), holds(list_type));
  add(r, root_of(FieldKind::RbRoot, offsetof(Value, root), tree_type, tree_off), holds(tree_type));
  Field k = field(FieldKind::Kptr, offsetof(Value, obj), 8);
  if (kptr_type) k.pointee_name = kptr_type->name;
  add(r, k, Record::Binding{kptr_type, nullptr});
  Field m = field(FieldKind::Kptr, offsetof(Value, mask), 8);
  m.pointee_name = "bpf_cpumask";
  add(r, m, kernel(cpumask_kptr()));
  return r;
}

inline void init_runtime() {
  Status s = init();
  ASSERT_TRUE(s.ok()) << s.error().message;
}

// Objects dropped are counted at once; their memory waits for grace periods.
inline uint64_t live() { return stats().objects_live; }

template <typename T>
T* container(void* node, size_t off) {
  return node ? reinterpret_cast<T*>(static_cast<char*>(node) - off) : nullptr;
}
template <typename T>
const T* container(const void* node, size_t off) {
  return node ? reinterpret_cast<const T*>(static_cast<const char*>(node) - off) : nullptr;
}

}  // namespace ringb::obj::test
