/* calls: bpf-to-bpf calls (BPF_CALL with src_reg = BPF_PSEUDO_CALL) into
 * subprograms that clang places in .text.  Arguments go in r1-r5, the
 * result comes back in r0, r6-r9 survive the call and each subprogram has
 * its own stack frame.  No recursion (the verifier forbids it). */
#include "ringb_test.h"

/* Five arguments, each with its own weight so swapped registers show. */
static __noinline __u64 weigh5(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e;
}

/* weigh5(1, 10, 100, 1000, 10000) = 1 + 20 + 300 + 4000 + 50000. */
SEC("tc") __retval(54321)
int call_five_args(struct __sk_buff *skb)
{
	return (int)weigh5(ringb_opaque(1ull), ringb_opaque(10ull), ringb_opaque(100ull),
			   ringb_opaque(1000ull), ringb_opaque(10000ull));
}

static __noinline __u64 level4(__u64 x)
{
	return x * 3 + 1;
}

static __noinline __u64 level3(__u64 x, __u64 y)
{
	return level4(x + y) * 2;
}

static __noinline __u64 level2(__u64 x, __u64 y, __u64 z)
{
	return level3(x, y) + level4(z);
}

static __noinline __u64 level1(__u64 x)
{
	return level2(x, x + 1, x + 2) + 7;
}

/* A call chain five frames deep (prog -> level1 -> level2 -> level3 ->
 * level4): level1(5) = level3(5, 6) + level4(7) + 7
 * = (3 * 11 + 1) * 2 + 22 + 7 = 97. */
SEC("tc") __retval(97)
int call_chain(struct __sk_buff *skb)
{
	return (int)level1(ringb_opaque(5ull));
}

/* The same subprogram used by two programs (libbpf appends a copy of .text
 * to each).  mix(a, b) = a * 31 + b. */
static __noinline __u32 mix(__u32 a, __u32 b)
{
	return a * 31 + b;
}

/* mix(mix(1, 2), 3) = 33 * 31 + 3. */
SEC("tc") __retval(1026)
int call_shared_a(struct __sk_buff *skb)
{
	return (int)mix(mix(ringb_opaque(1u), 2), 3);
}

/* mix(100, 23) = 3123. */
SEC("syscall") __retval(3123)
int call_shared_b(void *ctx)
{
	return (int)mix(ringb_opaque(100u), 23);
}

/* The callee writes through a pointer into the caller's stack frame. */
static __noinline void fill(__u32 *out, __u32 n)
{
	for (__u32 i = 0; i < 4; i++)
		out[i] = n + i * n;
}

/* fill(buf, 7) -> 7, 14, 21, 28; returns the four as decimal-ish digits
 * 7 + 14 * 100 + 21 * 10000 + 28 * 1000000 = 28211407. */
SEC("tc") __retval(28211407)
int call_stack_pointer_arg(struct __sk_buff *skb)
{
	__u32 buf[4] = {};

	fill(buf, ringb_opaque(7u));
	return buf[0] + buf[1] * 100 + buf[2] * 10000 + buf[3] * 1000000;
}

static __noinline __u64 clobber(__u64 x)
{
	/* uses r1-r5 and its own stack; the caller's r6-r9 must survive */
	volatile __u64 local[4] = {x, x * 2, x * 3, x * 4};
	return local[0] + local[1] + local[2] + local[3];
}

/* Values live across calls (kept in callee-saved r6-r9 or spilled):
 * a..d = 1..4 survive two calls of clobber(10) = 100 each;
 * returns a + 10b + 100c + 1000d + 2 * 100 * 10000 = 2004321. */
SEC("tc") __retval(2004321)
int call_callee_saved(struct __sk_buff *skb)
{
	__u64 a = ringb_opaque(1ull), b = ringb_opaque(2ull);
	__u64 c = ringb_opaque(3ull), d = ringb_opaque(4ull);
	__u64 s = clobber(ringb_opaque(10ull));

	s += clobber(ringb_opaque(10ull));
	return (int)(a + 10 * b + 100 * c + 1000 * d + s * 10000);
}

/* A 64-bit return value from a subprogram: the high half must survive. */
static __noinline __u64 make_wide(__u32 hi, __u32 lo)
{
	return (__u64)hi << 32 | lo;
}

/* make_wide(3, 5) = 0x300000005; hi * 10 + lo = 35. */
SEC("tc") __retval(35)
int call_wide_return(struct __sk_buff *skb)
{
	__u64 w = make_wide(ringb_opaque(3u), ringb_opaque(5u));
	return (int)((w >> 32) * 10 + (__u32)w);
}

/* A global (non-static) function: the verifier checks it once, on its own,
 * from its BTF signature (scalar in, scalar out) instead of per call site. */
__noinline int global_square_plus(int x, int y)
{
	return x * x + y;
}

/* global_square_plus(12, 1) + global_square_plus(-3, 0) = 145 + 9. */
SEC("tc") __retval(154)
int call_global_function(struct __sk_buff *skb)
{
	return global_square_plus(ringb_opaque(12), 1) + global_square_plus(ringb_opaque(-3), 0);
}
