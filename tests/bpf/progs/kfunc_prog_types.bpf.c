/* Which program types may call which kfunc (src/platform/kfunc_progs.cc,
 * read off the kernel): the object model's kfuncs are for tc, xdp,
 * cgroup_skb, tracepoint, perf_event, syscall and tracing programs, not for
 * socket filters or tc actions; cpumask's only for tracing and syscall
 * programs; RCU and the iterators for every type. kfunc_prog_types_ok.bpf.c
 * has the same calls where the kernel allows them (an object loads whole). */
#include "ringb_test.h"
#include "bpf_objects.h"
#include "bpf_iter.h"

struct node {
  long v;
};

SEC("socket") __failure __msg("calling kernel function bpf_obj_new_impl is not allowed")
int obj_new_in_socket_filter(struct __sk_buff *skb) {
  struct node *n = bpf_obj_new(struct node);
  if (n) bpf_obj_drop(n);
  return 0;
}

SEC("action") __failure __msg("calling kernel function bpf_obj_new_impl is not allowed")
int obj_new_in_tc_action(struct __sk_buff *skb) {
  struct node *n = bpf_obj_new(struct node);
  if (n) bpf_obj_drop(n);
  return 0;
}

SEC("tc") __failure __msg("calling kernel function bpf_cpumask_create is not allowed")
int cpumask_in_tc(struct __sk_buff *skb) {
  struct bpf_cpumask *m = bpf_cpumask_create();
  if (m) bpf_cpumask_release(m);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
