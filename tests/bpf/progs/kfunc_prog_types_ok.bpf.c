/* The kfunc calls kfunc_prog_types.bpf.c makes where the kernel refuses
 * them, in program types that may make them (src/platform/kfunc_progs.cc). */
#include "ringb_test.h"
#include "bpf_objects.h"
#include "bpf_iter.h"

struct node {
  long v;
};

SEC("xdp") __retval(2)
int obj_new_in_xdp(struct xdp_md *x) {
  struct node *n = bpf_obj_new(struct node);
  if (!n) return 0;
  n->v = 2;
  long v = n->v;
  bpf_obj_drop(n);
  return v;
}

SEC("socket") __retval(10)
int iter_and_rcu_in_socket_filter(struct __sk_buff *skb) {
  int sum = 0, *i;
  struct bpf_iter_num it;
  bpf_rcu_read_lock();
  bpf_rcu_read_unlock();
  bpf_iter_num_new(&it, 0, 5);
  while ((i = bpf_iter_num_next(&it))) sum += *i;
  bpf_iter_num_destroy(&it);
  return sum;
}

char LICENSE[] SEC("license") = "GPL";
