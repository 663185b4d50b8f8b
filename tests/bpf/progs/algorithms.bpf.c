/* algorithms: small complete computations mixing ALU, memory, branches,
 * loops and calls.  They catch interactions single-instruction tests miss
 * (carries across operations, loop-carried state, stack arrays).  Expected
 * values were computed independently (Python) and confirmed by the kernel. */
#include "ringb_test.h"

/* Iterative Fibonacci, 64-bit: fib(40) = 102334155. */
SEC("tc") __retval(102334155)
int algo_fib(struct __sk_buff *skb)
{
	__u32 n = ringb_opaque(40u);
	__u64 a = 0, b = 1;

	for (__u32 i = 0; i < 64 && i < n; i++) {
		__u64 t = a + b;
		a = b;
		b = t;
	}
	return (int)a;
}

/* Bit counting (no popcount/clz/ctz instructions in BPF: clang expands the
 * builtins into shift/mask/multiply sequences):
 * popcount(0xf0f0f0f0f0f0f0f1) = 33, clz(2^44) = 19, ctz(2^44) = 44;
 * returns 33 * 10000 + 19 * 100 + 44. */
SEC("tc") __retval(331944)
int algo_bitcount(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0xf0f0f0f0f0f0f0f1ull);
	__u64 y = ringb_opaque(1ull << 44);

	return __builtin_popcountll(x) * 10000 + __builtin_clzll(y) * 100 + __builtin_ctzll(y);
}

const char crc_input[] = "ringb";

/* Bitwise CRC-32 (IEEE, reflected, poly 0xedb88320) of "ringb":
 * 0xc857e705 (as int: -933763323), the same as zlib.crc32(b"ringb"). */
SEC("tc") __retval(-933763323)
int algo_crc32(struct __sk_buff *skb)
{
	__u32 crc = 0xffffffff;

	for (int i = 0; i < (int)sizeof(crc_input) - 1; i++) {
		crc ^= ((volatile const __u8 *)crc_input)[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return (int)~crc;
}

const volatile __u32 unsorted[8] = {42, 7, 19, 3, 88, 7, 61, 0};

/* Insertion sort of 8 values on the stack, then sum(a[i] * (i + 1)) of
 * the sorted array {0, 3, 7, 7, 19, 42, 61, 88} = 1533, and a sortedness
 * check. returns sum * 10 + sorted. */
SEC("tc") __retval(15331)
int algo_insertion_sort(struct __sk_buff *skb)
{
	__u32 a[8];
	__u32 sum = 0;
	int sorted = 1;

	for (int i = 0; i < 8; i++)
		a[i] = unsorted[i];
	for (int i = 1; i < 8; i++) {
		__u32 v = a[i];
		int j = i - 1;
		while (j >= 0 && a[j & 7] > v) {
			a[(j + 1) & 7] = a[j & 7];
			j--;
		}
		a[(j + 1) & 7] = v;
	}
	for (int i = 0; i < 8; i++) {
		sum += a[i] * (i + 1);
		if (i > 0 && a[i - 1] > a[i])
			sorted = 0;
	}
	return (int)(sum * 10 + sorted);
}

static __noinline __u64 gcd(__u64 a, __u64 b)
{
	for (int i = 0; i < 64 && b != 0; i++) {
		__u64 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Euclid with mod by register in a subprogram: gcd(1071, 462) = 21,
 * lcm(21, 6) = 42; returns gcd * 100 + lcm. */
SEC("tc") __retval(2142)
int algo_gcd_lcm(struct __sk_buff *skb)
{
	__u64 g = gcd(ringb_opaque(1071ull), ringb_opaque(462ull));
	__u64 l = g / gcd(g, 6) * 6;

	return (int)(g * 100 + l);
}

/* Integer square root by Newton's method with 64-bit division:
 * isqrt(1000000007) = 31622, isqrt(2^62) = 2^31.
 * returns 31622 + (isqrt(2^62) == 2^31) * 100000. */
static __noinline __u64 isqrt(__u64 n)
{
	__u64 x = n, y = (n + 1) / 2;

	if (n < 2)
		return n;
	for (int i = 0; i < 64 && y < x; i++) {
		x = y;
		y = (x + n / x) / 2;
	}
	return x;
}

SEC("syscall") __retval(131622)
int algo_isqrt(void *ctx)
{
	return (int)(isqrt(ringb_opaque(1000000007ull)) +
		     (isqrt(ringb_opaque(1ull << 62)) == (1ull << 31)) * 100000);
}

/* FNV-1a (32-bit) over the 64 packet bytes: 0xccce5730. */
SEC("tc") __retval(-858892496)
int algo_fnv1a_packet(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 h = 2166136261u;

	for (int i = 0; i < 64; i++) {
		__u8 *p = data + i;
		if ((void *)(p + 1) > data_end)
			return -1;
		h ^= *p;
		h *= 16777619u;
	}
	return (int)h;
}

/* xorshift64 (13, 7, 17) from seed 88172645463325252, 100 steps;
 * returns the low 32 bits. */
SEC("tc") __retval(-663726352)
int algo_xorshift64(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(88172645463325252ull);

	for (int i = 0; i < 100; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return (int)x;
}

const volatile __u32 sorted_keys[32] = {
	1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144, 169, 196, 225, 256,
	289, 324, 361, 400, 441, 484, 529, 576, 625, 676, 729, 784, 841, 900, 961, 1024,
};

static __always_inline int bsearch_key(__u32 key)
{
	int lo = 0, hi = 31;

	for (int i = 0; i < 6 && lo <= hi; i++) {
		int mid = (lo + hi) / 2;
		__u32 v = sorted_keys[mid & 31];
		if (v == key)
			return mid;
		if (v < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Binary search in a sorted .rodata table: 361 is at 18, 1 at 0, 1024 at
 * 31, 500 is absent (-1); returns 18 * 10000 + 0 * 1000 + 31 * 10 + (-1). */
SEC("tc") __retval(180309)
int algo_binary_search(struct __sk_buff *skb)
{
	return bsearch_key(ringb_opaque(361u)) * 10000 + bsearch_key(ringb_opaque(1u)) * 1000 +
	       bsearch_key(ringb_opaque(1024u)) * 10 + bsearch_key(ringb_opaque(500u));
}

/* 64 x 64 -> 128-bit multiply from 32-bit halves (schoolbook, with the
 * carries): 0xfedcba9876543210 * 0x0123456789abcdef; returns the low 32
 * bits of the high 64-bit word xor the high 32 bits of the low word. */
SEC("tc") __retval(-1891561523)
int algo_mul128(struct __sk_buff *skb)
{
	__u64 a = ringb_opaque(0xfedcba9876543210ull), b = ringb_opaque(0x0123456789abcdefull);
	__u64 a_lo = a & 0xffffffff, a_hi = a >> 32, b_lo = b & 0xffffffff, b_hi = b >> 32;
	__u64 p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
	__u64 mid = (p0 >> 32) + (p1 & 0xffffffff) + (p2 & 0xffffffff);
	__u64 lo = (p0 & 0xffffffff) | (mid << 32);
	__u64 hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);

	return (int)((__u32)hi ^ (__u32)(lo >> 32));
}
