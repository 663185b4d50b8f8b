/* alu32: 32-bit ALU arithmetic (BPF_ALU class, "w" registers).
 *
 * Every 32-bit ALU result is zero-extended into the full 64-bit register.
 * clang relies on that (it emits no explicit zero-extension after an alu32
 * op), so widening a result through ringb_opaque() and looking at its high
 * half checks the rule. */
#include "ringb_test.h"

/* 0xfffffff0 + 0x12345 wraps to 0x12335; the carry must not reach bit 32:
 * returns 0x12335 + (high half) * 1000 = 74549. */
SEC("tc") __retval(74549)
int alu32_add_wrap(struct __sk_buff *skb)
{
	__u32 s = ringb_opaque(0xfffffff0u) + ringb_opaque(0x12345u);
	__u64 w = ringb_opaque((__u64)s);
	return (int)(w + (w >> 32) * 1000);
}

/* 5 - 7 = 0xfffffffe, zero- (not sign-) extended: >> 1 = 0x7fffffff. */
SEC("tc") __retval(2147483647)
int alu32_sub_zext(struct __sk_buff *skb)
{
	__u32 d = ringb_opaque(5u) - ringb_opaque(7u);
	__u64 w = ringb_opaque((__u64)d);
	return (int)(w >> 1);
}

/* mul wraps at 32 bits: 0x10001 * 0x10001 = 0x20001 (reg),
 * 0x7fffffff * 3 = 0x7ffffffd (imm); returns a + (b >> 8) = 8519680. */
SEC("tc") __retval(8519680)
int alu32_mul(struct __sk_buff *skb)
{
	__u32 a = ringb_opaque(0x10001u) * ringb_opaque(0x10001u);
	__u32 b = ringb_opaque(0x7fffffffu) * 3;
	a = ringb_opaque(a);
	b = ringb_opaque(b);
	return (int)(a + (b >> 8));
}

/* 32-bit div is unsigned: 0xfffffffe / 3 = 0x55555554 (not -2 / 3 = 0). */
SEC("syscall") __retval(1431655764)
int alu32_div_imm(void *ctx)
{
	__u32 x = ringb_opaque(0xfffffffeu);
	return (int)(x / 3);
}

/* 32-bit div/mod by register only see the low halves: the dividend register
 * holds 0x5_000186a0 but (u32) is 100000; 100000 / 7 = 14285,
 * 100000 % 7 = 5; returns 14285 * 10 + 5. */
SEC("tc") __retval(142855)
int alu32_divmod_reg(struct __sk_buff *skb)
{
	__u32 x = (__u32)ringb_opaque(0x5000186a0ull);
	__u32 y = ringb_opaque(7u);
	__u32 q = ringb_opaque(x / y), r = ringb_opaque(x % y);
	return (int)(q * 10 + r);
}

/* 32-bit mod: 0xffffffff % 10 = 5 (reg), 0xffffffff % 7 = 3 (imm);
 * returns 5 * 10 + 3. */
SEC("tc") __retval(53)
int alu32_mod(struct __sk_buff *skb)
{
	__u32 x = ringb_opaque(0xffffffffu);
	__u32 a = ringb_opaque(x % ringb_opaque(10u));
	__u32 b = ringb_opaque(x % 7);
	return (int)(a * 10 + b);
}

/* neg32: -7 = 0xfffffff9, zero-extended: >> 4 = 0x0fffffff. */
SEC("tc") __retval(268435455)
int alu32_neg(struct __sk_buff *skb)
{
	__u32 x = ringb_opaque(7u);
	__u32 n = -x;
	__u64 w = ringb_opaque((__u64)n);
	return (int)(w >> 4);
}

/* 32-bit and/or/xor on the low half of an all-ones register:
 * 0xffffffff & 0xff00ff00 = 0xff00ff00; | 0x0f = 0xff00ff0f;
 * ^ 0x0f0f0000 = 0xf00fff0f; >> 8 = 0xf00fff. */
SEC("tc") __retval(15732735)
int alu32_bitwise(struct __sk_buff *skb)
{
	__u32 w = (__u32)ringb_opaque(~0ull);
	w = ringb_opaque(w & 0xff00ff00u);
	w = ringb_opaque(w | 0x0fu);
	w = ringb_opaque(w ^ ringb_opaque(0x0f0f0000u));
	return (int)(w >> 8);
}

/* mov32 truncates and zero-extends: (u32)0x123456789abcdef0 = 0x9abcdef0;
 * widened back >> 4 = 0x09abcdef. */
SEC("syscall") __retval(162254319)
int alu32_mov_zext(void *ctx)
{
	__u64 x = ringb_opaque(0x123456789abcdef0ull);
	__u32 w = (__u32)x;
	__u64 back = ringb_opaque((__u64)ringb_opaque(w));
	return (int)(back >> 4);
}

/* sub with an immediate, in assembly (clang emits w += -K instead):
 * 5 - 7 = 0xfffffffe; >> 1 = 0x7fffffff; 10 - -3 = 13;
 * returns 0x7fffffff - 13. */
SEC("tc") __retval(2147483634)
int alu32_sub_imm_asm(struct __sk_buff *skb)
{
	__u32 a, b;

	asm volatile("%[a] = 5; %[a] -= 7;" : [a] "=&w"(a));
	asm volatile("%[b] = 10; %[b] -= -3;" : [b] "=&w"(b));
	return (int)((a >> 1) - b);
}
