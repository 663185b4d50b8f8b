/* A prog array whose `.values` the loader must refuse, one way per
 * VARIANT: 1 a slot past max_entries, 2 a subprogram, 3 a global variable. */
#include "ringb_test.h"

int target(struct __sk_buff *skb);
__noinline int helper_fn(struct __sk_buff *skb) { return skb->len; }
__u32 some_data = 1;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (void *));
} bad_table SEC(".maps") = {
	.values = {
#if VARIANT == 1
		[5] = (void *)&target,
#elif VARIANT == 2
		[1] = (void *)&helper_fn,
#else
		[1] = (void *)&some_data,
#endif
	},
};

SEC("tc") int target(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &bad_table, 0);
	return helper_fn(skb);
}
