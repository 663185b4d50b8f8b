/* stack_mem: loads and stores of every size (u8/u16/u32/u64) on the BPF
 * stack (r10-relative), both store forms (BPF_ST immediate, BPF_STX
 * register), little-endian byte order, variable-offset access and a large
 * frame.  volatile keeps clang from turning memory traffic into registers. */
#include "ringb_test.h"

union bytes8 {
	__u64 q;
	__u32 d[2];
	__u16 w[4];
	__u8 b[8];
};

/* u64 store, u8 loads: little-endian, byte 0 is the least significant.
 * 0x0807060504030201 -> b[0] | b[3] << 8 | b[7] << 16 = 0x080401. */
SEC("tc") __retval(525313)
int stack_u64_to_bytes(struct __sk_buff *skb)
{
	volatile union bytes8 u;

	u.q = ringb_opaque(0x0807060504030201ull);
	return u.b[0] | u.b[3] << 8 | u.b[7] << 16;
}

/* u64 store, u16 and u32 loads: w[1] = 0x0403, d[1] = 0x08070605;
 * returns d[1] ^ w[1] = 0x08070206. */
SEC("tc") __retval(134676998)
int stack_u64_to_halves(struct __sk_buff *skb)
{
	volatile union bytes8 u;

	u.q = ringb_opaque(0x0807060504030201ull);
	return (int)(u.d[1] ^ u.w[1]);
}

/* Narrow stores of immediates (BPF_ST) into a zeroed u64, read back whole:
 * b[1] = 0xaa, w[1] = 0xbbcc, d[1] = 0x11223344 -> 0x11223344bbccaa00;
 * >> 8 = 0x11223344bbccaa, low 32 bits 0x44bbccaa. */
SEC("tc") __retval(1153158314)
int stack_store_imm(struct __sk_buff *skb)
{
	volatile union bytes8 u;

	u.q = 0;
	u.b[1] = 0xaa;
	u.w[1] = 0xbbcc;
	u.d[1] = 0x11223344;
	return (int)(u.q >> 8);
}

/* The same with register sources (BPF_STX) and different values:
 * q = 0xffffffffffffffff, b[0] = 0x12, w[3] = 0x3456, d[0] is then
 * overwritten in its top byte by b[3] = 0x78 -> 0x3456ffff78ffff12;
 * >> 24 = 0x3456ffff78, low 32 bits 0x56ffff78. */
SEC("syscall") __retval(1459617656)
int stack_store_reg(void *ctx)
{
	volatile union bytes8 u;

	u.q = ringb_opaque(~0ull);
	u.b[0] = ringb_opaque((__u8)0x12);
	u.w[3] = ringb_opaque((__u16)0x3456);
	u.b[3] = ringb_opaque((__u8)0x78);
	return (int)(u.q >> 24);
}

/* Variable-offset stack reads: arr[i] = i * i, then arr[9] + arr[9 ^ 6]
 * with an index the verifier only knows as a 0..15 range = 81 + 225. */
SEC("tc") __retval(306)
int stack_var_index(struct __sk_buff *skb)
{
	volatile __u32 arr[16];
	__u32 idx = ringb_opaque(9u) & 15;

	for (int i = 0; i < 16; i++)
		arr[i] = i * i;
	return arr[idx] + arr[idx ^ 6];
}

/* A 384-byte frame: buf[i] = (u8)(i * 7), summed = 47808. */
SEC("tc") __retval(47808)
int stack_big_frame(struct __sk_buff *skb)
{
	volatile __u8 buf[384];
	__u32 sum = 0;

	for (int i = 0; i < 384; i++)
		buf[i] = (__u8)(i * 7);
	for (int i = 0; i < 384; i++)
		sum += buf[i];
	return (int)sum;
}

struct rec {
	__u64 a;
	__u32 b;
	__u16 c;
	__u8 d, e;
	__u64 f;
};

/* Struct copy and memset on the stack (clang expands them into loads and
 * stores): src = {1, 2, 3, 4, 5, 6}, dst = copy of src, then dst's first 8
 * bytes are zeroed; returns the sum of dst's fields * distinct weights
 * = 0 + 2*10 + 3*100 + 4*1000 + 5*10000 + 6*100000. */
SEC("tc") __retval(654320)
int stack_struct_copy(struct __sk_buff *skb)
{
	struct rec src = {
		.a = ringb_opaque(1ull), .b = ringb_opaque(2u), .c = ringb_opaque((__u16)3),
		.d = ringb_opaque((__u8)4), .e = ringb_opaque((__u8)5), .f = ringb_opaque(6ull),
	};
	volatile struct rec dst;

	__builtin_memcpy((void *)&dst, &src, sizeof(src));
	__builtin_memset((void *)&dst, 0, 8);
	return (int)(dst.a + dst.b * 10 + dst.c * 100 + dst.d * 1000 + dst.e * 10000 +
		     dst.f * 100000);
}

/* A pointer spilled to the stack and filled back keeps its type: the
 * address of a stack slot is stored in a volatile stack variable, reloaded
 * and dereferenced: *p = 0x5a5a. */
SEC("tc") __retval(23130)
int stack_pointer_spill(struct __sk_buff *skb)
{
	__u64 slot = ringb_opaque(0x5a5aull);
	__u64 *volatile p = &slot;

	return (int)*p;
}
