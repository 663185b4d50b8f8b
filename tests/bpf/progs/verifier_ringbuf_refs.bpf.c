/* verifier_ringbuf_refs: bpf_ringbuf_reserve's record is an acquired
 * reference (ringbuf_mem_or_null of the constant size asked for) that
 * bpf_ringbuf_submit or _discard releases, exactly once, at offset 0; the
 * ring buffer helpers take ring buffer maps. Every program here is rejected. */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} vr_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vr_array SEC(".maps");

/* a record reserved and never submitted */
SEC("tc") __failure __msg("Unreleased reference id=")
int vr_leak(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_rb, 8, 0);

	if (p)
		*p = 1;
	return 0;
}

/* the reserve may fail */
SEC("tc") __failure __msg("invalid mem access 'ringbuf_mem_or_null'")
int vr_no_null_check(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_rb, 8, 0);

	*p = 1;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

/* the record is as large as reserved */
SEC("tc") __failure __msg("invalid access to memory, mem_size=8 off=8 size=8")
int vr_past_end(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_rb, 8, 0);

	if (!p)
		return 0;
	p[1] = 1;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

/* submitted twice */
SEC("tc") __failure __msg("R1 type=scalar expected=ringbuf_mem")
int vr_submit_twice(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_rb, 8, 0);

	if (!p)
		return 0;
	bpf_ringbuf_submit(p, 0);
	bpf_ringbuf_discard(p, 0);
	return 0;
}

/* written after its submit */
SEC("tc") __failure __msg("invalid mem access 'scalar'")
int vr_use_after_submit(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_rb, 8, 0);

	if (!p)
		return 0;
	bpf_ringbuf_submit(p, 0);
	*(volatile __u64 *)p = 1;
	return 0;
}

/* released at an offset */
SEC("tc") __failure __msg("must have zero offset when passed to release func")
int vr_submit_offset(struct __sk_buff *skb)
{
	__u8 *p = bpf_ringbuf_reserve(&vr_rb, 16, 0);

	if (!p)
		return 0;
	bpf_ringbuf_submit(p + 8, 0);
	return 0;
}

/* only a record can be submitted */
SEC("tc") __failure __msg("type=fp expected=ringbuf_mem")
int vr_submit_stack(struct __sk_buff *skb)
{
	__u64 v = 0;

	bpf_ringbuf_submit(&v, 0);
	return 0;
}

/* the size must be a known constant */
SEC("tc") __failure __msg("R2 is not a known constant")
int vr_var_size(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_rb, skb->len & 15, 0);

	if (!p)
		return 0;
	bpf_ringbuf_discard(p, 0);
	return 0;
}

/* reserve takes a ring buffer */
SEC("tc") __failure __msg("cannot pass map_type 2 into func bpf_ringbuf_reserve#131")
int vr_reserve_array(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_array, 8, 0);

	if (!p)
		return 0;
	bpf_ringbuf_discard(p, 0);
	return 0;
}

/* and so does output */
SEC("tc") __failure __msg("cannot pass map_type 2 into func bpf_ringbuf_output#130")
int vr_output_array(struct __sk_buff *skb)
{
	__u64 v = 1;

	return bpf_ringbuf_output(&vr_array, &v, sizeof(v), 0);
}

/* leaked on one path only */
SEC("tc") __failure __msg("Unreleased reference id=")
int vr_leak_one_path(struct __sk_buff *skb)
{
	__u64 *p = bpf_ringbuf_reserve(&vr_rb, 8, 0);

	if (!p)
		return 0;
	if (ringb_opaque(1))
		return 1;
	bpf_ringbuf_submit(p, 0);
	return 0;
}
