/* verifier_pkt_tail: a tail call that returns (no program in the slot) may
 * still have moved the packet, so it ends the packet pointers the program
 * holds, in the function that called it and in its callers (the kernel's
 * changes_pkt_data, since 6.13). See verifier_pkt_moves for the rest.
 * A function that tail-calls may be called only while its callers' frames
 * take less than 256 bytes (33 tail calls then stay within 8 KiB).
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

static __noinline __attribute__((used)) int pt_tail_static(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &pt_jmp, 0);
	return skb->len;
}

SEC("tc") __failure __msg("tail_calls are not allowed when call stack of previous frames is 288 bytes. Too large")
__attribute__((naked)) int pt_tail_call_under_big_frame(void)
{
	asm volatile("r2 = 0; *(u64 *)(r10 - 288) = r2;"
		     "call pt_tail_static;"
		     "r0 = 0; exit;" ::: __clobber_all);
}
