// rbtree.cc — the red-black tree (rbtree.h says which rules fix its shapes)
// and the rbtree kfuncs: bpf_rbtree_add_impl, bpf_rbtree_remove,
// bpf_rbtree_first, bpf_rbtree_root, bpf_rbtree_left/right.
//
// Written from the textbook algorithm (insert and delete fix-ups with an
// explicit parent for the empty position), with the choices that make it
// produce lib/rbtree.c's trees: the successor replaces a node with two
// children, a lone child replaces its parent directly, and the fix-up cases
// are tried in the kernel's order. tests/obj/rbtree_shape_test.cc checks
// shapes worked out by hand from the kernel's algorithm, and the red-black
// invariants over every insertion order of small trees.
#include <cerrno>

#include "rbtree.h"
#include "ringb/objects.h"

namespace ringb::obj {
namespace detail {
namespace {

constexpr uintptr_t kRed = 0, kBlack = 1;

bool is_red(const RbNode* n) { return n && !(n->parent_color & 1); }
bool is_black_or_null(const RbNode* n) { return !n || (n->parent_color & 1); }
uintptr_t color_of(const RbNode* n) { return n->parent_color & 1; }
void set_parent(RbNode* n, RbNode* p) { n->parent_color = (n->parent_color & 1) | reinterpret_cast<uintptr_t>(p); }
void set_color(RbNode* n, uintptr_t c) { n->parent_color = (n->parent_color & ~uintptr_t{1}) | c; }

// Puts `to` where `from` hangs (under from's parent, or as the root).
void replace_child(RbRoot* root, RbNode* parent, RbNode* from, RbNode* to) {
  if (!parent)
    root->node = to;
  else if (parent->left == from)
    parent->left = to;
  else
    parent->right = to;
}

// x's right child y takes x's place; x becomes y's left child, and y's left
// subtree becomes x's right one. rotate_right is the mirror image.
void rotate_left(RbRoot* root, RbNode* x) {
  RbNode* y = x->right;
  RbNode* p = rb_parent(x);
  x->right = y->left;
  if (y->left) set_parent(y->left, x);
  y->left = x;
  set_parent(y, p);
  replace_child(root, p, x, y);
  set_parent(x, y);
}

void rotate_right(RbRoot* root, RbNode* x) {
  RbNode* y = x->left;
  RbNode* p = rb_parent(x);
  x->left = y->right;
  if (y->right) set_parent(y->right, x);
  y->right = x;
  set_parent(y, p);
  replace_child(root, p, x, y);
  set_parent(x, y);
}

// After linking the red node n: while its parent is red too, repair.
void insert_fixup(RbRoot* root, RbNode* n) {
  for (;;) {
    RbNode* p = rb_parent(n);
    if (!p) {
      set_color(n, kBlack);  // n is the root
      return;
    }
    if (!is_red(p)) return;
    RbNode* g = rb_parent(p);  // p is red, so not the root: g exists
    const bool p_is_left = g->left == p;
    RbNode* uncle = p_is_left ? g->right : g->left;
    if (is_red(uncle)) {
      // Push the blackness down from g; g may now clash with its parent.
      set_color(p, kBlack);
      set_color(uncle, kBlack);
      set_color(g, kRed);
      n = g;
      continue;
    }
    if (p_is_left) {
      if (n == p->right) {  // inner grandchild: make it outer first
        rotate_left(root, p);
        p = n;
      }
      set_color(p, kBlack);
      set_color(g, kRed);
      rotate_right(root, g);
    } else {
      if (n == p->left) {
        rotate_right(root, p);
        p = n;
      }
      set_color(p, kBlack);
      set_color(g, kRed);
      rotate_left(root, g);
    }
    return;
  }
}

// The position `x` (maybe empty) under `parent` is one black short on every
// path through it: repair upwards.
void erase_fixup(RbRoot* root, RbNode* x, RbNode* parent) {
  while (parent && is_black_or_null(x)) {
    if (x != parent->right) {  // x is the left child (or the empty left position)
      RbNode* s = parent->right;
      if (is_red(s)) {
        set_color(s, kBlack);
        set_color(parent, kRed);
        rotate_left(root, parent);
        s = parent->right;
      }
      if (is_black_or_null(s->left) && is_black_or_null(s->right)) {
        set_color(s, kRed);
        x = parent;
        parent = rb_parent(x);
        continue;
      }
      if (is_black_or_null(s->right)) {  // only the near nephew is red
        set_color(s->left, kBlack);
        set_color(s, kRed);
        rotate_right(root, s);
        s = parent->right;
      }
      set_color(s, color_of(parent));
      set_color(parent, kBlack);
      set_color(s->right, kBlack);
      rotate_left(root, parent);
    } else {
      RbNode* s = parent->left;
      if (is_red(s)) {
        set_color(s, kBlack);
        set_color(parent, kRed);
        rotate_right(root, parent);
        s = parent->left;
      }
      if (is_black_or_null(s->left) && is_black_or_null(s->right)) {
        set_color(s, kRed);
        x = parent;
        parent = rb_parent(x);
        continue;
      }
      if (is_black_or_null(s->left)) {
        set_color(s->right, kBlack);
        set_color(s, kRed);
        rotate_left(root, s);
        s = parent->left;
      }
      set_color(s, color_of(parent));
      set_color(parent, kBlack);
      set_color(s->left, kBlack);
      rotate_right(root, parent);
    }
    return;
  }
  if (x) set_color(x, kBlack);
}

RbNode* leftmost_under(RbNode* n) {
  while (n->left) n = n->left;
  return n;
}

// The first node in postorder under n: go down, left when possible.
RbNode* deepest_under(RbNode* n) {
  for (;;) {
    if (n->left)
      n = n->left;
    else if (n->right)
      n = n->right;
    else
      return n;
  }
}

}  // namespace

void rb_insert(RbRoot* root, RbNode* node, RbNode* parent, RbNode** link, bool leftmost) {
  node->parent_color = reinterpret_cast<uintptr_t>(parent) | kRed;
  node->left = node->right = nullptr;
  *link = node;
  if (leftmost) root->leftmost = node;
  insert_fixup(root, node);
}

void rb_erase(RbRoot* root, RbNode* z) {
  if (root->leftmost == z) root->leftmost = rb_next(z);
  RbNode* x;              // what takes the removed position
  RbNode* x_parent;       // its parent
  uintptr_t removed_color;
  if (!z->left || !z->right) {
    x = z->left ? z->left : z->right;
    x_parent = rb_parent(z);
    removed_color = color_of(z);
    replace_child(root, x_parent, z, x);
    if (x) set_parent(x, x_parent);
  } else {
    RbNode* y = leftmost_under(z->right);  // the successor
    removed_color = color_of(y);
    x = y->right;
    if (rb_parent(y) == z) {
      x_parent = y;
    } else {
      x_parent = rb_parent(y);
      x_parent->left = x;
      if (x) set_parent(x, x_parent);
      y->right = z->right;
      set_parent(y->right, y);
    }
    RbNode* zp = rb_parent(z);
    replace_child(root, zp, z, y);
    y->left = z->left;
    set_parent(y->left, y);
    y->parent_color = z->parent_color;  // z's parent and colour
  }
  if (removed_color == kBlack) erase_fixup(root, x, x_parent);
}

RbNode* rb_next(const RbNode* n) {
  if (n->right) return leftmost_under(n->right);
  const RbNode* child = n;
  RbNode* p = rb_parent(n);
  while (p && p->right == child) {
    child = p;
    p = rb_parent(p);
  }
  return p;
}

RbNode* rb_first_postorder(const RbRoot* root) { return root->node ? deepest_under(root->node) : nullptr; }

RbNode* rb_next_postorder(const RbNode* n) {
  RbNode* p = rb_parent(n);
  if (p && p->left == n && p->right) return deepest_under(p->right);
  return p;
}

}  // namespace detail

using detail::RbNode;
using detail::RbNodeKern;
using detail::RbRoot;

// __bpf_rbtree_add(): claim the owner, walk (less(new, parent) → left, else
// right), link, rebalance, publish the owner.
long rbtree_add(void* root, void* node, Less less, void* ctx, const Type* t, uint32_t off) {
  auto* r = static_cast<RbRoot*>(root);
  auto* n = static_cast<RbNodeKern*>(node);
  void* expected = nullptr;
  if (!detail::owner(n).compare_exchange_strong(expected, detail::poison(), std::memory_order_acq_rel,
                                                std::memory_order_acquire)) {
    obj_drop(static_cast<char*>(node) - off, t);
    return -EINVAL;
  }
  RbNode** link = &r->node;
  RbNode* parent = nullptr;
  bool leftmost = true;
  while (*link) {
    parent = *link;
    if (less(ctx, n, parent)) {
      link = &parent->left;
    } else {
      link = &parent->right;
      leftmost = false;
    }
  }
  detail::rb_insert(r, &n->node, parent, link, leftmost);
  detail::owner(n).store(root, std::memory_order_release);
  return 0;
}

void* rbtree_remove(void* root, void* node) {
  auto* n = static_cast<RbNodeKern*>(node);
  if (detail::owner(n).load(std::memory_order_acquire) != root) return nullptr;
  detail::rb_erase(static_cast<RbRoot*>(root), &n->node);
  n->node.parent_color = reinterpret_cast<uintptr_t>(&n->node);  // RB_CLEAR_NODE
  n->node.left = n->node.right = nullptr;
  detail::owner(n).store(nullptr, std::memory_order_release);
  return n;
}

void* rbtree_first(void* root) { return static_cast<RbRoot*>(root)->leftmost; }
void* rbtree_root(void* root) { return static_cast<RbRoot*>(root)->node; }

void* rbtree_left(void* root, void* node) {
  auto* n = static_cast<RbNodeKern*>(node);
  if (detail::owner(n).load(std::memory_order_acquire) != root) return nullptr;
  return n->node.left;
}

void* rbtree_right(void* root, void* node) {
  auto* n = static_cast<RbNodeKern*>(node);
  if (detail::owner(n).load(std::memory_order_acquire) != root) return nullptr;
  return n->node.right;
}

}  // namespace ringb::obj
