/* Kptrs inside allocated objects: bpf_kptr_xchg into an object the program
 * owns (Linux 6.12's kptr_xchg_dest: a map value or a MEM_ALLOC object), the
 * object stashed in a map with its own stash inside, and dropped with it
 * still there; a refcounted kptr read straight from a map value, which a
 * non-sleepable program reads as an RCU pointer (btf_ld_kptr_type) and may
 * pass to bpf_refcount_acquire without taking it out of the map. */
#include "ringb_test.h"
#include "bpf_objects.h"

struct inner {
  long v;
};

struct outer {
  long key;
  struct inner __kptr *stash;
};

struct counted {
  long data;
  struct bpf_refcount ref;
};

struct value {
  struct outer __kptr *outer;
  struct counted __kptr *counted;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, int);
  __type(value, struct value);
} lk_values SEC(".maps");

static struct value *lk_at(int i) { return bpf_map_lookup_elem(&lk_values, &i); }

/* Stash an inner object in a fresh outer one, stash the outer in the map,
 * take both back out: each exchange returns what was there. */
SEC("tc") __retval(7043)
int lk_stash_in_object(struct __sk_buff *skb) {
  struct value *v = lk_at(0);
  struct outer *o;
  struct inner *in;
  long ret;
  if (!v) return -1;
  o = bpf_obj_new(struct outer);
  if (!o) return -2;
  in = bpf_obj_new(struct inner);
  if (!in) {
    bpf_obj_drop(o);
    return -3;
  }
  o->key = 43;
  in->v = 7000;
  in = bpf_kptr_xchg(&o->stash, in);
  if (in) {  /* a fresh object's kptr is empty */
    bpf_obj_drop(in);
    bpf_obj_drop(o);
    return -4;
  }
  o = bpf_kptr_xchg(&v->outer, o);
  if (o) {
    bpf_obj_drop(o);
    return -5;
  }
  o = bpf_kptr_xchg(&v->outer, NULL);
  if (!o) return -6;
  in = bpf_kptr_xchg(&o->stash, NULL);
  if (!in) {
    bpf_obj_drop(o);
    return -7;
  }
  ret = in->v + o->key;
  bpf_obj_drop(in);
  bpf_obj_drop(o);
  return ret;
}

/* Dropping an object frees what it stashed (bpf_obj_free_fields); an outer
 * left in the map is freed with the map, its inner with it. */
SEC("tc") __retval(2)
int lk_drop_with_stash(struct __sk_buff *skb) {
  struct value *v = lk_at(1);
  struct outer *o, *p;
  struct inner *in;
  if (!v) return -1;
  for (int i = 0; i < 2; i++) {
    o = bpf_obj_new(struct outer);
    if (!o) return -2;
    in = bpf_obj_new(struct inner);
    if (!in) {
      bpf_obj_drop(o);
      return -3;
    }
    in = bpf_kptr_xchg(&o->stash, in);
    if (in) bpf_obj_drop(in);
    if (i == 0) {
      bpf_obj_drop(o);  /* with its inner still stashed */
      continue;
    }
    p = bpf_kptr_xchg(&v->outer, o);  /* left in the map */
    if (p) bpf_obj_drop(p);
  }
  return 2;
}

/* Stash a refcounted object, then take a reference to it as it lies in the
 * map: under a non-sleepable program's implicit RCU section the kptr reads
 * as rcu_ptr_ MEM_ALLOC, which bpf_refcount_acquire takes (and may fail). */
SEC("tc") __retval(55)
int lk_acquire_without_unstash(struct __sk_buff *skb) {
  struct value *v = lk_at(0);
  struct counted *c, *ref;
  long ret;
  if (!v) return -1;
  c = bpf_obj_new(struct counted);
  if (!c) return -2;
  c->data = 55;
  c = bpf_kptr_xchg(&v->counted, c);
  if (c) bpf_obj_drop(c);
  c = v->counted;
  if (!c) return -3;
  ref = bpf_refcount_acquire(c);
  if (!ref) return -4;
  ret = ref->data;
  bpf_obj_drop(ref);
  return ret;
}

/* A refcounted kptr read from a map is an RCU pointer: it may be read,
 * never dropped (it holds no reference). */
SEC("?tc") __failure __msg("R1 must be referenced or trusted")
int lk_drop_rcu_kptr(struct __sk_buff *skb) {
  struct value *v = lk_at(0);
  struct counted *c;
  if (!v) return 0;
  c = v->counted;
  if (!c) return 0;
  bpf_obj_drop(c);
  return 0;
}

/* The destination must be an object the program owns: a refcounted
 * object read from a map is an RCU pointer, not an owned one. */
struct counted_box {
  long data;
  struct bpf_refcount ref;
  struct inner __kptr *stash;
};

struct box_value {
  struct counted_box __kptr *box;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, struct box_value);
} lk_boxes SEC(".maps");

SEC("?tc") __failure __msg("R1 type=rcu_ptr_ expected=map_value, ptr_")
int lk_xchg_into_rcu(struct __sk_buff *skb) {
  int k = 0;
  struct box_value *v = bpf_map_lookup_elem(&lk_boxes, &k);
  struct counted_box *b;
  struct inner *in;
  if (!v) return 0;
  b = v->box;
  if (!b) return 0;
  in = bpf_kptr_xchg(&b->stash, NULL);
  if (in) bpf_obj_drop(in);
  return 0;
}

/* An owned refcounted object takes a stash as any owned one does. */
SEC("tc") __retval(9)
int lk_xchg_into_owned_counted(struct __sk_buff *skb) {
  struct counted_box *b = bpf_obj_new(struct counted_box);
  struct inner *in;
  if (!b) return -1;
  in = bpf_obj_new(struct inner);
  if (!in) {
    bpf_obj_drop(b);
    return -2;
  }
  in->v = 9;
  in = bpf_kptr_xchg(&b->stash, in);
  if (in) bpf_obj_drop(in);
  in = bpf_kptr_xchg(&b->stash, NULL);
  if (!in) {
    bpf_obj_drop(b);
    return -3;
  }
  b->data = in->v;
  bpf_obj_drop(in);
  in = (void *)0;
  {
    long r = b->data;
    bpf_obj_drop(b);
    return r;
  }
}

/* A destination that has no kptr at that offset. */
SEC("?tc") __failure __msg("doesn't point to kptr")
int lk_xchg_not_a_kptr(struct __sk_buff *skb) {
  struct outer *o = bpf_obj_new(struct outer);
  struct inner *in;
  if (!o) return 0;
  in = bpf_kptr_xchg((void *)&o->key, NULL);
  if (in) bpf_obj_drop(in);
  bpf_obj_drop(o);
  return 0;
}

/* One drop instruction reached with two types: clang merges the two drops
 * of the failure path into one call (the kernel's local_kptr_stash
 * stash_rb_nodes), which the kernel refuses. */
static __attribute__((noinline)) int lk_make_two(int key) {
  struct value *v = lk_at(key);
  struct inner *in;
  struct outer *o;
  if (!v) return 1;
  in = bpf_obj_new(struct inner);
  if (!in) return 2;
  o = bpf_obj_new(struct outer);
  if (!o) {
    bpf_obj_drop(in);
    return 3;
  }
  in = bpf_kptr_xchg(&o->stash, in);
  if (in) {
    bpf_obj_drop(in);
    bpf_obj_drop(o);
    return 4;
  }
  o = bpf_kptr_xchg(&v->outer, o);
  if (o) bpf_obj_drop(o);
  return 0;
}

SEC("?tc") __failure __msg("same call cannot be used with different types")
int lk_merged_drop(struct __sk_buff *skb) {
  return lk_make_two(0) ?: lk_make_two(1);
}
