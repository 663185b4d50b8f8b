/* dynptr: struct bpf_dynptr over local memory and over the test packet, with
 * the helpers (bpf_dynptr_from_mem/read/write/data) and the kfuncs (slice,
 * slice_rdwr, adjust, is_null, is_rdonly, size, clone, copy, memset,
 * from_skb), including what each returns on bad arguments: -EINVAL (22) for
 * flags and null dynptrs, -E2BIG (7) past the end, -ERANGE (34) for an
 * adjust past the size. Ringbuf dynptrs: ringbuf.bpf.c. */
#include "ringb_test.h"

extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
				   __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern _Bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern _Bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off, struct bpf_dynptr *src_ptr,
			   __u32 src_off, __u32 size) __ksym;
extern int bpf_dynptr_memset(struct bpf_dynptr *p, __u32 offset, __u32 size, __u8 val) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;

/* bpf_dynptr_from_mem takes map values only: global data is one. */
char buf[16];
__u8 a[16], b[16];

/* write 4 bytes at 4 and read them back: 1; read past the end (14 + 4 > 16)
 * -E2BIG, read with flags -EINVAL, write with flags -EINVAL, write past the
 * end -E2BIG.  1 - 70 - 2200 - 22000 - 70000. */
SEC("tc") __retval(-94269)
int dp_local_rw(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u32 v = ringb_opaque(0x11223344), out = 0;

	if (bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d))
		return -1;
	if (bpf_dynptr_write(&d, 4, &v, 4, 0) || bpf_dynptr_read(&out, 4, &d, 4, 0))
		return -2;
	long e1 = bpf_dynptr_read(&out, 4, &d, ringb_opaque(14), 0);
	long e2 = bpf_dynptr_read(&out, 4, &d, 0, ringb_opaque(1));
	long e3 = bpf_dynptr_write(&d, 0, &v, 4, ringb_opaque(1));
	long e4 = bpf_dynptr_write(&d, ringb_opaque(13), &v, 4, 0);
	return (out == 0x11223344) + e1 * 10 + e2 * 100 + e3 * 1000 + e4 * 10000;
}

/* bpf_dynptr_from_mem with flags: -EINVAL and a null dynptr, on which size,
 * read, write, clone and adjust are -EINVAL, is_null 1, data and slice NULL,
 * is_rdonly 0.  -22 * 6 + 1000 + 10000 + 100000 + 0. */
SEC("tc") __retval(110868)
int dp_null(struct __sk_buff *skb)
{
	struct bpf_dynptr d, c;
	__u8 out;

	long r = bpf_dynptr_from_mem(buf, sizeof(buf), ringb_opaque(1), &d);
	long size = (int)bpf_dynptr_size(&d);
	long rd = bpf_dynptr_read(&out, 1, &d, 0, 0);
	long wr = bpf_dynptr_write(&d, 0, &out, 1, 0);
	long cl = bpf_dynptr_clone(&d, &c);
	long adj = bpf_dynptr_adjust(&d, 0, 1);
	int is_null = bpf_dynptr_is_null(&d);
	int no_data = bpf_dynptr_data(&d, 0, 1) == 0;
	int no_slice = bpf_dynptr_slice(&d, 0, NULL, 1) == 0;
	int rdonly = bpf_dynptr_is_rdonly(&d);
	return r + size + rd + wr + cl + adj + is_null * 1000 + no_data * 10000 + no_slice * 100000 +
	       rdonly * 1000000;
}

/* bytes 0..15; adjust to [4, 12): 0, size 8, a slice at 0 reads byte 4; a
 * slice at 6 of 4 bytes runs past the 8: NULL; slice_rdwr works on a writable
 * dynptr; adjust with start > end -EINVAL, end past the size -ERANGE.
 * 8000000 + 40000 + 1000 + 100 - 22 - 34. */
SEC("tc") __retval(8041044)
int dp_adjust_slice(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	for (int i = 0; i < 16; i++)
		buf[i] = i;
	if (bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d) || bpf_dynptr_adjust(&d, 4, 12))
		return -1;
	long size = bpf_dynptr_size(&d);
	char *p = bpf_dynptr_slice(&d, 0, NULL, 4);
	if (!p)
		return -2;
	long first = p[0];
	int past = bpf_dynptr_slice(&d, ringb_opaque(6), NULL, 4) == 0;
	int rdwr = bpf_dynptr_slice_rdwr(&d, 0, NULL, 4) != 0;
	long e1 = bpf_dynptr_adjust(&d, ringb_opaque(5), 4);
	long e2 = bpf_dynptr_adjust(&d, 0, ringb_opaque(9));
	return size * 1000000 + first * 10000 + past * 1000 + rdwr * 100 + e1 + e2;
}

/* a = 1..16, b = 0; c = clone of a adjusted to [8, 16) (size 8; a keeps 16);
 * copy c into b at 0: b[0] = 9, b[7] = 16; copy 8 bytes of a to b at 10: past
 * the end, -E2BIG; memset b[12..16) to 0xaa: 0; memset 4 bytes at 14: -E2BIG.
 * 9 * 100000 + 16 * 1000 + 100 + 8 * 10 + (16 == 16) - 7 - 7 - 1. */
SEC("tc") __retval(916166)
int dp_clone_copy_memset(struct __sk_buff *skb)
{
	struct bpf_dynptr da, db, dc;

	for (int i = 0; i < 16; i++)
		a[i] = i + 1;
	if (bpf_dynptr_from_mem(a, sizeof(a), 0, &da) || bpf_dynptr_from_mem(b, sizeof(b), 0, &db))
		return -1;
	if (bpf_dynptr_clone(&da, &dc) || bpf_dynptr_adjust(&dc, 8, 16))
		return -2;
	long csize = bpf_dynptr_size(&dc);
	int asize = bpf_dynptr_size(&da) == 16;
	if (bpf_dynptr_copy(&db, 0, &dc, 0, 8))
		return -3;
	long e1 = bpf_dynptr_copy(&db, ringb_opaque(10), &da, 0, 8);
	if (bpf_dynptr_memset(&db, 12, 4, 0xaa))
		return -4;
	long e2 = bpf_dynptr_memset(&db, ringb_opaque(14), 4, 1);
	return b[0] * 100000 + b[7] * 1000 + (b[12] == 0xaa) * 100 + csize * 10 + asize + e1 + e2 - 1;
}

/* a dynptr over the 64-byte test packet: size 64; a slice at 12 shows the
 * EtherType's first byte 0x08; byte 23 is the IPv4 protocol, UDP (17);
 * bpf_dynptr_data is NULL for skb dynptrs (1); from_skb with flags -EINVAL,
 * a write with flags past BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH
 * -EINVAL, a write past the end -E2BIG.
 * 6400000 + 80000 + 1700 + 10 - 22 - 22 - 7. */
SEC("tc") __retval(6481659)
int dp_skb(struct __sk_buff *skb)
{
	struct bpf_dynptr d, e;
	__u8 proto = 0, v = 1;

	if (bpf_dynptr_from_skb(skb, 0, &d))
		return -1;
	long size = bpf_dynptr_size(&d);
	__u8 *p = bpf_dynptr_slice(&d, 12, NULL, 2);
	if (!p)
		return -2;
	long eth0 = p[0];
	if (bpf_dynptr_read(&proto, 1, &d, 23, 0))
		return -3;
	int no_data = bpf_dynptr_data(&d, 0, 1) == 0;
	long e1 = bpf_dynptr_from_skb(skb, ringb_opaque(1), &e);
	long e2 = bpf_dynptr_write(&d, 0, &v, 1, ringb_opaque(4));
	long e3 = bpf_dynptr_write(&d, ringb_opaque(63), &v, 1, 0) == 0 ? bpf_dynptr_write(&d, 63, &v, 2, 0) : -100;
	return size * 100000 + eth0 * 10000 + proto * 100 + no_data * 10 + e1 + e2 + e3;
}
