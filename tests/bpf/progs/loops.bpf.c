/* loops: the verifier accepts loops it can prove terminate (bounded loops,
 * Linux 5.3+: it simulates each iteration) and bpf_loop(), whose callback
 * it verifies once.  clang must not unroll or closed-form these loops, so
 * they mix in opaque values. */
#include "ringb_test.h"

/* A bounded for loop, 100 iterations, not unrolled:
 * sum over i < 100 of (i * i) ^ 0x55 = 329766. */
SEC("tc") __retval(329766)
int loop_for_bounded(struct __sk_buff *skb)
{
	__u32 seed = ringb_opaque(0x55u), sum = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 100; i++)
		sum += (i * i) ^ seed;
	return (int)sum;
}

struct loop_ctx {
	__u64 sum;
	__u32 stop_at;
};

static long add_index(__u32 index, struct loop_ctx *ctx)
{
	ctx->sum += index * 3;
	return index == ctx->stop_at; /* 1 stops the loop */
}

/* bpf_loop(100, cb): the callback sees indices 0..99 and adds 3 * index;
 * bpf_loop returns the number of iterations.
 * returns sum * 1000 + n = 14850 * 1000 + 100. */
SEC("tc") __retval(14850100)
int loop_bpf_loop(struct __sk_buff *skb)
{
	struct loop_ctx ctx = {.sum = 0, .stop_at = ~0u};
	long n = bpf_loop(100, add_index, &ctx, 0);

	return (int)(ctx.sum * 1000 + n);
}

/* bpf_loop whose callback returns 1 at index 41: 42 iterations ran (0..41),
 * sum = 3 * (0 + ... + 41) = 2583. returns sum * 1000 + n. */
SEC("syscall") __retval(2583042)
int loop_bpf_loop_early_stop(void *ctx)
{
	struct loop_ctx c = {.sum = 0, .stop_at = ringb_opaque(41u)};
	long n = bpf_loop(1000, add_index, &c, 0);

	return (int)(c.sum * 1000 + n);
}

volatile __u64 collatz_start = 27; /* .data: unknown to the verifier */

/* A while loop bounded by a step limit: Collatz steps from 27 to 1 = 111. */
SEC("tc") __retval(111)
int loop_while_collatz(struct __sk_buff *skb)
{
	__u64 n = collatz_start;
	int steps = 0;

	while (n != 1 && steps < 200) {
		n = (n & 1) ? 3 * n + 1 : n / 2;
		steps++;
	}
	return steps;
}

/* Nested loops over an 8x8 matrix on the stack: m[i][j] = i + j + k;
 * sum of m[i][j] * (i ^ j) with k = 1 = 1792. */
SEC("tc") __retval(1792)
int loop_nested(struct __sk_buff *skb)
{
	volatile __u32 m[8][8];
	__u32 k = ringb_opaque(1u), sum = 0;

	for (__u32 i = 0; i < 8; i++)
		for (__u32 j = 0; j < 8; j++)
			m[i][j] = i + j + k;
	for (__u32 i = 0; i < 8; i++)
		for (__u32 j = 0; j < 8; j++)
			sum += m[i][j] * (i ^ j);
	return (int)sum;
}

const volatile __u32 table[16] = {3, 9, 4, 12, 7, 30, 2, 41, 5, 50, 1, 8, 60, 6, 70, 11};

/* Early exit: first index whose value exceeds 40 is 7 (41); the loop then
 * stops. returns index * 100 + value. */
SEC("tc") __retval(741)
int loop_break(struct __sk_buff *skb)
{
	__u32 limit = ringb_opaque(40u);

	for (__u32 i = 0; i < 16; i++) {
		if (table[i] > limit)
			return (int)(i * 100 + table[i]);
	}
	return -1;
}

/* do/while counting down from an opaque 50: x = x * 3 % 1000003 fifty
 * times from 1 gives 3^50 mod 1000003 = 718524. */
SEC("tc") __retval(718524)
int loop_do_while(struct __sk_buff *skb)
{
	__u32 n = ringb_opaque(50u);
	__u64 x = 1;

	if (n > 64)
		return -1;
	do {
		x = x * 3 % 1000003;
	} while (--n);
	return (int)x;
}

/* A loop with continue: sum of i in [0, 64) not divisible by 3 or 5,
 * with an opaque modulus pair: 1083. */
SEC("syscall") __retval(1083)
int loop_continue(void *ctx)
{
	__u32 a = ringb_opaque(3u), b = ringb_opaque(5u), sum = 0;

	for (__u32 i = 0; i < 64; i++) {
		if (i % a == 0 || i % b == 0)
			continue;
		sum += i;
	}
	return (int)sum;
}
