// rbtree_shape_test.cc — the trees programs see through bpf_rbtree_root,
// left and right must be the kernel's: shapes and colours after inserts and
// erases, worked out by hand by running lib/rbtree.c's algorithm on paper
// (rb_insert_color / rb_erase / __rb_erase_color, and bpf_rbtree_add's walk:
// less(new, parent) → left, else right), and the red-black invariants over
// every insertion order of small trees and erases from them.
#include <algorithm>
#include <numeric>
#include <vector>

#include "tree_util.h"

namespace ringb::obj::test {
namespace {

class Tree {
 public:
  explicit Tree(size_t capacity) : nodes_(capacity) {}
  TNode* node(int64_t key) {
    for (auto& n : nodes_)
      if (n.key == key && n.r.owner == &root_) return &n;
    return nullptr;
  }
  void add(int64_t key) {
    TNode& n = nodes_.at(used_++);
    n = TNode{};
    n.key = key;
    ASSERT_EQ(rbtree_add(&root_, &n.r, less_key, nullptr, nullptr, kTOff), 0);
  }
  void erase(int64_t key) {
    TNode* n = node(key);
    ASSERT_NE(n, nullptr) << key;
    ASSERT_EQ(rbtree_remove(&root_, &n->r), &n->r);
  }
  std::string shape() const { return test::shape(root_); }
  std::string check() const { return check_tree(root_); }
  detail::RbRoot& root() { return root_; }

 private:
  std::vector<TNode> nodes_;
  size_t used_ = 0;
  detail::RbRoot root_{};
};

std::string after_inserts(std::initializer_list<int64_t> keys) {
  Tree t(keys.size());
  for (int64_t k : keys) t.add(k);
  EXPECT_EQ(t.check(), "");
  return t.shape();
}

// Ascending inserts: case 3 (rotate at the grandparent) at 3, 5 and 7, colour
// flips at 4, 6 and 8, and at 8 the flip moves up to 6, whose black uncle 1
// makes a rotation at the root 2.
TEST(RbtreeShape, AscendingInserts) {
  EXPECT_EQ(after_inserts({1}), "1B");
  EXPECT_EQ(after_inserts({1, 2}), "1B(-,2R)");
  EXPECT_EQ(after_inserts({1, 2, 3}), "2B(1R,3R)");
  EXPECT_EQ(after_inserts({1, 2, 3, 4}), "2B(1B,3B(-,4R))");
  EXPECT_EQ(after_inserts({1, 2, 3, 4, 5}), "2B(1B,4B(3R,5R))");
  EXPECT_EQ(after_inserts({1, 2, 3, 4, 5, 6}), "2B(1B,4R(3B,5B(-,6R)))");
  EXPECT_EQ(after_inserts({1, 2, 3, 4, 5, 6, 7}), "2B(1B,4R(3B,6B(5R,7R)))");
  EXPECT_EQ(after_inserts({1, 2, 3, 4, 5, 6, 7, 8}), "4B(2R(1B,3B),6R(5B,7B(-,8R)))");
}

// The insert cases are mirror images: descending inserts give the mirror.
TEST(RbtreeShape, DescendingInsertsMirror) {
  EXPECT_EQ(after_inserts({8, 7, 6, 5, 4, 3, 2, 1}), "5B(3R(2B(1R,-),4B),7R(6B,8B))");
}

// An inner grandchild: case 2 (rotate at the parent) before case 3.
TEST(RbtreeShape, InnerGrandchild) {
  EXPECT_EQ(after_inserts({3, 1, 2}), "2B(1R,3R)");
  EXPECT_EQ(after_inserts({1, 3, 2}), "2B(1R,3R)");
}

// Equal keys go right (less is false), so they keep insertion order.
TEST(RbtreeShape, DuplicatesGoRight) {
  Tree t(3);
  t.add(5);
  t.add(5);
  t.add(5);
  EXPECT_EQ(t.shape(), "5B(5R,5R)");
  // In order: first, second, third inserted.
  auto* first = static_cast<detail::RbNode*>(rbtree_first(&t.root()));
  auto* root = static_cast<detail::RbNode*>(rbtree_root(&t.root()));
  EXPECT_EQ(first, root->left);
  EXPECT_EQ(root, &reinterpret_cast<TNode*>(reinterpret_cast<char*>(first) - kTOff)[1].r.node);
}

// From 4B(2R(1B,3B),6R(5B,7B(-,8R))):
//   erase 4: two children, successor 5 (leftmost under 6) takes 4's place
//     and colour; 5 was a black leaf, so its old parent 6 is one black short
//     on the left; sibling 7 black with a red far child 8: case 4, rotate
//     left at 6, 7 takes 6's colour (red), 6 and 8 black.
//   erase 2: successor 3 is 2's right child; 3 takes 2's place and colour
//     (red); it was black, so 3 is short on the right; sibling 1 black with
//     black children: case 2, 1 turns red and 3 (red) turns black.
TEST(RbtreeShape, EraseWithSuccessor) {
  Tree t(8);
  for (int64_t k = 1; k <= 8; ++k) t.add(k);
  t.erase(4);
  EXPECT_EQ(t.shape(), "5B(2R(1B,3B),7R(6B,8B))");
  EXPECT_EQ(t.check(), "");
  t.erase(2);
  EXPECT_EQ(t.shape(), "5B(3B(1R,-),7R(6B,8B))");
  EXPECT_EQ(t.check(), "");
}

// From 2B(1B,4R(3B,5B(-,6R))): erase the black leaf 1. Its sibling 4 is red:
// case 1, rotate left at 2 (4 takes the root, black; 2 red), new sibling 3
// black with no children: case 2, 3 red and 2 black.
TEST(RbtreeShape, EraseWithRedSibling) {
  Tree t(6);
  for (int64_t k = 1; k <= 6; ++k) t.add(k);
  ASSERT_EQ(t.shape(), "2B(1B,4R(3B,5B(-,6R)))");
  t.erase(1);
  EXPECT_EQ(t.shape(), "4B(2B(-,3R),5B(-,6R))");
  EXPECT_EQ(t.check(), "");
}

// From 10B(5B,20B(15R,-)): erase 5. Sibling 20 has only a red near child:
// case 3 rotates right at 20, then case 4 rotates left at 10; 15 takes the
// root's colour.
TEST(RbtreeShape, EraseWithRedNearNephew) {
  Tree t(4);
  for (int64_t k : {10, 5, 20, 15}) t.add(k);
  ASSERT_EQ(t.shape(), "10B(5B,20B(15R,-))");
  t.erase(5);
  EXPECT_EQ(t.shape(), "15B(10B,20B)");
  EXPECT_EQ(t.check(), "");
}

// A node with one child is replaced by it, which takes its colour.
TEST(RbtreeShape, EraseWithOneChild) {
  Tree t(2);
  t.add(2);
  t.add(1);
  t.erase(2);
  EXPECT_EQ(t.shape(), "1B");
  Tree u(4);
  for (int64_t k = 1; k <= 4; ++k) u.add(k);  // 2B(1B,3B(-,4R))
  u.erase(3);
  EXPECT_EQ(u.shape(), "2B(1B,4B)");
  u.erase(2);  // two children: successor 4, a black leaf; sibling 1: case 2
  EXPECT_EQ(u.shape(), "4B(1R,-)");
  u.erase(4);
  EXPECT_EQ(u.shape(), "1B");
  u.erase(1);
  EXPECT_EQ(u.shape(), "-");
  EXPECT_EQ(rbtree_first(&u.root()), nullptr);
}

// Every insertion order of up to 8 distinct keys builds a valid tree; then
// erasing in two orders (the insertion order, and a fixed scrambled one) keeps it valid after every step, with the leftmost cache right.
TEST(RbtreeShape, EveryInsertionOrderStaysValid) {
  for (int n = 1; n <= 8; ++n) {
    std::vector<int64_t> keys(static_cast<size_t>(n));
    std::iota(keys.begin(), keys.end(), 1);
    // A second erase order, fixed and unrelated to the keys' order.
    std::vector<int64_t> scrambled = keys;
    std::sort(scrambled.begin(), scrambled.end(),
              [](int64_t a, int64_t b) { return (a * 7919) % 101 < (b * 7919) % 101; });
    size_t orders = 0;
    do {
      for (int pass = 0; pass < 2; ++pass) {
        Tree t(keys.size());
        for (int64_t k : keys) {
          t.add(k);
          ASSERT_EQ(t.check(), "") << "after inserting " << k;
        }
        ASSERT_EQ(tree_size(t.root().node), keys.size());
        for (size_t i = 0; i < keys.size(); ++i) {
          const int64_t k = pass == 0 ? keys[i] : scrambled[i];
          t.erase(k);
          ASSERT_EQ(t.check(), "") << "after erasing " << k << ", " << t.shape();
          ASSERT_EQ(tree_size(t.root().node), keys.size() - i - 1);
        }
      }
      ++orders;
    } while (std::next_permutation(keys.begin(), keys.end()));
    EXPECT_GT(orders, 0u);
  }
}

}  // namespace
}  // namespace ringb::obj::test
