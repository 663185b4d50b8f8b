/* verify_loops.bpf.c — programs whose verification is long, for the
 * verification-time section of `ringb bench`: bounded loops the verifier
 * walks iteration by iteration (no may_goto, no iterators), with branches
 * inside whose paths prune against each other, as stack unwinders and
 * parsers (the kernel's pyperf, strobemeta) have them, and a nested loop
 * whose branch compares an accumulator (it verifies only with precision
 * tracking: without it the accumulator counts as precise and the walk runs
 * out of the 1 M instructions). */
#include "ringb_test.h"

struct frames {
	__u64 pc[64];
	__u32 n;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frames);
} stacks SEC(".maps");

/* 64 frames, three ways per frame */
SEC("tc") int unwind_64(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct frames *f = bpf_map_lookup_elem(&stacks, &k);
	__u64 sum = 0;

	if (!f)
		return 0;
	for (int i = 0; i < 64; i++) {
		__u64 pc;

		if (i >= f->n)
			break;
		pc = f->pc[i];
		if (pc & 1)
			sum += pc >> 1;
		else if (pc > 1000)
			sum ^= pc;
		else
			sum += i;
	}
	return sum & 0xff;
}

/* a byte parser over the packet: 128 steps, bounds checked each time */
SEC("tc") int parse_128(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 state = 0, count = 0;

	for (int i = 0; i < 128; i++) {
		__u8 *p = data + i;

		if ((void *)(p + 1) > end)
			break;
		if (*p == ':')
			state = 1;
		else if (state && *p == '\n')
			count++, state = 0;
	}
	return count;
}

/* 32 x 32 iterations; the accumulator is compared against a fresh unknown
 * each time, so both ways are walked and no branch decision needs its
 * value: imprecise, the two ways of one iteration join into one state. */
SEC("tc") int nested_accumulator_32x32(struct __sk_buff *skb)
{
	__u32 acc = 1;

	for (int i = 0; i < 32; i++)
		for (int j = 0; j < 32; j++) {
			if (acc > bpf_get_prandom_u32())
				acc = (acc >> 1) | 1;
			else
				acc += 2;
		}
	return acc & 1;
}
