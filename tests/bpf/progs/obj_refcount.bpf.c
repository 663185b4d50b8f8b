/* bpf_refcount: one object in a list and a tree at once, references taken
 * from non-owning ones, a second insert of a node already in a list, and
 * refcounted objects stashed in a map and read under RCU. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct rnode {
  long key;
  struct bpf_refcount ref;
  struct bpf_list_node l;
  struct bpf_rb_node r;
};

struct both {
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(rnode, l);
  struct bpf_rb_root root __contains(rnode, r);
};

struct stash {
  struct rnode __kptr *p;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, int);
  __type(value, struct both);
} graphs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, int);
  __type(value, struct stash);
} stashes SEC(".maps");

static struct both *slot(int i) { return bpf_map_lookup_elem(&graphs, &i); }

static _Bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct rnode, r)->key < container_of(b, struct rnode, r)->key;
}

/* One object in the list and the tree (two references), popped from the
 * list (one left), then removed from the tree (none left: freed). */
SEC("tc") __retval(77)
int refcount_list_and_tree(struct __sk_buff *skb) {
  struct both *g = slot(0);
  struct rnode *n, *m;
  struct bpf_list_node *ln;
  struct bpf_rb_node *rn;
  long key;
  if (!g) return -1;
  n = bpf_obj_new(struct rnode);
  if (!n) return -2;
  n->key = 77;
  m = bpf_refcount_acquire(n);
  bpf_spin_lock(&g->lock);
  bpf_list_push_back(&g->head, &n->l);
  if (m) bpf_rbtree_add(&g->root, &m->r, less);
  bpf_spin_unlock(&g->lock);
  if (!m) return -3;

  bpf_spin_lock(&g->lock);
  ln = bpf_list_pop_front(&g->head);
  bpf_spin_unlock(&g->lock);
  if (!ln) return -4;
  bpf_obj_drop(container_of(ln, struct rnode, l));  /* still in the tree */

  bpf_spin_lock(&g->lock);
  rn = bpf_rbtree_first(&g->root);
  if (rn) rn = bpf_rbtree_remove(&g->root, rn);
  bpf_spin_unlock(&g->lock);
  if (!rn) return -5;
  n = container_of(rn, struct rnode, r);
  key = n->key;
  bpf_obj_drop(n);  /* the last reference */
  return key;
}

/* Pushing a node that is in a list already fails with -EINVAL and drops
 * the reference passed; the first push's node stays. */
SEC("tc") __retval(-22)
int refcount_double_push(struct __sk_buff *skb) {
  struct both *g = slot(1);
  struct rnode *n, *m;
  struct bpf_list_node *ln;
  int first, second;
  if (!g) return -1;
  n = bpf_obj_new(struct rnode);
  if (!n) return -2;
  m = bpf_refcount_acquire(n);
  if (!m) {
    bpf_obj_drop(n);
    return -3;
  }
  bpf_spin_lock(&g->lock);
  first = bpf_list_push_back(&g->head, &n->l);
  second = bpf_list_push_back(&g->head, &m->l);
  bpf_spin_unlock(&g->lock);

  bpf_spin_lock(&g->lock);
  ln = bpf_list_pop_front(&g->head);
  bpf_spin_unlock(&g->lock);
  if (ln) bpf_obj_drop(container_of(ln, struct rnode, l));
  if (!ln) return -4;
  return first ? -100 : second;
}

/* A non-owning reference (from bpf_rbtree_first, under the lock) becomes an
 * owning one with bpf_refcount_acquire and outlives the lock. */
SEC("tc") __retval(5)
int refcount_acquire_non_owning(struct __sk_buff *skb) {
  struct both *g = slot(2);
  struct rnode *n, *m = 0;
  struct bpf_rb_node *rn;
  long key;
  if (!g) return -1;
  n = bpf_obj_new(struct rnode);
  if (!n) return -2;
  n->key = 5;
  bpf_spin_lock(&g->lock);
  bpf_rbtree_add(&g->root, &n->r, less);
  rn = bpf_rbtree_first(&g->root);
  if (rn) m = bpf_refcount_acquire(container_of(rn, struct rnode, r));
  bpf_spin_unlock(&g->lock);
  if (!m) return -3;
  key = m->key;
  bpf_obj_drop(m);  /* the tree keeps its own reference */
  return key;
}

/* A refcounted object stashed in a map: read through the map under
 * bpf_rcu_read_lock (an RCU pointer), a reference taken, then taken out of
 * the map with bpf_kptr_xchg. */
SEC("tc") __retval(1009)
int refcount_stash_rcu(struct __sk_buff *skb) {
  int k = 0;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  struct rnode *n, *old, *r;
  long v = 0;
  if (!s) return -1;
  n = bpf_obj_new(struct rnode);
  if (!n) return -2;
  n->key = 9;
  old = bpf_kptr_xchg(&s->p, n);
  if (old) bpf_obj_drop(old);

  bpf_rcu_read_lock();
  n = s->p;
  if (n) {
    r = bpf_refcount_acquire(n);
    if (r) {
      v = 1000 + r->key;
      bpf_obj_drop(r);
    }
  }
  bpf_rcu_read_unlock();

  old = bpf_kptr_xchg(&s->p, 0);
  if (!old) return -3;
  bpf_obj_drop(old);
  return v;
}

/* A refcounted object left both in a map's kptr and in a list: freeing the
 * maps at unload drops both references. */
SEC("tc") __retval(2)
int refcount_left_in_maps(struct __sk_buff *skb) {
  int k = 1;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  struct both *g = slot(3);
  struct rnode *n, *m, *old;
  if (!s || !g) return -1;
  n = bpf_obj_new(struct rnode);
  if (!n) return -2;
  m = bpf_refcount_acquire(n);
  if (!m) {
    bpf_obj_drop(n);
    return -3;
  }
  bpf_spin_lock(&g->lock);
  bpf_list_push_back(&g->head, &n->l);
  bpf_spin_unlock(&g->lock);
  old = bpf_kptr_xchg(&s->p, m);
  if (old) bpf_obj_drop(old);
  return 2;
}
