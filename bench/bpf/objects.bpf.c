/* objects.bpf.c — the object model's costs per run, the same work the
 * native C++ rows of `ringb bench` do (src/cli/bench_native.cc):
 *   new_drop_16 / new_drop_1000   32 × (bpf_obj_new + bpf_obj_drop)
 *   list_fifo_10                  10 pushes then 10 pops, under the lock
 *   rbtree_7                      7 adds, then 7 × (first + remove)
 *   refcount_graph                one object in a list and a tree (acquire),
 *                                 then out of both
 *   kptr_stash                    obj_new, kptr_xchg in, kptr_xchg out, drop
 *   cpumask_acq_rel               (syscall) 100 × cpumask acquire + release
 * Each returns the work it did, so the two runtimes can be checked alike. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct obj16 {
  long a, b;
};
struct obj1000 {
  long v[125];
};

SEC("tc") int new_drop_16(struct __sk_buff *skb) {
  int n = 0;
  for (int i = 0; i < 32; i++) {
    struct obj16 *p = bpf_obj_new(struct obj16);
    if (!p) continue;
    p->a = i;
    n += 1;
    bpf_obj_drop(p);
  }
  return n;
}

SEC("tc") int new_drop_1000(struct __sk_buff *skb) {
  int n = 0;
  for (int i = 0; i < 32; i++) {
    struct obj1000 *p = bpf_obj_new(struct obj1000);
    if (!p) continue;
    p->v[0] = i;
    n += 1;
    bpf_obj_drop(p);
  }
  return n;
}

struct item {
  long key;
  struct bpf_list_node link;
};
struct queue {
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(item, link);
};
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct queue);
} queues SEC(".maps");

SEC("tc") int list_fifo_10(struct __sk_buff *skb) {
  int zero = 0;
  long sum = 0;
  struct queue *q = bpf_map_lookup_elem(&queues, &zero);
  if (!q) return -1;
  for (int i = 0; i < 10; i++) {
    struct item *it = bpf_obj_new(struct item);
    if (!it) return -2;
    it->key = i;
    bpf_spin_lock(&q->lock);
    bpf_list_push_back(&q->head, &it->link);
    bpf_spin_unlock(&q->lock);
  }
  for (int i = 0; i < 10; i++) {
    struct bpf_list_node *n;
    bpf_spin_lock(&q->lock);
    n = bpf_list_pop_front(&q->head);
    bpf_spin_unlock(&q->lock);
    if (!n) return -3;
    struct item *it = container_of(n, struct item, link);
    sum += it->key;
    bpf_obj_drop(it);
  }
  return sum;  /* 45 */
}

struct task {
  long vruntime;
  struct bpf_rb_node node;
};
struct runq {
  struct bpf_spin_lock lock;
  struct bpf_rb_root root __contains(task, node);
};
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct runq);
} runqs SEC(".maps");

static _Bool task_less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct task, node)->vruntime < container_of(b, struct task, node)->vruntime;
}

SEC("tc") int rbtree_7(struct __sk_buff *skb) {
  const long keys[7] = {40, 10, 70, 30, 60, 20, 50};
  int zero = 0;
  long order = 0;
  struct runq *rq = bpf_map_lookup_elem(&runqs, &zero);
  if (!rq) return -1;
  for (int i = 0; i < 7; i++) {
    struct task *t = bpf_obj_new(struct task);
    if (!t) return -2;
    t->vruntime = keys[i];
    bpf_spin_lock(&rq->lock);
    bpf_rbtree_add(&rq->root, &t->node, task_less);
    bpf_spin_unlock(&rq->lock);
  }
  for (int i = 0; i < 7; i++) {
    struct bpf_rb_node *n;
    bpf_spin_lock(&rq->lock);
    n = bpf_rbtree_first(&rq->root);
    if (n) n = bpf_rbtree_remove(&rq->root, n);
    bpf_spin_unlock(&rq->lock);
    if (!n) return -3;
    struct task *t = container_of(n, struct task, node);
    order = order * 10 + t->vruntime / 10;
    bpf_obj_drop(t);
  }
  return order;  /* 1234567 */
}

struct shared {
  long key;
  struct bpf_refcount ref;
  struct bpf_list_node l;
  struct bpf_rb_node r;
};
struct graph {
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(shared, l);
  struct bpf_rb_root root __contains(shared, r);
};
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct graph);
} graphs SEC(".maps");

static _Bool shared_less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct shared, r)->key < container_of(b, struct shared, r)->key;
}

SEC("tc") int refcount_graph(struct __sk_buff *skb) {
  int zero = 0;
  struct graph *g = bpf_map_lookup_elem(&graphs, &zero);
  struct shared *s, *m;
  struct bpf_list_node *ln;
  struct bpf_rb_node *rn;
  if (!g) return -1;
  s = bpf_obj_new(struct shared);
  if (!s) return -2;
  s->key = 3;
  m = bpf_refcount_acquire(s);
  bpf_spin_lock(&g->lock);
  bpf_list_push_back(&g->head, &s->l);
  if (m) bpf_rbtree_add(&g->root, &m->r, shared_less);
  bpf_spin_unlock(&g->lock);
  if (!m) return -3;
  bpf_spin_lock(&g->lock);
  ln = bpf_list_pop_front(&g->head);
  rn = bpf_rbtree_first(&g->root);
  if (rn) rn = bpf_rbtree_remove(&g->root, rn);
  bpf_spin_unlock(&g->lock);
  if (ln) bpf_obj_drop(container_of(ln, struct shared, l));
  if (!rn) return -4;
  bpf_obj_drop(container_of(rn, struct shared, r));
  return ln ? 2 : -5;
}

struct stash {
  struct obj16 __kptr *p;
};
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct stash);
} stashes SEC(".maps");

SEC("tc") int kptr_stash(struct __sk_buff *skb) {
  int zero = 0;
  struct stash *st = bpf_map_lookup_elem(&stashes, &zero);
  struct obj16 *p, *old;
  if (!st) return -1;
  p = bpf_obj_new(struct obj16);
  if (!p) return -2;
  p->a = 7;
  old = bpf_kptr_xchg(&st->p, p);
  if (old) bpf_obj_drop(old);
  old = bpf_kptr_xchg(&st->p, 0);
  if (!old) return -3;
  long a = old->a;
  bpf_obj_drop(old);
  return a;  /* 7 */
}

/* The kernel test-runs syscall programs once, without timing, so the loop
 * is inside: 100 acquire/release pairs on one mask. */
SEC("syscall") int cpumask_acq_rel(void *ctx) {
  struct bpf_cpumask *m = bpf_cpumask_create();
  int n = 0;
  if (!m) return -1;
  for (int i = 0; i < 100; i++) {
    struct bpf_cpumask *r = bpf_cpumask_acquire(m);
    n += bpf_cpumask_weight(ringb_cast_cpumask(r)) + 1;
    bpf_cpumask_release(r);
  }
  bpf_cpumask_release(m);
  return n;  /* 100 */
}
