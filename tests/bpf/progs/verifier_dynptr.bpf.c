/* verifier_dynptr: the verifier's rules for struct bpf_dynptr, one program
 * per rule, each __failure with the kernel's message: a dynptr is 16 bytes
 * of stack the program may not read or hand to helpers as memory; ringbuf
 * dynptrs are references (released exactly once, not overwritten, clones
 * share the reference); slices are mem_or_null of a constant size that die
 * with their dynptr or when the packet moves; callbacks' dynptrs are const.
 * Every program here is rejected. */
#include "ringb_test.h"

extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
				   __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} vd_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} vd_urb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vd_array SEC(".maps");

char vd_buf[64];

/* bpf_dynptr_read from a dynptr never initialised */
SEC("tc") __failure __msg("Expected an initialized dynptr as arg #2")
int vd_read_uninit(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u64 x = 0;

	bpf_dynptr_read(&x, sizeof(x), &d, 0, 0);
	return x;
}

/* a ringbuf dynptr must be submitted or discarded, even when the reserve failed */
SEC("tc") __failure __msg("Unreleased reference id=")
int vd_ringbuf_leak(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	return 0;
}

/* a store over a referenced dynptr */
SEC("tc") __failure __msg("cannot overwrite referenced dynptr")
int vd_overwrite_ringbuf(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	*(volatile __u64 *)&d = 0;
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

/* reserving into a dynptr that still holds a record */
SEC("tc") __failure __msg("cannot overwrite referenced dynptr")
int vd_reserve_twice(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

/* submitting twice: the second has nothing to release */
SEC("tc") __failure __msg("arg 1 is an unacquired reference")
int vd_submit_twice(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* a local dynptr is not a reference */
SEC("tc") __failure __msg("arg 1 is an unacquired reference")
int vd_submit_local(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* a slice dies with its ringbuf dynptr */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int vd_slice_after_submit(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	if (!p) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&d, 0);
	*(volatile __u64 *)p = 1;
	return 0;
}

/* and after a discard */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int vd_slice_after_discard(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	bpf_ringbuf_discard_dynptr(&d, 0);
	if (!p)
		return 0;
	return *(volatile __u64 *)p;
}

/* a slice of a local dynptr dies when the dynptr is written over */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int vd_slice_after_overwrite(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	if (!p)
		return 0;
	*(volatile __u64 *)&d = 0;
	return *(volatile __u64 *)p;
}

/* bpf_dynptr_data may return NULL */
SEC("tc") __failure __msg("invalid mem access 'mem_or_null'")
int vd_data_no_null_check(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	return *(volatile __u64 *)p;
}

/* the slice is as long as asked for */
SEC("tc") __failure __msg("invalid access to memory, mem_size=8 off=8 size=1")
int vd_data_past_end(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u8 *p;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	if (!p)
		return 0;
	return *(volatile __u8 *)(p + 8);
}

/* the length must be a known constant */
SEC("tc") __failure __msg("is not a known constant")
int vd_data_var_len(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u8 *p;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	p = bpf_dynptr_data(&d, 0, skb->len & 15);
	if (!p)
		return 0;
	return *p;
}

/* the program may not read a dynptr's bytes */
SEC("tc") __failure __msg("invalid read from stack off")
int vd_read_bytes(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	return *(volatile __u64 *)&d;
}

/* nor hand them to a helper as memory */
SEC("tc") __failure __msg("invalid read from stack R2 off -16+0 size 16")
int vd_helper_reads_bytes(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	return bpf_ringbuf_output(&vd_rb, &d, sizeof(d), 0);
}

/* nor let a helper write over them */
SEC("tc") __failure __msg("potential write to dynptr at off=")
int vd_helper_writes_bytes(struct __sk_buff *skb)
{
	struct bpf_dynptr src, dst;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &src);
	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &dst);
	bpf_dynptr_read(&dst, sizeof(dst), &src, 0, 0);
	return bpf_dynptr_read(&dst, 0, &dst, 0, 0);
}

/* a dynptr starts on an 8-byte boundary */
SEC("tc") __failure __msg("cannot pass in dynptr at an offset=")
int vd_misaligned(struct __sk_buff *skb)
{
	char stack[32];

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, (struct bpf_dynptr *)(stack + 4));
	return stack[0];
}

/* and at a constant offset */
SEC("tc") __failure __msg("dynptr has to be at a constant offset")
int vd_var_offset(struct __sk_buff *skb)
{
	struct bpf_dynptr d[2];
	__u64 x = 0;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d[0]);
	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d[1]);
	bpf_dynptr_read(&x, sizeof(x), &d[skb->len & 1], 0, 0);
	return x;
}

/* bpf_dynptr_from_mem takes map values only */
SEC("tc") __failure __msg("Unsupported reg type fp for bpf_dynptr_from_mem data")
int vd_from_mem_stack(struct __sk_buff *skb)
{
	char stack[16] = {};
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(stack, sizeof(stack), 0, &d);
	return 0;
}

/* a scalar is not a dynptr */
SEC("tc") __failure __msg("R3 type=scalar expected=fp")
int vd_scalar_dynptr(struct __sk_buff *skb)
{
	__u64 x = 0;

	bpf_dynptr_read(&x, sizeof(x), (struct bpf_dynptr *)ringb_opaque(64UL), 0, 0);
	return x;
}

/* nor is a map value */
SEC("tc") __failure __msg("type=map_value expected=fp")
int vd_map_value_dynptr(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 x = 0, *v = bpf_map_lookup_elem(&vd_array, &k);

	if (!v)
		return 0;
	bpf_dynptr_read(&x, sizeof(x), (struct bpf_dynptr *)v, 0, 0);
	return x;
}

/* clones share the reference: the original's release ends the clone too */
SEC("tc") __failure __msg("Expected an initialized dynptr as arg #2")
int vd_clone_after_release(struct __sk_buff *skb)
{
	struct bpf_dynptr d, c;
	__u64 x = 0;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_ringbuf_submit_dynptr(&d, 0);
	bpf_dynptr_read(&x, sizeof(x), &c, 0, 0);
	return x;
}

/* and it is released once, by either */
SEC("tc") __failure __msg("arg 1 is an unacquired reference")
int vd_clone_release_both(struct __sk_buff *skb)
{
	struct bpf_dynptr d, c;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_ringbuf_submit_dynptr(&c, 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* a clone over a referenced dynptr */
SEC("tc") __failure __msg("cannot overwrite referenced dynptr")
int vd_clone_over_ringbuf(struct __sk_buff *skb)
{
	struct bpf_dynptr d, r;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, &d);
	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &r);
	bpf_dynptr_clone(&d, &r);
	bpf_ringbuf_discard_dynptr(&r, 0);
	return 0;
}

/* a local dynptr partly overwritten by another is gone */
SEC("tc") __failure __msg("Expected an initialized dynptr as arg #2")
int vd_partial_overlap(struct __sk_buff *skb)
{
	__u64 stack[3] = {};
	__u64 x = 0;

	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, (struct bpf_dynptr *)&stack[0]);
	bpf_dynptr_from_mem(vd_buf, sizeof(vd_buf), 0, (struct bpf_dynptr *)&stack[1]);
	bpf_dynptr_read(&x, sizeof(x), (struct bpf_dynptr *)&stack[0], 0, 0);
	return x;
}

static long vd_cb_release(struct bpf_dynptr *d, void *ctx)
{
	bpf_ringbuf_submit_dynptr(d, 0);
	return 0;
}

/* a user ringbuf callback's dynptr belongs to the kernel */
SEC("tc") __failure __msg("cannot release unowned const bpf_dynptr")
int vd_drain_release(struct __sk_buff *skb)
{
	bpf_user_ringbuf_drain(&vd_urb, vd_cb_release, NULL, 0);
	return 0;
}

static long vd_cb_store(struct bpf_dynptr *d, void *ctx)
{
	*(volatile __u64 *)d = 0;
	return 0;
}

/* and is no memory */
SEC("tc") __failure __msg("invalid mem access 'dynptr_ptr'")
int vd_drain_store(struct __sk_buff *skb)
{
	bpf_user_ringbuf_drain(&vd_urb, vd_cb_store, NULL, 0);
	return 0;
}

/* the user ringbuf drain takes a user ringbuf */
SEC("tc") __failure __msg("cannot pass map_type 27 into func bpf_user_ringbuf_drain#209")
int vd_drain_wrong_map(struct __sk_buff *skb)
{
	bpf_user_ringbuf_drain(&vd_rb, vd_cb_store, NULL, 0);
	return 0;
}

/* an skb slice points into the packet: it dies when the packet may move */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int vd_skb_slice_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u8 buf[4];
	__u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	bpf_skb_pull_data(skb, 0);
	return *(volatile __u8 *)p;
}

/* bpf_dynptr_slice is read-only */
SEC("tc") __failure __msg("cannot write into rdonly_mem")
int vd_slice_write(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u8 buf[4];
	__u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	*(volatile __u8 *)p = 1;
	return 0;
}

/* its size must be a known constant */
SEC("tc") __failure __msg("must be a known constant")
int vd_slice_var_size(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u8 buf[8];
	__u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, skb->len & 7);
	if (!p)
		return 0;
	return *p;
}

/* a socket filter may not write packet data */
SEC("socket") __failure __msg("the prog does not allow writes to packet data")
int vd_socket_slice_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	__u8 *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, NULL, 4);
	if (!p)
		return 0;
	return *p;
}

/* xdp dynptrs are for xdp programs */
SEC("tc") __failure __msg("calling kernel function bpf_dynptr_from_xdp is not allowed")
int vd_from_xdp_in_tc(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_xdp((struct xdp_md *)skb, 0, &d);
	return 0;
}

/* an xdp slice dies when the packet's head moves */
SEC("xdp") __failure __msg("invalid mem access 'scalar'")
int vd_xdp_slice_after_adjust(struct xdp_md *xdp)
{
	struct bpf_dynptr d;
	__u8 buf[4];
	__u8 *p;

	bpf_dynptr_from_xdp(xdp, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (!p)
		return XDP_PASS;
	bpf_xdp_adjust_head(xdp, 0);
	return *(volatile __u8 *)p;
}

/* a released dynptr is not initialised any more */
SEC("tc") __failure __msg("Expected an initialized dynptr as arg #0")
int vd_adjust_after_discard(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&vd_rb, 8, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return bpf_dynptr_adjust(&d, 0, 4);
}
