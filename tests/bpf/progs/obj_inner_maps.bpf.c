/* Lists in inner maps, as the kernel's own linked-list tests keep them: an
 * array of maps whose inner arrays' values hold a lock and a list head. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct elem {
  long key;
  struct bpf_list_node link;
};

/* A second kind of node, its link not at offset 0: with two kinds in the
 * object, only the verifier's state tells which one a push into an inner
 * map's head gets (the vm's pointer analysis loses the head there). */
struct wide {
  long a, b;
  struct bpf_list_node link;
  long c;
};

struct holder {
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(elem, link);
  struct bpf_list_head wides __contains(wide, link);
};

struct inner_lists {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, int);
  __type(value, struct holder);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 2);
  __type(key, int);
  __array(values, struct inner_lists);
} outer SEC(".maps") = {
    .values = {[0] = &inner_a, [1] = &inner_b},
};

static struct holder *holder_at(int map, int slot) {
  void *inner = bpf_map_lookup_elem(&outer, &map);
  if (!inner) return 0;
  return bpf_map_lookup_elem(inner, &slot);
}

/* Push 1 2 3 into inner_a[0] and 7 into inner_b[1]; pop both lists. */
SEC("tc") __retval(1237)
int list_in_inner_map(struct __sk_buff *skb) {
  struct holder *a = holder_at(0, 0), *b = holder_at(1, 1);
  long v = 0;
  if (!a || !b) return -1;
  for (int k = 1; k <= 3; k++) {
    struct elem *e = bpf_obj_new(struct elem);
    if (!e) return -2;
    e->key = k;
    bpf_spin_lock(&a->lock);
    bpf_list_push_back(&a->head, &e->link);
    bpf_spin_unlock(&a->lock);
  }
  struct elem *e = bpf_obj_new(struct elem);
  if (!e) return -3;
  e->key = 7;
  bpf_spin_lock(&b->lock);
  bpf_list_push_back(&b->head, &e->link);
  bpf_spin_unlock(&b->lock);
  for (int i = 0; i < 4; i++) {
    struct bpf_list_node *n;
    bpf_spin_lock(&a->lock);
    n = bpf_list_pop_front(&a->head);
    bpf_spin_unlock(&a->lock);
    if (!n) break;
    struct elem *x = container_of(n, struct elem, link);
    v = v * 10 + x->key;
    bpf_obj_drop(x);
  }
  {
    struct bpf_list_node *n;
    bpf_spin_lock(&b->lock);
    n = bpf_list_pop_front(&b->head);
    bpf_spin_unlock(&b->lock);
    if (!n) return -4;
    struct elem *x = container_of(n, struct elem, link);
    v = v * 10 + x->key;
    bpf_obj_drop(x);
  }
  return v;
}

/* Objects left in an inner map's list go when the inner map goes. */
SEC("tc") __retval(2)
int list_left_in_inner_map(struct __sk_buff *skb) {
  struct holder *b = holder_at(1, 0);
  if (!b) return -1;
  for (int k = 0; k < 2; k++) {
    struct elem *e = bpf_obj_new(struct elem);
    if (!e) return -2;
    bpf_spin_lock(&b->lock);
    bpf_list_push_back(&b->head, &e->link);
    bpf_spin_unlock(&b->lock);
  }
  return 2;
}

/* Both kinds of node in one inner map value, each in its own head. */
SEC("tc") __retval(4321)
int two_node_kinds_in_inner_map(struct __sk_buff *skb) {
  struct holder *h = holder_at(0, 1);
  long v = 0;
  if (!h) return -1;
  struct wide *w = bpf_obj_new(struct wide);
  struct elem *e = bpf_obj_new(struct elem);
  if (!w || !e) {
    if (w) bpf_obj_drop(w);
    if (e) bpf_obj_drop(e);
    return -2;
  }
  w->a = 4, w->b = 3, w->c = 2;
  e->key = 1;
  bpf_spin_lock(&h->lock);
  bpf_list_push_front(&h->wides, &w->link);
  bpf_list_push_back(&h->head, &e->link);
  bpf_spin_unlock(&h->lock);
  struct bpf_list_node *n, *m;
  bpf_spin_lock(&h->lock);
  n = bpf_list_pop_back(&h->wides);
  m = bpf_list_pop_front(&h->head);
  bpf_spin_unlock(&h->lock);
  if (n) {
    struct wide *x = container_of(n, struct wide, link);
    v = x->a * 1000 + x->b * 100 + x->c * 10;
    bpf_obj_drop(x);
  }
  if (m) {
    struct elem *y = container_of(m, struct elem, link);
    v += y->key;
    bpf_obj_drop(y);
  }
  return v;
}
