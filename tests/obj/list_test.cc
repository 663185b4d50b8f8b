// list_test.cc — bpf_list_push_front/back, pop_front/back, front/back: order,
// zeroed heads as empty lists, owners, and the owner CAS that refuses a node
// already in a list (and drops the reference passed).
#include <cerrno>
#include <vector>

#include "test_types.h"

namespace ringb::obj::test {
namespace {

constexpr uint32_t kOff = offsetof(Plain, l);

std::vector<int64_t> drain(detail::ListHead* head, bool front, const Type& t) {
  std::vector<int64_t> keys;
  while (void* n = list_pop(head, front)) {
    Plain* p = container<Plain>(n, kOff);
    EXPECT_EQ(p->l.owner, nullptr);
    keys.push_back(p->key);
    obj_drop(p, &t);
  }
  return keys;
}

Plain* make(const Type& t, int64_t key) {
  auto* p = static_cast<Plain*>(obj_new(t));
  EXPECT_NE(p, nullptr);
  p->key = key;
  return p;
}

TEST(List, ZeroedHeadIsEmpty) {
  init_runtime();
  detail::ListHead head{};
  EXPECT_EQ(list_pop(&head, true), nullptr);
  EXPECT_EQ(list_pop(&head, false), nullptr);
  EXPECT_EQ(list_peek(&head, true), nullptr);
  EXPECT_EQ(list_peek(&head, false), nullptr);
  EXPECT_EQ(head.next, nullptr);  // popping an empty list does not initialise it
}

TEST(List, PushBackPopFrontIsFifo) {
  init_runtime();
  const Type t = plain_type();
  const uint64_t before = live();
  detail::ListHead head{};
  for (int64_t k = 1; k <= 5; ++k) {
    Plain* p = make(t, k);
    ASSERT_EQ(list_push(&head, &p->l, &t, kOff, false), 0);
    EXPECT_EQ(p->l.owner, &head);
  }
  EXPECT_EQ(container<Plain>(list_peek(&head, true), kOff)->key, 1);
  EXPECT_EQ(container<Plain>(list_peek(&head, false), kOff)->key, 5);
  EXPECT_EQ(drain(&head, true, t), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(list_pop(&head, true), nullptr);
  EXPECT_EQ(list_peek(&head, false), nullptr);
  EXPECT_EQ(live(), before);
}

TEST(List, PushFrontAndBothEnds) {
  init_runtime();
  const Type t = plain_type();
  detail::ListHead head{};
  for (int64_t k = 1; k <= 3; ++k) {
    Plain* p = make(t, k);
    ASSERT_EQ(list_push(&head, &p->l, &t, kOff, true), 0);
  }
  Plain* last = make(t, 9);
  ASSERT_EQ(list_push(&head, &last->l, &t, kOff, false), 0);
  // 3 2 1 9
  Plain* b = container<Plain>(list_pop(&head, false), kOff);
  EXPECT_EQ(b->key, 9);
  obj_drop(b, &t);
  EXPECT_EQ(drain(&head, false, t), (std::vector<int64_t>{1, 2, 3}));
  // Empty again (self-pointing now): still empty, and reusable.
  Plain* again = make(t, 4);
  ASSERT_EQ(list_push(&head, &again->l, &t, kOff, true), 0);
  EXPECT_EQ(drain(&head, true, t), (std::vector<int64_t>{4}));
}

TEST(List, PeekIsNonOwning) {
  init_runtime();
  const Type t = plain_type();
  detail::ListHead head{};
  Plain* p = make(t, 7);
  ASSERT_EQ(list_push(&head, &p->l, &t, kOff, false), 0);
  EXPECT_EQ(list_peek(&head, true), &p->l);
  EXPECT_EQ(list_peek(&head, false), &p->l);
  EXPECT_EQ(p->l.owner, &head);  // still on the list
  EXPECT_EQ(drain(&head, true, t), (std::vector<int64_t>{7}));
}

// A refcounted node on one list, pushed (through a second reference) onto
// another: the owner CAS fails, the reference passed is dropped, -EINVAL.
TEST(List, PushOfANodeInAListFailsAndDropsTheReference) {
  init_runtime();
  const Type t = elem_type();
  constexpr uint32_t off = offsetof(Elem, l);
  const uint64_t before = live();
  detail::ListHead a{}, b{};
  auto* e = static_cast<Elem*>(obj_new(t));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(refcount_acquire(e), e);  // 2: one for list a, one for us
  ASSERT_EQ(list_push(&a, &e->l, &t, off, false), 0);
  EXPECT_EQ(list_push(&b, &e->l, &t, off, false), -EINVAL);
  EXPECT_EQ(e->ref, 1u);  // ours is gone; list a keeps its own
  EXPECT_EQ(e->l.owner, &a);
  EXPECT_EQ(list_pop(&b, true), nullptr);
  // Pushed twice onto the same list: the same.
  ASSERT_EQ(refcount_acquire(e), e);
  EXPECT_EQ(list_push(&a, &e->l, &t, off, true), -EINVAL);
  EXPECT_EQ(e->ref, 1u);
  void* n = list_pop(&a, true);
  ASSERT_EQ(n, &e->l);
  EXPECT_EQ(list_pop(&a, true), nullptr);
  EXPECT_EQ(live(), before + 1);
  obj_drop(e, &t);
  EXPECT_EQ(live(), before);
}

// The last owner of a refcounted object is a list: dropping the other
// references leaves it alive there; popping and dropping frees it.
TEST(List, RefcountReachesZeroInAContainer) {
  init_runtime();
  const Type t = elem_type();
  constexpr uint32_t off = offsetof(Elem, l);
  const uint64_t before = live();
  detail::ListHead head{};
  auto* e = static_cast<Elem*>(obj_new(t));
  ASSERT_NE(e, nullptr);
  Elem* mine = static_cast<Elem*>(refcount_acquire(e));
  ASSERT_EQ(list_push(&head, &e->l, &t, off, false), 0);
  obj_drop(mine, &t);
  EXPECT_EQ(live(), before + 1);
  EXPECT_EQ(e->ref, 1u);
  void* n = list_pop(&head, true);
  ASSERT_EQ(n, &e->l);
  obj_drop(container<Elem>(n, off), &t);
  EXPECT_EQ(live(), before);
}

// A node popped from one list can go onto another (its owner is NULL again).
TEST(List, PoppedNodeMovesToAnotherList) {
  init_runtime();
  const Type t = plain_type();
  detail::ListHead a{}, b{};
  Plain* p = make(t, 1);
  ASSERT_EQ(list_push(&a, &p->l, &t, kOff, false), 0);
  void* n = list_pop(&a, true);
  ASSERT_EQ(list_push(&b, n, &t, kOff, false), 0);
  EXPECT_EQ(p->l.owner, &b);
  EXPECT_EQ(drain(&a, true, t), std::vector<int64_t>{});
  EXPECT_EQ(drain(&b, true, t), std::vector<int64_t>{1});
}

}  // namespace
}  // namespace ringb::obj::test
