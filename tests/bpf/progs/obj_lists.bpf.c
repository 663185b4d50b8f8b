/* bpf_list_*: objects from bpf_obj_new in a list that lives in an array map
 * value next to its bpf_spin_lock. Each program builds its own list in its
 * own slot; the returned number spells the order the keys came back in. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct elem {
  long key;
  struct bpf_list_node link;
};

struct holder {
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(elem, link);
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, int);
  __type(value, struct holder);
} lists SEC(".maps");

static struct holder *slot(int i) { return bpf_map_lookup_elem(&lists, &i); }

/* Pushes key k at the back (or front); 0 on success. */
static int push(struct holder *h, long k, int front) {
  struct elem *e = bpf_obj_new(struct elem);
  if (!e) return -1;
  e->key = k;
  bpf_spin_lock(&h->lock);
  if (front)
    bpf_list_push_front(&h->head, &e->link);
  else
    bpf_list_push_back(&h->head, &e->link);
  bpf_spin_unlock(&h->lock);
  return 0;
}

/* Pops one key from the front (or back); -1 when the list is empty. */
static long pop(struct holder *h, int back) {
  struct bpf_list_node *n;
  long k;
  bpf_spin_lock(&h->lock);
  n = back ? bpf_list_pop_back(&h->head) : bpf_list_pop_front(&h->head);
  bpf_spin_unlock(&h->lock);
  if (!n) return -1;
  struct elem *e = container_of(n, struct elem, link);
  k = e->key;
  bpf_obj_drop(e);
  return k;
}

/* Drains the list into a decimal number, first popped = most significant. */
static long drain(struct holder *h, int back) {
  long v = 0;
  for (int i = 0; i < 8; i++) {
    long k = pop(h, back);
    if (k < 0) break;
    v = v * 10 + k;
  }
  return v;
}

SEC("tc") __retval(12345)
int list_fifo(struct __sk_buff *skb) {
  struct holder *h = slot(0);
  if (!h) return -1;
  for (int k = 1; k <= 5; k++)
    if (push(h, k, 0)) return -2;
  return drain(h, 0);
}

SEC("tc") __retval(54321)
int list_lifo_front(struct __sk_buff *skb) {
  struct holder *h = slot(1);
  if (!h) return -1;
  for (int k = 1; k <= 5; k++)
    if (push(h, k, 1)) return -2;
  return drain(h, 0);
}

SEC("tc") __retval(54321)
int list_pop_back(struct __sk_buff *skb) {
  struct holder *h = slot(2);
  if (!h) return -1;
  for (int k = 1; k <= 5; k++)
    if (push(h, k, 0)) return -2;
  return drain(h, 1);
}

/* Popping an empty (never initialised, all-zero) head gives NULL, twice. */
SEC("tc") __retval(2)
int list_empty_pop(struct __sk_buff *skb) {
  struct holder *h = slot(3);
  if (!h) return -1;
  return (pop(h, 0) == -1) + (pop(h, 1) == -1);
}

/* bpf_list_front/back peek at the ends under the lock, leaving them there. */
SEC("tc") __retval(3919)
int list_peek(struct __sk_buff *skb) {
  struct holder *h = slot(4);
  struct bpf_list_node *f, *b;
  long front = -1, back = -1;
  if (!h) return -1;
  push(h, 3, 0);
  push(h, 1, 0);
  push(h, 9, 0);
  bpf_spin_lock(&h->lock);
  f = bpf_list_front(&h->head);
  if (f) front = container_of(f, struct elem, link)->key;
  b = bpf_list_back(&h->head);
  if (b) back = container_of(b, struct elem, link)->key;
  bpf_spin_unlock(&h->lock);
  return front * 1000 + back * 100 + drain(h, 0) % 100;
}

/* Mixed ends: push back 1 2, front 3, back 4 → 3 1 2 4; pop back, then
 * front twice, then back. */
SEC("tc") __retval(4312)
int list_mixed(struct __sk_buff *skb) {
  struct holder *h = slot(5);
  if (!h) return -1;
  push(h, 1, 0);
  push(h, 2, 0);
  push(h, 3, 1);
  push(h, 4, 0);
  long a = pop(h, 1), b = pop(h, 0), c = pop(h, 0), d = pop(h, 1);
  return a * 1000 + b * 100 + c * 10 + d;
}

/* Objects left in the list when the program ends stay in the map; unloading
 * the map frees them (the host tests check the allocator's balance). */
SEC("tc") __retval(3)
int list_left_in_map(struct __sk_buff *skb) {
  struct holder *h = slot(6);
  if (!h) return -1;
  for (int k = 0; k < 3; k++)
    if (push(h, k, 0)) return -2;
  return 3;
}
