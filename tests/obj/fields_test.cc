// fields_test.cc — bpf_obj_free_fields and bpf_obj_init on hand-built
// records: kptrs exchanged out and released, graphs detached and their
// objects dropped recursively (a list of objects that each hold a list and a
// tree), refcounted nodes that only lose a reference and come back with no
// owner, and fresh fields.
#include <cstring>
#include <vector>

#include "ringb/cpumask.h"
#include "tree_util.h"

namespace ringb::obj::test {
namespace {

// struct inner { long key; struct bpf_rb_node r; } is TNode; struct outer
// holds a Value (lock, list of Plain, tree of TNode, kptr to Plain, cpumask)
// and is itself a node of a list.
struct Outer {
  int64_t key;
  detail::ListNode l;
  Value v;
};
constexpr uint32_t kOuterL = offsetof(Outer, l);

struct Types {
  Type plain = plain_type();
  Type tnode = tnode_type();
  Type outer;
  Record top;  // a map value: Value whose list holds Outer
  Types() {
    outer.btf_id = 20;
    outer.name = "outer";
    outer.size = sizeof(Outer);
    add(outer.record, field(FieldKind::ListNode, kOuterL, 24));
    Record inner = value_record(plain, offsetof(Plain, l), tnode, kTOff, &plain);
    for (size_t i = 0; i < inner.fields.fields.size(); ++i) {
      Field f = inner.fields.fields[i];
      f.offset += offsetof(Outer, v);
      add(outer.record, f, inner.bound[i]);
    }
    top = value_record(outer, kOuterL, tnode, kTOff, &plain);
  }
};

void fill(Value& v, const Types& ty, int lists, int trees) {
  for (int i = 0; i < lists; ++i) {
    auto* p = static_cast<Plain*>(obj_new(ty.plain));
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(list_push(&v.head, &p->l, &ty.plain, offsetof(Plain, l), i % 2), 0);
  }
  for (int i = 0; i < trees; ++i) {
    auto* n = static_cast<TNode*>(obj_new(ty.tnode));
    ASSERT_NE(n, nullptr);
    n->key = i * 7 % 5;
    ASSERT_EQ(rbtree_add(&v.root, &n->r, less_key, nullptr, &ty.tnode, kTOff), 0);
  }
  void* k = obj_new(ty.plain);
  ASSERT_EQ(kptr_xchg(&v.obj, k), nullptr);
  bpf_cpumask* m = bpf_cpumask_create();
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(kptr_xchg(&v.mask, m), nullptr);
}

TEST(Fields, FreeFieldsRecursesThroughObjectsHoldingGraphs) {
  init_runtime();
  const Types ty;
  const Stats before = stats();
  Value top{};
  // Three outer objects on the value's list, each holding a list of 4, a
  // tree of 5, a kptr and a cpumask; the value's own tree holds 6 nodes.
  for (int i = 0; i < 3; ++i) {
    auto* o = static_cast<Outer*>(obj_new(ty.outer));
    ASSERT_NE(o, nullptr);
    fill(o->v, ty, 4, 5);
    ASSERT_EQ(list_push(&top.head, &o->l, &ty.outer, kOuterL, false), 0);
  }
  fill(top, ty, 0, 6);
  EXPECT_EQ(stats().objects_live, before.objects_live + 3 * (1 + 4 + 5 + 1) + 6 + 1);
  EXPECT_EQ(stats().cpumasks_live, before.cpumasks_live + 4);
  free_fields(ty.top, &top);
  EXPECT_EQ(stats().objects_live, before.objects_live);
  EXPECT_EQ(stats().cpumasks_live, before.cpumasks_live);
  EXPECT_EQ(top.head.next, nullptr);
  EXPECT_EQ(top.root.node, nullptr);
  EXPECT_EQ(top.root.leftmost, nullptr);
  EXPECT_EQ(top.obj, nullptr);
  EXPECT_EQ(top.mask, nullptr);
  EXPECT_EQ(top.lock, 0u);
  // An emptied value works again and frees again.
  auto* o = static_cast<Outer*>(obj_new(ty.outer));
  ASSERT_NE(o, nullptr);
  fill(o->v, ty, 1, 1);
  ASSERT_EQ(list_push(&top.head, &o->l, &ty.outer, kOuterL, true), 0);
  fill(top, ty, 0, 2);
  free_fields(ty.top, &top);
  EXPECT_EQ(stats().objects_live, before.objects_live);
  mem::MemAlloc::rcu_barrier();
}

bool less_elem(void*, void* a, const void* b) {
  return container<const Elem>(a, offsetof(Elem, r))->key <
         container<const Elem>(const_cast<void*>(b), offsetof(Elem, r))->key;
}

// Refcounted nodes held elsewhere survive the free with one reference less
// and no owner, so they can be pushed and added again.
TEST(Fields, RefcountedNodesLoseOneReferenceAndTheirOwner) {
  init_runtime();
  const Type elem = elem_type();
  Record r;
  add(r, field(FieldKind::SpinLock, offsetof(Value, lock), 4));
  add(r, root_of(FieldKind::ListHead, offsetof(Value, head), elem, offsetof(Elem, l)), holds(elem));
  add(r, root_of(FieldKind::RbRoot, offsetof(Value, root), elem, offsetof(Elem, r)), holds(elem));
  const uint64_t before = live();
  Value v{};
  std::vector<Elem*> mine;
  for (int i = 0; i < 6; ++i) {
    auto* e = static_cast<Elem*>(obj_new(elem));
    ASSERT_NE(e, nullptr);
    e->key = i;
    mine.push_back(static_cast<Elem*>(refcount_acquire(e)));
    ASSERT_EQ(refcount_acquire(e), e);
    ASSERT_EQ(list_push(&v.head, &e->l, &elem, offsetof(Elem, l), false), 0);
    ASSERT_EQ(rbtree_add(&v.root, &e->r, less_elem, nullptr, &elem, offsetof(Elem, r)), 0);
    EXPECT_EQ(e->ref, 3u);
  }
  free_fields(r, &v);
  EXPECT_EQ(live(), before + 6);
  Value w{};
  for (Elem* e : mine) {
    EXPECT_EQ(e->ref, 1u);
    EXPECT_EQ(e->l.owner, nullptr);
    EXPECT_EQ(e->r.owner, nullptr);
    ASSERT_EQ(refcount_acquire(e), e);
    EXPECT_EQ(list_push(&w.head, &e->l, &elem, offsetof(Elem, l), false), 0);
    EXPECT_EQ(rbtree_add(&w.root, &e->r, less_elem, nullptr, &elem, offsetof(Elem, r)), 0);
  }
  free_fields(r, &w);
  EXPECT_EQ(live(), before);
}

TEST(Fields, KptrsAreExchangedOutAndReleased) {
  init_runtime();
  const Type plain = plain_type();
  const Type tnode = tnode_type();
  const Record r = value_record(plain, offsetof(Plain, l), tnode, kTOff, &plain);
  const Stats before = stats();
  Value v{};
  void* a = obj_new(plain);
  void* b = obj_new(plain);
  EXPECT_EQ(kptr_xchg(&v.obj, a), nullptr);
  EXPECT_EQ(kptr_xchg(&v.obj, b), a);  // the old one comes back, owning
  obj_drop(a, &plain);
  bpf_cpumask* m = bpf_cpumask_create();
  bpf_cpumask_set_cpu(0, m);
  EXPECT_EQ(kptr_xchg(&v.mask, bpf_cpumask_acquire(m)), nullptr);
  bpf_cpumask_release(m);  // the map's reference is the last one
  EXPECT_EQ(stats().cpumasks_live, before.cpumasks_live + 1);
  free_fields(r, &v);
  EXPECT_EQ(v.obj, nullptr);
  EXPECT_EQ(v.mask, nullptr);
  const Stats after = stats();
  EXPECT_EQ(after.objects_live, before.objects_live);
  EXPECT_EQ(after.cpumasks_live, before.cpumasks_live);
}

TEST(Fields, PercpuAndUntrustedKptrs) {
  init_runtime();
  struct V {
    void* percpu;
    void* untrusted;
  } v{};
  Type pc;
  pc.name = "counters";
  pc.size = 64;
  Record r;
  add(r, field(FieldKind::KptrPercpu, 0, 8), holds(pc));
  add(r, field(FieldKind::KptrUntrusted, 8, 8));
  const uint64_t before = stats().percpu_live;
  v.percpu = percpu_obj_new(pc);
  int dummy;
  v.untrusted = &dummy;
  free_fields(r, &v);
  EXPECT_EQ(v.percpu, nullptr);
  EXPECT_EQ(v.untrusted, nullptr);  // zeroed, nothing released
  EXPECT_EQ(stats().percpu_live, before);
}

TEST(Fields, InitFieldsZeroesSpecialFieldsOnly) {
  const Type elem = elem_type();
  Elem e;
  std::memset(&e, 0xcd, sizeof e);
  init_fields(elem.record, &e);
  EXPECT_EQ(e.ref, 1u);
  EXPECT_EQ(e.l.owner, nullptr);
  EXPECT_EQ(e.l.link.next, nullptr);
  EXPECT_EQ(e.r.owner, nullptr);
  EXPECT_EQ(e.r.node.parent_color, 0u);
  EXPECT_EQ(static_cast<uint64_t>(e.key), 0xcdcdcdcdcdcdcdcdu);  // not a special field
  EXPECT_EQ(e.pad, 0xcdcdcdcdu);
}

// Without a spin lock in the record (hand-built), graphs are still freed.
TEST(Fields, RecordWithoutALock) {
  init_runtime();
  const Type plain = plain_type();
  Record r;
  add(r, root_of(FieldKind::ListHead, 0, plain, offsetof(Plain, l)), holds(plain));
  const uint64_t before = live();
  detail::ListHead h{};
  for (int i = 0; i < 3; ++i) {
    auto* p = static_cast<Plain*>(obj_new(plain));
    ASSERT_EQ(list_push(&h, &p->l, &plain, offsetof(Plain, l), false), 0);
  }
  free_fields(r, &h);
  EXPECT_EQ(live(), before);
  EXPECT_EQ(h.next, nullptr);
}

}  // namespace
}  // namespace ringb::obj::test
