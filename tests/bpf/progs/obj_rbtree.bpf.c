/* bpf_rbtree_*: objects ordered by a key through the program's `less`
 * callback, in an rbtree that lives in an array map value next to its lock.
 * Each program uses its own slot. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct task {
  long key;
  long seq;  /* insertion order, to see where equal keys go */
  struct bpf_rb_node node;
};

struct tree {
  struct bpf_spin_lock lock;
  struct bpf_rb_root root __contains(task, node);
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, int);
  __type(value, struct tree);
} trees SEC(".maps");

static struct tree *slot(int i) { return bpf_map_lookup_elem(&trees, &i); }

static _Bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  struct task *x = container_of(a, struct task, node);
  struct task *y = container_of(b, struct task, node);
  return x->key < y->key;
}

static int add(struct tree *t, long key, long seq) {
  struct task *n = bpf_obj_new(struct task);
  if (!n) return -1;
  n->key = key;
  n->seq = seq;
  bpf_spin_lock(&t->lock);
  bpf_rbtree_add(&t->root, &n->node, less);
  bpf_spin_unlock(&t->lock);
  return 0;
}

/* Removes the first (smallest) node; returns key * 10 + seq, or -1 when
 * the tree is empty. */
static long take_first(struct tree *t) {
  struct bpf_rb_node *n;
  long v;
  bpf_spin_lock(&t->lock);
  n = bpf_rbtree_first(&t->root);
  if (!n) {
    bpf_spin_unlock(&t->lock);
    return -1;
  }
  n = bpf_rbtree_remove(&t->root, n);
  bpf_spin_unlock(&t->lock);
  if (!n) return -2;
  struct task *x = container_of(n, struct task, node);
  v = x->key * 10 + x->seq;
  bpf_obj_drop(x);
  return v;
}

/* Seven keys in scrambled order come out sorted by first+remove. */
SEC("tc") __retval(1234567)
int rbtree_sorted(struct __sk_buff *skb) {
  struct tree *t = slot(0);
  long keys[7] = {4, 1, 7, 3, 6, 2, 5};
  long v = 0;
  if (!t) return -1;
  for (int i = 0; i < 7; i++)
    if (add(t, keys[i], 0)) return -2;
  for (int i = 0; i < 7; i++) {
    long k = take_first(t);
    if (k < 0) return k;
    v = v * 10 + k / 10;
  }
  return v;
}

/* Equal keys: `less` is false both ways, so a later node goes right of an
 * earlier one and comes out after it (a stable order). */
SEC("tc") __retval(321223)
int rbtree_equal_keys(struct __sk_buff *skb) {
  struct tree *t = slot(1);
  if (!t) return -1;
  add(t, 2, 1);
  add(t, 2, 2);
  add(t, 2, 3);
  add(t, 1, 3);
  long a = take_first(t), b = take_first(t);
  long c = take_first(t), d = take_first(t);
  /* 13, 21, 22, 23: seq 3, then 21, seq 2, then 23 */
  return (a % 10) * 100000 + b * 1000 + (c % 10) * 100 + d;
}

/* An empty tree: first is NULL. */
SEC("tc") __retval(1)
int rbtree_empty(struct __sk_buff *skb) {
  struct tree *t = slot(2);
  if (!t) return -1;
  return take_first(t) == -1;
}

/* The tree's shape, through bpf_rbtree_root/left/right (Linux 6.16): after
 * inserting 1..7 in ascending order, Linux's red-black tree has 2 at the
 * root, 1 to its left and 4 to its right (the right spine is rebalanced at
 * 3 and again at 5). */
SEC("tc") __retval(214)
int rbtree_shape(struct __sk_buff *skb) {
  struct tree *t = slot(3);
  struct bpf_rb_node *r, *l, *rr;
  long v = 0;
  if (!t) return -1;
  for (int k = 1; k <= 7; k++)
    if (add(t, k, 0)) return -2;
  bpf_spin_lock(&t->lock);
  r = bpf_rbtree_root(&t->root);
  if (!r) goto out;
  v = container_of(r, struct task, node)->key;
  l = bpf_rbtree_left(&t->root, r);
  if (!l) goto out;
  v = v * 10 + container_of(l, struct task, node)->key;
  rr = bpf_rbtree_right(&t->root, r);
  if (!rr) goto out;
  v = v * 10 + container_of(rr, struct task, node)->key;
out:
  bpf_spin_unlock(&t->lock);
  return v;
}

/* Two roots under one lock. A node of one tree is not in the other:
 * removing it through the wrong root gives NULL and leaves it in place. */
struct two_trees {
  struct bpf_spin_lock lock;
  struct bpf_rb_root a __contains(task, node);
  struct bpf_rb_root b __contains(task, node);
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct two_trees);
} pairs SEC(".maps");

SEC("tc") __retval(151)
int rbtree_remove_wrong_root(struct __sk_buff *skb) {
  int zero = 0;
  struct two_trees *p = bpf_map_lookup_elem(&pairs, &zero);
  struct bpf_rb_node *n, *wrong;
  struct task *x;
  long v = 0;
  if (!p) return -1;
  x = bpf_obj_new(struct task);
  if (!x) return -2;
  x->key = 5;
  bpf_spin_lock(&p->lock);
  bpf_rbtree_add(&p->a, &x->node, less);
  n = bpf_rbtree_first(&p->a);
  if (!n) {
    bpf_spin_unlock(&p->lock);
    return -3;
  }
  wrong = bpf_rbtree_remove(&p->b, n);      /* NULL: not b's */
  v = wrong == 0;
  n = bpf_rbtree_first(&p->a);                /* still in a */
  if (n) n = bpf_rbtree_remove(&p->a, n);
  bpf_spin_unlock(&p->lock);
  if (wrong) bpf_obj_drop(container_of(wrong, struct task, node));
  if (!n) return -4;
  x = container_of(n, struct task, node);
  v = v * 100 + x->key * 10 + 1;
  bpf_obj_drop(x);
  return v;
}
