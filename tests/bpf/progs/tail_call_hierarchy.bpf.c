/* tail_call_hierarchy: tail calls made from bpf-to-bpf subprograms.
 *
 * A tail call in a subprogram replaces that subprogram's frame; the target's
 * exit returns to the subprogram's caller. A target that again calls the
 * subprogram nests one frame deeper per tail call, so 33 tail calls stack 34
 * copies of the entry program. The tail-call counter is one per run, shared
 * by the whole hierarchy: after the 33rd, every later tail call falls
 * through, wherever it is made.
 *
 * skb->cb[0] counts how many times an entry program started; the context is
 * the same for every program of the run, and test_run starts it at 0. */
#include "ringb_test.h"

int hierarchy_depth1(struct __sk_buff *skb);
int hierarchy_depth2(struct __sk_buff *skb);
int hierarchy_chain(struct __sk_buff *skb);
int hierarchy_leaf(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} hier_table SEC(".maps") = {
	.values = {
		[0] = (void *)&hierarchy_depth1,
		[1] = (void *)&hierarchy_depth2,
		[2] = (void *)&hierarchy_leaf,
	},
};

static __attribute__((noinline)) int tail_from_sub(struct __sk_buff *skb, __u32 slot)
{
	bpf_tail_call(skb, &hier_table, slot);
	return ringb_opaque(0); /* not a constant: clang would fold it into callers */
}

static __attribute__((noinline)) int tail_from_subsub(struct __sk_buff *skb)
{
	return tail_from_sub(skb, 1) + 1;
}

/* Each start calls the tail-calling subprogram twice: the first call of the
 * first copy nests all 33 tail calls; every other call falls through. 34
 * starts: the first plus 33 tail calls. */
SEC("tc") __retval(34)
int hierarchy_depth1(struct __sk_buff *skb)
{
	skb->cb[0]++;
	tail_from_sub(skb, 0);
	tail_from_sub(skb, 0);
	return skb->cb[0];
}

/* The same two calls deep: every tail call nests two frames, 67 in all. */
SEC("tc") __retval(34)
int hierarchy_depth2(struct __sk_buff *skb)
{
	skb->cb[0]++;
	tail_from_subsub(skb);
	tail_from_subsub(skb);
	return skb->cb[0];
}

/* The target's result is the subprogram's: a tail call from a subprogram
 * returns into the caller, here 40 + 2 from the leaf. */
SEC("tc") __retval(42)
int hierarchy_chain(struct __sk_buff *skb)
{
	return 40 + tail_from_sub(skb, 2);
}

SEC("tc") __retval(2)
int hierarchy_leaf(struct __sk_buff *skb)
{
	return 2;
}
