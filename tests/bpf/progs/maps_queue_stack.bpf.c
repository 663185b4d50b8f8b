/* maps_queue_stack: BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO)
 * through bpf_map_push_elem / bpf_map_pop_elem / bpf_map_peek_elem:
 *   pop/peek when empty                  -ENOENT
 *   push when full                       -E2BIG
 *   push with BPF_EXIST when full        drops the oldest element, then pushes
 *   push with BPF_NOEXIST                -EINVAL
 * These maps have no key (key_size 0).  Fresh maps for each test. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u32);
} st SEC(".maps");

/* push 1, 2, 3; pop 1, peek 2, pop 2, pop 3, pop -> -ENOENT (2);
 * returned as the digits 1 2 2 3 2. */
SEC("tc") __retval(12232)
int queue_fifo(struct __sk_buff *skb)
{
	__u32 v, a, b, c, d;

	for (__u32 i = 1; i <= 3; i++) {
		v = i; /* the helper gets a copy, not the loop counter */
		if (bpf_map_push_elem(&q, &v, BPF_ANY))
			return -1;
	}
	if (bpf_map_pop_elem(&q, &a) || bpf_map_peek_elem(&q, &b) ||
	    bpf_map_pop_elem(&q, &c) || bpf_map_pop_elem(&q, &d))
		return -2;
	long e = bpf_map_pop_elem(&q, &v);
	return (int)(a * 10000 + b * 1000 + c * 100 + d * 10 - e);
}

/* push 10, 20, 30, 40 fills it; push 50 -> -E2BIG (7); push 60 with
 * BPF_EXIST drops 10 and appends 60; the queue is 20 30 40 60.
 * returns -e * 100000 + first pop * 1000 + (ok) * 100 + count of pops. */
SEC("tc") __retval(720104)
int queue_full(struct __sk_buff *skb)
{
	__u32 v;
	int pops = 0;

	for (__u32 i = 10; i <= 40; i += 10) {
		v = i;
		if (bpf_map_push_elem(&q, &v, BPF_ANY))
			return -1;
	}
	v = 50;
	long e = bpf_map_push_elem(&q, &v, BPF_ANY);
	v = 60;
	long ok = bpf_map_push_elem(&q, &v, BPF_EXIST);
	__u32 first = 0, last = 0;
	for (int i = 0; i < 5; i++) {
		if (bpf_map_pop_elem(&q, &v))
			break;
		if (pops++ == 0)
			first = v;
		last = v;
	}
	if (last != 60)
		return -2;
	return (int)(-e * 100000 + first * 1000 + (ok == 0) * 100 + pops);
}

/* push 1, 2, 3; pop 3, peek 2, pop 2, pop 1, pop -> -ENOENT (2);
 * returned as the digits 3 2 2 1 2. */
SEC("tc") __retval(32212)
int stack_lifo(struct __sk_buff *skb)
{
	__u32 v, a, b, c, d;

	for (__u32 i = 1; i <= 3; i++) {
		v = i; /* the helper gets a copy, not the loop counter */
		if (bpf_map_push_elem(&st, &v, BPF_ANY))
			return -1;
	}
	if (bpf_map_pop_elem(&st, &a) || bpf_map_peek_elem(&st, &b) ||
	    bpf_map_pop_elem(&st, &c) || bpf_map_pop_elem(&st, &d))
		return -2;
	long e = bpf_map_pop_elem(&st, &v);
	return (int)(a * 10000 + b * 1000 + c * 100 + d * 10 - e);
}

/* push 10, 20, 30, 40; push 50 -> -E2BIG (7); push 60 with BPF_EXIST
 * drops the oldest (10) and pushes 60 on top: pops give 60 40 30 20.
 * returns -e * 100000 + top * 1000 + bottom * 10 + pops = 760204. */
SEC("tc") __retval(760204)
int stack_full(struct __sk_buff *skb)
{
	__u32 v;
	int pops = 0;

	for (__u32 i = 10; i <= 40; i += 10) {
		v = i;
		if (bpf_map_push_elem(&st, &v, BPF_ANY))
			return -1;
	}
	v = 50;
	long e = bpf_map_push_elem(&st, &v, BPF_ANY);
	v = 60;
	if (bpf_map_push_elem(&st, &v, BPF_EXIST))
		return -2;
	__u32 top = 0, bottom = 0;
	for (int i = 0; i < 5; i++) {
		if (bpf_map_pop_elem(&st, &v))
			break;
		if (pops++ == 0)
			top = v;
		bottom = v;
	}
	return (int)(-e * 100000 + top * 1000 + bottom * 10 + pops);
}

/* Errors on empty maps and bad flags: peek(q) -> -ENOENT (2),
 * pop(st) -> -ENOENT (2), push(q, NOEXIST) -> -EINVAL (22),
 * push(st, 4) -> -EINVAL (22); returned as 02 02 22 22. */
SEC("syscall") __retval(2022222)
int queue_stack_errors(void *ctx)
{
	__u32 v = 1;
	long e1 = bpf_map_peek_elem(&q, &v);
	long e2 = bpf_map_pop_elem(&st, &v);
	long e3 = bpf_map_push_elem(&q, &v, BPF_NOEXIST);
	long e4 = bpf_map_push_elem(&st, &v, 4);

	return (int)(((-e1 * 100 - e2) * 100 - e3) * 100 - e4);
}
