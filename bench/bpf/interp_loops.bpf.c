/* interp_loops.bpf.c — ALU- and division-heavy loops: the interpreter's
 * cost per executed instruction (ringb run --stats), and its ratio to the
 * kernel's JIT on the same object (ringb bench). */
#include "ringb_test.h"

SEC("tc") int alu_loop(struct __sk_buff *skb)
{
	__u64 x = skb->len, y = 0;

	for (int i = 0; i < 2000; i++) {
		x = x * 0x9e3779b97f4a7c15ULL + i;
		x ^= x >> 29;
		y += (x & 0xff) | (x << 3);
	}
	return y & 0xffff;
}

SEC("tc") int div_loop(struct __sk_buff *skb)
{
	__u64 x = 0xdeadbeefcafeULL, d = skb->len | 1, acc = 0;

	for (int i = 0; i < 2000; i++) {
		acc += x / (d + i);
		x = x % (d * 7 + i + 1) + x * 3 + 1;
		acc ^= (__u32)x / ((__u32)i + 3);
	}
	return acc & 0xffff;
}
