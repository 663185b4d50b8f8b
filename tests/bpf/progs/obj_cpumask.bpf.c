/* bpf_cpumask, the kernel kptr type sched_ext schedulers stash most:
 * created, changed and queried by kfuncs, stashed in a map with
 * bpf_kptr_xchg, read under bpf_rcu_read_lock. Its kfuncs are for tracing,
 * struct_ops and syscall programs: these are SEC("syscall"). */
#include "ringb_test.h"
#include "bpf_objects.h"

struct mask_slot {
  struct bpf_cpumask __kptr *mask;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, int);
  __type(value, struct mask_slot);
} masks SEC(".maps");

#define CAST(m) ringb_cast_cpumask(m)

/* set/test/clear and the queries on one mask. */
SEC("syscall") __retval(11010111)
int cpumask_basic(void *ctx) {
  struct bpf_cpumask *m = bpf_cpumask_create();
  long v = 0;
  if (!m) return -1;
  v = bpf_cpumask_empty(CAST(m));                            /* 1 */
  bpf_cpumask_set_cpu(0, m);
  v = v * 10 + bpf_cpumask_test_cpu(0, CAST(m));             /* 1 */
  v = v * 10 + bpf_cpumask_test_cpu(1, CAST(m));             /* 0 */
  v = v * 10 + bpf_cpumask_weight(CAST(m));                  /* 1 */
  v = v * 10 + bpf_cpumask_first(CAST(m));                   /* 0 */
  v = v * 10 + bpf_cpumask_first_zero(CAST(m));              /* 1 */
  v = v * 10 + bpf_cpumask_test_and_clear_cpu(0, m);         /* 1 */
  v = v * 10 + bpf_cpumask_empty(CAST(m));                   /* 1 */
  bpf_cpumask_release(m);
  return v;
}

/* and/or/xor/equal/subset/intersects/copy on two masks over cpus 0 and 1. */
SEC("syscall") __retval(1110111)
int cpumask_binary(void *ctx) {
  struct bpf_cpumask *a = bpf_cpumask_create(), *b = 0, *d = 0;
  long v = 0;
  if (!a) return -1;
  b = bpf_cpumask_create();
  if (!b) goto out;
  d = bpf_cpumask_create();
  if (!d) goto out;
  bpf_cpumask_set_cpu(0, a);
  bpf_cpumask_set_cpu(0, b);
  bpf_cpumask_set_cpu(1, b);
  v = bpf_cpumask_subset(CAST(a), CAST(b));                  /* 1 */
  v = v * 10 + bpf_cpumask_intersects(CAST(a), CAST(b));     /* 1 */
  v = v * 10 + bpf_cpumask_and(d, CAST(a), CAST(b));         /* 1: not empty */
  bpf_cpumask_xor(d, CAST(a), CAST(b));                      /* {1} */
  v = v * 10 + bpf_cpumask_equal(CAST(d), CAST(a));          /* 0 */
  v = v * 10 + bpf_cpumask_first(CAST(d));                   /* 1 */
  bpf_cpumask_or(d, CAST(a), CAST(d));                       /* {0,1} */
  v = v * 10 + bpf_cpumask_equal(CAST(d), CAST(b));          /* 1 */
  bpf_cpumask_clear(d);
  bpf_cpumask_copy(d, CAST(a));
  v = v * 10 + bpf_cpumask_weight(CAST(d));                  /* 1 */
out:
  if (d) bpf_cpumask_release(d);
  if (b) bpf_cpumask_release(b);
  bpf_cpumask_release(a);
  return v;
}

/* Stash a mask in a map and query it under RCU without taking it out (an
 * RCU pointer is good for queries; bpf_cpumask_acquire wants a trusted one). */
SEC("syscall") __retval(21)
int cpumask_stash_rcu(void *ctx) {
  int k = 0;
  struct mask_slot *s = bpf_map_lookup_elem(&masks, &k);
  struct bpf_cpumask *m, *old;
  long v = 0;
  if (!s) return -1;
  m = bpf_cpumask_create();
  if (!m) return -2;
  bpf_cpumask_set_cpu(1, m);
  old = bpf_kptr_xchg(&s->mask, m);
  if (old) bpf_cpumask_release(old);

  bpf_rcu_read_lock();
  m = s->mask;
  if (m) {
    v = bpf_cpumask_test_cpu(1, CAST(m)) * 20;
    v += bpf_cpumask_weight(CAST(m));
  }
  bpf_rcu_read_unlock();

  old = bpf_kptr_xchg(&s->mask, 0);
  if (old) bpf_cpumask_release(old);
  return v;
}

/* A second reference from bpf_cpumask_acquire keeps the mask alive after
 * the first is released. */
SEC("syscall") __retval(12)
int cpumask_acquire_release(void *ctx) {
  struct bpf_cpumask *m = bpf_cpumask_create(), *ref;
  long v;
  if (!m) return -1;
  bpf_cpumask_set_cpu(1, m);
  ref = bpf_cpumask_acquire(m);
  bpf_cpumask_release(m);
  v = 10 + bpf_cpumask_weight(CAST(ref)) + bpf_cpumask_test_cpu(1, CAST(ref));
  bpf_cpumask_release(ref);
  return v;
}

/* A mask left in the map: the map's teardown releases it. */
SEC("syscall") __retval(1)
int cpumask_left_in_map(void *ctx) {
  int k = 1;
  struct mask_slot *s = bpf_map_lookup_elem(&masks, &k);
  struct bpf_cpumask *m, *old;
  if (!s) return -1;
  m = bpf_cpumask_create();
  if (!m) return -2;
  bpf_cpumask_setall(m);
  old = bpf_kptr_xchg(&s->mask, m);
  if (old) bpf_cpumask_release(old);
  return 1;
}

/* Cpus past nr_cpu_ids: test is false, set is ignored, full/empty agree. */
SEC("syscall") __retval(101)
int cpumask_out_of_range(void *ctx) {
  struct bpf_cpumask *m = bpf_cpumask_create();
  long v;
  if (!m) return -1;
  bpf_cpumask_set_cpu(100000, m);
  v = bpf_cpumask_empty(CAST(m));                            /* 1 */
  v = v * 10 + bpf_cpumask_test_cpu(100000, CAST(m));        /* 0 */
  bpf_cpumask_setall(m);
  v = v * 10 + bpf_cpumask_full(CAST(m));                    /* 1 */
  bpf_cpumask_release(m);
  return v;
}
