/* divmod_zero: division and modulo by zero, and signed overflow.
 *
 * BPF defines x / 0 = 0 and x % 0 = x (for 32-bit ops the result is still
 * zero-extended), signed S_MIN / -1 = S_MIN and S_MIN % -1 = 0.  The
 * verifier rejects a zero *immediate* divisor, so the zero comes from memory
 * the compiler and (except for the .rodata case) the verifier cannot see
 * through: volatile .bss/.data globals and an array map value. */
#include "ringb_test.h"

volatile __u64 zero64;			/* .bss */
volatile __u32 zero32;			/* .bss */
volatile __s64 minus_one64 = -1;	/* .data */
volatile __s32 minus_one32 = -1;	/* .data */
const volatile __u64 ro_zero64 = 0;	/* .rodata: the verifier knows it is 0 */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} divisors SEC(".maps");

/* u64 12345 / 0 = 0; returns 1000 + quotient. */
SEC("tc") __retval(1000)
int udiv64_by_zero(struct __sk_buff *skb)
{
	__u64 q = ringb_opaque(12345ull) / zero64;
	return (int)q + 1000;
}

/* u64 0x1234567887654321 % 0 = the dividend; >> 16 = 0x123456788765,
 * low 32 bits 0x56788765. */
SEC("tc") __retval(1450739557)
int umod64_by_zero(struct __sk_buff *skb)
{
	__u64 m = ringb_opaque(0x1234567887654321ull) % zero64;
	return (int)(m >> 16);
}

/* u32 777 / 0 = 0; returns 2000 + quotient. */
SEC("syscall") __retval(2000)
int udiv32_by_zero(void *ctx)
{
	__u32 q = ringb_opaque(777u) / zero32;
	return (int)q + 2000;
}

/* u32 mod by zero keeps the low half of the dividend and zero-extends it:
 * the register holds 0xffffffff_12345678, (u32) % 0 = 0x12345678, the high
 * half must read as 0; >> 4 = 0x01234567. */
SEC("tc") __retval(19088743)
int umod32_by_zero_zext(struct __sk_buff *skb)
{
	__u32 x = (__u32)ringb_opaque(0xffffffff12345678ull);
	__u32 m = x % zero32;
	__u64 w = ringb_opaque((__u64)ringb_opaque(m));
	return (int)(w >> 4);
}

/* s64 -77 s/ 0 = 0 and -77 s% 0 = -77 (sdiv/smod, ISA v4);
 * returns (q + 3000) * 1000 + m = 2999923. */
SEC("tc") __retval(2999923)
int sdivmod64_by_zero(struct __sk_buff *skb)
{
	__s64 x = ringb_opaque(-77ll);
	__s64 d = (__s64)zero64;
	__s64 q = ringb_opaque(x / d), m = ringb_opaque(x % d);
	return (int)((q + 3000) * 1000 + m);
}

/* s32 -5 s/ 0 = 0 and -5 s% 0 = -5; returns (q + 4000) * 1000 + m. */
SEC("tc") __retval(3999995)
int sdivmod32_by_zero(struct __sk_buff *skb)
{
	__s32 x = ringb_opaque(-5);
	__s32 d = (__s32)zero32;
	__s32 q = ringb_opaque(x / d), m = ringb_opaque(x % d);
	return (q + 4000) * 1000 + m;
}

/* S64_MIN s/ -1 overflows to S64_MIN, S64_MIN s% -1 = 0;
 * returns the high half of the quotient (0x80000000) plus the remainder. */
SEC("tc") __retval(-2147483648)
int sdivmod64_overflow(struct __sk_buff *skb)
{
	__s64 x = ringb_opaque((__s64)0x8000000000000000ull);
	__s64 q = ringb_opaque(x / minus_one64);
	__s64 m = ringb_opaque(x % minus_one64);
	return (int)((__u64)q >> 32) + (int)m;
}

/* S32_MIN s/ -1 = S32_MIN, S32_MIN s% -1 = 0; returns q / 65536 + m. */
SEC("syscall") __retval(-32768)
int sdivmod32_overflow(void *ctx)
{
	__s32 x = ringb_opaque((__s32)0x80000000u);
	__s32 q = ringb_opaque(x / minus_one32);
	__s32 m = ringb_opaque(x % minus_one32);
	return q / 65536 + m;
}

/* divisor read from an array map value (0): 77777 / 0 + 77777 % 0 + 1. */
SEC("tc") __retval(77778)
int divmod_by_zero_from_map(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *d = bpf_map_lookup_elem(&divisors, &key);
	__u64 x = ringb_opaque(77777ull);

	if (!d)
		return -1;
	return (int)(x / *d + x % *d + 1);
}

/* divisor from .rodata: the verifier knows the register is exactly 0 and
 * must still accept a register divide (only an immediate 0 is rejected):
 * 4242 / 0 + 4242 % 0 = 4242. */
SEC("tc") __retval(4242)
int divmod_by_known_zero(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(4242ull);
	return (int)(x / ro_zero64 + x % ro_zero64);
}
