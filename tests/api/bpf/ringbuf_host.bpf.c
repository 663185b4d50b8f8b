/* ringbuf_host: programs on both kinds of ring, for the host's consumer and
 * producer (api/ringbuf_test.cc).
 *   produce  one record per run: {seq (a global counter), skb->len}; every
 *            fifth seq is reserved and discarded instead
 *   drain    drains the user ring; each sample must be the next expected u64
 *            (a global), else `bad` counts it; returns the count drained */
#include "ringb_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 8192);
} urb SEC(".maps");

struct event {
	__u64 seq;
	__u32 len;
	__u32 discarded;
};

__u64 counter, next_expected, bad;

SEC("tc") __retval(0)
int produce(struct __sk_buff *skb)
{
	__u64 seq = __sync_fetch_and_add(&counter, 1);
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) /* full: the host retries; 2 when this seq would have been discarded */
		return seq % 5 == 2 ? 2 : 1;
	e->seq = seq;
	e->len = skb->len;
	e->discarded = seq % 5 == 2;
	if (e->discarded)
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, 0);
	return 0;
}

static long check_sample(struct bpf_dynptr *dynptr, void *ctx)
{
	__u64 v = 0;

	if (bpf_dynptr_read(&v, sizeof(v), dynptr, 0, 0))
		bad++;
	if (v != next_expected)
		bad++;
	next_expected = v + 1;
	return 0;
}

SEC("tc") __retval(0)
int drain(struct __sk_buff *skb)
{
	return bpf_user_ringbuf_drain(&urb, check_sample, NULL, 0);
}

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

/* an xdp dynptr over the 64-byte test packet: size 64, a slice at 12 shows
 * 0x08, a write of byte 63 works and reads back, from_xdp with flags -EINVAL,
 * a write with flags -EINVAL: 64 * 10000 + 8 * 100 + 7 * 10 - 22 - 22.
 * (Checked against the kernel by hand: bpftool prog run, docs/ringbuf.md.) */
SEC("xdp")
int dp_xdp(struct xdp_md *ctx)
{
	struct bpf_dynptr d, e;
	__u8 v = 7, back = 0;

	if (bpf_dynptr_from_xdp(ctx, 0, &d))
		return -1;
	long size = bpf_dynptr_size(&d);
	__u8 *p = bpf_dynptr_slice(&d, 12, NULL, 1);
	if (!p)
		return -2;
	long eth0 = *p;
	if (bpf_dynptr_write(&d, 63, &v, 1, 0) || bpf_dynptr_read(&back, 1, &d, 63, 0))
		return -3;
	long e1 = bpf_dynptr_from_xdp(ctx, ringb_opaque(1), &e);
	long e2 = bpf_dynptr_write(&d, 0, &v, 1, ringb_opaque(1));
	return size * 10000 + eth0 * 100 + back * 10 + e1 + e2;
}
