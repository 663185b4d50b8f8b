/* verifier_pkt_moves: what may move the packet, and so ends every packet
 * pointer the program holds, across functions:
 *  - a global function that (itself or through functions it calls) calls a
 *    helper that changes the packet (bpf_skb_pull_data) ends them in its
 *    caller, though the verifier checks it on its own;
 *  - a tail call that returns (no program in the slot) may have moved it
 *    (verifier_pkt_tail);
 *  - a global function that changes nothing keeps them;
 *  - helpers take packet memory only where their prototype says pkt_access
 *    (bpf_csum_diff does, bpf_skb_load_bytes' destination does not).
 * Kernel verdicts checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

__noinline long pm_pull_inner(struct __sk_buff *skb, __u32 len)
{
	return bpf_skb_pull_data(skb, len);
}

__noinline long pm_pull_outer(struct __sk_buff *skb, __u32 len)
{
	return pm_pull_inner(skb, len);
}

__noinline int pm_len_plus(struct __sk_buff *skb, int k)
{
	return skb->len + k;
}

SEC("?tc") __failure __msg("invalid mem access 'scalar'")
int pm_global_pull_ends_pointers(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 1) > (void *)(long)skb->data_end) return 1;
	pm_pull_outer(skb, 0);
	return *p;
}

/* The packet's first byte (0x02) after a call that moves nothing: 2 + len 64 + 1000. */
SEC("tc") __success __retval(1066)
int pm_global_keeps_pointers(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;
	int n;

	if ((void *)(p + 1) > (void *)(long)skb->data_end) return 1;
	n = pm_len_plus(skb, 1000);
	return *p + n;
}

/* The pull, then fresh pointers: fine. Returns the first byte, 2. */
SEC("tc") __success __retval(2)
int pm_reload_after_pull(struct __sk_buff *skb)
{
	__u8 *p;

	pm_pull_outer(skb, 0);
	p = (void *)(long)skb->data;
	if ((void *)(p + 1) > (void *)(long)skb->data_end) return 1;
	return *p;
}

/* bpf_csum_diff reads packet memory (pkt_access): the sum of 4 bytes. */
SEC("tc") __success
int pm_csum_diff_reads_packet(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 4) > (void *)(long)skb->data_end) return 1;
	return bpf_csum_diff(0, 0, (void *)p, 4, 0) ? 0 : 2;
}

SEC("?tc") __failure __msg("helper access to the packet is not allowed")
int pm_load_bytes_into_packet(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 8) > (void *)(long)skb->data_end) return 1;
	return bpf_skb_load_bytes(skb, 0, p, 4);
}
