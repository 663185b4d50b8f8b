/* bpf_obj_new/drop and kptrs: objects stashed in array and hash map values
 * with bpf_kptr_xchg, per-cpu objects, an object that holds a list of its
 * own, and objects left in maps for the unload to free. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct plain {
  long a, b;
  char bytes[40];
};

struct item {
  long key;
  struct bpf_list_node link;
};

/* An object with its own lock and list, kept in a map through a kptr. */
struct bag {
  long id;
  struct bpf_spin_lock lock;
  struct bpf_list_head items __contains(item, link);
};

struct counters {
  long hits, misses;
};

struct slot {
  long tag;
  struct plain __kptr *plain;
  struct bag __kptr *bag;
  struct counters __percpu_kptr *pc;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, int);
  __type(value, struct slot);
} slots SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8);
  __type(key, int);
  __type(value, struct slot);
} hslots SEC(".maps");

static struct slot *at(int i) { return bpf_map_lookup_elem(&slots, &i); }

/* Objects written and read back. (A fresh object's bytes are not defined:
 * Linux 6.18 hands out reused memory as it is, only its special fields
 * initialised; ringb zeroes it. So nothing here reads before writing.) */
SEC("tc") __retval(4006)
int obj_new_write_read(struct __sk_buff *skb) {
  long sum = 0;
  for (int i = 0; i < 4; i++) {
    struct plain *p = bpf_obj_new(struct plain);
    if (!p) return -1;
    p->a = 1000;
    p->b = i;
    p->bytes[39] = 0;
    sum += p->a + p->b + p->bytes[39];
    bpf_obj_drop(p);
  }
  return sum;
}

/* Stash, swap, take back: each exchange returns what was there before. */
SEC("tc") __retval(1121)
int kptr_stash_round_trip(struct __sk_buff *skb) {
  struct slot *s = at(0);
  struct plain *p, *q, *old;
  long v;
  if (!s) return -1;
  p = bpf_obj_new(struct plain);
  if (!p) return -2;
  p->a = 1;
  old = bpf_kptr_xchg(&s->plain, p);
  v = old ? 9 : 1;  /* empty before */
  if (old) bpf_obj_drop(old);
  q = bpf_obj_new(struct plain);
  if (!q) return -3;
  q->a = 2;
  old = bpf_kptr_xchg(&s->plain, q);
  if (!old) return -4;
  v = v * 10 + old->a;  /* the first one came back */
  bpf_obj_drop(old);
  old = bpf_kptr_xchg(&s->plain, 0);
  if (!old) return -5;
  v = v * 10 + old->a;
  bpf_obj_drop(old);
  old = bpf_kptr_xchg(&s->plain, 0);
  v = v * 10 + (old ? 9 : 1);  /* empty after */
  if (old) bpf_obj_drop(old);
  return v;
}

/* An object with a list of its own: taken out of the map, filled under its
 * own lock, put back; then taken out again and drained. */
SEC("tc") __retval(321)
int kptr_bag_with_list(struct __sk_buff *skb) {
  struct slot *s = at(1);
  struct bag *b, *old;
  long v = 0;
  if (!s) return -1;
  b = bpf_obj_new(struct bag);
  if (!b) return -2;
  for (int k = 1; k <= 3; k++) {
    struct item *it = bpf_obj_new(struct item);
    if (!it) break;
    it->key = k;
    bpf_spin_lock(&b->lock);
    bpf_list_push_front(&b->items, &it->link);
    bpf_spin_unlock(&b->lock);
  }
  old = bpf_kptr_xchg(&s->bag, b);
  if (old) bpf_obj_drop(old);

  b = bpf_kptr_xchg(&s->bag, 0);
  if (!b) return -3;
  for (int i = 0; i < 4; i++) {
    struct bpf_list_node *n;
    bpf_spin_lock(&b->lock);
    n = bpf_list_pop_front(&b->items);
    bpf_spin_unlock(&b->lock);
    if (!n) break;
    struct item *it = container_of(n, struct item, link);
    v = v * 10 + it->key;
    bpf_obj_drop(it);
  }
  bpf_obj_drop(b);
  return v;
}

/* A bag left in the map with items in it: dropping the map drops the bag,
 * which drops its items. */
SEC("tc") __retval(2)
int kptr_bag_left_in_map(struct __sk_buff *skb) {
  struct slot *s = at(2);
  struct bag *b, *old;
  if (!s) return -1;
  b = bpf_obj_new(struct bag);
  if (!b) return -2;
  for (int k = 0; k < 2; k++) {
    struct item *it = bpf_obj_new(struct item);
    if (!it) break;
    bpf_spin_lock(&b->lock);
    bpf_list_push_back(&b->items, &it->link);
    bpf_spin_unlock(&b->lock);
  }
  old = bpf_kptr_xchg(&s->bag, b);
  if (old) bpf_obj_drop(old);
  return 2;
}

/* Per-cpu objects: this cpu's copy is written through bpf_this_cpu_ptr and
 * read back through bpf_per_cpu_ptr. (Not read before writing: the kernel
 * may hand out a reused area as it is.) */
SEC("tc") __retval(7)
int percpu_obj_stash(struct __sk_buff *skb) {
  struct slot *s = at(3);
  struct counters __percpu_kptr *pc, *old;
  struct counters *c;
  long v = 0;
  if (!s) return -1;
  pc = bpf_percpu_obj_new(struct counters);
  if (!pc) return -2;
  old = bpf_kptr_xchg(&s->pc, pc);
  if (old) bpf_percpu_obj_drop(old);

  bpf_rcu_read_lock();
  pc = s->pc;
  if (pc) {
    c = bpf_this_cpu_ptr(pc);
    c->hits = 7;
    c = bpf_per_cpu_ptr(pc, bpf_get_smp_processor_id());
    if (c) v += c->hits;
  }
  bpf_rcu_read_unlock();
  return v;
}

/* A hash element holding a kptr: deleting the element from the program
 * frees the object with it; a new element starts with an empty kptr. */
SEC("tc") __retval(11)
int kptr_in_hash_deleted(struct __sk_buff *skb) {
  int k = 5;
  struct slot zero = {}, *s;
  struct plain *p, *old;
  long v = 0;
  if (bpf_map_update_elem(&hslots, &k, &zero, BPF_ANY)) return -1;
  s = bpf_map_lookup_elem(&hslots, &k);
  if (!s) return -2;
  p = bpf_obj_new(struct plain);
  if (!p) return -3;
  old = bpf_kptr_xchg(&s->plain, p);
  if (old) bpf_obj_drop(old);
  v += 1;
  if (bpf_map_delete_elem(&hslots, &k)) return -4;
  if (bpf_map_update_elem(&hslots, &k, &zero, BPF_ANY)) return -5;
  s = bpf_map_lookup_elem(&hslots, &k);
  if (!s) return -6;
  old = bpf_kptr_xchg(&s->plain, 0);
  v += old ? 100 : 10;
  if (old) bpf_obj_drop(old);
  return v;
}

/* Updating an array element from the program frees the kptr it held (the
 * kernel's array update frees the old value's fields). */
SEC("tc") __retval(10)
int kptr_in_array_overwritten(struct __sk_buff *skb) {
  int k = 4;
  struct slot zero = {}, *s = at(4);
  struct plain *p, *old;
  if (!s) return -1;
  p = bpf_obj_new(struct plain);
  if (!p) return -2;
  old = bpf_kptr_xchg(&s->plain, p);
  if (old) bpf_obj_drop(old);
  if (bpf_map_update_elem(&slots, &k, &zero, BPF_ANY)) return -3;
  old = bpf_kptr_xchg(&s->plain, 0);
  if (old) {
    bpf_obj_drop(old);
    return 100;
  }
  return 10;
}
