/* verifier_throw: bpf_throw's rules (exceptions.cc), each checked against
 * the kernel. A throw is an exit of the whole program: it may not leave a
 * reference, a lock or an RCU read section behind, and no callback (nor a
 * function one calls) may throw. Programs with an exception callback
 * (__exception_cb) are not here: libbpf 1.1 cannot load them into the
 * kernel (tests/api/bpf/exception_cb.bpf.c has ringb's own). */
#include "ringb_test.h"
#include "bpf_objects.h"
#include "bpf_experimental.h"

struct thrown {
  long v;
};

struct locked {
  struct bpf_spin_lock lock;
  long v;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct locked);
} throw_locks SEC(".maps");

/* The object from bpf_obj_new is still held when the program throws. */
SEC("tc") __failure __msg("Unreleased reference")
int throw_holding_reference(struct __sk_buff *skb)
{
  struct thrown *t = bpf_obj_new(struct thrown);

  if (!t)
    return 0;
  bpf_throw(0);
  bpf_obj_drop(t);
  return 0;
}

static __noinline int throw_in_subprog(int x)
{
  struct thrown *t = bpf_obj_new(struct thrown);

  if (!t)
    return 0;
  if (x)
    bpf_throw(x);
  bpf_obj_drop(t);
  return 1;
}

/* The same from a static subprogram: the throw unwinds its caller too. */
SEC("tc") __failure __msg("Unreleased reference")
int throw_holding_reference_in_subprog(struct __sk_buff *skb)
{
  return throw_in_subprog(ringb_opaque(1));
}

SEC("tc") __failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region")
int throw_in_rcu_section(struct __sk_buff *skb)
{
  bpf_rcu_read_lock();
  if (ringb_opaque(1))
    bpf_throw(1);
  bpf_rcu_read_unlock();
  return 0;
}

/* bpf_throw is a kfunc call, and kfuncs other than the graph API may not
 * run under a spin lock. */
SEC("tc") __failure __msg("function calls are not allowed while holding a lock")
int throw_under_lock(struct __sk_buff *skb)
{
  __u32 k = 0;
  struct locked *l = bpf_map_lookup_elem(&throw_locks, &k);

  if (!l)
    return 0;
  bpf_spin_lock(&l->lock);
  if (l->v)
    bpf_throw(2);
  bpf_spin_unlock(&l->lock);
  return 0;
}

static int throwing_loop_cb(__u32 i, void *ctx)
{
  if (i == 3)
    bpf_throw(3);
  return 0;
}

/* A callback may not throw, whatever it holds. */
SEC("tc") __failure __msg("cannot be called from callback subprog")
int throw_from_loop_callback(struct __sk_buff *skb)
{
  bpf_loop(5, throwing_loop_cb, (void *)0, 0);
  return 0;
}

static __noinline int helper_that_throws(int x)
{
  if (x > 2)
    bpf_throw(x);
  return x;
}

static int loop_cb_calling_thrower(__u32 i, void *ctx)
{
  return helper_that_throws(i) & 1;
}

/* Nor may a function a callback calls. */
SEC("tc") __failure __msg("cannot be called from callback subprog")
int throw_from_callee_of_callback(struct __sk_buff *skb)
{
  bpf_loop(5, loop_cb_calling_thrower, (void *)0, 0);
  return 0;
}

/* In a callback holding the caller's reference: the leak is found first. */
SEC("tc") __failure __msg("Unreleased reference")
int throw_from_callback_holding_reference(struct __sk_buff *skb)
{
  struct thrown *t = bpf_obj_new(struct thrown);

  if (!t)
    return 0;
  bpf_loop(5, throwing_loop_cb, (void *)0, 0);
  bpf_obj_drop(t);
  return 0;
}
