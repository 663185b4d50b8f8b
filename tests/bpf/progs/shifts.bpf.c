/* shifts: lsh / rsh (logical) / arsh (arithmetic), 64- and 32-bit, by
 * immediate and by register.  Each intermediate goes through ringb_opaque()
 * so clang cannot merge a shift pair into a mask. */
#include "ringb_test.h"

/* 64-bit lsh by immediate: 0x1234 << 36, then >> 40 = 0x123. */
SEC("tc") __retval(291)
int lsh64_imm(struct __sk_buff *skb)
{
	__u64 y = ringb_opaque(ringb_opaque(0x1234ull) << 36);
	return (int)(y >> 40);
}

/* 64-bit lsh by register: 3 << 62 = 0xc000000000000000; >> 60 = 12. */
SEC("tc") __retval(12)
int lsh64_reg(struct __sk_buff *skb)
{
	__u64 y = ringb_opaque(ringb_opaque(3ull) << ringb_opaque(62ull));
	return (int)(y >> 60);
}

/* 64-bit logical rsh brings in zeros: 2^63 >> 63 = 1 (reg);
 * 2^63 >> 4 = 2^59 (imm), whose high half is 0x08000000; sum 134217729. */
SEC("tc") __retval(134217729)
int rsh64(struct __sk_buff *skb)
{
	__u64 top = ringb_opaque(0x8000000000000000ull);
	__u64 a = ringb_opaque(top >> ringb_opaque(63ull));
	__u64 b = ringb_opaque(top >> 4);
	return (int)(a + (b >> 32));
}

/* 64-bit arsh copies the sign bit: -256 >> 4 = -16 (imm),
 * -256 >> 60 = -1 (reg), 2^62 >> 61 = 2 (reg, positive);
 * returns -16 * 100 + -1 * 10 + 2 = -1608. */
SEC("syscall") __retval(-1608)
int arsh64(void *ctx)
{
	__s64 neg = ringb_opaque(-256ll);
	__s64 a = ringb_opaque(neg >> 4);
	__s64 b = ringb_opaque(neg >> ringb_opaque(60ll));
	__s64 c = ringb_opaque(ringb_opaque(0x4000000000000000ll) >> ringb_opaque(61ll));
	return (int)(a * 100 + b * 10 + c);
}

/* 32-bit lsh drops bits shifted past bit 31: 0x12345678 << 8 = 0x34567800
 * (imm), 0x12345678 << 20 = 0x67800000 (reg);
 * (0x34567800 >> 8) ^ (0x67800000 >> 20) = 0x345678 ^ 0x678 = 0x345000. */
SEC("tc") __retval(3428352)
int lsh32(struct __sk_buff *skb)
{
	__u32 x = ringb_opaque(0x12345678u);
	__u32 a = ringb_opaque(x << 8);
	__u32 b = ringb_opaque(x << ringb_opaque(20u));
	return (int)((a >> 8) ^ (b >> 20));
}

/* 32-bit logical rsh: 0x80000000 >> 31 = 1 (reg), 0xf0000000 >> 28 = 15
 * (imm); returns 1 * 100 + 15. */
SEC("tc") __retval(115)
int rsh32(struct __sk_buff *skb)
{
	__u32 a = ringb_opaque(ringb_opaque(0x80000000u) >> ringb_opaque(31u));
	__u32 b = ringb_opaque(ringb_opaque(0xf0000000u) >> 28);
	return (int)(a * 100 + b);
}

/* 32-bit arsh: -1000 >> 3 = -125 (imm), INT_MIN >> 31 = -1 (reg);
 * returns -125 * 10 + -1. */
SEC("tc") __retval(-1251)
int arsh32(struct __sk_buff *skb)
{
	__s32 a = ringb_opaque(ringb_opaque(-1000) >> 3);
	__s32 b = ringb_opaque(ringb_opaque((__s32)0x80000000) >> ringb_opaque(31));
	return a * 10 + b;
}

/* a 32-bit arsh result is zero-extended like any alu32 result:
 * -1000 >> 3 = 0xffffff83 in the low half, zeros above; >> 16 = 0xffff. */
SEC("syscall") __retval(65535)
int arsh32_zext(void *ctx)
{
	__u32 r = (__u32)(ringb_opaque(-1000) >> 3);
	__u64 w = ringb_opaque((__u64)ringb_opaque(r));
	return (int)(w >> 16);
}

/* Shift counts in a register are masked to the operand width (& 63 for
 * 64-bit, & 31 for 32-bit).  C calls oversized shifts undefined, so this is
 * written in BPF assembly:
 *   1 << 65 (64-bit) = 2, 1 << 33 (32-bit) = 2, 0x100 >> 68 = 0x10,
 *   -64 s>> 66 = -16; returns 2 + 2 * 10 + 0x10 * 100 + -16 * 1000. */
SEC("tc") __retval(-14378)
int shift_count_masked(struct __sk_buff *skb)
{
	__s64 a, c, d;
	__u32 b;

	asm volatile("%[a] = 1; r1 = 65; %[a] <<= r1;"
		     : [a] "=&r"(a) : : "r1");
	asm volatile("%[b] = 1; w1 = 33; %[b] <<= w1;"
		     : [b] "=&w"(b) : : "r1");
	asm volatile("%[c] = 0x100; r1 = 68; %[c] >>= r1;"
		     : [c] "=&r"(c) : : "r1");
	asm volatile("%[d] = -64; r1 = 66; %[d] s>>= r1;"
		     : [d] "=&r"(d) : : "r1");
	return (int)(a + b * 10 + c * 100 + d * 1000);
}
