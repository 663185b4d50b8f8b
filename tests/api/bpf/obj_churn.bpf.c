/* obj_churn.bpf.c — shared lists, trees and kptr slots for many threads at
 * once (tests/api/objects_concurrency_test.cc). Each node is refcounted and
 * lives in a slot's list and tree at once; threads produce nodes, consume
 * from either side, and swap objects through kptr slots. Counters in the
 * slot say how many nodes went in and out of each, under the slot's lock. */
#include "ringb_test.h"
#include "bpf_objects.h"

#define SLOTS 4
#define STASH 16

struct node {
  long key;
  struct bpf_refcount ref;
  struct bpf_list_node l;
  struct bpf_rb_node r;
};

struct slot {
  struct bpf_spin_lock lock;
  struct bpf_list_head list __contains(node, l);
  struct bpf_rb_root tree __contains(node, r);
  long list_in, list_out, tree_in, tree_out;
};

struct blob {
  long id;
  char pad[48];
};

struct stash_slot {
  struct blob __kptr *b;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SLOTS);
  __type(key, __u32);
  __type(value, struct slot);
} slots SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, STASH);
  __type(key, __u32);
  __type(value, struct stash_slot);
} stash SEC(".maps");

struct args {
  __u32 slot;
  __u32 pad;
  long key;
};

static _Bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct node, r)->key < container_of(b, struct node, r)->key;
}

/* A node into the slot's list and tree. */
SEC("syscall") int produce(struct args *a) {
  __u32 k = a->slot % SLOTS;
  struct slot *s = bpf_map_lookup_elem(&slots, &k);
  struct node *n, *m;
  if (!s) return -1;
  n = bpf_obj_new(struct node);
  if (!n) return -12;
  n->key = a->key;
  m = bpf_refcount_acquire(n);
  bpf_spin_lock(&s->lock);
  if (bpf_list_push_back(&s->list, &n->l) == 0) s->list_in++;
  if (m && bpf_rbtree_add(&s->tree, &m->r, less) == 0) s->tree_in++;
  bpf_spin_unlock(&s->lock);
  return m ? 0 : -2;
}

/* One node off the front of the list: 1, or 0 when it is empty. */
SEC("syscall") int consume_list(struct args *a) {
  __u32 k = a->slot % SLOTS;
  struct slot *s = bpf_map_lookup_elem(&slots, &k);
  struct bpf_list_node *n;
  if (!s) return -1;
  bpf_spin_lock(&s->lock);
  n = bpf_list_pop_front(&s->list);
  if (n) s->list_out++;
  bpf_spin_unlock(&s->lock);
  if (!n) return 0;
  bpf_obj_drop(container_of(n, struct node, l));
  return 1;
}

/* The smallest node out of the tree: 1, or 0 when it is empty. */
SEC("syscall") int consume_tree(struct args *a) {
  __u32 k = a->slot % SLOTS;
  struct slot *s = bpf_map_lookup_elem(&slots, &k);
  struct bpf_rb_node *n;
  if (!s) return -1;
  bpf_spin_lock(&s->lock);
  n = bpf_rbtree_first(&s->tree);
  if (n) n = bpf_rbtree_remove(&s->tree, n);
  if (n) s->tree_out++;
  bpf_spin_unlock(&s->lock);
  if (!n) return 0;
  bpf_obj_drop(container_of(n, struct node, r));
  return 1;
}

/* A fresh blob into a stash slot; the old one (if any) dropped: returns 1
 * when there was one. */
SEC("syscall") int swap(struct args *a) {
  __u32 k = (__u32)a->key % STASH;
  struct stash_slot *s = bpf_map_lookup_elem(&stash, &k);
  struct blob *b, *old;
  if (!s) return -1;
  b = bpf_obj_new(struct blob);
  if (!b) return -12;
  b->id = a->key;
  old = bpf_kptr_xchg(&s->b, b);
  if (!old) return 0;
  bpf_obj_drop(old);
  return 1;
}
