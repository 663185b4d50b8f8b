/* alu64: 64-bit ALU arithmetic (BPF_ALU64 class).
 *
 * Operands go through ringb_opaque() so clang cannot fold them: the
 * arithmetic really happens at run time, with immediates (BPF_K) where the
 * source has a constant and registers (BPF_X) where both sides are opaque.
 * Results are 64-bit; each program returns a 32-bit slice chosen so that the
 * high half matters. */
#include "ringb_test.h"

/* add with carry into bit 32: 0xffffffff + 1 + 0x2a = 0x10000002a;
 * returned >> 4 = 0x10000002. */
SEC("tc") __retval(268435458)
int alu64_add_carry(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0xffffffffull);
	x += 1;
	x += ringb_opaque(0x2aull);
	return (int)(x >> 4);
}

/* sub below zero wraps to 2^64 - 2; >> 33 = 0x7fffffff. */
SEC("tc") __retval(2147483647)
int alu64_sub_wrap(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(3ull);
	x -= ringb_opaque(5ull);
	return (int)(x >> 33);
}

/* mul by immediate: 0x12345678 * 0x1000 = 0x12345678000; >> 16 = 0x1234567. */
SEC("tc") __retval(19088743)
int alu64_mul_imm(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0x12345678ull);
	x *= 0x1000;
	return (int)(x >> 16);
}

/* mul by register overflowing 64 bits:
 * 0x100000001 * 0x100000003 = 0x1_00000004_00000003 -> 0x00000004_00000003.
 * returns hi * 10 + lo = 43. */
SEC("tc") __retval(43)
int alu64_mul_reg_overflow(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0x100000001ull) * ringb_opaque(0x100000003ull);
	x = ringb_opaque(x);
	return (int)(x >> 32) * 10 + (int)(__u32)x;
}

/* unsigned div and mod by immediates: 1000000000123 / 1000 = 1000000000,
 * 1000000000123 % 1000 = 123; returns their sum. */
SEC("syscall") __retval(1000000123)
int alu64_divmod_imm(void *ctx)
{
	__u64 x = ringb_opaque(1000000000123ull);
	__u64 q = x / 1000;
	__u64 r = x % 1000;
	return (int)(q + r);
}

/* unsigned div by register of an all-ones dividend (unsigned, not -1 / 3):
 * 0xffffffffffffffff / 3 = 0x5555555555555555; >> 33 = 0x2aaaaaaa. */
SEC("tc") __retval(715827882)
int alu64_div_reg(struct __sk_buff *skb)
{
	__u64 q = ringb_opaque(~0ull) / ringb_opaque(3ull);
	return (int)(q >> 33);
}

/* unsigned mod by register: (2^64 - 1) % 10 = 5, 1000003 % 1000 = 3;
 * returns 5 * 1000 + 3. */
SEC("tc") __retval(5003)
int alu64_mod_reg(struct __sk_buff *skb)
{
	__u64 a = ringb_opaque(~0ull) % ringb_opaque(10ull);
	__u64 b = ringb_opaque(1000003ull) % ringb_opaque(1000ull);
	return (int)(a * 1000 + b);
}

/* neg: -0x123456789 = 0xfffffffedcba9877; >> 16 = 0xfffffffedcba, whose low
 * 32 bits 0xfffedcba are -74566 as int. */
SEC("tc") __retval(-74566)
int alu64_neg(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0x123456789ull);
	x = -x;
	x = ringb_opaque(x);
	return (int)(x >> 16);
}

/* and/or/xor of 64-bit patterns (register operands):
 * a & b = 0x00f000f000f000f0, a | b = 0xfff0fff0fff0fff0,
 * a ^ b = 0xff00ff00ff00ff00; (and >> 36) + (or >> 52) + (xor >> 56)
 * = 0xf000f + 0xfff + 0xff = 987405. */
SEC("tc") __retval(987405)
int alu64_bitwise_reg(struct __sk_buff *skb)
{
	__u64 a = ringb_opaque(0xf0f0f0f0f0f0f0f0ull);
	__u64 b = ringb_opaque(0x0ff00ff00ff00ff0ull);
	__u64 and = ringb_opaque(a & b), or = ringb_opaque(a | b), xor = ringb_opaque(a ^ b);
	return (int)((and >> 36) + (or >> 52) + (xor >> 56));
}

/* and/or/xor with immediates; a 32-bit immediate is sign-extended to 64
 * bits, so "& -16" keeps the high half:
 * x = 0x8000000123456789; x & -16 = 0x8000000123456780; | 0x0f = ...8f;
 * ^ 0x100 = 0x800000012345668f; >> 8 = 0x0080000001234566 -> low 32 bits. */
SEC("syscall") __retval(19088742)
int alu64_bitwise_imm(void *ctx)
{
	__u64 x = ringb_opaque(0x8000000123456789ull);
	x = ringb_opaque(x & -16ll);
	x = ringb_opaque(x | 0x0f);
	x = ringb_opaque(x ^ 0x100);
	return (int)(x >> 8);
}

/* 64-bit immediate load (lddw) and 32-bit mov sign extension:
 * 0x123456789abcdef0 >> 24 = 0x123456789a, low 32 bits 0x3456789a;
 * r = -1 (mov imm sign-extends) >> 40 = 0xffffff;
 * sum = 0x1235567899, low 32 bits 0x35567899. */
SEC("tc") __retval(894859417)
int alu64_ld_imm64(struct __sk_buff *skb)
{
	__u64 big = ringb_opaque(0x123456789abcdef0ull);
	__u64 ones = ringb_opaque(-1ll);
	return (int)((big >> 24) + (ones >> 40));
}

/* Forms clang does not emit from C, written in assembly: it turns x - K
 * into x += -K, and computes x % K as x - x / K * K.
 *   1000 - 1 = 999 (sub imm), 999 % 10 = 9 (mod imm),
 *   -100 s% 7 = -2 (smod imm); returns 999 * 10000 + 9 * 100 + -2. */
SEC("tc") __retval(9990898)
int alu64_sub_mod_imm_asm(struct __sk_buff *skb)
{
	__s64 a, b, c;

	asm volatile("%[a] = 1000; %[a] -= 1;" : [a] "=&r"(a));
	asm volatile("%[b] = %[a]; %[b] %%= 10;" : [b] "=&r"(b) : [a] "r"(a));
	asm volatile("%[c] = -100; %[c] s%%= 7;" : [c] "=&r"(c));
	return (int)(a * 10000 + b * 100 + c);
}
