// tree_util.h — looking at rbtrees in tests: their shape as a string, and
// the red-black invariants.
#pragma once

#include <cstdint>
#include <string>

#include "rbtree.h"
#include "test_types.h"

namespace ringb::obj::test {

constexpr uint32_t kTOff = offsetof(TNode, r);

inline int64_t key_of(const void* node) {
  return reinterpret_cast<const TNode*>(static_cast<const char*>(node) - kTOff)->key;
}

// The program's `less`: by key; equal keys are not less, so they go right.
inline bool less_key(void*, void* a, const void* b) { return key_of(a) < key_of(b); }

// "4B(2R(1B,3B),6R(5B,7B(-,8R)))": key, colour, then (left,right) when the
// node has a child; "-" for a missing child.
inline std::string shape(const detail::RbNode* n) {
  if (!n) return "-";
  std::string s = std::to_string(key_of(n)) + (detail::rb_is_black(n) ? "B" : "R");
  if (n->left || n->right) s += "(" + shape(n->left) + "," + shape(n->right) + ")";
  return s;
}
inline std::string shape(const detail::RbRoot& root) { return shape(root.node); }

// "" when every invariant holds, else what broke: parent links, owner,
// in-order keys, no red node with a red child, equal black heights, a black
// root, the cached leftmost node.
inline std::string check_tree(const detail::RbRoot& root, int64_t (*key_of)(const void*) = test::key_of) {
  std::string err;
  int64_t last = INT64_MIN;
  size_t count = 0;
  // Returns the black height of the subtree, -1 on error.
  auto walk = [&](auto&& self, const detail::RbNode* n, const detail::RbNode* parent) -> int {
    if (!n) return 1;
    ++count;
    if (detail::rb_parent(n) != parent) err += "bad parent under " + std::to_string(key_of(n)) + "; ";
    if (detail::rb_node_of(const_cast<detail::RbNode*>(n))->owner != &root)
      err += "owner of " + std::to_string(key_of(n)) + " is not the root; ";
    const bool red = !detail::rb_is_black(n);
    if (red && ((n->left && !detail::rb_is_black(n->left)) || (n->right && !detail::rb_is_black(n->right))))
      err += "red " + std::to_string(key_of(n)) + " has a red child; ";
    const int lh = self(self, n->left, n);
    if (key_of(n) < last) err += "keys out of order at " + std::to_string(key_of(n)) + "; ";
    last = key_of(n);
    const int rh = self(self, n->right, n);
    if (lh != rh) err += "black heights differ under " + std::to_string(key_of(n)) + "; ";
    return lh + (red ? 0 : 1);
  };
  walk(walk, root.node, nullptr);
  if (root.node && !detail::rb_is_black(root.node)) err += "red root; ";
  const detail::RbNode* first = root.node;
  while (first && first->left) first = first->left;
  if (root.leftmost != first) err += "stale leftmost; ";
  (void)count;
  return err;
}

inline size_t tree_size(const detail::RbNode* n) { return n ? 1 + tree_size(n->left) + tree_size(n->right) : 0; }

}  // namespace ringb::obj::test
