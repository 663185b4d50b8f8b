/* isa_v4: instructions added by BPF ISA v4 (-mcpu=v4, Linux 6.6+):
 * signed div/mod (sdiv/smod, BPF_DIV/MOD with off = 1), sign-extending moves
 * (movsx, BPF_MOV with off = 8/16/32), sign-extending loads (ldsx,
 * BPF_MEMSX), unconditional byte swaps (bswap, BPF_ALU64 | BPF_END) and the
 * 32-bit-offset unconditional jump (gotol, BPF_JMP32 | BPF_JA). */
#include "ringb_test.h"

/* sdiv/smod round toward zero, the remainder takes the dividend's sign:
 * -100 s/ 7 = -14, -100 s% 7 = -2 (registers); returns q * 100 + m. */
SEC("tc") __retval(-1402)
int sdivmod64_reg(struct __sk_buff *skb)
{
	__s64 x = ringb_opaque(-100ll), y = ringb_opaque(7ll);
	__s64 q = ringb_opaque(x / y), m = ringb_opaque(x % y);
	return (int)(q * 100 + m);
}

/* sdiv/smod by immediates: -100 / 7 = -14, -100 % -7 = -2, -100 / -3 = 33;
 * returns -14 * 1000 + -2 * 10 + 33. */
SEC("tc") __retval(-13987)
int sdivmod64_imm(struct __sk_buff *skb)
{
	__s64 x = ringb_opaque(-100ll);
	__s64 a = ringb_opaque(x / 7), b = ringb_opaque(x % -7), c = ringb_opaque(x / -3);
	return (int)(a * 1000 + b * 10 + c);
}

/* 32-bit sdiv/smod by registers: -2000000000 / 3 = -666666666,
 * -2000000000 % 3 = -2; returns q + m. */
SEC("syscall") __retval(-666666668)
int sdivmod32_reg(void *ctx)
{
	__s32 x = ringb_opaque(-2000000000), y = ringb_opaque(3);
	__s32 q = ringb_opaque(x / y), m = ringb_opaque(x % y);
	return q + m;
}

/* 32-bit sdiv/smod by immediates: -2000000000 / -1000 = 2000000,
 * -2000000000 % 7 = -5, 7 % -3 = 1; returns a + b * 10 + c * 100. */
SEC("tc") __retval(2000050)
int sdivmod32_imm(struct __sk_buff *skb)
{
	__s32 x = ringb_opaque(-2000000000);
	__s32 a = ringb_opaque(x / -1000), b = ringb_opaque(x % 7);
	__s32 c = ringb_opaque(ringb_opaque(7) % -3);
	return a + b * 10 + c * 100;
}

/* movsx 64: (s8)0x1ff80 = -128, (s16)0x18000 = -32768,
 * (s32)0x180000000 = INT_MIN whose 64-bit high half is -1;
 * returns -128 + -32768 + -1. */
SEC("tc") __retval(-32897)
int movsx64(struct __sk_buff *skb)
{
	__u64 x8 = ringb_opaque(0x1ff80ull), x16 = ringb_opaque(0x18000ull);
	__u64 x32 = ringb_opaque(0x180000000ull);
	__s64 a = ringb_opaque((__s64)(__s8)x8);
	__s64 b = ringb_opaque((__s64)(__s16)x16);
	__s64 c = ringb_opaque((__s64)(__s32)x32);
	return (int)(a + b) + (int)(c >> 32);
}

/* movsx 32: (s8)0x1f0 = -16, (s16)0xf000 = -4096 as 32-bit values, which
 * are then zero-extended: the low half of a 32-bit movsx result widened to
 * u64 has a zero high half. returns a * 10000 + b + (high half) = -164096. */
SEC("tc") __retval(-164096)
int movsx32(struct __sk_buff *skb)
{
	__u32 x8 = ringb_opaque(0x1f0u), x16 = ringb_opaque(0xf000u);
	__s32 a = ringb_opaque((__s32)(__s8)x8);
	__s32 b = ringb_opaque((__s32)(__s16)x16);
	__u64 wide = ringb_opaque((__u64)(__u32)b);
	return a * 10000 + b + (int)(wide >> 32);
}

volatile __s8 g_s8 = -5;	/* .data */
volatile __s16 g_s16 = -300;
volatile __s32 g_s32 = -70000;

/* ldsx from a map value (.data globals): -5 + -300 + -70000, each widened
 * to 64 bits by the load itself. */
SEC("tc") __retval(-70305)
int ldsx_global(struct __sk_buff *skb)
{
	__s64 a = g_s8, b = g_s16, c = g_s32;
	__s64 sum = ringb_opaque(a + b + c);
	/* the high half must be all ones too */
	return (int)(sum >> 32) == -1 ? (int)sum : 0;
}

/* ldsx from the stack: bytes 0xff, 0xfe, 0x03, 0xfc as s8 sum to -4; the
 * halfword 0x8000 as s16 is -32768; returns -4 * 100000 + -32768. */
SEC("syscall") __retval(-432768)
int ldsx_stack(void *ctx)
{
	volatile __s8 b[4];
	volatile __s16 h;
	__s64 sum = 0;

	b[0] = -1; b[1] = -2; b[2] = 3; b[3] = -4;
	h = (__s16)0x8000;
	for (int i = 0; i < 4; i++)
		sum += b[i];
	return (int)(sum * 100000 + (__s64)h);
}

/* bswap16 swaps the low 2 bytes and clears everything above:
 * 0xffffffffffff1234 -> 0x3412. */
SEC("tc") __retval(13330)
int bswap16(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0xffffffffffff1234ull);
	__u64 r = ringb_opaque((__u64)__builtin_bswap16((__u16)x));
	return (int)r;
}

/* bswap32: 0x12345678 -> 0x78563412 (upper half cleared: >> 32 is 0). */
SEC("tc") __retval(2018915346)
int bswap32(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0xaaaaaaaa12345678ull);
	__u64 r = ringb_opaque((__u64)__builtin_bswap32((__u32)x));
	return (int)(r + (r >> 32));
}

/* bswap64: 0x0102030405060708 -> 0x0807060504030201; >> 24 = 0x0807060504,
 * low 32 bits 0x07060504. */
SEC("tc") __retval(117835012)
int bswap64(struct __sk_buff *skb)
{
	__u64 r = ringb_opaque(__builtin_bswap64(ringb_opaque(0x0102030405060708ull)));
	return (int)(r >> 24);
}

/* The older conditional forms (BPF_ALU | BPF_END): on a little-endian
 * machine "le" only truncates and "be" swaps.  Starting from
 * 0x1122334455667788: le16 = 0x7788, le32 = 0x55667788, be16 = 0x8877,
 * be32 = 0x88776655; their sum truncated to 32 bits is 0xdddedddc. */
SEC("tc") __retval(-572596772)
int endian_le_be(struct __sk_buff *skb)
{
	__u64 x = ringb_opaque(0x1122334455667788ull);
	__u64 a = x, b = x, c = x, d = x;

	asm volatile("%[a] = le16 %[a]" : [a] "+r"(a));
	asm volatile("%[b] = le32 %[b]" : [b] "+r"(b));
	asm volatile("%[c] = be16 %[c]" : [c] "+r"(c));
	asm volatile("%[d] = be32 %[d]" : [d] "+r"(d));
	return (int)(a + b + c + d);
}

/* The 64-bit forms: le64 leaves the register unchanged on little-endian,
 * be64 reverses all 8 bytes: 0x1122334455667788 -> 0x8877665544332211.
 * returns the xor of their high halves 0x11223344 ^ 0x88776655 = 0x99557711. */
SEC("tc") __retval(-1722460911)
int endian_64(struct __sk_buff *skb)
{
	__u64 a = ringb_opaque(0x1122334455667788ull), b = a;

	asm volatile("%[a] = le64 %[a]" : [a] "+r"(a));
	asm volatile("%[b] = be64 %[b]" : [b] "+r"(b));
	return (int)((a >> 32) ^ (b >> 32));
}

/* gotol (JMP32 | JA, 32-bit offset in imm).  clang only emits it for jumps
 * longer than 32767 instructions, so this uses assembly: jump forward over
 * a block, then back into it, then out: r = 0 + 5 + 100 = 105. */
SEC("tc") __retval(105)
int gotol_jumps(struct __sk_buff *skb)
{
	__u64 r;

	asm volatile("%[r] = 0;"
		     "gotol 2f;"
		     "1: %[r] += 100;"
		     "gotol 3f;"
		     "2: %[r] += 5;"
		     "gotol 1b;"
		     "3:"
		     : [r] "=&r"(r));
	return (int)r;
}
