/* Locks: bpf_spin_lock in a global section guarding a list there, and
 * bpf_res_spin_lock (Linux 6.15), whose lock call can fail and must be
 * checked. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct entry {
  long v;
  struct bpf_list_node link;
};

/* .bss is one map value: the lock and the head are in the same allocation. */
struct bpf_spin_lock glock;
struct bpf_list_head ghead __contains(entry, link);
long gcount;

SEC("tc") __retval(100)
int global_lock_list(struct __sk_buff *skb) {
  long sum = 0;
  for (int i = 1; i <= 3; i++) {
    struct entry *e = bpf_obj_new(struct entry);
    if (!e) return -1;
    e->v = i * 5;
    bpf_spin_lock(&glock);
    bpf_list_push_back(&ghead, &e->link);
    gcount++;
    bpf_spin_unlock(&glock);
  }
  for (int i = 0; i < 4; i++) {
    struct bpf_list_node *n;
    bpf_spin_lock(&glock);
    n = bpf_list_pop_front(&ghead);
    if (n) gcount--;
    bpf_spin_unlock(&glock);
    if (!n) break;
    struct entry *e = container_of(n, struct entry, link);
    sum += e->v;
    bpf_obj_drop(e);
  }
  return sum * 10 / 3 + gcount;
}

struct counted {
  struct bpf_res_spin_lock lock;
  long n;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, int);
  __type(value, struct counted);
} counters SEC(".maps");

/* Take, count, release, three times. */
SEC("tc") __retval(3)
int res_lock_counts(struct __sk_buff *skb) {
  int k = 0;
  struct counted *c = bpf_map_lookup_elem(&counters, &k);
  if (!c) return -1;
  for (int i = 0; i < 3; i++) {
    if (bpf_res_spin_lock(&c->lock)) return -2;
    c->n++;
    bpf_res_spin_unlock(&c->lock);
  }
  return c->n;
}

/* Two different resilient locks may be held at once (in order). */
SEC("tc") __retval(11)
int res_lock_two(struct __sk_buff *skb) {
  int k0 = 0, k1 = 1;
  struct counted *a = bpf_map_lookup_elem(&counters, &k0);
  struct counted *b = bpf_map_lookup_elem(&counters, &k1);
  if (!a || !b) return -1;
  if (bpf_res_spin_lock(&a->lock)) return -2;
  if (bpf_res_spin_lock(&b->lock)) {
    bpf_res_spin_unlock(&a->lock);
    return -3;
  }
  a->n += 1;
  b->n += 10;
  bpf_res_spin_unlock(&b->lock);
  bpf_res_spin_unlock(&a->lock);
  return a->n + b->n;
}

/* Taking a resilient lock this cpu already holds is a deadlock the lock
 * detects: -EDEADLK (35), and the program goes on. */
SEC("tc") __retval(-35)
int res_lock_aa_deadlock(struct __sk_buff *skb) {
  int k = 0;
  struct counted *a = bpf_map_lookup_elem(&counters, &k);
  struct counted *again;
  int r;
  if (!a) return -1;
  again = bpf_map_lookup_elem(&counters, &k);
  if (!again) return -1;
  if (bpf_res_spin_lock(&a->lock)) return -2;
  r = bpf_res_spin_lock(&again->lock);
  if (!r) {
    bpf_res_spin_unlock(&again->lock);
    bpf_res_spin_unlock(&a->lock);
    return 0;
  }
  bpf_res_spin_unlock(&a->lock);
  return r;
}
