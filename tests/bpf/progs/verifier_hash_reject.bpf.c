/* SPDX-License-Identifier: MIT */
/* The flow hash helpers outside tc and lwt_xmit, and without the context,
 * refused with the kernel's messages. */
#include "ringb_test.h"

SEC("cgroup_skb/ingress") __failure __msg("program of this type cannot use helper bpf_get_hash_recalc#34")
int hash_from_cgroup_skb(struct __sk_buff *skb)
{
	return bpf_get_hash_recalc(skb) & 1;
}

SEC("socket") __failure __msg("program of this type cannot use helper bpf_set_hash#48")
int set_hash_from_socket(struct __sk_buff *skb)
{
	return bpf_set_hash(skb, 1);
}

SEC("tc") __failure __msg("R1 type=fp expected=ctx")
int hash_of_stack(struct __sk_buff *skb)
{
	__u64 x = 0;
	return bpf_get_hash_recalc((void *)&x);
}
