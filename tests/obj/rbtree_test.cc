// rbtree_test.cc — bpf_rbtree_add/remove/first/root/left/right on objects:
// order with duplicates, the owner checks (remove, left and right of a node
// another tree owns give NULL), the add owner CAS, refcounted nodes shared
// by a list and a tree.
#include <cerrno>
#include <vector>

#include "tree_util.h"

namespace ringb::obj::test {
namespace {

constexpr uint32_t kEOff = offsetof(Elem, r);

int64_t elem_key(const void* node) { return container<const Elem>(const_cast<void*>(node), kEOff)->key; }
bool less_elem(void*, void* a, const void* b) { return elem_key(a) < elem_key(b); }

// In-order walk with left/right only (what a program can do), keys and ids.
void inorder(void* root, void* n, std::vector<std::pair<int64_t, int64_t>>& out) {
  if (!n) return;
  inorder(root, rbtree_left(root, n), out);
  const Elem* e = container<Elem>(n, kEOff);
  out.emplace_back(e->key, e->id);
  inorder(root, rbtree_right(root, n), out);
}

TEST(Rbtree, OrderWithDuplicates) {
  init_runtime();
  const Type t = elem_type();
  const uint64_t before = live();
  detail::RbRoot root{};
  EXPECT_EQ(rbtree_first(&root), nullptr);
  EXPECT_EQ(rbtree_root(&root), nullptr);
  const int64_t keys[] = {5, 3, 8, 3, 5, 1, 9, 5, 3, 7};
  for (size_t i = 0; i < std::size(keys); ++i) {
    auto* e = static_cast<Elem*>(obj_new(t));
    ASSERT_NE(e, nullptr);
    e->key = keys[i];
    e->id = static_cast<int64_t>(i);
    ASSERT_EQ(rbtree_add(&root, &e->r, less_elem, nullptr, &t, kEOff), 0);
    EXPECT_EQ(e->r.owner, &root);
  }
  std::vector<std::pair<int64_t, int64_t>> seen;
  inorder(&root, rbtree_root(&root), seen);
  // Sorted by key; equal keys in insertion order (they go right).
  const std::vector<std::pair<int64_t, int64_t>> want = {{1, 5}, {3, 1}, {3, 3}, {3, 8}, {5, 0},
                                                         {5, 4}, {5, 7}, {7, 9}, {8, 2}, {9, 6}};
  EXPECT_EQ(seen, want);
  // Popping the first node repeatedly gives the same order.
  std::vector<std::pair<int64_t, int64_t>> popped;
  while (void* n = rbtree_first(&root)) {
    ASSERT_EQ(rbtree_remove(&root, n), n);
    Elem* e = container<Elem>(n, kEOff);
    EXPECT_EQ(e->r.owner, nullptr);
    popped.emplace_back(e->key, e->id);
    obj_drop(e, &t);
  }
  EXPECT_EQ(popped, want);
  EXPECT_EQ(live(), before);
}

TEST(Rbtree, RemoveAndWalkCheckTheOwner) {
  init_runtime();
  const Type t = elem_type();
  detail::RbRoot a{}, b{};
  auto* x = static_cast<Elem*>(obj_new(t));
  auto* y = static_cast<Elem*>(obj_new(t));
  x->key = 1;
  y->key = 2;
  ASSERT_EQ(rbtree_add(&a, &x->r, less_elem, nullptr, &t, kEOff), 0);
  ASSERT_EQ(rbtree_add(&a, &y->r, less_elem, nullptr, &t, kEOff), 0);
  EXPECT_EQ(rbtree_remove(&b, &x->r), nullptr);  // a's node, not b's
  EXPECT_EQ(rbtree_left(&b, &x->r), nullptr);
  EXPECT_EQ(rbtree_right(&b, &x->r), nullptr);
  EXPECT_EQ(rbtree_right(&a, &x->r), &y->r);
  EXPECT_EQ(x->r.owner, &a);
  // Removed: owned by nobody, so remove/left/right of it give NULL too.
  ASSERT_EQ(rbtree_remove(&a, &y->r), &y->r);
  EXPECT_EQ(rbtree_remove(&a, &y->r), nullptr);
  EXPECT_EQ(rbtree_left(&a, &y->r), nullptr);
  EXPECT_EQ(rbtree_right(&a, &x->r), nullptr);
  obj_drop(y, &t);
  ASSERT_EQ(rbtree_remove(&a, &x->r), &x->r);
  obj_drop(x, &t);
  EXPECT_EQ(rbtree_root(&a), nullptr);
}

// A refcounted node in a tree, added again through a second reference: the
// CAS fails, that reference is dropped, -EINVAL; the tree keeps its own.
TEST(Rbtree, AddOfANodeInATreeFails) {
  init_runtime();
  const Type t = elem_type();
  const uint64_t before = live();
  detail::RbRoot a{}, b{};
  auto* e = static_cast<Elem*>(obj_new(t));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(refcount_acquire(e), e);
  ASSERT_EQ(rbtree_add(&a, &e->r, less_elem, nullptr, &t, kEOff), 0);
  EXPECT_EQ(rbtree_add(&b, &e->r, less_elem, nullptr, &t, kEOff), -EINVAL);
  EXPECT_EQ(e->ref, 1u);
  EXPECT_EQ(rbtree_root(&b), nullptr);
  ASSERT_EQ(rbtree_remove(&a, &e->r), &e->r);
  obj_drop(e, &t);
  EXPECT_EQ(live(), before);
}

// One object in a list and a tree at once (shared ownership): each holds a
// reference; the object goes when both let go.
TEST(Rbtree, SharedWithAList) {
  init_runtime();
  const Type t = elem_type();
  const uint64_t before = live();
  detail::RbRoot root{};
  detail::ListHead head{};
  auto* e = static_cast<Elem*>(obj_new(t));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(refcount_acquire(e), e);
  ASSERT_EQ(rbtree_add(&root, &e->r, less_elem, nullptr, &t, kEOff), 0);
  ASSERT_EQ(list_push(&head, &e->l, &t, offsetof(Elem, l), false), 0);
  EXPECT_EQ(e->ref, 2u);
  void* n = rbtree_remove(&root, &e->r);
  ASSERT_EQ(n, &e->r);
  obj_drop(container<Elem>(n, kEOff), &t);
  EXPECT_EQ(live(), before + 1);
  void* l = list_pop(&head, true);
  ASSERT_EQ(l, &e->l);
  obj_drop(container<Elem>(l, offsetof(Elem, l)), &t);
  EXPECT_EQ(live(), before);
}

}  // namespace
}  // namespace ringb::obj::test
