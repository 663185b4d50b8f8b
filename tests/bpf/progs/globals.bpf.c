/* globals: global variables, which libbpf turns into single-entry array
 * maps: .data (initialized), .rodata (const; the verifier knows frozen
 * .rodata values) and .bss (zeroed).  Code reaches them with ld_imm64
 * src_reg = BPF_PSEUDO_MAP_VALUE plus an offset.  Each test loads its
 * object afresh, so every run starts from the initializers. */
#include "ringb_test.h"

int counter = 40;				/* .data */
__u64 wide = 0x1122334455667788ull;		/* .data */
__u8 small_arr[8] = {1, 2, 3, 4, 5, 6, 7, 8};	/* .data */

const volatile __u32 ro_scale = 7;		/* .rodata */
const volatile __s64 ro_neg = -123456789012ll;	/* .rodata */
const char ro_name[] = "ringb-bpf";		/* .rodata */

__u64 zeroed;					/* .bss */
__u32 bss_arr[16];				/* .bss */

struct point {
	__s32 x, y;
	__u8 tag;
};
struct point origin = {.x = -3, .y = 4, .tag = 'p'};	/* .data */

/* .data read-modify-write: 40 + 1 + 1 = 42. */
SEC("tc") __retval(42)
int data_increment(struct __sk_buff *skb)
{
	counter++;
	counter++;
	return counter;
}

/* .data 64-bit value, written in halves through a u32 pointer:
 * 0x1122334455667788 with the high half replaced by 0xa0b0c0d0
 * -> >> 24 = 0xa0b0c0d055, low 32 bits 0xb0c0d055. */
SEC("tc") __retval(-1329541035)
int data_wide_halves(struct __sk_buff *skb)
{
	volatile __u32 *half = (volatile __u32 *)&wide;

	half[1] = ringb_opaque(0xa0b0c0d0u);
	return (int)(wide >> 24);
}

/* .data byte array, variable index: small_arr[5] * small_arr[2] = 6 * 3,
 * then one byte is overwritten: small_arr[0] = 100 -> 18 + 100 = 118. */
SEC("tc") __retval(118)
int data_byte_array(struct __sk_buff *skb)
{
	__u32 i = ringb_opaque(5u) & 7, j = ringb_opaque(2u) & 7;
	int r = small_arr[i] * small_arr[j];

	small_arr[0] = ringb_opaque((__u8)100);
	return r + ((volatile __u8 *)small_arr)[0];
}

/* .rodata const volatile: 7 * 6 = 42, and a negative 64-bit constant
 * -123456789012 / 1000000 = -123456 (sdiv);
 * returns 42 * 1000000 + -123456. */
SEC("syscall") __retval(41876544)
int rodata_read(void *ctx)
{
	__s64 scaled = ro_neg / 1000000;
	return (int)(ro_scale * 6 * 1000000 + scaled);
}

/* .rodata string: length of "ringb-bpf" (9) * 1000 + ro_name[5] ('-', 45). */
SEC("tc") __retval(9045)
int rodata_string(struct __sk_buff *skb)
{
	int n = 0;

	for (int i = 0; i < (int)sizeof(ro_name); i++) {
		if (((volatile const char *)ro_name)[i] == 0)
			break;
		n++;
	}
	return n * 1000 + ((volatile const char *)ro_name)[5];
}

/* .bss starts zeroed: before = 0, then zeroed = 77;
 * returns before * 1000 + after = 77. */
SEC("tc") __retval(77)
int bss_write_read(struct __sk_buff *skb)
{
	__u64 before = *(volatile __u64 *)&zeroed;

	zeroed = ringb_opaque(77ull);
	return (int)(before * 1000 + *(volatile __u64 *)&zeroed);
}

/* .bss array filled with squares, summed back: sum(i*i, i < 16) = 1240. */
SEC("tc") __retval(1240)
int bss_array(struct __sk_buff *skb)
{
	__u32 sum = 0;

	for (__u32 i = 0; i < 16; i++)
		((volatile __u32 *)bss_arr)[i] = i * i;
	for (__u32 i = 0; i < 16; i++)
		sum += ((volatile __u32 *)bss_arr)[i];
	return (int)sum;
}

/* A struct in .data: fields at offsets 0, 4, 8; moved by (10, -20):
 * x = 7, y = -16, tag 'p' = 112; returns x * 10000 + y * 100 + tag. */
SEC("tc") __retval(68512)
int data_struct(struct __sk_buff *skb)
{
	origin.x += ringb_opaque(10);
	origin.y += ringb_opaque(-20);
	return origin.x * 10000 + origin.y * 100 + origin.tag;
}

/* Two pointers to the same .data global alias: *p = 1, then *q = *p + 1,
 * read back through p: 2. */
SEC("tc") __retval(2)
int data_aliasing(struct __sk_buff *skb)
{
	volatile int *p = &counter, *q = &counter;

	*p = 1;
	*q = *p + 1;
	return *p;
}
