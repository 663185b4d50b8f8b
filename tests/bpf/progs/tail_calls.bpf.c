/* tail_calls: bpf_tail_call(ctx, &prog_array, index) through a
 * BPF_MAP_TYPE_PROG_ARRAY filled statically (libbpf's `.values`, which clang
 * emits as relocations in .rel.maps against the target programs).
 *
 * A tail call that finds a program jumps to it and never returns: the target
 * reuses the caller's frame and its r0 is the caller's result. An empty slot
 * or an index past max_entries falls through to the next instruction, and so
 * does the 34th tail call of one run (MAX_TAIL_CALL_CNT = 33).
 *
 * Every program here is also runnable on its own, so each carries __retval:
 * the value it returns when it is the program test_run starts. The chain
 * programs keep their trail in skb->cb[0], which the tail calls carry along
 * in the context (test_run starts it at 0). */
#include "ringb_test.h"

int tail_target(struct __sk_buff *skb);
int chain_mid(struct __sk_buff *skb);
int chain_end(struct __sk_buff *skb);
int tail_call_limit(struct __sk_buff *skb);
int tail_call_misses_count(struct __sk_buff *skb);

#define SLOT_TARGET 0
#define SLOT_MID 1
#define SLOT_END 2
#define SLOT_EMPTY 3
#define SLOT_LIMIT 4
#define SLOT_MISSES 5

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[SLOT_TARGET] = (void *)&tail_target,
		[SLOT_MID] = (void *)&chain_mid,
		[SLOT_END] = (void *)&chain_end,
		[SLOT_LIMIT] = (void *)&tail_call_limit,
		[SLOT_MISSES] = (void *)&tail_call_misses_count,
	},
};

/* The plain target: 100, whoever jumps here. */
SEC("tc") __retval(100)
int tail_target(struct __sk_buff *skb)
{
	return 100;
}

/* A tail call that finds its program: the code after it never runs. */
SEC("tc") __retval(100)
int tail_call_hit(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_TARGET));
	return 1;
}

/* Slot 3 is empty: the call falls through. */
SEC("tc") __retval(7)
int tail_call_empty_slot(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_EMPTY));
	return 7;
}

/* Index 8 and beyond are outside the array (max_entries 8): falls through,
 * for 8 as for a huge index. */
SEC("tc") __retval(8)
int tail_call_out_of_range(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, ringb_opaque(8));
	bpf_tail_call(skb, &jmp_table, ringb_opaque(0xfffffff0));
	return 8;
}

/* The chain start -> mid -> end, each step leaving a digit in cb[0]: 123.
 * Run alone, mid gives 23 and end gives 3. */
SEC("tc") __retval(3)
int chain_end(struct __sk_buff *skb)
{
	return skb->cb[0] * 10 + 3;
}

SEC("tc") __retval(23)
int chain_mid(struct __sk_buff *skb)
{
	skb->cb[0] = skb->cb[0] * 10 + 2;
	bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_END));
	return 0;
}

SEC("tc") __retval(123)
int chain_start(struct __sk_buff *skb)
{
	skb->cb[0] = 1;
	bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_MID));
	return 0;
}

/* A program that tail-calls itself until the kernel says no: the first run
 * plus MAX_TAIL_CALL_CNT (33) tail calls, then the 34th call falls through.
 * Each pass counts itself in a global. */
__u32 limit_passes;

SEC("tc") __retval(34)
int tail_call_limit(struct __sk_buff *skb)
{
	limit_passes++;
	bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_LIMIT));
	return limit_passes;
}

/* Only tail calls that find a program count towards the 33 (the x86 JIT
 * increments after its NULL check): five misses on the first pass change
 * nothing, the self-loop still makes 34 passes. */
__u32 miss_passes;

SEC("tc") __retval(34)
int tail_call_misses_count(struct __sk_buff *skb)
{
	if (miss_passes++ == 0) {
		bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_EMPTY));
		bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_EMPTY));
		bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_EMPTY));
		bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_EMPTY));
		bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_EMPTY));
	}
	bpf_tail_call(skb, &jmp_table, ringb_opaque(SLOT_MISSES));
	return miss_passes;
}

/* A tail call from a bpf-to-bpf subprogram replaces the subprogram's frame:
 * the target's result (100) comes back to the subprogram's caller. (The
 * subprogram's own result goes through ringb_opaque: clang would otherwise
 * see it always returns 5 and fold the caller's use of r0 away.) */
static __noinline int tail_from_sub(struct __sk_buff *skb, __u32 slot)
{
	bpf_tail_call(skb, &jmp_table, slot);
	return ringb_opaque(5);
}

SEC("tc") __retval(1100)
int tail_call_from_subprog(struct __sk_buff *skb)
{
	return tail_from_sub(skb, ringb_opaque(SLOT_TARGET)) + 1000;
}

/* The same subprogram with an empty slot returns its own 5. */
SEC("tc") __retval(1005)
int tail_call_from_subprog_empty(struct __sk_buff *skb)
{
	return tail_from_sub(skb, ringb_opaque(SLOT_EMPTY)) + 1000;
}
