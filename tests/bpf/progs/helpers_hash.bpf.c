/* SPDX-License-Identifier: MIT */
/* The skb's flow hash: bpf_get_hash_recalc, bpf_set_hash_invalid,
 * bpf_set_hash on the corpus packet. The kernel's hash is keyed at random
 * each boot, so only what holds for any key is checked: never 0, the same
 * for the same packet, kept in skb->hash, replaced by bpf_set_hash. */
#include "ringb_test.h"

SEC("tc") __retval(1)
int hash_unset_before(struct __sk_buff *skb)
{
	return skb->hash == 0;
}

SEC("tc") __retval(1)
int hash_nonzero(struct __sk_buff *skb)
{
	return bpf_get_hash_recalc(skb) != 0;
}

SEC("tc") __retval(1)
int hash_kept_in_ctx(struct __sk_buff *skb)
{
	__u32 h = bpf_get_hash_recalc(skb);
	return skb->hash == h && bpf_get_hash_recalc(skb) == h;
}

/* forgotten and recomputed from the same packet: the same value */
SEC("tc") __retval(1)
int hash_invalid_recomputed(struct __sk_buff *skb)
{
	__u32 h = bpf_get_hash_recalc(skb);
	bpf_set_hash_invalid(skb);
	if (skb->hash != 0)
		return 0;
	return bpf_get_hash_recalc(skb) == h;
}

SEC("tc") __retval(1)
int hash_set(struct __sk_buff *skb)
{
	long err = bpf_set_hash(skb, ringb_opaque(0x1234));
	return err == 0 && bpf_get_hash_recalc(skb) == 0x1234 && skb->hash == 0x1234;
}

/* a software hash of 0 is kept as set: no recomputation */
SEC("tc") __retval(1)
int hash_set_zero(struct __sk_buff *skb)
{
	bpf_set_hash(skb, 0);
	return bpf_get_hash_recalc(skb) == 0;
}
