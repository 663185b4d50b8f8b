/* verifier_pkt_tail: a tail call that returns (no program in the slot) may
 * still have moved the packet, so it ends the packet pointers the program
 * holds, in the function that called it and in its callers (the kernel's
 * changes_pkt_data, since 6.13). See verifier_pkt_moves for the rest. One
 * program only: the kernel test loads an object with a prog array whole.
 * Kernel verdicts checked by tests/kernel, ringb by tests/corpus. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} pt_jmp SEC(".maps");

__noinline int pt_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &pt_jmp, 0);
	return 0;
}

SEC("tc") __failure __msg("invalid mem access 'scalar'")
int pt_global_tail_call_ends_pointers(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 1) > (void *)(long)skb->data_end) return 1;
	pt_tail(skb);
	return *p;
}
