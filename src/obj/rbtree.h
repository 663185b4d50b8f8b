// rbtree.h — a red-black tree on the kernel's rb_node/rb_root_cached layout
// (layout.h) whose every insert and erase leaves exactly the tree lib/rbtree.c
// leaves: the same shape and the same colours. Programs see the shape
// through bpf_rbtree_root/left/right, so this is part of the ABI.
//
// The rules that fix the shape (each the kernel's):
//   insert   the new node is linked red where the caller's walk ended, then
//            repaired bottom-up: red uncle → recolour and move up two levels;
//            black uncle → one rotation, or two when the node is an inner
//            grandchild; the root ends black.
//   erase    a node with at most one child is replaced by that child; one with
//            two is replaced by its successor (the leftmost node of its right
//            subtree), which takes its colour; when a black node left the
//            path, the deficit is repaired from the removed position upwards
//            with the four sibling cases (red sibling: rotate first; both
//            nephews black: recolour and move up; near nephew red only:
//            rotate at the sibling; far nephew red: rotate at the parent).
//   leftmost the cached leftmost node follows inserts (the walk never went
//            right) and erases (the erased node's successor).
#pragma once

#include "layout.h"

namespace ringb::obj::detail {

// Links `node` as the child `*link` of `parent` (nullptr: the root) and
// rebalances; `leftmost`: the walk went left at every step.
void rb_insert(RbRoot* root, RbNode* node, RbNode* parent, RbNode** link, bool leftmost);
void rb_erase(RbRoot* root, RbNode* node);

inline RbNode* rb_parent(const RbNode* n) {
  return reinterpret_cast<RbNode*>(n->parent_color & ~uintptr_t{3});
}
inline bool rb_is_black(const RbNode* n) { return n->parent_color & 1; }

// In-order successor; postorder walk (children before their parent), which
// never reads a node it has already returned.
RbNode* rb_next(const RbNode* n);
RbNode* rb_first_postorder(const RbRoot* root);
RbNode* rb_next_postorder(const RbNode* n);

}  // namespace ringb::obj::detail
